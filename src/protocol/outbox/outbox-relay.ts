import type { SqlOrm } from '../../db/types.js';
import type { EnvelopeKeys } from '../envelope.js';
import { encodeWprusBody } from '../form-body.js';
import { endpointUrl, PeerTransportError, type PeerClient } from '../peer-client.js';
import type { ReceiverLogEntry } from '../receiver/types.js';
import { shouldRefresh } from '../token-window.js';
import { DeliveryAttempt } from './delivery-attempt.entity.js';
import { Delivery } from './delivery.entity.js';
import { DEFAULT_RETRY_POLICY, isRetryable, nextDelayMs, type RetryPolicy } from './retry-policy.js';

export interface RelayOptions {
  readonly orm: SqlOrm;
  readonly client: PeerClient;
  keys(): Promise<EnvelopeKeys | null>;
  log(entry: ReceiverLogEntry): void;
  /** `FOR UPDATE SKIP LOCKED` lets several instances share the outbox (MariaDB/MySQL only). */
  readonly skipLocked: boolean;
  readonly policy?: RetryPolicy;
  readonly timeoutMs?: number;
  readonly concurrency?: number;
  /** Deliveries in flight to one site at most. */
  readonly perSiteConcurrency?: number;
  readonly idleMs?: number;
  readonly leaseMs?: number;
  onSettled?(delivery: Delivery): void;
}

interface Outcome {
  readonly httpStatus: number | null;
  readonly latencyMs: number;
  readonly error: string | null;
  readonly tokenProblem: boolean;
}

/**
 * Delivers the outbox: claims due rows (the oldest pending row of each site and login, so order is
 * kept per user and site), sends them with a cached token, records every attempt, and retries with
 * exponential backoff and full jitter until the delivery succeeds or is dead. A slow or dead peer only
 * delays its own rows.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private readonly tokens = new Map<string, { nonce: string; expiry: number }>();
  private readonly policy: RetryPolicy;

  constructor(private readonly options: RelayOptions) {
    this.policy = options.policy ?? DEFAULT_RETRY_POLICY;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** Called after a commit that wrote outbox rows: deliver now instead of at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  private readonly inFlight = new Map<string, string>(); // delivery id → site id

  private async run(): Promise<void> {
    const slots = this.options.concurrency ?? 16;
    while (this.running) {
      let claimed: Delivery[] = [];
      const free = slots - this.inFlight.size;
      if (free > 0) {
        try {
          claimed = await this.claim(free);
        } catch (err) {
          this.options.log({
            type: 'alert',
            event: 'delivery.error',
            message: `Outbox relay could not claim deliveries: ${String(err)}`,
            outcome: 'failed',
            cause: 'relay_error',
          });
        }
      }
      // Deliveries run side by side; a slow peer holds only its own slots, never the loop.
      for (const delivery of claimed) {
        this.inFlight.set(delivery.id, delivery.siteId);
        void this.deliver(delivery).finally(() => {
          this.inFlight.delete(delivery.id);
          this.wake();
        });
      }
      if (claimed.length === 0 || this.inFlight.size >= slots) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.idleMs ?? 250);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = null;
      }
    }
    while (this.inFlight.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  /** Takes the due head rows, leasing them so no other relay takes them meanwhile. */
  async claim(limit: number): Promise<Delivery[]> {
    const meta = this.options.orm.getMetadata().get(Delivery.name);
    const table = meta.tableName;
    const now = new Date();
    const knex = this.options.orm.em.getConnection().getKnex();
    const ids: string[] = await knex.transaction(
      async (trx) => {
        const rows = (await trx.raw(
          `select o.id, o.site_id from ?? o where o.status = 'pending' and o.next_attempt_at <= ? and (o.locked_until is null or o.locked_until < ?)
           and not exists (select 1 from ?? p where p.site_id = o.site_id and p.login = o.login and p.status = 'pending' and p.id < o.id)
         order by o.id limit ${Math.floor(limit * 4)}${this.options.skipLocked ? ' for update skip locked' : ''}`,
          [table, now, now, table],
        )) as unknown;
        const list = (Array.isArray(rows) && Array.isArray(rows[0]) ? rows[0] : rows) as {
          id: unknown;
          site_id: unknown;
        }[];
        // At most `perSite` deliveries in flight per site: one slow or dead peer cannot take every slot.
        const perSite = this.options.perSiteConcurrency ?? 4;
        const busy = new Map<string, number>();
        for (const site of this.inFlight.values()) busy.set(site, (busy.get(site) ?? 0) + 1);
        const found: string[] = [];
        for (const row of list) {
          const site = String(row.site_id);
          const count = busy.get(site) ?? 0;
          if (count >= perSite || found.length >= limit) continue;
          busy.set(site, count + 1);
          found.push(String(row.id));
        }
        if (found.length) {
          await trx(table)
            .whereIn('id', found)
            .update({ locked_until: new Date(now.getTime() + (this.options.leaseMs ?? 60_000)) });
        }
        return found;
        // Read committed: no gap locks, so claiming never deadlocks with transactions adding rows.
      },
      this.options.skipLocked ? { isolationLevel: 'read committed' } : {},
    );
    if (ids.length === 0) return [];
    return this.options.orm.em.fork().find(Delivery, { id: { $in: ids } }, { orderBy: { id: 'asc' } });
  }

  private async send(delivery: Delivery, keys: EnvelopeKeys): Promise<Outcome> {
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const now = Math.floor(Date.now() / 1000);
    let token = this.tokens.get(delivery.siteUrl);
    if (!token || shouldRefresh(token.expiry, now)) {
      const issued = await this.options.client.requestToken(
        delivery.siteUrl,
        keys,
        delivery.action as never,
        'post',
        timeoutMs,
      );
      if (!issued.token)
        return {
          httpStatus: issued.response.status === 200 ? null : issued.response.status,
          latencyMs: issued.response.latencyMs,
          error: issued.problem,
          tokenProblem: true,
        };
      token = issued.token;
      this.tokens.set(delivery.siteUrl, token);
    }
    const response = await this.options.client.post(
      endpointUrl(delivery.siteUrl, delivery.action as never),
      encodeWprusBody({ wprusdata: delivery.bundle, token: token.nonce }),
      timeoutMs,
    );
    return {
      httpStatus: response.status,
      latencyMs: response.latencyMs,
      error: response.status === 200 ? null : `HTTP ${response.status}`,
      tokenProblem: false,
    };
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const keys = await this.options.keys();
    let outcome: Outcome;
    if (!keys) {
      outcome = {
        httpStatus: null,
        latencyMs: 0,
        error: 'the AES and HMAC keys are not configured',
        tokenProblem: false,
      };
    } else {
      try {
        outcome = await this.send(delivery, keys);
      } catch (err) {
        const latencyMs = err instanceof PeerTransportError ? err.latencyMs : 0;
        outcome = {
          httpStatus: null,
          latencyMs,
          error: err instanceof Error ? err.message : String(err),
          tokenProblem: false,
        };
      }
    }
    if (outcome.tokenProblem) this.tokens.delete(delivery.siteUrl);
    const em = this.options.orm.em.fork();
    const row = await em.findOneOrFail(Delivery, { id: delivery.id });
    row.attempts += 1;
    row.lastHttpStatus = outcome.httpStatus;
    row.lastError = outcome.error?.slice(0, 255) ?? null;
    row.lockedUntil = null;
    let result: 'delivered' | 'retry' | 'dead';
    if (outcome.httpStatus === 200 && !outcome.tokenProblem) {
      result = 'delivered';
      row.status = 'delivered';
      row.deliveredAt = new Date();
    } else {
      const delay =
        outcome.tokenProblem || isRetryable(outcome.httpStatus)
          ? nextDelayMs(this.policy, row.attempts)
          : null;
      if (delay === null) {
        result = 'dead';
        row.status = 'dead';
      } else {
        result = 'retry';
        row.nextAttemptAt = new Date(Date.now() + delay);
      }
    }
    em.create(DeliveryAttempt, {
      deliveryId: row.id,
      attemptedAt: new Date(),
      httpStatus: outcome.httpStatus,
      latencyMs: outcome.latencyMs,
      outcome: result,
      error: row.lastError,
    });
    await em.flush();
    this.options.log({
      type: result === 'delivered' ? 'success' : result === 'dead' ? 'alert' : 'warning',
      event: `delivery.${result}`,
      message:
        result === 'delivered'
          ? `${row.action} action delivered to ${row.siteUrl} for "${row.login}" (attempt ${row.attempts})`
          : `${row.action} action to ${row.siteUrl} for "${row.login}" failed (attempt ${row.attempts}): ${row.lastError ?? 'unknown error'}${result === 'dead' ? ' - giving up' : ''}`,
      action: row.action,
      direction: 'outgoing',
      login: row.login,
      siteId: row.siteId,
      outcome: result,
      cause:
        result === 'delivered'
          ? null
          : outcome.tokenProblem
            ? 'token_failed'
            : outcome.httpStatus === null
              ? 'transport_error'
              : `http_${outcome.httpStatus}`,
      latencyMs: outcome.latencyMs,
    });
    this.options.onSettled?.(row);
  }
}
