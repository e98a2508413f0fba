import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import type { ActionKey } from '../../protocol/actions.js';

/**
 * A remote site and its per-action settings: the plugin's `sites[]` entry (§8) as a row.
 * Empty lists keep the plugin's meanings: incoming meta/roles empty = accept all; outgoing
 * meta/roles empty = send none.
 */
@Entity({ tableName: 'wprus_sites' })
export class Site {
  @PrimaryKey({ type: new BigIntType('string'), unsigned: true, autoincrement: true })
  id!: string;

  /** The remote site's WordPress `home` URL, as the admin typed it. */
  @Index({ name: 'url' })
  @Property({ type: 'string', length: 255 })
  url!: string;

  /** Order of the sites (the plugin's form order: on equal matches, the later site wins). */
  @Property({ type: 'integer', default: 0 })
  position = 0;

  @Property({ type: 'json' })
  incomingActions: ActionKey[] = [];

  @Property({ type: 'json' })
  outgoingActions: ActionKey[] = [];

  @Property({ type: 'json' })
  incomingMeta: string[] = [];

  @Property({ type: 'json' })
  outgoingMeta: string[] = [];

  @Property({ type: 'json' })
  incomingRoles: string[] = [];

  @Property({ type: 'json' })
  outgoingRoles: string[] = [];

  @Property({ type: 'boolean', default: false })
  incomingRolesMerge = false;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
