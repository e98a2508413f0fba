import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** A line an import did not write, with the cause: refused by a rule, or part of a failed batch. */
@Entity({ tableName: 'wprus_transfer_errors' })
@Index({ name: 'job_line', properties: ['jobId', 'line'] })
export class TransferError {
  @PrimaryKey({ type: new BigIntType('string'), unsigned: true, autoincrement: true })
  id!: string;

  @Property({ type: new BigIntType('string') })
  jobId!: string;

  /** 1-based line number in the file. */
  @Property({ type: 'integer' })
  line!: number;

  @Property({ type: 'string', length: 60, nullable: true })
  login: string | null = null;

  @Property({ type: 'string', length: 40 })
  cause!: string;

  @Property({ type: 'string', length: 500 })
  message!: string;
}
