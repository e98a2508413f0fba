import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * An applied incoming bundle, by digest. WordPress encrypts every send afresh (random IV), so the
 * same bundle arriving twice is a resend (our relay after a crash or a lost answer) or a replay: both
 * are answered without being applied again.
 */
@Entity({ tableName: 'wprus_receipts' })
export class Receipt {
  /** SHA-256 of the `wprusdata` bundle, hex. */
  @PrimaryKey({ type: 'string', columnType: 'char(64)', length: 64 })
  digest!: string;

  /** Unix seconds. */
  @Index({ name: 'received_at' })
  @Property({ type: 'integer' })
  receivedAt!: number;
}
