import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AppConfig } from '../../config/config.js';
import type { SqlOrm } from '../../db/types.js';
import { AppError } from '../../shared/app-error.js';
import type { DomainEvents } from '../../shared/domain-events.js';
import type { Logger } from '../../shared/logger.js';
import type { AppPubSub, TransferProgressPayload } from '../../shared/pubsub.js';
import type { ActivityLogService } from '../activity-log/activity-log.service.js';
import { WpUserMeta } from '../users/user-meta.entity.js';
import { WpUser } from '../users/user.entity.js';
import type { ImportMode } from './import-writer.js';
import { runExport, type ExportOptions } from './export-job.js';
import { runImport, type ImportOptions } from './import-job.js';
import { TransferError } from './transfer-error.entity.js';
import { TransferFiles } from './transfer-files.js';
import { TransferJob, type TransferKind } from './transfer-job.entity.js';

export type { ExportOptions, ImportOptions, ImportMode };

/** A job stops counting as alive when its heartbeat is older than this (crash, or another instance died). */
const STALE_MS = 5 * 60_000;
const DAY_MS = 24 * 3600_000;

function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** The parts of the app a job needs. */
export interface TransferDeps {
  readonly orm: SqlOrm;
  readonly config: AppConfig;
  readonly activity: ActivityLogService;
  readonly pubsub: AppPubSub;
  readonly events: DomainEvents;
  readonly logger: Logger;
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
 * Import and export jobs: created by the API, run one at a time per kind in this process, with their
 * progress saved on the job row and published on `transfer.progress`.
 */
export class TransferService {
  readonly files: TransferFiles;
  private readonly lanes: Record<TransferKind, Promise<void>> = {
    export: Promise.resolve(),
    import: Promise.resolve(),
  };
  private readonly localCancels = new Set<string>();
  private closing = false;
  private cleanupTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: TransferDeps) {
    this.files = new TransferFiles(deps.config.transferDir);
  }

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

  /** The single-use link of an export, as a path and under PUBLIC_URL. */
  downloadLink(jobId: string, token: string): { downloadPath: string; downloadUrl: string } {
    const downloadPath = `/transfers/${jobId}/download?token=${token}`;
    return { downloadPath, downloadUrl: `${this.deps.config.publicUrl}${downloadPath}` };
  }

  async get(id: string): Promise<TransferJob> {
    if (!/^\d{1,20}$/.test(id)) throw AppError.badInput('id must be a numeric job ID', 'id');
    const job = await this.em().findOne(TransferJob, { id });
    if (!job) throw AppError.notFound(`transfer job ${id}`);
    return job;
  }

  async startExport(
    actor: string,
    options: ExportOptions,
  ): Promise<{ job: TransferJob; downloadPath: string; downloadUrl: string }> {
    const token = randomBytes(32).toString('base64url');
    const job = await this.create('export', actor, options, { downloadTokenHash: sha256(token) });
    this.deps.activity.record({
      type: 'info',
      event: 'transfer.export',
      message: `Export ${job.id} queued by ${actor}`,
      outcome: 'queued',
      data: { jobId: job.id, ...options },
    });
    this.enqueue(job);
    return { job, ...this.downloadLink(job.id, token) };
  }

  async startImport(actor: string, options: ImportOptions): Promise<TransferJob> {
    if (!this.files.isUploadId(options.upload)) {
      this.refused(
        'transfer.import',
        'unknown_upload',
        `Import refused: "${options.upload}" is not an upload ID`,
        actor,
      );
      throw AppError.badInput(
        'upload is not an upload ID (POST the file to /transfers/uploads first)',
        'upload',
      );
    }
    const uploadName = this.files.uploadName(options.upload);
    const size = await this.files.size(uploadName);
    if (size === null) {
      this.refused(
        'transfer.import',
        'unknown_upload',
        `Import refused: upload ${options.upload} not found`,
        actor,
      );
      throw AppError.notFound(`upload ${options.upload}`);
    }
    const job = await this.create('import', actor, options, { bytesTotal: size });
    const fileName = this.files.importName(job.id);
    try {
      await this.files.move(uploadName, fileName);
    } catch {
      await this.em().nativeUpdate(
        TransferJob,
        { id: job.id },
        { status: 'failed', cause: 'unknown_upload' },
      );
      throw AppError.notFound(`upload ${options.upload}`);
    }
    await this.em().nativeUpdate(TransferJob, { id: job.id }, { fileName });
    job.fileName = fileName;
    this.deps.activity.record({
      type: 'info',
      event: 'transfer.import',
      message: `Import ${job.id} queued by ${actor} (${size} bytes, ${options.mode})`,
      outcome: 'queued',
      data: { jobId: job.id, ...options },
    });
    this.enqueue(job);
    return job;
  }

  private refused(event: string, cause: string, message: string, actor: string | null): void {
    this.deps.activity.record({
      type: 'warning',
      event,
      message,
      outcome: 'refused',
      cause,
      login: null,
      data: { actor },
    });
  }

  private async create(
    kind: TransferKind,
    actor: string,
    options: object,
    extra: Partial<TransferJob>,
  ): Promise<TransferJob> {
    const em = this.em();
    const now = new Date();
    const job = Object.assign(new TransferJob(), {
      kind,
      status: 'queued',
      options: JSON.stringify(options),
      createdBy: actor.slice(0, 100),
      createdAt: now,
      heartbeatAt: now,
      ...extra,
    });
    await em.persistAndFlush(job);
    return job;
  }

  async cancel(id: string, actor: string): Promise<TransferJob> {
    const job = await this.get(id);
    if (job.status !== 'queued' && job.status !== 'running')
      throw AppError.conflict(`transfer job ${id} is already ${job.status}`);
    this.localCancels.add(id);
    await this.em().nativeUpdate(TransferJob, { id }, { cancelRequested: true });
    if (job.status === 'queued') {
      // Not started: it ends now (its lane skips it).
      await this.finish(job, { status: 'cancelled', cause: 'cancelled', message: `cancelled by ${actor}` });
    }
    this.deps.activity.record({
      type: 'info',
      event: `transfer.${job.kind}`,
      message: `${job.kind === 'export' ? 'Export' : 'Import'} ${id} cancelled by ${actor}`,
      outcome: 'cancel_requested',
      cause: 'cancelled',
      data: { jobId: id },
    });
    return this.get(id);
  }

  /** A new single-use link for a finished export (the previous one stops working). */
  async issueDownloadLink(id: string): Promise<{ downloadPath: string; downloadUrl: string }> {
    const job = await this.get(id);
    if (job.kind !== 'export') throw AppError.badInput('only exports can be downloaded', 'id');
    if (job.downloadedAt) throw AppError.conflict('this export was already downloaded (its file is deleted)');
    if (job.status === 'completed' && (!job.fileName || (await this.files.size(job.fileName)) === null))
      throw AppError.notFound(`the file of export ${id} (expired)`);
    if (job.status !== 'completed' && job.status !== 'queued' && job.status !== 'running')
      throw AppError.conflict(`export ${id} ${job.status}: there is no file`);
    const token = randomBytes(32).toString('base64url');
    await this.em().nativeUpdate(TransferJob, { id }, { downloadTokenHash: sha256(token) });
    return this.downloadLink(id, token);
  }

  /**
   * Consumes a download token: on success the link is spent (single use) and the caller streams the
   * file, then calls `downloaded`. Every refusal is logged with its cause.
   */
  async openDownload(
    id: string,
    token: string,
    remoteIp: string,
  ): Promise<{ job: TransferJob; path: string; name: string; size: number }> {
    const deny = (error: AppError, cause: string): never => {
      this.deps.activity.record({
        type: 'warning',
        event: 'transfer.download',
        message: `Download of export ${id} refused: ${error.message}`,
        outcome: 'refused',
        cause,
        remoteIp,
        data: { jobId: id },
      });
      throw error;
    };
    if (!/^\d{1,20}$/.test(id)) return deny(AppError.notFound('transfer job'), 'unknown_job');
    const job = await this.em().findOne(TransferJob, { id });
    if (!job || job.kind !== 'export') return deny(AppError.notFound(`export ${id}`), 'unknown_job');
    const expected = job.downloadTokenHash ? Buffer.from(job.downloadTokenHash, 'hex') : null;
    const given = Buffer.from(sha256(token), 'hex');
    if (job.downloadedAt)
      return deny(AppError.notFound(`export ${id} (already downloaded)`), 'already_downloaded');
    if (!token || !expected || expected.length !== given.length || !timingSafeEqual(expected, given))
      return deny(AppError.notFound(`export ${id} (wrong or spent token)`), 'bad_token');
    if (job.status !== 'completed')
      return deny(new AppError('CONFLICT', `export ${id} is ${job.status}, not ready`), 'not_ready');
    const size = job.fileName ? await this.files.size(job.fileName) : null;
    if (!job.fileName || size === null)
      return deny(AppError.notFound(`export ${id} (file expired)`), 'expired');
    const spent = await this.em().nativeUpdate(
      TransferJob,
      { id, downloadTokenHash: job.downloadTokenHash, downloadedAt: null },
      { downloadTokenHash: null, downloadedAt: new Date() },
    );
    if (spent !== 1)
      return deny(AppError.notFound(`export ${id} (already downloaded)`), 'already_downloaded');
    this.deps.activity.record({
      type: 'info',
      event: 'transfer.download',
      message: `Export ${id} downloaded (${size} bytes); the file is deleted`,
      outcome: 'downloaded',
      remoteIp,
      data: { jobId: id, bytes: size },
    });
    return { job, path: this.files.path(job.fileName), name: job.downloadName ?? `export-${id}.dat`, size };
  }

  /** After a download: the file is deleted, as the plugin does. */
  async downloaded(job: TransferJob): Promise<void> {
    await this.files.remove(job.fileName);
    await this.em().nativeUpdate(TransferJob, { id: job.id }, { fileName: null });
  }

  /** Stores an upload stream as a file; returns its ID. */
  async saveUpload(
    body: NodeJS.ReadableStream,
    actor: string,
    remoteIp: string,
  ): Promise<{ upload: string; bytes: number }> {
    const { saveStream } = await import('./upload-store.js');
    await this.files.ensureDir();
    const id = this.files.newUploadId();
    const name = this.files.uploadName(id);
    const result = await saveStream(body, this.files.path(name), this.deps.config.transferMaxUploadBytes);
    if (!result.ok) {
      await this.files.remove(name);
      this.refused('transfer.upload', result.cause, `Upload refused: ${result.message}`, actor);
      throw result.cause === 'too_large'
        ? new AppError('BAD_USER_INPUT', result.message, { limit: this.deps.config.transferMaxUploadBytes })
        : AppError.badInput(result.message);
    }
    if (result.bytes === 0) {
      await this.files.remove(name);
      this.refused('transfer.upload', 'empty_upload', 'Upload refused: the file is empty', actor);
      throw AppError.badInput('the uploaded file is empty');
    }
    this.deps.activity.record({
      type: 'info',
      event: 'transfer.upload',
      message: `File of ${result.bytes} bytes uploaded by ${actor} for an import`,
      outcome: 'stored',
      remoteIp,
      data: { upload: id, bytes: result.bytes },
    });
    return { upload: id, bytes: result.bytes };
  }

  private enqueue(job: TransferJob): void {
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
  private async finish(job: TransferJob, result: Partial<TransferJob>): Promise<void> {
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

  async list(filter: {
    kind?: TransferKind | null;
    first: number;
    beforeId: string | null;
  }): Promise<{ jobs: TransferJob[]; hasNextPage: boolean; totalCount: number }> {
    const where: Record<string, unknown> = filter.kind ? { kind: filter.kind } : {};
    const em = this.em();
    const rows = await em.find(
      TransferJob,
      filter.beforeId ? { ...where, id: { $lt: filter.beforeId } } : where,
      {
        orderBy: { id: 'desc' },
        limit: filter.first + 1,
      },
    );
    return {
      jobs: rows.slice(0, filter.first),
      hasNextPage: rows.length > filter.first,
      totalCount: await em.count(TransferJob, where),
    };
  }

  async errors(
    jobId: string,
    first: number,
    afterLine: number,
  ): Promise<{ errors: TransferError[]; hasNextPage: boolean }> {
    const rows = await this.em().find(
      TransferError,
      { jobId, line: { $gt: afterLine } },
      { orderBy: { line: 'asc', id: 'asc' }, limit: first + 1 },
    );
    return { errors: rows.slice(0, first), hasNextPage: rows.length > first };
  }
}
