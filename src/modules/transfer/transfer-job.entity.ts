import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

export const TRANSFER_KINDS = ['export', 'import'] as const;
export type TransferKind = (typeof TRANSFER_KINDS)[number];

export const TRANSFER_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

/**
 * One export or import of users: its options, progress counters and outcome. The file itself lives in
 * `TRANSFER_DIR` under `fileName`; a finished export can be downloaded once, with a token of which
 * only the SHA-256 is stored.
 */
@Entity({ tableName: 'wprus_transfer_jobs' })
@Index({ name: 'status', properties: ['status'] })
export class TransferJob {
  @PrimaryKey({ type: new BigIntType('string'), unsigned: true, autoincrement: true })
  id!: string;

  @Property({ type: 'string', length: 10 })
  kind!: TransferKind;

  @Property({ type: 'string', length: 12 })
  status: TransferStatus = 'queued';

  /** The job's input as JSON (never a secret). */
  @Property({ type: 'text', columnType: 'text' })
  options!: string;

  /** The admin token's name. */
  @Property({ type: 'string', length: 100 })
  createdBy!: string;

  @Property({ type: 'datetime', columnType: 'datetime(3)' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'datetime(3)', nullable: true })
  startedAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'datetime(3)', nullable: true })
  finishedAt: Date | null = null;

  /** Written with every progress step: a running job whose heartbeat stops was interrupted. */
  @Property({ type: 'datetime', columnType: 'datetime(3)', nullable: true })
  heartbeatAt: Date | null = null;

  @Property({ type: 'boolean', default: false })
  cancelRequested = false;

  /** Lines read (import) or users written (export). */
  @Property({ type: 'integer', default: 0 })
  processed = 0;

  @Property({ type: 'integer', default: 0 })
  created = 0;

  @Property({ type: 'integer', default: 0 })
  updated = 0;

  /** Lines not imported (each has a row in the job's errors). */
  @Property({ type: 'integer', default: 0 })
  failed = 0;

  /** Bytes of the file read (import) or written (export). */
  @Property({ type: new BigIntType('number'), default: 0 })
  bytesDone = 0;

  /** Size of the uploaded file (import); null while unknown. */
  @Property({ type: new BigIntType('number'), nullable: true })
  bytesTotal: number | null = null;

  /** The file's name inside TRANSFER_DIR (null once deleted). */
  @Property({ type: 'string', length: 100, nullable: true })
  fileName: string | null = null;

  /** The name a download is offered under (the plugin's `wprus-user-export-….dat`). */
  @Property({ type: 'string', length: 100, nullable: true })
  downloadName: string | null = null;

  @Property({ type: 'string', length: 64, nullable: true, hidden: true })
  downloadTokenHash: string | null = null;

  @Property({ type: 'datetime', columnType: 'datetime(3)', nullable: true })
  downloadedAt: Date | null = null;

  /** Why a job failed, as a stable cause and a sentence. */
  @Property({ type: 'string', length: 40, nullable: true })
  cause: string | null = null;

  @Property({ type: 'string', length: 255, nullable: true })
  message: string | null = null;
}
