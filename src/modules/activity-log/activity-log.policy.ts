import type { SqlEntityManager as EntityManager } from '../../db/types.js';
import { AppError } from '../../shared/app-error.js';
import type { Logger } from '../../shared/logger.js';
import type { SettingsStore } from '../security/settings.store.js';
import type { ActivityLogRepository } from './activity-log.repository.js';
import type { ActivityLogService } from './activity-log.service.js';
import {
  DEFAULT_LOG_SETTINGS,
  LOG_SETTINGS_NAME,
  logSettingsSchema,
  type LogSettings,
} from './activity-log.settings.js';

export interface LogSettingsChange {
  readonly enabled?: boolean | null;
  readonly minEntries?: number | null;
  /** `null` explicitly: the plugin's behaviour (keep only the newest `minEntries`). */
  readonly maxAgeDays?: number | null;
}

/**
 * Logging on/off and retention: applies the stored settings to this instance (other instances pick a
 * change up within `refreshMs`) and prunes old entries periodically, in small chunks, off the request
 * path. The plugin prunes hourly; so do we by default.
 */
export class ActivityLogPolicy {
  private timers: NodeJS.Timeout[] = [];
  private pruning: Promise<number> | null = null;

  constructor(
    private readonly deps: {
      readonly settings: SettingsStore;
      readonly activity: ActivityLogService;
      readonly repository: ActivityLogRepository;
      readonly logger: Logger;
    },
    private readonly intervals = { refreshMs: 10_000, pruneMs: 3600_000 },
  ) {}

  current(em?: EntityManager): Promise<LogSettings> {
    return this.deps.settings.get(LOG_SETTINGS_NAME, logSettingsSchema, DEFAULT_LOG_SETTINGS, em);
  }

  async update(em: EntityManager, change: LogSettingsChange): Promise<LogSettings> {
    const before = await this.current(em);
    const next = {
      enabled: change.enabled ?? before.enabled,
      minEntries: change.minEntries ?? before.minEntries,
      maxAgeDays: change.maxAgeDays === undefined ? before.maxAgeDays : change.maxAgeDays,
    };
    const parsed = logSettingsSchema.safeParse(next);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = String(issue?.path[0] ?? 'input');
      const message =
        field === 'minEntries'
          ? 'minEntries must be between 0 and 100000000'
          : field === 'maxAgeDays'
            ? 'maxAgeDays must be between 1 and 36500, or null'
            : (issue?.message ?? 'invalid settings');
      this.deps.activity.record({
        type: 'alert',
        event: 'settings.logs',
        message: `Activity log settings not changed: ${message}`,
        outcome: 'refused',
        cause: `invalid_${field}`,
      });
      throw AppError.badInput(message, field);
    }
    await this.deps.settings.set(em, LOG_SETTINGS_NAME, parsed.data);
    await em.flush();
    // Turning logging off is itself logged, while it is still on.
    this.deps.activity.record({
      type: 'info',
      event: 'settings.logs',
      message: `Activity log settings changed: logging ${parsed.data.enabled ? 'on' : 'off'}, keep the newest ${parsed.data.minEntries} entries${parsed.data.maxAgeDays === null ? '' : ` and those younger than ${parsed.data.maxAgeDays} days`}`,
      outcome: 'applied',
      data: { ...parsed.data },
    });
    this.deps.activity.enabled = parsed.data.enabled;
    return parsed.data;
  }

  /** Removes entries beyond retention; concurrent calls share one run. */
  prune(): Promise<number> {
    this.pruning ??= (async () => {
      try {
        const s = await this.current();
        const olderThan =
          s.maxAgeDays === null ? null : Math.floor(Date.now() / 1000) - s.maxAgeDays * 86_400;
        const removed = await this.deps.repository.prune(s.minEntries, olderThan);
        if (removed > 0)
          this.deps.logger.info({ removed }, 'activity log entries removed by the retention policy');
        return removed;
      } finally {
        this.pruning = null;
      }
    })();
    return this.pruning;
  }

  start(): void {
    const refresh = (): void => {
      this.current()
        .then((s) => (this.deps.activity.enabled = s.enabled))
        .catch((err: unknown) => this.deps.logger.warn({ err }, 'could not read the log settings'));
    };
    refresh();
    const prune = (): void => {
      this.prune().catch((err: unknown) => this.deps.logger.warn({ err }, 'activity log pruning failed'));
    };
    this.timers = [
      setInterval(refresh, this.intervals.refreshMs),
      setInterval(prune, this.intervals.pruneMs),
      setTimeout(prune, 5_000),
    ];
    for (const t of this.timers) t.unref();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    await this.pruning?.catch(() => 0);
  }
}
