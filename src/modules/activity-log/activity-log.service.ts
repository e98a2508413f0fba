import { serialize } from '../../lib/php-serialize.js';
import { jsToPhp } from '../../lib/php-value.js';
import type { SqlOrm } from '../../db/types.js';
import type { Logger } from '../../shared/logger.js';
import { ActivityLogEntry, type LogType } from './activity-log.entity.js';
import { redactSecrets } from './redact.js';

/** What a caller records; `data` is redacted before it is stored or published. */
export interface ActivityInput {
  readonly type: LogType;
  readonly message: string;
  readonly event: string;
  readonly data?: Record<string, unknown> | null;
  readonly siteId?: string | null;
  readonly action?: string | null;
  readonly direction?: 'incoming' | 'outgoing' | null;
  readonly login?: string | null;
  readonly outcome?: string | null;
  readonly cause?: string | null;
  readonly latencyMs?: number | null;
  readonly remoteIp?: string | null;
}

export type ActivityListener = (entries: readonly ActivityLogEntry[]) => void;

/**
 * Writes activity entries in small batches off the request path (one INSERT per batch), then
 * notifies listeners once the batch is committed. `flush()` waits for everything recorded so far.
 */
export class ActivityLogService {
  private queue: ActivityLogEntry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly listeners: ActivityListener[] = [];
  enabled = true;

  constructor(
    private readonly orm: SqlOrm,
    private readonly logger: Logger,
    private readonly batchDelayMs = 20,
    private readonly maxBatch = 500,
  ) {}

  onLogged(listener: ActivityListener): void {
    this.listeners.push(listener);
  }

  record(input: ActivityInput): void {
    const now = Date.now();
    const entry = new ActivityLogEntry();
    Object.assign(entry, {
      timestamp: Math.floor(now / 1000),
      loggedAtMs: String(now),
      type: input.type,
      message: input.message,
      data: input.data ? serialize(jsToPhp(redactSecrets(input.data))) : null,
      event: input.event,
      siteId: input.siteId ?? null,
      action: input.action ?? null,
      direction: input.direction ?? null,
      login: input.login ? input.login.slice(0, 60) : null,
      outcome: input.outcome ?? null,
      cause: input.cause ?? null,
      latencyMs: input.latencyMs ?? null,
      remoteIp: input.remoteIp ?? null,
    });
    this.logger.debug(
      { event: input.event, type: input.type, cause: input.cause, login: input.login },
      input.message,
    );
    if (!this.enabled) return;
    this.queue.push(entry);
    if (this.queue.length >= this.maxBatch) this.scheduleFlush(0);
    else this.scheduleFlush(this.batchDelayMs);
  }

  private scheduleFlush(delay: number): void {
    if (this.timer && delay > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delay);
  }

  /** Writes every queued entry; resolves when they are committed and published. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          // One multi-row INSERT (no unit of work: this runs for every request); the ORM hands back
          // the new ids, which subscribers and cursors need.
          const ids = await this.orm.em.fork().insertMany(ActivityLogEntry, batch);
          batch.forEach((entry, i) => (entry.id = Number(ids[i])));
          for (const listener of this.listeners) listener(batch);
        } catch (err) {
          this.logger.error({ err, count: batch.length }, 'could not write activity log entries');
        }
      }
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }
}
