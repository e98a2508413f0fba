import type { Knex } from '@mikro-orm/knex';
import { toDatetime } from '../users/sql-batch.js';
import type { ExportUser } from './plugin-format.js';

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

/** The meta keys every line needs: the top-level fields kept in usermeta and the capabilities. */
const LINE_META_KEYS = [
  'nickname',
  'first_name',
  'last_name',
  'description',
  'rich_editing',
  'syntax_highlighting',
  'comment_shortcuts',
  'admin_color',
  'use_ssl',
  'show_admin_bar_front',
  'locale',
];

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

function likeEscape(value: string): string {
  return value.replace(/[!%_]/g, (c) => `!${c}`);
}

/**
 * Pages of users for an export, in `user_login` order as the database collation sorts it (the
 * plugin's line order), read with a keyset (login, ID) so each page costs the same however deep,
 * with their meta rows in one more query per page. Yields one page at a time: memory stays flat.
 */
export async function* readExportPages(knex: Knex, q: ExportQuery): AsyncGenerator<ExportUser[]> {
  const metaKeys = [...new Set([...LINE_META_KEYS, q.capabilitiesKey, ...q.metaKeys])];
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
  const loadPage = async (
    from: { login: string; id: string } | null,
    size: number,
  ): Promise<{ users: ExportUser[]; last: { login: string; id: string } | null }> => {
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
    if (rows.length === 0) return { users: [], last: null };
    const ids = rows.map((r) => text(r['ID']));
    const metaRows = (await knex(q.metaTable)
      .select('user_id', 'meta_key', 'meta_value')
      .whereIn('user_id', ids)
      .whereIn('meta_key', metaKeys)
      .orderBy([
        { column: 'user_id', order: 'asc' },
        { column: 'umeta_id', order: 'asc' },
      ])) as Record<string, unknown>[];
    const metaById = new Map<string, Map<string, string[]>>();
    for (const row of metaRows) {
      const id = text(row['user_id']);
      let meta = metaById.get(id);
      if (!meta) metaById.set(id, (meta = new Map<string, string[]>()));
      const key = text(row['meta_key']);
      const list = meta.get(key);
      if (list) list.push(text(row['meta_value']));
      else meta.set(key, [text(row['meta_value'])]);
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
    const lastRow = rows[rows.length - 1] ?? {};
    return {
      users,
      last: rows.length < size ? null : { login: text(lastRow['user_login']), id: text(lastRow['ID']) },
    };
  };
  // The next page is read while the caller writes this one.
  const next = (from: typeof after) => {
    const size = Math.min(q.pageSize, remaining);
    remaining -= size;
    const page = loadPage(from, size);
    page.catch(() => undefined); // awaited below; this only covers a caller that stopped early
    return page;
  };
  let pending: ReturnType<typeof loadPage> | null = remaining > 0 ? next(after) : null;
  while (pending) {
    const page = await pending;
    pending = page.last && remaining > 0 ? next(page.last) : null;
    if (page.users.length) yield page.users;
  }
}
