import type { JsonObject, JsonValue } from '../envelope.js';

/** What the sender knows of a user when it builds create/update payloads. */
export interface UserSnapshot {
  readonly login: string;
  readonly nicename: string;
  readonly url: string;
  readonly email: string;
  readonly displayName: string;
  readonly registered: string;
  readonly activationKey: string;
  /** Single values of the core meta keys (`''` when unset), as WordPress reads them. */
  readonly meta: Readonly<Record<string, string>>;
  readonly roles: readonly string[];
}

/** The outgoing settings of one site that shape payloads. */
export interface OutgoingSite {
  readonly url: string;
  readonly outgoingActions: readonly string[];
  readonly outgoingMeta: readonly string[];
  readonly outgoingRoles: readonly string[];
}

const meta = (u: UserSnapshot, key: string): string => u.meta[key] ?? '';

/**
 * `roles` as the plugin sends it (§6.5): the user's roles kept by the site's outgoing list (empty list:
 * nothing), first as `set`, the rest as `add`.
 */
export function outgoingRoles(
  roles: readonly string[],
  site: OutgoingSite,
): { set: string | false; add: string[] | false } {
  const kept = roles.filter((r) => site.outgoingRoles.includes(r));
  const [first, ...rest] = kept;
  return { set: first ?? false, add: rest.length ? rest : false };
}

/**
 * The create/update payload, field for field in the plugin's order (§6.1, §6.2), `base_url` last.
 * `user_pass` only with the site's outgoing Password on and a known plaintext; `roles` only with its
 * outgoing Role on.
 */
export function userPayload(
  kind: 'create' | 'update',
  user: UserSnapshot,
  site: OutgoingSite,
  plainPassword: string | null,
  baseUrl: string,
): JsonObject {
  const payload: Record<string, JsonValue> = {
    username: user.login,
    user_login: user.login,
    user_nicename: user.nicename,
    user_url: user.url,
    user_email: user.email,
    display_name: user.displayName,
    nickname: meta(user, 'nickname'),
    first_name: meta(user, 'first_name'),
    last_name: meta(user, 'last_name'),
    description: meta(user, 'description'),
    rich_editing: meta(user, 'rich_editing'),
    syntax_highlighting: meta(user, 'syntax_highlighting'),
    comment_shortcuts: meta(user, 'comment_shortcuts'),
    admin_color: meta(user, 'admin_color'),
    use_ssl: meta(user, 'use_ssl'),
    user_registered: user.registered,
    show_admin_bar_front: meta(user, 'show_admin_bar_front'),
    locale: meta(user, 'locale'),
  };
  if (kind === 'update') payload['user_activation_key'] = user.activationKey;
  if (plainPassword !== null && site.outgoingActions.includes('password'))
    payload['user_pass'] = plainPassword;
  if (site.outgoingActions.includes('role')) payload['roles'] = outgoingRoles(user.roles, site);
  payload['base_url'] = baseUrl;
  return payload;
}

export function deletePayload(login: string, reassignTo: string | null, baseUrl: string): JsonObject {
  return { username: login, reassign_username: reassignTo ?? false, base_url: baseUrl };
}

export function passwordPayload(login: string, plainPassword: string, baseUrl: string): JsonObject {
  return { username: login, user_pass: plainPassword, base_url: baseUrl };
}

export type OutgoingMetaChange =
  | { readonly op: 'update'; readonly key: string; readonly value: JsonValue; readonly prevValue: JsonValue }
  | { readonly op: 'add'; readonly key: string; readonly value: JsonValue; readonly unique: boolean }
  | { readonly op: 'delete'; readonly key: string; readonly value: JsonValue; readonly deleteAll: boolean };

/**
 * The meta payload (§6.6): only keys in the site's outgoing list (empty list: none), groups in the
 * order each change type first occurred, `username` and `base_url` last. Null when nothing is left.
 */
export function metaPayload(
  login: string,
  changes: readonly OutgoingMetaChange[],
  site: OutgoingSite,
  baseUrl: string,
): JsonObject | null {
  const kept = changes.filter((c) => site.outgoingMeta.includes(c.key));
  if (kept.length === 0) return null;
  const groups: Record<string, Record<string, JsonValue[]>> = {};
  for (const change of kept) {
    const group = (groups[change.op] ??= {});
    const list = (group[change.key] ??= []);
    if (change.op === 'update') list.push({ meta_value: change.value, prev_value: change.prevValue });
    else if (change.op === 'add') list.push({ meta_value: change.value, unique: change.unique });
    else list.push({ meta_value: change.value, delete_all: change.deleteAll });
  }
  return { ...groups, username: login, base_url: baseUrl };
}
