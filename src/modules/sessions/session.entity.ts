import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

export const SESSION_ORIGINS = ['local', 'peer'] as const;
export type SessionOrigin = (typeof SESSION_ORIGINS)[number];

/**
 * A browser session. The cookie holds a random secret; only its SHA-256 is stored, so the table alone
 * cannot be used to sign in. `passwordFragment` ties the session to the password it was opened
 * with: a password change ends every session, as WordPress's auth cookies do.
 */
@Entity({ tableName: 'wprus_sessions' })
export class Session {
  @PrimaryKey({ type: new BigIntType('string'), unsigned: true, autoincrement: true })
  id!: string;

  @Index({ name: 'token_hash' })
  @Property({ type: 'string', length: 64, hidden: true })
  tokenHash!: string;

  @Index({ name: 'user_id' })
  @Property({ type: new BigIntType('string') })
  userId!: string;

  @Property({ type: 'string', length: 60 })
  login!: string;

  @Property({ type: 'string', length: 16, hidden: true })
  passwordFragment!: string;

  @Property({ type: 'boolean', default: false })
  remember = false;

  /** `local`: signed in here; `peer`: signed in by a remote site's login request. */
  @Property({ type: 'string', length: 10 })
  origin!: SessionOrigin;

  /** The site whose login request opened the session (`peer` sessions). */
  @Property({ type: new BigIntType('string'), nullable: true })
  originSiteId: string | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  ip: string | null = null;

  @Property({ type: 'string', length: 255, nullable: true })
  userAgent: string | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  lastSeenAt: Date = new Date();

  @Index({ name: 'expires_at' })
  @Property({ type: 'datetime' })
  expiresAt!: Date;
}
