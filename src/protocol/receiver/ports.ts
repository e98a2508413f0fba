import type { JsonValue } from '../envelope.js';
import type { RoleDecision, RolesChange } from './incoming-roles.js';

/** The user fields a create/update may carry (everything else in the payload is ignored, §13 Q9). */
export const USER_TABLE_FIELDS = [
  'user_nicename',
  'user_url',
  'user_email',
  'display_name',
  'user_registered',
  'user_activation_key',
] as const;
export const USER_META_FIELDS = [
  'nickname',
  'first_name',
  'last_name',
  'description',
  'rich_editing',
  'syntax_highlighting',
  'comment_shortcuts',
  'admin_color',
  'use_ssl',
  'show_admin_bar_front',
  'locale',
] as const;

export type UserTableField = (typeof USER_TABLE_FIELDS)[number];
export type UserMetaField = (typeof USER_META_FIELDS)[number];
export type SyncedUserFields = Partial<Record<UserTableField | UserMetaField, string>>;

/** The sending site, as the change's origin: its changes are never sent back out. */
export interface PeerOrigin {
  readonly siteId: string;
  readonly siteUrl: string;
}

export type PasswordInstruction =
  | { readonly kind: 'plain'; readonly value: string }
  | { readonly kind: 'random' }
  | { readonly kind: 'keep' };

export interface UpsertRequest {
  readonly login: string;
  readonly fields: SyncedUserFields;
  /** `update` fails when the user is missing; `update-or-create` creates it (incoming Create on). */
  readonly mode: 'create' | 'update' | 'update-or-create';
  /** Password for a created user (`keep` is treated as random there) and for an updated one. */
  readonly password: PasswordInstruction;
  readonly passwordForCreate: PasswordInstruction;
  /** Called in the transaction with the user's current roles; null when the payload had no roles. */
  readonly roles: ((existing: readonly string[]) => RoleDecision) | null;
}

export type UpsertResult =
  | {
      readonly outcome: 'created' | 'updated';
      readonly userId: string;
      readonly rolesRejected: readonly string[];
      readonly roles: readonly string[] | null;
    }
  | { readonly outcome: 'not_found' }
  | { readonly outcome: 'failed'; readonly cause: string; readonly message: string };

export type MetaOperation =
  | { readonly op: 'add'; readonly key: string; readonly value: JsonValue; readonly unique: boolean }
  | { readonly op: 'update'; readonly key: string; readonly value: JsonValue; readonly prevValue: JsonValue }
  | { readonly op: 'delete'; readonly key: string; readonly value: JsonValue; readonly deleteAll: boolean };

export interface MetaOperationResult {
  readonly operation: MetaOperation;
  readonly applied: boolean;
}

/** What the receiver needs from the user store; implemented by the users module. */
export interface PeerUserWriter {
  upsert(origin: PeerOrigin, request: UpsertRequest): Promise<UpsertResult>;
  delete(
    origin: PeerOrigin,
    login: string,
    reassignTo: string | null,
  ): Promise<
    { readonly outcome: 'deleted'; readonly reassigned: boolean } | { readonly outcome: 'not_found' }
  >;
  setPassword(origin: PeerOrigin, login: string, plain: string): Promise<'updated' | 'not_found'>;
  applyMeta(
    origin: PeerOrigin,
    login: string,
    operations: readonly MetaOperation[],
  ): Promise<readonly MetaOperationResult[] | 'not_found'>;
}

export type { RolesChange };
