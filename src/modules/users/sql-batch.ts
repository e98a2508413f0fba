import type { Knex } from '@mikro-orm/knex';

/** Formats a UTC date as MySQL's DATETIME literal (`2026-11-28 01:34:27`). */
export function toDatetime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * `UPDATE table SET column = CASE key WHEN … THEN … END WHERE key IN (…)`: many rows' new values of
 * one column in one statement.
 */
export async function updateColumnByKey(
  trx: Knex.Transaction,
  table: string,
  key: string,
  column: string,
  values: ReadonlyMap<string, string>,
): Promise<void> {
  if (values.size === 0) return;
  const whens: string[] = [];
  const bindings: string[] = [];
  for (const [id, value] of values) {
    whens.push('when ? then ?');
    bindings.push(id, value);
  }
  const ids = [...values.keys()];
  await trx.raw(
    `update ?? set ?? = case ?? ${whens.join(' ')} end where ?? in (${ids.map(() => '?').join(', ')})`,
    [table, column, key, ...bindings, key, ...ids],
  );
}
