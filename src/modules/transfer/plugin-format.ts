/**
 * The plugin's user file (§10 of the protocol reference): one `wp_json_encode()`d object per line,
 * keys in a fixed order, `roles` and `metadata` last. Writing a line and reading one back.
 */
import { USER_META_FIELDS } from '../../protocol/receiver/ports.js';
import { PhpArray, type PhpValue } from '../../lib/php-value.js';
import { maybeUnserialize } from '../../lib/wp-serialize.js';
import { phpJsonString, phpJsonValue } from './php-json.js';

/** The plain fields of a line, in the plugin's order (`roles` and `metadata` follow). */
export const LINE_FIELDS = [
  'user_login',
  'user_nicename',
  'user_url',
  'user_email',
  'display_name',
  'nickname',
  'first_name',
  'last_name',
  'description',
  'rich_editing',
  'syntax_highlighting',
  'comment_shortcuts',
  'admin_color',
  'use_ssl',
  'user_registered',
  'show_admin_bar_front',
  'locale',
] as const;

export type LineField = (typeof LINE_FIELDS)[number];

/** The fields that come from `{prefix}usermeta` (the others are columns of `{prefix}users`). */
export const META_LINE_FIELDS = USER_META_FIELDS satisfies readonly LineField[];

/** Every top-level key: a requested meta key of the same name is left out of `metadata`, as in the plugin. */
const TOP_LEVEL_KEYS = new Set<string>([...LINE_FIELDS, 'roles', 'metadata']);

/** The meta keys a `metadata` object holds for a request: duplicates and top-level names dropped. */
export function exportableMetaKeys(requested: readonly string[]): string[] {
  return [...new Set(requested)].filter((key) => !TOP_LEVEL_KEYS.has(key));
}

/** One user as read for export: its `users` columns and its meta rows by key, in `umeta_id` order. */
export interface ExportUser {
  readonly login: string;
  readonly nicename: string;
  readonly url: string;
  readonly email: string;
  readonly displayName: string;
  /** `user_registered` exactly as stored (`YYYY-MM-DD HH:MM:SS`). */
  readonly registered: string;
  readonly pass: string;
  readonly meta: ReadonlyMap<string, readonly string[]>;
}

export interface LineOptions {
  readonly capabilitiesKey: string;
  readonly keepRoles: boolean;
  /** Already passed through {@link exportableMetaKeys}. */
  readonly metaKeys: readonly string[];
  readonly includePasswordHash: boolean;
}

const rolesCache = new Map<string, string>();

/** {@link rolesOf}, remembered: most users share a handful of capabilities values. */
function rolesJson(raw: string | undefined): string {
  if (!raw) return '[]';
  let json = rolesCache.get(raw);
  if (json === undefined) {
    json = rolesOf(raw);
    if (rolesCache.size > 1000) rolesCache.clear();
    rolesCache.set(raw, json);
  }
  return json;
}

/**
 * `WP_User::roles`: the keys of the capabilities array that are roles, keeping their positions (so
 * a non-role entry before a role makes a JSON object, as WordPress's unindexed filter does). This
 * server keeps no role registry: every granted key counts as a role.
 */
function rolesOf(raw: string): string {
  const caps = maybeUnserialize(raw);
  if (!(caps instanceof PhpArray)) return '[]';
  const kept: [number, string][] = [];
  let index = 0;
  for (const [key, granted] of caps) {
    if (typeof key === 'string' && granted !== false && granted !== null && granted !== 0 && granted !== '')
      kept.push([index, key]);
    index++;
  }
  if (kept.every(([i], n) => i === n)) return `[${kept.map(([, role]) => phpJsonString(role)).join(',')}]`;
  return `{${kept.map(([i, role]) => `"${i}":${phpJsonString(role)}`).join(',')}}`;
}

/** A stored meta value as `get_user_meta()` returns it, JSON-encoded by PHP. */
function metaJson(raw: string): string {
  const value: PhpValue = maybeUnserialize(raw);
  return typeof value === 'string' ? phpJsonString(value) : phpJsonValue(value);
}

/** One line of the file, with its final `\n`, byte for byte as the plugin writes it. */
export function formatExportLine(user: ExportUser, options: LineOptions): string {
  const first = (key: string): string => {
    const raw = user.meta.get(key)?.[0];
    return raw === undefined ? '""' : metaJson(raw);
  };
  let line =
    `{"user_login":${phpJsonString(user.login)},"user_nicename":${phpJsonString(user.nicename)}` +
    `,"user_url":${phpJsonString(user.url)},"user_email":${phpJsonString(user.email)}` +
    `,"display_name":${phpJsonString(user.displayName)},"nickname":${first('nickname')}` +
    `,"first_name":${first('first_name')},"last_name":${first('last_name')}` +
    `,"description":${first('description')},"rich_editing":${first('rich_editing')}` +
    `,"syntax_highlighting":${first('syntax_highlighting')},"comment_shortcuts":${first('comment_shortcuts')}` +
    `,"admin_color":${first('admin_color')},"use_ssl":${first('use_ssl')}` +
    `,"user_registered":${phpJsonString(user.registered)}` +
    `,"show_admin_bar_front":${first('show_admin_bar_front')},"locale":${first('locale')}` +
    `,"roles":${options.keepRoles ? rolesJson(user.meta.get(options.capabilitiesKey)?.[0]) : '[]'}`;
  if (options.metaKeys.length === 0) {
    line += ',"metadata":[]';
  } else {
    const parts = options.metaKeys.map(
      (key) => `${phpJsonString(key)}:[${(user.meta.get(key) ?? []).map(metaJson).join(',')}]`,
    );
    line += `,"metadata":{${parts.join(',')}}`;
  }
  // Our addition, after the plugin's keys: the plugin's import overwrites `user_pass` anyway.
  if (options.includePasswordHash) line += `,"user_pass":${phpJsonString(user.pass)}`;
  return `${line}}\n`;
}
