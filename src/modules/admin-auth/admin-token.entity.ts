import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** An admin API token. Only the SHA-256 of the secret is stored. */
@Entity({ tableName: 'wprus_admin_tokens' })
export class AdminToken {
  @PrimaryKey({ type: new BigIntType('string'), unsigned: true, autoincrement: true })
  id!: string;

  @Property({ type: 'string', length: 100 })
  name!: string;

  @Index({ name: 'token_hash' })
  @Property({ type: 'string', length: 64, hidden: true })
  tokenHash!: string;

  /** The first characters of the secret, to help an admin recognise a token. */
  @Property({ type: 'string', length: 12 })
  prefix!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;
}
