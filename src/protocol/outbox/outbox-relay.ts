import type { SqlOrm } from '../../db/types.js';
import type { EnvelopeKeys } from '../envelope.js';
import { encodeWprusBody } from '../form-body.js';
import { endpointUrl, PeerTransportError, type PeerClient } from '../peer-client.js';
import type { ReceiverLogEntry } from '../receiver/types.js';
import { shouldRefresh } from '../token-window.js';
import { OutboxStore, type ClaimedDelivery, type Settlement, type SettlementResult } from './outbox.store.js';
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
  /** Leased rows held ready per site, beyond those in flight (fewer claim round trips). */
  readonly perSitePrefetch?: number;
  readonly idleMs?: number;
  readonly leaseMs?: number;
  /** Called once an attempt's outcome is committed. */
  onSettled?(settlement: Settlement): void;
}

interface Outcome {
  readonly httpStatus: number | null;
  readonly latencyMs: number;
  readonly error: string | null;
  readonly tokenProblem: boolean;
}

/**
 * Delivers the outbox. Claims due rows per site (only the head of each (site, login) chain, so order
 * is kept per user and site) into a small per-site queue, sends them with a cached token, at most
 * `perSiteConcurrency` at a time per site, and records attempts in batches. Failed attempts are retried
 * with exponential backoff and full jitter until the delivery succeeds or is dead. A slow or dead peer
 * only delays its own rows.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private wakePending = false;
  private readonly tokens = new Map<string, { nonce: string; expiry: number }>();
  private readonly policy: RetryPolicy;
  private readonly store: OutboxStore;
  private readonly slots: number;
  private readonly perSite: number;
  private readonly prefetch: number;
  /** Leased rows waiting for a slot, per site. */
  private readonly queued = new Map<string, ClaimedDelivery[]>();
  /** Deliveries in flight per site. */
  private readonly inFlight = new Map<string, number>();
  private inFlightTotal = 0;
  private settling: { settlement: Settlement; done: () => void }[] = [];
  private settleRun: Promise<void> | null = null;
  private readonly idle = new Set<() => void>();

  constructor(private readonly options: RelayOptions) {
    this.policy = options.policy ?? DEFAULT_RETRY_POLICY;
    this.store = new OutboxStore(options.orm, {
      skipLocked: options.skipLocked,
      leaseMs: options.leaseMs ?? 60_000,
    });
    this.slots = options.concurrency ?? 64;
    this.perSite = options.perSiteConcurrency ?? 4;
    this.prefetch = options.perSitePrefetch ?? this.perSite * 2;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops claiming, gives queued rows back, and waits for deliveries in flight and their records. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** Called after a commit that wrote outbox rows: deliver now instead of at the next poll. */
  wake(): void {
    this.wakePending = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.wakePending = false;
      let claimed = 0;
      try {
        claimed = await this.claim();
      } catch (err) {
        this.options.log({
          type: 'alert',
          event: 'delivery.error',
          message: `Outbox relay could not claim deliveries: ${String(err)}`,
          outcome: 'failed',
          cause: 'relay_error',
        });
      }
      this.dispatch();
      if (claimed === 0 && !this.wakePending) await this.sleep(this.options.idleMs ?? 250);
    }
    const leftovers = [...this.queued.values()].flat().map((d) => d.id);
    this.queued.clear();
    await this.whenIdle();
    await this.store.release(leftovers).catch(() => undefined);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }

  private queuedCount(site: string): number {
    return this.queued.get(site)?.length ?? 0;
  }

  /** Tops up each site with pending rows to its prefetch depth. Returns the number of rows leased. */
  private async claim(): Promise<number> {
    if (this.inFlightTotal >= this.slots) return 0;
    const wanted = new Map<string, number>();
    for (const site of await this.store.pendingSites()) {
      const room = this.prefetch - this.queuedCount(site) - (this.inFlight.get(site) ?? 0);
      if (room > 0) wanted.set(site, room);
    }
    const rows = await this.store.claim(wanted);
    for (const row of rows) {
      const queue = this.queued.get(row.siteId);
      if (queue) queue.push(row);
      else this.queued.set(row.siteId, [row]);
    }
    return rows.length;
  }

  /** Starts queued deliveries while their site and the relay have free slots. */
  private dispatch(): void {
    for (const [site, queue] of this.queued) {
      while (
        queue.length > 0 &&
        this.inFlightTotal < this.slots &&
        (this.inFlight.get(site) ?? 0) < this.perSite
      ) {
        const delivery = queue.shift() as ClaimedDelivery;
        this.inFlight.set(site, (this.inFlight.get(site) ?? 0) + 1);
        this.inFlightTotal++;
        void this.deliver(delivery).finally(() => {
          this.inFlight.set(site, (this.inFlight.get(site) ?? 1) - 1);
          this.inFlightTotal--;
          if (this.running) this.dispatch();
          // A site whose queue ran low gets more rows in the next claim.
          if (this.queuedCount(site) < this.perSite) this.wake();
          this.notifyIdle();
        });
      }
      if (queue.length === 0) this.queued.delete(site);
    }
  }

  private notifyIdle(): void {
    if (this.inFlightTotal > 0 || this.settleRun) return;
    for (const resolve of this.idle) resolve();
    this.idle.clear();
  }

  private whenIdle(): Promise<void> {
    if (this.inFlightTotal === 0 && !this.settleRun) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  private async send(delivery: ClaimedDelivery, keys: EnvelopeKeys): Promise<Outcome> {
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

  private async attempt(delivery: ClaimedDelivery): Promise<Outcome> {
    const keys = await this.options.keys();
    if (!keys)
      return {
        httpStatus: null,
        latencyMs: 0,
        error: 'the AES and HMAC keys are not configured',
        tokenProblem: false,
      };
    try {
      return await this.send(delivery, keys);
    } catch (err) {
      return {
        httpStatus: null,
        latencyMs: err instanceof PeerTransportError ? err.latencyMs : 0,
        error: err instanceof Error ? err.message : String(err),
        tokenProblem: false,
      };
    }
  }

  /** Sends one delivery and waits until its outcome is recorded (so its site's next row may follow). */
  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const outcome = await this.attempt(delivery);
    if (outcome.tokenProblem) this.tokens.delete(delivery.siteUrl);
    const attempts = delivery.attempts + 1;
    let result: SettlementResult;
    let nextAttemptAt: Date | null = null;
    if (outcome.httpStatus === 200 && !outcome.tokenProblem) result = 'delivered';
    else {
      const delay =
        outcome.tokenProblem || isRetryable(outcome.httpStatus) ? nextDelayMs(this.policy, attempts) : null;
      result = delay === null ? 'dead' : 'retry';
      if (delay !== null) nextAttemptAt = new Date(Date.now() + delay);
    }
    const settlement: Settlement = {
      delivery,
      result,
      httpStatus: outcome.httpStatus,
      latencyMs: outcome.latencyMs,
      error: outcome.error?.slice(0, 255) ?? null,
      attemptedAt: new Date(),
      nextAttemptAt,
    };
    await this.record(settlement);
    this.options.log({
      type: result === 'delivered' ? 'success' : result === 'dead' ? 'alert' : 'warning',
      event: `delivery.${result}`,
      message:
        result === 'delivered'
          ? `${delivery.action} action delivered to ${delivery.siteUrl} for "${delivery.login}" (attempt ${attempts})`
          : `${delivery.action} action to ${delivery.siteUrl} for "${delivery.login}" failed (attempt ${attempts}): ${settlement.error ?? 'unknown error'}${result === 'dead' ? ' - giving up' : ''}`,
      action: delivery.action,
      direction: 'outgoing',
      login: delivery.login,
      siteId: delivery.siteId,
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
    this.options.onSettled?.(settlement);
  }

  /**
   * Queues an outcome for the next batch write; outcomes that arrive while a batch is being written
   * form the next one. Resolves once this outcome is committed (or its write has failed and logged).
   */
  private record(settlement: Settlement): Promise<void> {
    return new Promise((resolve) => {
      this.settling.push({ settlement, done: resolve });
      this.settleRun ??= this.settleLoop();
    });
  }

  private async settleLoop(): Promise<void> {
    // Let the outcomes of this I/O turn join the batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.settling.length > 0) {
      const batch = this.settling;
      this.settling = [];
      try {
        await this.store.settle(batch.map((b) => b.settlement));
      } catch (err) {
        // The rows stay leased and are taken again when the lease ends: sent at least once.
        this.options.log({
          type: 'alert',
          event: 'delivery.error',
          message: `Outbox relay could not record ${batch.length} delivery attempts: ${String(err)}`,
          outcome: 'failed',
          cause: 'relay_error',
        });
      }
      for (const b of batch) b.done();
    }
    this.settleRun = null;
    this.notifyIdle();
  }
}
