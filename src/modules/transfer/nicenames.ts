import type { Knex } from '@mikro-orm/knex';
import type { Planned } from './import-writer.js';
import { cell, inList, quote, selectRows } from './sql-rows.js';

/** A nicename the batch would consider is one an earlier batch, still being written, has taken. */
export class NicenameInFlight extends Error {}

/**
 * wp_insert_user's unique nicenames: `name`, else `name-2`, `name-3`… (also unique within the batch).
 * `inFlight` (lowercase) are the nicenames of an earlier batch not committed yet: where this batch
 * would look at one of them, {@link NicenameInFlight} is thrown (the batch then waits for that one).
 */
export async function assignNicenames(
  trx: Knex.Transaction,
  o: { readonly sqlite: boolean; readonly usersTable: string },
  planned: Planned[],
  inFlight: ReadonlySet<string> | null = null,
): Promise<void> {
  const wanted = planned.filter((p) => p.nicename !== null);
  if (wanted.length === 0) return;
  const names = [...new Set(wanted.map((p) => p.nicename as string))];
  const takenBy = new Map<string, string>();
  const where = inList(o.sqlite, 'user_nicename', names);
  for (const row of await selectRows(
    trx,
    o.sqlite,
    `select ID, user_nicename from ${quote(o.usersTable)} where ${where.sql}`,
    where.bindings,
  ))
    takenBy.set(cell(row['user_nicename']).toLowerCase(), cell(row['ID']));
  const used = new Set<string>();
  const free = async (name: string, ownId: string): Promise<boolean> => {
    const key = name.toLowerCase();
    if (inFlight?.has(key)) throw new NicenameInFlight(name);
    if (used.has(key)) return false;
    if (takenBy.has(key)) return takenBy.get(key) === ownId;
    const w = inList(o.sqlite, 'user_nicename', [name]);
    const rows = await selectRows(
      trx,
      o.sqlite,
      `select ID from ${quote(o.usersTable)} where ${w.sql} limit 1`,
      w.bindings,
    );
    return rows.length === 0 || cell(rows[0]?.['ID']) === ownId;
  };
  for (const p of wanted) {
    const base = p.nicename as string;
    let candidate: string;
    const ownId = p.existing?.id ?? '';
    if (inFlight?.has(base.toLowerCase())) throw new NicenameInFlight(base);
    if (
      !used.has(base.toLowerCase()) &&
      (!takenBy.has(base.toLowerCase()) || takenBy.get(base.toLowerCase()) === ownId)
    ) {
      candidate = base;
    } else {
      for (let suffix = 2; ; suffix++) {
        const tail = `-${suffix}`;
        candidate = `${base.slice(0, 50 - tail.length)}${tail}`;
        if (await free(candidate, ownId)) break;
      }
    }
    used.add(candidate.toLowerCase());
    p.nicename = candidate;
  }
}
