import { randomBytes } from 'node:crypto';
import { AppError } from '../../shared/app-error.js';
import type { ImportMode } from './import-writer.js';
import type { ExportOptions } from './export-job.js';
import type { ImportOptions } from './import-job.js';
import { TransferError } from './transfer-error.entity.js';
import { sha256, TransferExchange } from './transfer-exchange.js';
import { TransferFiles } from './transfer-files.js';
import { TransferJob, type TransferKind } from './transfer-job.entity.js';
import { recordRefusal, TransferRunner, type TransferDeps } from './transfer-runner.js';

export type { ExportOptions, ImportOptions, ImportMode };

/**
 * User import and export: jobs created by the API (run by {@link TransferRunner}), their files
 * ({@link TransferExchange}), and the queries over them.
 */
export class TransferService {
  readonly files: TransferFiles;
  readonly runner: TransferRunner;
  readonly exchange: TransferExchange;

  constructor(private readonly deps: TransferDeps) {
    this.files = new TransferFiles(deps.config.transferDir);
    this.runner = new TransferRunner(deps, this.files);
    this.exchange = new TransferExchange(deps, this.files);
  }

  start(): void {
    this.runner.start();
  }

  close(): Promise<void> {
    return this.runner.close();
  }

  private em() {
    return this.deps.orm.em.fork();
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
    this.runner.enqueue(job);
    return { job, ...this.exchange.downloadLink(job.id, token) };
  }

  async startImport(actor: string, options: ImportOptions): Promise<TransferJob> {
    if (!this.files.isUploadId(options.upload)) {
      recordRefusal(
        this.deps.activity,
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
      recordRefusal(
        this.deps.activity,
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
    this.runner.enqueue(job);
    return job;
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
    this.runner.requestCancel(id);
    await this.em().nativeUpdate(TransferJob, { id }, { cancelRequested: true });
    if (job.status === 'queued') {
      // Not started: it ends now (its lane skips it).
      await this.runner.finish(job, {
        status: 'cancelled',
        cause: 'cancelled',
        message: `cancelled by ${actor}`,
      });
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
