import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../shared/app-error.js';
import type { TransferFiles } from './transfer-files.js';
import { TransferJob } from './transfer-job.entity.js';
import { recordRefusal, type TransferDeps } from './transfer-runner.js';
import { saveStream } from './upload-store.js';

export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/**
 * Files in and out: uploads for imports, and the single-use download of a finished export (the file
 * is deleted after it, as the plugin does). Every refusal is logged with its cause.
 */
export class TransferExchange {
  constructor(
    private readonly deps: TransferDeps,
    private readonly files: TransferFiles,
  ) {}

  private em() {
    return this.deps.orm.em.fork();
  }

  /** The single-use link of an export, as a path and under PUBLIC_URL. */
  downloadLink(jobId: string, token: string): { downloadPath: string; downloadUrl: string } {
    const downloadPath = `/transfers/${jobId}/download?token=${token}`;
    return { downloadPath, downloadUrl: `${this.deps.config.publicUrl}${downloadPath}` };
  }

  /** A new single-use link for a finished export (the previous one stops working). */
  async issueDownloadLink(id: string): Promise<{ downloadPath: string; downloadUrl: string }> {
    const job = await this.em().findOne(TransferJob, { id });
    if (!job) throw AppError.notFound(`transfer job ${id}`);
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
    await this.files.ensureDir();
    const id = this.files.newUploadId();
    const name = this.files.uploadName(id);
    const result = await saveStream(body, this.files.path(name), this.deps.config.transferMaxUploadBytes);
    if (!result.ok) {
      await this.files.remove(name);
      recordRefusal(
        this.deps.activity,
        'transfer.upload',
        result.cause,
        `Upload refused: ${result.message}`,
        actor,
      );
      throw result.cause === 'too_large'
        ? new AppError('BAD_USER_INPUT', result.message, { limit: this.deps.config.transferMaxUploadBytes })
        : AppError.badInput(result.message);
    }
    if (result.bytes === 0) {
      await this.files.remove(name);
      recordRefusal(
        this.deps.activity,
        'transfer.upload',
        'empty_upload',
        'Upload refused: the file is empty',
        actor,
      );
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
}
