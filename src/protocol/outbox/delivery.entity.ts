import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One outgoing action to one remote site (the transactional outbox): written in the same transaction
 * as the change, delivered by the relay with retries, in order per (site, login).
 */
@Entity({ tableName: 'wprus_outbox' })
@Index({ name: 'chain', properties: ['siteId', 'login', 'status', 'id'] })
@Index({ name: 'pending_site', properties: ['status', 'siteId', 'id'] })
export class Delivery {
  @PrimaryKey({ type: new BigIntType('string'), unsigned: true, autoincrement: true })
  id!: string;

  @Property({ type: new BigIntType('string') })
  siteId!: string;

  @Property({ type: 'string', length: 255 })
  siteUrl!: string;

  @Property({ type: 'string', length: 20 })
  action!: string;

  @Property({ type: 'string', length: 60 })
  login!: string;

  /** The encrypted bundle (`wprusdata`): plaintext passwords never rest in the database. */
  @Property({ type: 'text', columnType: 'longtext' })
  bundle!: string;

  @Property({ type: 'string', length: 12 })
  status: DeliveryStatus = 'pending';

  @Property({ type: 'integer', default: 0 })
  attempts = 0;

  @Property({ type: 'datetime', columnType: 'datetime(3)' })
  nextAttemptAt: Date = new Date();

  /** A relay holds the row until then (crash recovery: an expired lease is taken again). */
  @Property({ type: 'datetime', columnType: 'datetime(3)', nullable: true })
  lockedUntil: Date | null = null;

  @Property({ type: 'integer', nullable: true })
  lastHttpStatus: number | null = null;

  @Property({ type: 'string', length: 255, nullable: true })
  lastError: string | null = null;

  @Property({ type: 'datetime', columnType: 'datetime(3)' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'datetime(3)', nullable: true })
  deliveredAt: Date | null = null;
}
