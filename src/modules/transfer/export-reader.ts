import type { Knex } from '@mikro-orm/knex';
import { toDatetime } from '../users/sql-batch.js';
import { META_LINE_FIELDS, type ExportUser } from './plugin-format.js';

export interface ExportQuery {
  readonly usersTable: string;
  readonly metaTable: string;
  readonly capabilitiesKey: string;
  /** Users having ANY of these roles (WordPress `role__in`); empty = everyone. */
  readonly roles: readonly string[];
  /** Only these logins (WordPress `login__in`); empty = everyone. */
  readonly logins: readonly string[];
  /** Meta keys to read for each user besides the top-level fields and the capabilities. */
  readonly metaKeys: readonly string[];
  readonly pageSize: number;
  /** Matching users skipped first. */
  readonly offset: number;
  /** At most this many users; 0 = no limit. */
  readonly max: number;
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** `user_registered` as WordPress stores it; SQLite rows written by the ORM hold epoch milliseconds. */
function registered(value: unknown): string {
  if (typeof value === 'number') return toDatetime(new Date(value));
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '0000-00-00 00:00:00' : toDatetime(value);
  const s = text(value);
  return /^\d+$/.test(s) ? toDatetime(new Date(Number(s))) : s;
}

/** Pages being read at once (each a few hundred users). */
const READ_AHEAD_PAGES = 3;

function likeEscape(value: string): string {
  return value.replace(/[!%_]/g, (c) => `!${c}`);
}

/**
 * `[user_id, meta_key, meta_value]` of the users' rows with these keys, by user then `umeta_id`. On
 * MariaDB/MySQL the rows come as arrays and the key as its position in `keys` (1-based; 0 for a key
 * equal only under the collation, which no lookup reads): no object nor key string per meta row, of
 * which a page has tens of thousands.
 */
async function readMetaRows(
  knex: Knex,
  metaTable: string,
  ids: readonly string[],
  keys: readonly string[],
): Promise<[unknown, string | undefined, unknown][]> {
  const query = knex(metaTable)
    .whereIn('user_id', [...ids])
    .whereIn('meta_key', [...keys])
    .orderBy([
      { column: 'user_id', order: 'asc' },
      { column: 'umeta_id', order: 'asc' },
    ]);
  if ((knex.client as { dialect?: string }).dialect !== 'mysql') {
    const rows: Record<string, unknown>[] = await query.select('user_id', 'meta_key', 'meta_value');
    return rows.map((r) => [r['user_id'], text(r['meta_key']), r['meta_value']]);
  }
  const marks = keys.map(() => '?').join(',');
  const { sql, bindings } = query
    .select('user_id', knex.raw(`field(cast(meta_key as binary), ${marks}) as k`, [...keys]), 'meta_value')
    .toSQL()
    .toNative();
  const [rows] = (await knex.raw(sql, bindings).options({ rowsAsArray: true })) as [unknown[][]];
  return rows.map((r) => {
    r[1] = keys[Number(r[1]) - 1];
    return r as [unknown, string | undefined, unknown];
  });
}

/**
 * Pages of users for an export, in `user_login` order as the database collation sorts it (the
 * plugin's line order), read with a keyset (login, ID) so each page costs the same however deep,
 * with their meta rows in one more query per page. Yields one page at a time: memory stays flat.
 */
export async function* readExportPages(knex: Knex, q: ExportQuery): AsyncGenerator<ExportUser[]> {
  const metaKeys = [...new Set([...META_LINE_FIELDS, q.capabilitiesKey, ...q.metaKeys])];
  let after: { login: string; id: string } | null = null;
  let remaining = q.max > 0 ? q.max : Infinity;
  const matching = () => {
    let query = knex(`${q.usersTable} as u`);
    if (q.logins.length) query = query.whereIn('u.user_login', [...q.logins]);
    if (q.roles.length) {
      // WordPress's own role query: a LIKE on the serialized capabilities array.
      query = query.whereExists((sub) => {
        void sub
          .select(knex.raw('1'))
          .from(`${q.metaTable} as c`)
          .whereRaw('c.user_id = u.ID')
          .andWhere('c.meta_key', q.capabilitiesKey)
          .andWhere((w) => {
            for (const role of q.roles)
              void w.orWhereRaw(`c.meta_value like ? escape '!'`, [`%${likeEscape(`"${role}"`)}%`]);
          });
      });
    }
    return query.orderBy([
      { column: 'u.user_login', order: 'asc' },
      { column: 'u.ID', order: 'asc' },
    ]);
  };
  if (q.offset > 0) {
    // The key of the last skipped user: the keyset starts after it.
    const [skipped] = (await matching()
      .select('u.ID', 'u.user_login')
      .offset(q.offset - 1)
      .limit(1)) as Record<string, unknown>[];
    if (!skipped) return;
    after = { login: text(skipped['user_login']), id: text(skipped['ID']) };
  }
  type Key = { login: string; id: string };
  const loadRows = async (
    from: Key | null,
    size: number,
  ): Promise<{ rows: Record<string, unknown>[]; last: Key | null }> => {
    let query = matching().select(
      'u.ID',
      'u.user_login',
      'u.user_nicename',
      'u.user_url',
      'u.user_email',
      'u.display_name',
      'u.user_registered',
      'u.user_pass',
    );
    if (from) {
      const { login, id } = from;
      query = query.where((w) => {
        void w
          .where('u.user_login', '>', login)
          .orWhere((x) => void x.where('u.user_login', login).andWhere('u.ID', '>', id));
      });
    }
    const rows = (await query.limit(size)) as Record<string, unknown>[];
    const lastRow = rows[rows.length - 1] ?? {};
    return {
      rows,
      last: rows.length < size ? null : { login: text(lastRow['user_login']), id: text(lastRow['ID']) },
    };
  };
  const withMeta = async (rows: Record<string, unknown>[]): Promise<ExportUser[]> => {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => text(r['ID']));
    const metaById = new Map<string, Map<string, string[]>>();
    // Rows as arrays (MariaDB/MySQL): no object per meta row, of which a page has tens of thousands.
    const metaRows = await readMetaRows(knex, q.metaTable, ids, metaKeys);
    let lastId: unknown = null;
    let meta: Map<string, string[]> | undefined;
    for (const row of metaRows) {
      const key = row[1];
      if (key === undefined) continue;
      if (row[0] !== lastId || !meta) {
        lastId = row[0];
        const id = text(row[0]);
        meta = metaById.get(id);
        if (!meta) metaById.set(id, (meta = new Map<string, string[]>()));
      }
      const list = meta.get(key);
      if (list) list.push(text(row[2]));
      else meta.set(key, [text(row[2])]);
    }
    const users = rows.map((r) => ({
      login: text(r['user_login']),
      nicename: text(r['user_nicename']),
      url: text(r['user_url']),
      email: text(r['user_email']),
      displayName: text(r['display_name']),
      registered: registered(r['user_registered']),
      pass: text(r['user_pass']),
      meta: metaById.get(text(r['ID'])) ?? new Map<string, string[]>(),
    }));
    return users;
  };
  // Pages are read ahead while the caller writes: each page's users query starts as soon as the
  // previous page's users are known, its meta query as soon as its own users are.
  interface Ahead {
    readonly rows: Promise<{ rows: Record<string, unknown>[]; last: Key | null }>;
    readonly users: Promise<ExportUser[]>;
  }
  const start = (from: Key | null): Ahead => {
    const size = Math.min(q.pageSize, remaining);
    remaining -= size;
    const rows = loadRows(from, size);
    const users = rows.then((r) => withMeta(r.rows));
    rows.catch(() => undefined); // awaited below; this only covers a caller that stopped early
    users.catch(() => undefined);
    return { rows, users };
  };
  const queue: Ahead[] = remaining > 0 ? [start(after)] : [];
  while (queue.length) {
    while (queue.length < READ_AHEAD_PAGES && remaining > 0) {
      const last = queue[queue.length - 1] as Ahead;
      const { last: key } = await last.rows;
      if (!key) break;
      queue.push(start(key));
    }
    const page = await (queue.shift() as Ahead).users;
    if (page.length) yield page;
  }
}
