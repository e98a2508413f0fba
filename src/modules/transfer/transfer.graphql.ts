import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from '../../graphql/relay.js';
import type { TransferProgressPayload } from '../../shared/pubsub.js';
import type { TransferError } from './transfer-error.entity.js';
import type { TransferJob } from './transfer-job.entity.js';

export enum TransferKindEnum {
  EXPORT = 'export',
  IMPORT = 'import',
}
registerEnumType(TransferKindEnum, { name: 'TransferKind' });

export enum TransferStatusEnum {
  QUEUED = 'queued',
  RUNNING = 'running',
  COMPLETED = 'completed',
  FAILED = 'failed',
  CANCELLED = 'cancelled',
}
registerEnumType(TransferStatusEnum, {
  name: 'TransferStatus',
  description: 'COMPLETED also when some lines were not imported (see `failed` and `errors`).',
});

export enum ImportModeEnum {
  CREATE_ONLY = 'CREATE_ONLY',
  UPSERT = 'UPSERT',
}
registerEnumType(ImportModeEnum, {
  name: 'ImportMode',
  description:
    'CREATE_ONLY: like the plugin, an existing login or e-mail is an error for that line. UPSERT: an existing login is updated with the fields and meta keys its line carries.',
});

function ratePerSecond(job: Pick<TransferJob, 'startedAt' | 'finishedAt' | 'processed'>): number {
  if (!job.startedAt) return 0;
  const end = job.finishedAt?.getTime() ?? Date.now();
  return job.processed / Math.max((end - job.startedAt.getTime()) / 1000, 0.001);
}

@ObjectType('TransferLineError', { description: 'A line an import did not write, and why.' })
export class TransferLineErrorNode {
  @Field(() => Int, { description: '1-based line number in the file.' }) line!: number;
  @Field(() => String, { nullable: true }) login!: string | null;
  @Field(() => String, {
    description:
      'invalid_json, not_an_object, missing_user_login, wrong_type, invalid_login, invalid_email, existing_user_login, existing_user_email, line_too_long, batch_failed, …',
  })
  cause!: string;
  @Field(() => String) message!: string;

  static from(e: TransferError): TransferLineErrorNode {
    return Object.assign(new TransferLineErrorNode(), {
      line: e.line,
      login: e.login,
      cause: e.cause,
      message: e.message,
    });
  }
}

@ObjectType('TransferLineErrorPage')
export class TransferLineErrorPage {
  @Field(() => [TransferLineErrorNode]) nodes!: TransferLineErrorNode[];
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => Int, { nullable: true, description: 'Pass as `afterLine` for the next page.' })
  lastLine!: number | null;
}

@ObjectType('TransferJob', { description: 'An export or import of users in the plugin’s file format.' })
export class TransferJobNode {
  @Field(() => ID) id!: string;
  @Field(() => TransferKindEnum) kind!: TransferKindEnum;
  @Field(() => TransferStatusEnum) status!: TransferStatusEnum;
  @Field(() => String, { description: 'The job’s input, as JSON.' }) options!: string;
  @Field(() => String) createdBy!: string;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
  @Field(() => Int, { description: 'Lines read (import) or users written (export).' }) processed!: number;
  @Field(() => Int) created!: number;
  @Field(() => Int) updated!: number;
  @Field(() => Int, { description: 'Lines not imported.' }) failed!: number;
  @Field(() => Float, { description: 'Bytes read (import) or written (export).' }) bytesDone!: number;
  @Field(() => Float, { nullable: true, description: 'Size of the imported file.' }) bytesTotal!:
    number | null;
  @Field(() => Float, { description: 'processed per second since the start.' }) ratePerSecond!: number;
  @Field(() => Boolean) cancelRequested!: boolean;
  @Field(() => String, { nullable: true, description: 'Why it failed or ended (stable code).' })
  cause!: string | null;
  @Field(() => String, { nullable: true }) message!: string | null;
  @Field(() => String, { nullable: true, description: 'The name the export is downloaded under.' })
  downloadName!: string | null;
  @Field(() => Boolean, { description: 'A finished export whose file can still be downloaded (once).' })
  downloadAvailable!: boolean;
  @Field(() => Date, { nullable: true }) downloadedAt!: Date | null;

  static from(job: TransferJob): TransferJobNode {
    return Object.assign(new TransferJobNode(), {
      id: job.id,
      kind: job.kind as TransferKindEnum,
      status: job.status as TransferStatusEnum,
      options: job.options,
      createdBy: job.createdBy,
      createdAt: job.createdAt,
      startedAt: job.startedAt,
      finishedAt: job.finishedAt,
      processed: job.processed,
      created: job.created,
      updated: job.updated,
      failed: job.failed,
      bytesDone: Number(job.bytesDone),
      bytesTotal: job.bytesTotal === null ? null : Number(job.bytesTotal),
      ratePerSecond: ratePerSecond(job),
      cancelRequested: job.cancelRequested,
      cause: job.cause,
      message: job.message,
      downloadName: job.downloadName,
      downloadAvailable:
        job.kind === 'export' &&
        job.status === 'completed' &&
        job.fileName !== null &&
        job.downloadedAt === null,
      downloadedAt: job.downloadedAt,
    });
  }
}

@ObjectType('TransferJobEdge')
export class TransferJobEdge {
  @Field(() => String) cursor!: string;
  @Field(() => TransferJobNode) node!: TransferJobNode;
}

@ObjectType('TransferJobConnection')
export class TransferJobConnection {
  @Field(() => [TransferJobEdge]) edges!: TransferJobEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@ObjectType('TransferProgress', { description: 'A job’s counters, published at each step and when it ends.' })
export class TransferProgressNode {
  @Field(() => ID) jobId!: string;
  @Field(() => TransferKindEnum) kind!: TransferKindEnum;
  @Field(() => TransferStatusEnum) status!: TransferStatusEnum;
  @Field(() => Int) processed!: number;
  @Field(() => Int) created!: number;
  @Field(() => Int) updated!: number;
  @Field(() => Int) failed!: number;
  @Field(() => Float) bytesDone!: number;
  @Field(() => Float, { nullable: true }) bytesTotal!: number | null;
  @Field(() => Float) ratePerSecond!: number;
  @Field(() => Date) at!: Date;

  static from(p: TransferProgressPayload): TransferProgressNode {
    return Object.assign(new TransferProgressNode(), {
      ...p,
      kind: p.kind as TransferKindEnum,
      status: p.status as TransferStatusEnum,
      at: new Date(p.at),
    });
  }
}

@InputType({ description: 'The plugin’s export options (§10), plus password hashes.' })
export class ExportUsersInput {
  @Field(() => [String], { nullable: true, description: 'Users having ANY of these roles (empty: all).' })
  roles?: string[] | null;
  @Field(() => Boolean, { defaultValue: true, description: 'Write each user’s roles (else `"roles":[]`).' })
  keepRoles!: boolean;
  @Field(() => [String], {
    nullable: true,
    description: 'Meta keys written under `metadata`, in this order (top-level field names are left out).',
  })
  metaKeys?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Only these logins.' })
  logins?: string[] | null;
  @Field(() => Int, { defaultValue: 0, description: 'Matching users skipped first.' })
  offset!: number;
  @Field(() => Int, { defaultValue: 0, description: 'At most this many users; 0 = all.' })
  max!: number;
  @Field(() => Boolean, {
    defaultValue: false,
    description:
      'Add each user’s password hash (`user_pass`, after `metadata`), so that imported users can log in with their password. The file then holds secrets.',
  })
  includePasswordHashes!: boolean;
}

@ObjectType('ExportUsersPayload')
export class ExportUsersPayload {
  @Field(() => TransferJobNode) job!: TransferJobNode;
  @Field(() => String, {
    description:
      'Single-use download link of the file once the job is COMPLETED (GET with the admin Authorization header), under PUBLIC_URL. Shown once.',
  })
  downloadUrl!: string;
  @Field(() => String, { description: 'The same link as a path (`/transfers/{id}/download?token=…`).' })
  downloadPath!: string;
}

@InputType()
export class ImportUsersInput {
  @Field(() => String, { description: 'The ID returned by `POST /transfers/uploads`.' })
  upload!: string;
  @Field(() => ImportModeEnum, { defaultValue: ImportModeEnum.CREATE_ONLY })
  mode!: ImportModeEnum;
  @Field(() => Boolean, {
    defaultValue: false,
    description:
      'Give created users without a password hash in the file a random password, as the plugin does (hashed with PASSWORD_HASH_FORMAT: slow). Otherwise their password is empty: nobody can log in as them until a password is set.',
  })
  generatePasswords!: boolean;
  @Field(() => Boolean, {
    defaultValue: false,
    description:
      'Send imported users to remote sites (through the outbox, like local changes). Off as in the plugin.',
  })
  syncToSites!: boolean;
  @Field(() => Int, { defaultValue: 2000, description: 'Lines per transaction (1 to 10000).' })
  batchSize!: number;
}

@ObjectType('TransferJobPayload')
export class TransferJobPayload {
  @Field(() => TransferJobNode) job!: TransferJobNode;
}

@ObjectType('TransferDownloadLink')
export class TransferDownloadLink {
  @Field(() => String) downloadUrl!: string;
  @Field(() => String) downloadPath!: string;
}
