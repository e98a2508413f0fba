import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ACTION_KEYS, type ActionKey } from '../../protocol/actions.js';
import type { Site } from './site.entity.js';

/** The plugin's actions, as GraphQL enum values (`CREATE` ↔ the wire key `create`). */
export enum SyncAction {
  LOGIN = 'login',
  LOGOUT = 'logout',
  CREATE = 'create',
  UPDATE = 'update',
  DELETE = 'delete',
  PASSWORD = 'password',
  ROLE = 'role',
  META = 'meta',
}
registerEnumType(SyncAction, { name: 'SyncAction', description: 'A WP Remote Users Sync action.' });

export enum SyncDirection {
  INCOMING = 'incoming',
  OUTGOING = 'outgoing',
}
registerEnumType(SyncDirection, {
  name: 'SyncDirection',
  description: 'INCOMING: what this server accepts from the site; OUTGOING: what it sends to the site.',
});

export function toActionKeys(actions: readonly SyncAction[]): ActionKey[] {
  return ACTION_KEYS.filter((k) => actions.includes(k as SyncAction));
}

@ObjectType('Site', { description: 'A remote site and its per-action settings (the plugin’s site entry).' })
export class SiteNode {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'The remote WordPress home URL.' }) url!: string;
  @Field(() => Int, {
    description: 'Order of the sites; on an equal match the later one wins (as in the plugin).',
  })
  position!: number;
  @Field(() => [SyncAction]) incomingActions!: SyncAction[];
  @Field(() => [SyncAction]) outgoingActions!: SyncAction[];
  @Field(() => [String], { description: 'Meta keys accepted from the site. Empty: all keys are accepted.' })
  incomingMeta!: string[];
  @Field(() => [String], { description: 'Meta keys sent to the site. Empty: no meta is sent.' })
  outgoingMeta!: string[];
  @Field(() => [String], { description: 'Roles accepted from the site. Empty: all roles are accepted.' })
  incomingRoles!: string[];
  @Field(() => [String], { description: 'Roles sent to the site. Empty: no role is sent.' })
  outgoingRoles!: string[];
  @Field(() => Boolean, {
    description: 'Merge incoming roles with the existing ones instead of replacing them.',
  })
  incomingRolesMerge!: boolean;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;

  static from(site: Site): SiteNode {
    return Object.assign(new SiteNode(), {
      id: site.id,
      url: site.url,
      position: site.position,
      incomingActions: site.incomingActions as SyncAction[],
      outgoingActions: site.outgoingActions as SyncAction[],
      incomingMeta: site.incomingMeta,
      outgoingMeta: site.outgoingMeta,
      incomingRoles: site.incomingRoles,
      outgoingRoles: site.outgoingRoles,
      incomingRolesMerge: site.incomingRolesMerge,
      createdAt: site.createdAt,
      updatedAt: site.updatedAt,
    });
  }
}

@InputType()
export class CreateSiteInput {
  @Field(() => String) url!: string;
  @Field(() => [SyncAction], { defaultValue: [] }) incomingActions!: SyncAction[];
  @Field(() => [SyncAction], { defaultValue: [] }) outgoingActions!: SyncAction[];
  @Field(() => [String], { defaultValue: [] }) incomingMeta!: string[];
  @Field(() => [String], { defaultValue: [] }) outgoingMeta!: string[];
  @Field(() => [String], { defaultValue: [] }) incomingRoles!: string[];
  @Field(() => [String], { defaultValue: [] }) outgoingRoles!: string[];
  @Field(() => Boolean, { defaultValue: false }) incomingRolesMerge!: boolean;
}

@InputType({ description: 'Only the given fields change.' })
export class UpdateSiteInput {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) url?: string | null;
  @Field(() => [SyncAction], { nullable: true }) incomingActions?: SyncAction[] | null;
  @Field(() => [SyncAction], { nullable: true }) outgoingActions?: SyncAction[] | null;
  @Field(() => [String], { nullable: true }) incomingMeta?: string[] | null;
  @Field(() => [String], { nullable: true }) outgoingMeta?: string[] | null;
  @Field(() => [String], { nullable: true }) incomingRoles?: string[] | null;
  @Field(() => [String], { nullable: true }) outgoingRoles?: string[] | null;
  @Field(() => Boolean, { nullable: true }) incomingRolesMerge?: boolean | null;
}

@InputType()
export class DeleteSiteInput {
  @Field(() => ID) id!: string;
}

@InputType({ description: 'The plugin’s "Toggle All Actions".' })
export class SetAllSiteActionsInput {
  @Field(() => ID) siteId!: string;
  @Field(() => SyncDirection) direction!: SyncDirection;
  @Field(() => Boolean) enabled!: boolean;
}

@InputType({ description: 'The plugin’s "Test" button: asks the remote whether it accepts the action.' })
export class PingSiteInput {
  @Field(() => ID) siteId!: string;
  @Field(() => SyncAction) action!: SyncAction;
  @Field(() => SyncDirection, {
    description:
      'The column whose Test button is pressed. OUTGOING asks the remote whether it has the action enabled incoming for us, and vice versa.',
  })
  direction!: SyncDirection;
}

@ObjectType()
export class SitePayload {
  @Field(() => SiteNode) site!: SiteNode;
  @Field(() => [String], { description: 'Problems worth fixing, e.g. two sites matching the same sender.' })
  warnings!: string[];
}

@ObjectType()
export class DeleteSitePayload {
  @Field(() => ID) deletedSiteId!: string;
  @Field(() => String) url!: string;
}

@ObjectType()
export class PingSitePayload {
  @Field(() => Boolean) success!: boolean;
  @Field(() => String, { description: 'The remote’s answer, or why it could not be reached.' })
  message!: string;
  @Field(() => Int, { nullable: true }) httpStatus!: number | null;
  @Field(() => Int) latencyMs!: number;
}
