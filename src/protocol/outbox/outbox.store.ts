import type { Knex } from '@mikro-orm/knex';
import type { SqlOrm } from '../../db/types.js';
import { DeliveryAttempt } from './delivery-attempt.entity.js';
import { Delivery } from './delivery.entity.js';

/** A leased outbox row, as much of it as sending needs. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly siteId: string;
  readonly siteUrl: string;
  readonly action: string;
  readonly login: string;
  readonly bundle: string;
  readonly attempts: number;
}

export type SettlementResult = 'delivered' | 'retry' | 'dead';

/** How one attempt ended; written with others in one transaction. */
export interface Settlement {
  readonly delivery: ClaimedDelivery;
  readonly result: SettlementResult;
  readonly httpStatus: number | null;
  readonly latencyMs: number;
  readonly error: string | null;
  readonly attemptedAt: Date;
  /** When a `retry` is due. */
  readonly nextAttemptAt: Date | null;
}

interface Row {
  id: unknown;
  site_id: unknown;
  site_url: unknown;
  action: unknown;
  login: unknown;
  bundle: unknown;
  attempts: unknown;
}

function rowsOf<T>(result: unknown): T[] {
  // knex.raw answers [rows, fields] on MySQL/MariaDB and rows on SQLite.
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as T[];
}

/**
 * The outbox's SQL: claiming due rows fairly across sites, and recording many attempts at once. Plain
 * statements instead of the unit of work: the relay runs them thousands of times a second.
 */
export class OutboxStore {
  private readonly outbox: string;
  private readonly attempts: string;

  constructor(
    private readonly orm: SqlOrm,
    private readonly options: { readonly skipLocked: boolean; readonly leaseMs: number },
  ) {
    const metadata = orm.getMetadata();
    this.outbox = metadata.get(Delivery.name).tableName;
    this.attempts = metadata.get(DeliveryAttempt.name).tableName;
  }

  private get knex(): Knex {
    return this.orm.em.getConnection().getKnex();
  }

  /** Sites that have pending rows (a loose scan of the `status, site_id` index). */
  async pendingSites(): Promise<string[]> {
    const rows = await this.knex<{ site_id: unknown }>(this.outbox)
      .select('site_id')
      .where('status', 'pending')
      .groupBy('site_id');
    return rows.map((r) => String(r.site_id));
  }

  /**
   * Leases up to `wanted(site)` due rows of each site: only the head of each (site, login) chain, so
   * actions reach a site in the order they were made. Candidates are read per site (one slow site's
   * backlog never hides another site's rows), then locked with SKIP LOCKED and leased in a short
   * transaction, so several instances never take the same row.
   */
  async claim(wanted: ReadonlyMap<string, number>): Promise<ClaimedDelivery[]> {
    const sites = [...wanted].filter(([, n]) => n > 0);
    if (sites.length === 0) return [];
    const now = new Date();
    const knex = this.knex;
    const parts = sites.map(
      ([, n], i) =>
        `select id from (select o.id from ?? o where o.status = 'pending' and o.site_id = ? and o.next_attempt_at <= ?
          and (o.locked_until is null or o.locked_until < ?)
          and not exists (select 1 from ?? p where p.site_id = o.site_id and p.login = o.login and p.status = 'pending' and p.id < o.id)
          order by o.id limit ${Math.floor(n)}) c${i}`,
    );
    const bindings = sites.flatMap(([site]) => [this.outbox, site, now, now, this.outbox]);
    const candidates = rowsOf<{ id: unknown }>(await knex.raw(parts.join(' union all '), bindings)).map((r) =>
      String(r.id),
    );
    if (candidates.length === 0) return [];
    return knex.transaction(
      async (trx) => {
        const rows = rowsOf<Row>(
          await trx.raw(
            `select id, site_id, site_url, action, login, bundle, attempts from ?? where id in (${candidates.map(() => '?').join(',')})
             and status = 'pending' and (locked_until is null or locked_until < ?) order by id${this.options.skipLocked ? ' for update skip locked' : ''}`,
            [this.outbox, ...candidates, now],
          ),
        );
        if (rows.length === 0) return [];
        await trx(this.outbox)
          .whereIn(
            'id',
            rows.map((r) => String(r.id)),
          )
          .update({ locked_until: new Date(now.getTime() + this.options.leaseMs) });
        return rows.map((r) => ({
          id: String(r.id),
          siteId: String(r.site_id),
          siteUrl: String(r.site_url),
          action: String(r.action),
          login: String(r.login),
          bundle: String(r.bundle),
          attempts: Number(r.attempts),
        }));
      },
      // Read committed: no gap locks, so claiming never deadlocks with transactions adding rows.
      this.options.skipLocked ? { isolationLevel: 'read committed' } : {},
    );
  }

  /** Gives leased rows back (a stopping relay), so they are taken again at once. */
  async release(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.knex(this.outbox)
      .whereIn('id', [...ids])
      .andWhere('status', 'pending')
      .update({ locked_until: null });
  }

  /** Records attempts and their rows' new state in one transaction (one statement for all successes). */
  async settle(batch: readonly Settlement[]): Promise<void> {
    if (batch.length === 0) return;
    await this.knex.transaction(async (trx) => {
      const delivered = batch.filter((s) => s.result === 'delivered');
      if (delivered.length) {
        await trx(this.outbox)
          .whereIn(
            'id',
            delivered.map((s) => s.delivery.id),
          )
          .update({
            status: 'delivered',
            attempts: trx.raw('attempts + 1'),
            last_http_status: 200,
            last_error: null,
            locked_until: null,
            delivered_at: delivered[0]?.attemptedAt ?? new Date(),
          });
      }
      for (const s of batch) {
        if (s.result === 'delivered') continue;
        await trx(this.outbox)
          .where('id', s.delivery.id)
          .update({
            status: s.result === 'dead' ? 'dead' : 'pending',
            attempts: trx.raw('attempts + 1'),
            last_http_status: s.httpStatus,
            last_error: s.error,
            locked_until: null,
            ...(s.nextAttemptAt ? { next_attempt_at: s.nextAttemptAt } : {}),
          });
      }
      await trx(this.attempts).insert(
        batch.map((s) => ({
          delivery_id: s.delivery.id,
          attempted_at: s.attemptedAt,
          http_status: s.httpStatus,
          latency_ms: s.latencyMs,
          outcome: s.result,
          error: s.error,
        })),
      );
    });
  }
}
