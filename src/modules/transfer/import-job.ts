import { retryOnDeadlock } from '../../db/retry-deadlock.js';
import { TransferError } from './transfer-error.entity.js';
import type { TransferJob } from './transfer-job.entity.js';
import type { JobControl } from './transfer-runner.js';
import { parseImportLine } from './import-line.js';
import {
  ImportBatchWriter,
  type BatchOutcome,
  type ImportItem,
  type ImportMode,
  type LineFailure,
} from './import-writer.js';
import { NicenameInFlight } from './nicenames.js';
import { readLines } from './line-reader.js';

export interface ImportOptions {
  readonly upload: string;
  readonly mode: ImportMode;
  readonly generatePasswords: boolean;
  readonly syncToSites: boolean;
  readonly batchSize: number;
}

/** Error rows kept per job (the counters keep counting past it). */
const MAX_STORED_ERRORS = 100_000;
/** Consecutive failed batches after which the database is taken to be unusable. */
const MAX_FAILED_BATCHES = 3;

/** Text the database's collation compares exactly as lowercase JS strings do. */
const PLAIN = /^(?:[!-~](?:[ -~]*[!-~])?)?$/;

const LINE_MESSAGES: Record<string, string> = {
  line_too_long: 'the line is longer than TRANSFER_MAX_LINE_BYTES',
  invalid_utf8: 'the line is not valid UTF-8',
};

/**
 * Reads the uploaded file line by line, validates each line, and writes valid lines in batches, each
 * in one transaction. While a batch is written the next one is parsed. A batch the database refuses
 * writes nothing: each of its lines is reported with the database's reason.
 */
export async function runImport(control: JobControl, options: ImportOptions): Promise<Partial<TransferJob>> {
  const { job, deps, files } = control;
  if (!job.fileName)
    return { status: 'failed', cause: 'unknown_upload', message: 'the uploaded file is gone' };
  const prefix = deps.config.tablePrefix;
  const writer = new ImportBatchWriter({
    orm: deps.orm,
    usersTable: control.usersTable,
    metaTable: control.metaTable,
    tablePrefix: prefix,
    sqlite: deps.config.database.kind === 'sqlite',
    mode: options.mode,
    generatePasswords: options.generatePasswords,
    hashFormat: deps.config.passwordHashFormat,
    events: options.syncToSites ? deps.events : null,
    origin: { kind: 'import', jobId: job.id, syncToSites: options.syncToSites },
  });
  const rules = { protectedMetaKeys: new Set([`${prefix}capabilities`, `${prefix}user_level`]) };
  const knex = deps.orm.em.getConnection().getKnex();
  const errorsTable = deps.orm.getMetadata().get(TransferError.name).tableName;

  let processed = 0;
  let bytesDone = 0;
  let created = 0;
  let updated = 0;
  let failed = 0;
  let stored = 0;
  let failedBatches = 0;
  let stop = false;
  const halt = { fatal: '' };
  const causes: Record<string, number> = {};
  let failures: LineFailure[] = [];

  const saveFailures = async (): Promise<void> => {
    const rows = failures.slice(0, Math.max(0, MAX_STORED_ERRORS - stored));
    failures = [];
    for (let i = 0; i < rows.length; i += 1000) {
      await knex(errorsTable).insert(
        rows.slice(i, i + 1000).map((f) => ({
          job_id: job.id,
          line: f.line,
          login: f.login ? [...f.login].slice(0, 60).join('') : null,
          cause: f.cause.slice(0, 40),
          message: f.message.slice(0, 500),
        })),
      );
    }
    stored += rows.length;
  };
  const failLine = (failure: LineFailure): void => {
    failed++;
    causes[failure.cause] = (causes[failure.cause] ?? 0) + 1;
    failures.push(failure);
  };

  /** One batch's write, settled (never rejects) once committed or rolled back. */
  interface Written {
    readonly outcome: BatchOutcome | null;
    readonly error: unknown;
  }
  interface InFlight {
    readonly written: Promise<Written>;
    /** Its nicenames (lowercase) once chosen, or none once it has failed. */
    readonly nicenames: Promise<ReadonlySet<string>>;
    readonly logins: ReadonlySet<string>;
    readonly emails: ReadonlySet<string>;
    /** Logins and e-mails the collation compares as JS lowercase does (printable ASCII). */
    readonly plain: boolean;
  }
  const attempt = async (
    items: ImportItem[],
    overlap: InFlight | null,
    planned: (nicenames: ReadonlySet<string>) => void,
  ): Promise<Written> => {
    try {
      return {
        outcome: await retryOnDeadlock(() => writer.write(items, overlap?.nicenames ?? null, planned)),
        error: null,
      };
    } catch (err) {
      if (!(err instanceof NicenameInFlight) || !overlap) return { outcome: null, error: err };
      // A nicename of the batch still being written: this one is planned again once that one is done.
      await overlap.written;
      return await attempt(items, null, planned); // awaited: `finally` must not announce no nicenames before
    } finally {
      planned(new Set());
    }
  };
  /** Counts, failures and progress, batch after batch in file order. */
  const account = async (items: ImportItem[], written: Written, linesRead: number, bytes: number) => {
    if (written.outcome) {
      created += written.outcome.created;
      updated += written.outcome.updated;
      for (const f of written.outcome.failures) failLine(f);
      failedBatches = 0;
    } else {
      const err = written.error;
      failedBatches++;
      deps.logger.warn({ err, jobId: job.id }, 'import batch failed');
      const reason = (err as { sqlMessage?: string; message?: string }).sqlMessage ?? (err as Error).message;
      const first = items[0]?.line ?? 0;
      const last = items.at(-1)?.line ?? 0;
      for (const item of items)
        failLine({
          line: item.line,
          login: item.record.login,
          cause: 'batch_failed',
          message: `not imported: the batch of lines ${first}-${last} failed and was rolled back (${String(reason).slice(0, 300)})`,
        });
      if (failedBatches >= MAX_FAILED_BATCHES) halt.fatal = String(reason).slice(0, 200);
    }
    await saveFailures();
    if (halt.fatal) stop = true;
    if (await control.step({ processed: linesRead, bytesDone: bytes, created, updated, failed })) stop = true;
  };

  let batch: ImportItem[] = [];
  let batchLogins = new Set<string>();
  let batchEmails = new Set<string>();
  let batchPlain = true;
  // Two batches may be written at once, on two connections (MariaDB then uses both cores), when
  // nothing the later one checks can be changed by the earlier one: CREATE_ONLY, no login or e-mail
  // in common, and no nicename the earlier one has chosen (else the later one waits for it).
  // (SQLite has one connection: its transactions run one after the other.)
  const concurrent = options.mode === 'CREATE_ONLY' && deps.config.database.kind !== 'sqlite';
  let lastBatch: InFlight | null = null;
  let batchBefore: InFlight | null = null;
  let accounted: Promise<void> = Promise.resolve();
  const flush = async (): Promise<void> => {
    const items = batch;
    const logins = batchLogins;
    const emails = batchEmails;
    const plain = batchPlain;
    batch = [];
    batchLogins = new Set();
    batchEmails = new Set();
    batchPlain = true;
    if (items.length === 0 || stop) return;
    if (batchBefore) await batchBefore.written;
    let overlap = lastBatch;
    if (
      overlap &&
      !(
        concurrent &&
        plain &&
        overlap.plain &&
        ![...logins].some((l) => overlap?.logins.has(l)) &&
        ![...emails].some((e) => overlap?.emails.has(e))
      )
    ) {
      await overlap.written;
      overlap = null;
    }
    if (stop) return;
    let planned: (nicenames: ReadonlySet<string>) => void = () => undefined;
    const nicenames = new Promise<ReadonlySet<string>>((resolve) => (planned = resolve));
    const written = attempt(items, overlap, planned);
    const linesRead = processed;
    const bytes = bytesDone;
    accounted = accounted.then(async () => account(items, await written, linesRead, bytes));
    accounted.catch(() => (stop = true)); // rethrown where it is awaited, after the loop
    batchBefore = lastBatch;
    lastBatch = { written, nicenames, logins, emails, plain };
  };

  for await (const read of readLines(files.path(job.fileName), deps.config.transferMaxLineBytes)) {
    if (stop) break;
    processed = read.line;
    bytesDone = read.bytesRead;
    if (read.text === null) {
      failLine({
        line: read.line,
        login: null,
        cause: read.cause,
        message: LINE_MESSAGES[read.cause] ?? read.cause,
      });
      continue;
    }
    const parsed = parseImportLine(read.text, rules);
    if (!parsed.ok) {
      failLine({ line: read.line, login: null, cause: parsed.cause, message: parsed.message });
      continue;
    }
    const login = parsed.record.login.toLowerCase();
    const email = parsed.record.email.toLowerCase();
    // A login or e-mail twice in one batch: the earlier line is committed first, as in a line-by-line import.
    if (batchLogins.has(login) || (email !== '' && batchEmails.has(email))) await flush();
    batch.push({ line: read.line, record: parsed.record });
    batchLogins.add(login);
    if (email !== '') batchEmails.add(email);
    if (batchPlain && !(PLAIN.test(login) && PLAIN.test(email) && PLAIN.test(parsed.record.nicename)))
      batchPlain = false;
    if (batch.length >= options.batchSize) await flush();
  }
  if (!stop) await flush();
  await accounted;
  await saveFailures();
  await control.step({ processed, bytesDone, created, updated, failed }, true);
  const data = { causes, errorsStored: stored };
  if (halt.fatal)
    return {
      status: 'failed',
      cause: 'database_error',
      message: `${MAX_FAILED_BATCHES} batches in a row failed: ${halt.fatal}`,
      data,
    } as Partial<TransferJob>;
  if (stop) return { status: 'cancelled', data } as Partial<TransferJob>;
  const message = `Imported ${created + updated} ${created + updated === 1 ? 'user' : 'users'}${failed ? ` - ${failed} ${failed === 1 ? 'error' : 'errors'}` : ''}`;
  return { status: 'completed', message, data } as Partial<TransferJob>;
}
