import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import type { AsyncMode, BrowserAction } from '../../protocol/browser-actions.js';

/**
 * The login or logout actions a browser still has to perform on remote sites after a sign-in or
 * sign-out here (the plugin keeps them in user meta, §6.9). Bound to one browser by a cookie whose
 * SHA-256 is `flowHash`, not to the user (Q23); a redirect chain takes one site off `siteIds` per step,
 * so it always ends.
 */
@Entity({ tableName: 'wprus_async_flows' })
export class AsyncFlow {
  @PrimaryKey({ type: new BigIntType('string'), unsigned: true, autoincrement: true })
  id!: string;

  @Index({ name: 'flow_hash' })
  @Property({ type: 'string', length: 64, hidden: true })
  flowHash!: string;

  @Property({ type: 'string', length: 10 })
  action!: BrowserAction;

  @Property({ type: 'string', length: 10 })
  mode!: AsyncMode;

  @Property({ type: new BigIntType('string') })
  userId!: string;

  @Property({ type: 'string', length: 60 })
  login!: string;

  @Property({ type: 'boolean', default: false })
  remember = false;

  /** The session a login flow belongs to: if the browser is no longer signed into it, the flow stops. */
  @Property({ type: new BigIntType('string'), nullable: true })
  sessionId: string | null = null;

  /** Remote sites still to visit, in queue order (a redirect chain takes the last one first, as the plugin does). */
  @Property({ type: 'json' })
  siteIds: string[] = [];

  /** Where the browser goes once the actions are done (a path on this server). */
  @Property({ type: 'string', length: 2048, nullable: true })
  redirectTo: string | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Index({ name: 'expires_at' })
  @Property({ type: 'datetime' })
  expiresAt!: Date;
}
