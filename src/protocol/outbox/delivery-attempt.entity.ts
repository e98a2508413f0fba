import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** One attempt to deliver a Delivery: when, how it ended, how long it took. */
@Entity({ tableName: 'wprus_delivery_attempts' })
@Index({ name: 'delivery', properties: ['deliveryId'] })
export class DeliveryAttempt {
  @PrimaryKey({ type: new BigIntType('string'), unsigned: true, autoincrement: true })
  id!: string;

  @Property({ type: new BigIntType('string') })
  deliveryId!: string;

  @Property({ type: 'datetime', columnType: 'datetime(3)' })
  attemptedAt: Date = new Date();

  @Property({ type: 'integer', nullable: true })
  httpStatus: number | null = null;

  @Property({ type: 'integer' })
  latencyMs!: number;

  /** `delivered`, `retry` or `dead`. */
  @Property({ type: 'string', length: 12 })
  outcome!: string;

  @Property({ type: 'string', length: 255, nullable: true })
  error: string | null = null;
}
