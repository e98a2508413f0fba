import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

export const LOG_TYPES = ['info', 'success', 'warning', 'alert'] as const;
export type LogType = (typeof LOG_TYPES)[number];

/**
 * One activity log entry. The first five columns are the plugin's `{prefix}wprus_logs` exactly
 * (`data` holds a PHP-serialized array, as the plugin writes it); the others are structured fields
 * for filtering.
 */
@Entity({ tableName: 'wprus_logs' })
@Index({ name: 'site_action', properties: ['siteId', 'action'] })
export class ActivityLogEntry {
  @PrimaryKey({ type: 'integer', columnType: 'int(12)', unsigned: false, autoincrement: true })
  id!: number;

  /** Unix seconds, as the plugin stores it. */
  @Index({ name: 'timestamp' })
  @Property({ type: 'integer', columnType: 'int(12)' })
  timestamp!: number;

  @Property({ type: 'string', columnType: 'varchar(10)', length: 10 })
  type!: LogType;

  @Property({ type: 'text', columnType: 'text' })
  message!: string;

  @Property({ type: 'text', columnType: 'text', nullable: true })
  data: string | null = null;

  /** Milliseconds since the epoch: orders entries within a second. */
  @Property({ type: new BigIntType('string'), nullable: true })
  loggedAtMs: string | null = null;

  /** A stable event name, e.g. `incoming.action`, `token.issued`, `delivery.attempt`. */
  @Index({ name: 'event' })
  @Property({ type: 'string', length: 40, nullable: true })
  event: string | null = null;

  @Property({ type: new BigIntType('string'), nullable: true })
  siteId: string | null = null;

  @Property({ type: 'string', length: 20, nullable: true })
  action: string | null = null;

  @Property({ type: 'string', length: 10, nullable: true })
  direction: string | null = null;

  @Index({ name: 'login' })
  @Property({ type: 'string', length: 60, nullable: true })
  login: string | null = null;

  /** `applied`, `refused`, `issued`, `sent`, `failed`… */
  @Property({ type: 'string', length: 20, nullable: true })
  outcome: string | null = null;

  /** The precise cause of a refusal or failure, e.g. `mac_mismatch`, `expired_token`. */
  @Index({ name: 'cause' })
  @Property({ type: 'string', length: 40, nullable: true })
  cause: string | null = null;

  @Property({ type: 'integer', nullable: true })
  latencyMs: number | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  remoteIp: string | null = null;
}
