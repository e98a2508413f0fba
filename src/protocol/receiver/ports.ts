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

/** The browser a login/logout request came from. */
export interface BrowserClient {
  readonly cookieHeader: string | undefined;
  readonly userAgent: string | undefined;
  readonly remoteIp: string;
}

export interface SessionUser {
  readonly userId: string;
  readonly login: string;
}

/** What the login and logout handlers need from browser sessions; implemented by the sessions module. */
export interface BrowserSessionPort {
  /** The user this browser is signed in as (by its session cookie), if any. */
  current(client: BrowserClient): Promise<SessionUser | null>;
  /** The local user with this login (WordPress's case-insensitive lookup), if any. */
  userByLogin(login: string): Promise<SessionUser | null>;
  /** Opens a session in this browser, replacing the one it had; returns the `Set-Cookie` values. */
  signIn(
    origin: PeerOrigin,
    user: SessionUser,
    remember: boolean,
    client: BrowserClient,
  ): Promise<{ readonly setCookie: readonly string[] }>;
  /** Ends this browser's session; returns the `Set-Cookie` values that clear it. */
  signOutCurrent(client: BrowserClient): Promise<{ readonly setCookie: readonly string[] }>;
  /** Ends every session of the user ("log out everywhere"); returns how many ended. */
  signOutAll(userId: string): Promise<number>;
  /** Ends the user's sessions that a login from this site opened; returns how many ended. */
  signOutOpenedBy(userId: string, siteId: string): Promise<number>;
}
