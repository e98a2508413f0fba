import type { Knex } from '@mikro-orm/knex';
import type { SqlOrm } from '../../db/types.js';
import { ActivityLogEntry, type LogType } from './activity-log.entity.js';

export interface ActivityLogQuery {
  readonly types?: readonly LogType[] | null;
  readonly siteId?: string | null;
  readonly action?: string | null;
  readonly direction?: string | null;
  readonly login?: string | null;
  readonly event?: string | null;
  readonly cause?: string | null;
  /** Inclusive, milliseconds since the epoch. */
  readonly sinceMs?: number | null;
  /** Exclusive, milliseconds since the epoch. */
  readonly untilMs?: number | null;
  /** A substring of the message (case-insensitive on MySQL/MariaDB collations and SQLite ASCII). */
  readonly search?: string | null;
}

/** `%`, `_` and `!` taken literally in a LIKE pattern (`!` escapes: `\\` means different things in MySQL and SQLite). */
function likeLiteral(text: string): string {
  return text.replace(/[!%_]/g, (c) => `!${c}`);
}

/** Queries and bulk deletes of `{prefix}wprus_logs`. */
export class ActivityLogRepository {
  private readonly table: string;

  constructor(private readonly orm: SqlOrm) {
    this.table = orm.getMetadata().get(ActivityLogEntry.name).tableName;
  }

  private get knex(): Knex {
    return this.orm.em.getConnection().getKnex();
  }

  private filtered(q: ActivityLogQuery): Knex.QueryBuilder {
    const qb = this.knex(this.table);
    if (q.types?.length) qb.whereIn('type', [...q.types]);
    if (q.siteId) qb.where('site_id', q.siteId);
    if (q.action) qb.where('action', q.action);
    if (q.direction) qb.where('direction', q.direction);
    if (q.login) qb.where('login', q.login);
    if (q.event) qb.where('event', q.event);
    if (q.cause) qb.where('cause', q.cause);
    // `timestamp` is indexed (seconds); `logged_at_ms` refines within the second.
    // Rows the plugin wrote itself (a shared database) have no `logged_at_ms`.
    const since = q.sinceMs;
    const until = q.untilMs;
    if (since != null)
      qb.where('timestamp', '>=', Math.floor(since / 1000)).where((w) => {
        void w.whereNull('logged_at_ms').orWhere('logged_at_ms', '>=', since);
      });
    if (until != null)
      qb.where('timestamp', '<=', Math.floor(until / 1000)).where((w) => {
        void w.whereNull('logged_at_ms').orWhere('logged_at_ms', '<', until);
      });
    if (q.search) qb.whereRaw(`message like ? escape '!'`, [`%${likeLiteral(q.search)}%`]);
    return qb;
  }

  /** Newest first, keyset-paged by id. */
  async page(q: ActivityLogQuery, limit: number, beforeId: number | null): Promise<ActivityLogEntry[]> {
    const qb = this.filtered(q).select('*').orderBy('id', 'desc').limit(limit);
    if (beforeId !== null) qb.where('id', '<', beforeId);
    const rows = (await qb) as Record<string, unknown>[];
    const em = this.orm.em.fork();
    return rows.map((row) => em.map(ActivityLogEntry, row));
  }

  async count(q: ActivityLogQuery): Promise<number> {
    const rows: { n?: number | string }[] = await this.filtered(q).count({ n: '*' });
    const row = rows[0];
    return Number(row?.n ?? 0);
  }

  async clear(): Promise<number> {
    return this.knex(this.table).delete();
  }

  /**
   * Deletes entries beyond the newest `minEntries` that are older than `olderThanSeconds` (all of
   * them when null), in id ranges of `chunk` rows, so no statement holds locks for long.
   */
  async prune(minEntries: number, olderThanSeconds: number | null, chunk = 5000): Promise<number> {
    const [boundary] = await this.knex<{ id: number }>(this.table)
      .select('id')
      .orderBy('id', 'desc')
      .offset(minEntries)
      .limit(1);
    if (!boundary) return 0;
    const [first] = (await this.knex(this.table).min({ id: 'id' })) as unknown as { id: number | null }[];
    let removed = 0;
    for (let from = Number(first?.id ?? boundary.id); from <= boundary.id; from += chunk) {
      const qb = this.knex(this.table)
        .where('id', '>=', from)
        .where('id', '<', Math.min(from + chunk, boundary.id + 1));
      if (olderThanSeconds !== null) qb.where('timestamp', '<', olderThanSeconds);
      removed += await qb.delete();
      // Leave room for requests between chunks.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return removed;
  }
}
