import type { AppConfig } from '../../config/config.js';
import type { SqlOrm } from '../../db/types.js';
import { AppError } from '../../shared/app-error.js';
import type { DomainEvents } from '../../shared/domain-events.js';
import type { Logger } from '../../shared/logger.js';
import type { AppPubSub, TransferProgressPayload } from '../../shared/pubsub.js';
import type { ActivityLogService } from '../activity-log/activity-log.service.js';
import { WpUserMeta } from '../users/user-meta.entity.js';
import { WpUser } from '../users/user.entity.js';
import { runExport, type ExportOptions } from './export-job.js';
import { runImport, type ImportOptions } from './import-job.js';
import type { TransferFiles } from './transfer-files.js';
import { TransferJob, type TransferKind } from './transfer-job.entity.js';

/** A job stops counting as alive when its heartbeat is older than this (crash, or another instance died). */
const STALE_MS = 5 * 60_000;
const DAY_MS = 24 * 3600_000;

/** The parts of the app a job needs. */
export interface TransferDeps {
  readonly orm: SqlOrm;
  readonly config: AppConfig;
  readonly activity: ActivityLogService;
  readonly pubsub: AppPubSub;
  readonly events: DomainEvents;
  readonly logger: Logger;
}

/** A refused transfer request in the activity log, with the admin who made it. */
export function recordRefusal(
  activity: ActivityLogService,
  event: string,
  cause: string,
  message: string,
  actor: string | null,
): void {
  activity.record({
    type: 'warning',
    event,
    message,
    outcome: 'refused',
    cause,
    login: null,
    data: { actor },
  });
}

/** What a running job reports and asks. */
export interface JobControl {
  readonly job: TransferJob;
  readonly deps: TransferDeps;
  readonly files: TransferFiles;
  readonly usersTable: string;
  readonly metaTable: string;
  /** Saves counters, publishes progress; true when the job should stop (cancelled or shutting down). */
  step(changes: Partial<TransferJob>, force?: boolean): Promise<boolean>;
}

/**
 * Runs import and export jobs in this process, one at a time per kind, saving their progress on the
 * job row and publishing it on `transfer.progress`; ends them with an activity entry; sweeps old files.
 */
export class TransferRunner {
  private readonly lanes: Record<TransferKind, Promise<void>> = {
    export: Promise.resolve(),
    import: Promise.resolve(),
  };
  private readonly localCancels = new Set<string>();
  private closing = false;
  private cleanupTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: TransferDeps,
    private readonly files: TransferFiles,
  ) {}

  /** Fails jobs interrupted by a crash, sweeps old files, and schedules the daily sweep. */
  start(): void {
    void this.recoverInterrupted()
      .then(() => this.cleanup())
      .catch((err: unknown) => this.deps.logger.warn({ err }, 'transfer start-up sweep failed'));
    this.cleanupTimer = setInterval(() => {
      this.cleanup().catch((err: unknown) => this.deps.logger.warn({ err }, 'transfer cleanup failed'));
    }, DAY_MS);
    this.cleanupTimer.unref();
  }

  /** Stops after the current batch of each running job (they end as failed: interrupted). */
  async close(): Promise<void> {
    this.closing = true;
    if (this.cleanupTimer) clearInterval(this.cleanupTimer);
    await Promise.all(Object.values(this.lanes));
  }

  private em() {
    return this.deps.orm.em.fork();
  }

  private tables(): { usersTable: string; metaTable: string } {
    const metadata = this.deps.orm.getMetadata();
    return {
      usersTable: metadata.get(WpUser.name).tableName,
      metaTable: metadata.get(WpUserMeta.name).tableName,
    };
  }

  /** Stops a job of this instance at its next step (another instance reads the job row). */
  requestCancel(id: string): void {
    this.localCancels.add(id);
  }

  enqueue(job: TransferJob): void {
    const lane = job.kind;
    this.lanes[lane] = this.lanes[lane].then(() =>
      this.run(job.id).catch((err: unknown) =>
        this.deps.logger.error({ err, jobId: job.id }, 'transfer job crashed'),
      ),
    );
  }

  private async run(id: string): Promise<void> {
    const job = await this.em().findOne(TransferJob, { id });
    if (!job || job.status !== 'queued') return;
    if (this.closing) {
      await this.finish(job, { status: 'failed', cause: 'interrupted', message: 'the server stopped' });
      return;
    }
    const started = new Date();
    job.status = 'running';
    job.startedAt = started;
    job.heartbeatAt = started;
    await this.em().nativeUpdate(
      TransferJob,
      { id },
      { status: 'running', startedAt: started, heartbeatAt: started },
    );
    const control = this.control(job);
    this.publish(job);
    try {
      const result =
        job.kind === 'export'
          ? await runExport(control, JSON.parse(job.options) as ExportOptions)
          : await runImport(control, JSON.parse(job.options) as ImportOptions);
      await this.finish(job, result);
    } catch (err) {
      this.deps.logger.error({ err, jobId: id }, 'transfer job failed');
      const message = err instanceof AppError ? err.message : 'internal error (see the server log)';
      await this.finish(job, { status: 'failed', cause: 'internal_error', message });
    } finally {
      this.localCancels.delete(id);
    }
  }

  private control(job: TransferJob): JobControl {
    let lastPublish = 0;
    return {
      job,
      deps: this.deps,
      files: this.files,
      ...this.tables(),
      step: async (changes, force = false) => {
        Object.assign(job, changes);
        const now = Date.now();
        if (!force && now - lastPublish < 200) return this.closing || this.localCancels.has(job.id);
        lastPublish = now;
        job.heartbeatAt = new Date(now);
        const { processed, created, updated, failed, bytesDone, bytesTotal } = job;
        await this.em().nativeUpdate(
          TransferJob,
          { id: job.id },
          { processed, created, updated, failed, bytesDone, bytesTotal, heartbeatAt: job.heartbeatAt },
        );
        this.publish(job);
        if (this.closing || this.localCancels.has(job.id)) return true;
        // Another instance may have asked.
        const row = await this.em().findOne(TransferJob, { id: job.id }, { fields: ['cancelRequested'] });
        return row?.cancelRequested ?? false;
      },
    };
  }

  /** Saves the end of a job, publishes it and writes its activity entry. */
  async finish(job: TransferJob, result: Partial<TransferJob>): Promise<void> {
    const wasCancelled = result.status === 'cancelled' || this.localCancels.has(job.id);
    const status = result.status === 'completed' && wasCancelled ? 'cancelled' : (result.status ?? 'failed');
    Object.assign(job, result, { status, finishedAt: new Date(), heartbeatAt: new Date() });
    if (status === 'cancelled') job.cause ??= 'cancelled';
    if (this.closing && status === 'cancelled')
      Object.assign(job, { status: 'failed', cause: 'interrupted' });
    if (job.kind === 'import' || job.status !== 'completed') {
      await this.files.remove(job.fileName).catch(() => undefined);
      if (job.fileName?.endsWith('.dat'))
        await this.files.remove(`${job.fileName}.part`).catch(() => undefined);
      job.fileName = null;
    }
    const {
      processed,
      created,
      updated,
      failed,
      bytesDone,
      bytesTotal,
      fileName,
      downloadName,
      cause,
      message,
    } = job;
    await this.em().nativeUpdate(
      TransferJob,
      { id: job.id },
      {
        status: job.status,
        finishedAt: job.finishedAt,
        heartbeatAt: job.heartbeatAt,
        processed,
        created,
        updated,
        failed,
        bytesDone,
        bytesTotal,
        fileName,
        downloadName,
        cause: cause?.slice(0, 40) ?? null,
        message: message?.slice(0, 255) ?? null,
      },
    );
    this.publish(job);
    const seconds = job.startedAt ? (Date.now() - job.startedAt.getTime()) / 1000 : 0;
    const what = job.kind === 'export' ? 'Export' : 'Import';
    const summary =
      job.kind === 'export'
        ? `${job.processed} users exported`
        : `${job.created} created, ${job.updated} updated, ${job.failed} lines not imported of ${job.processed}`;
    this.deps.activity.record({
      type:
        job.status === 'completed'
          ? job.failed > 0
            ? 'warning'
            : 'success'
          : job.status === 'cancelled'
            ? 'info'
            : 'alert',
      event: `transfer.${job.kind}`,
      message: `${what} ${job.id} ${job.status}: ${summary}${job.message ? ` (${job.message})` : ''}`,
      outcome: job.status,
      cause: job.cause ?? (job.failed > 0 ? 'lines_not_imported' : null),
      latencyMs: Math.round(seconds * 1000),
      data: {
        jobId: job.id,
        processed,
        created,
        updated,
        failed,
        bytes: bytesDone,
        seconds,
        ...(result as { data?: object }).data,
      },
    });
  }

  private publish(job: TransferJob): void {
    this.deps.pubsub.publishTyped('transfer.progress', this.snapshot(job));
  }

  /** A job's counters and rate, as `transfer.progress` carries them. */
  snapshot(job: TransferJob): TransferProgressPayload {
    const started = job.startedAt?.getTime() ?? Date.now();
    const end = job.finishedAt?.getTime() ?? Date.now();
    const seconds = Math.max((end - started) / 1000, 0.001);
    return {
      jobId: job.id,
      kind: job.kind,
      status: job.status,
      processed: job.processed,
      created: job.created,
      updated: job.updated,
      failed: job.failed,
      bytesDone: job.bytesDone,
      bytesTotal: job.bytesTotal,
      ratePerSecond: job.startedAt ? job.processed / seconds : 0,
      at: new Date().toISOString(),
    };
  }

  /** Jobs whose process died mid-way: failed, with their files removed. */
  async recoverInterrupted(): Promise<void> {
    const stale = new Date(Date.now() - STALE_MS);
    const jobs = await this.em().find(TransferJob, {
      status: { $in: ['queued', 'running'] },
      heartbeatAt: { $lt: stale },
    });
    for (const job of jobs)
      await this.finish(job, {
        status: 'failed',
        cause: 'interrupted',
        message: 'the server stopped while it ran',
      });
  }

  /**
   * The daily sweep: export files never downloaded and uploads never imported, older than
   * TRANSFER_RETENTION_HOURS, are deleted (the plugin deletes its whole directory daily).
   */
  async cleanup(): Promise<string[]> {
    const active = await this.em().find(
      TransferJob,
      { status: { $in: ['queued', 'running'] } },
      { fields: ['fileName'] },
    );
    const keep = new Set(active.map((j) => j.fileName).filter((n): n is string => n !== null));
    const removed = await this.files.cleanup(this.deps.config.transferRetentionHours * 3600_000, keep);
    const exports = removed.filter((n) => n.startsWith('export-') && !n.endsWith('.part'));
    if (exports.length)
      await this.em().nativeUpdate(TransferJob, { fileName: { $in: exports } }, { fileName: null });
    if (removed.length)
      this.deps.activity.record({
        type: 'info',
        event: 'transfer.cleanup',
        message: `${removed.length} transfer file(s) older than ${this.deps.config.transferRetentionHours} h deleted`,
        outcome: 'deleted',
        cause: 'expired',
        data: { files: removed },
      });
    return removed;
  }
}
