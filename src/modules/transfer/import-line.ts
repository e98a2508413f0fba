/**
 * Reading one line of a user file: the JSON object, checked field by field with WordPress's rules for
 * `wp_insert_user()`, into the rows it becomes. Pure: no database.
 */
import { encodeMetaValue } from '../users/meta-codec.js';
import { isEmail, sanitizeNicename, sanitizeUserLogin, userNicenameFrom } from '../users/wp-user-rules.js';
import { defaultDisplayName } from '../users/user.validation.js';
import { LINE_FIELDS, type LineField, type META_LINE_FIELDS } from './plugin-format.js';

/** Why a line was refused: a stable cause for the activity log and the API, and a sentence. */
export interface LineError {
  readonly cause: string;
  readonly message: string;
}

export type MetaLineField = (typeof META_LINE_FIELDS)[number];

/** A valid line, as the rows WordPress would write for it. */
export interface ImportRecord {
  readonly login: string;
  /** Fields present in the line (an update changes only those). */
  readonly present: ReadonlySet<LineField>;
  readonly email: string;
  readonly url: string;
  /** The nicename wp_insert_user() derives (before making it unique). */
  readonly nicename: string;
  readonly displayName: string;
  /** `YYYY-MM-DD HH:MM:SS`, or null for "now". */
  readonly registered: string | null;
  readonly meta: Readonly<Record<MetaLineField, string>>;
  /** Roles in file order, deduplicated; empty when the line names none. */
  readonly roles: readonly string[];
  /** Meta keys in file order, each with its encoded values (one value: update, several: add each). */
  readonly metadata: readonly (readonly [string, readonly string[]])[];
  /** A WordPress password hash carried by the line (our export's `includePasswordHashes`). */
  readonly passwordHash: string | null;
}

export type ParsedLine =
  { readonly ok: true; readonly record: ImportRecord } | ({ readonly ok: false } & LineError);

/** Shapes WordPress's sanitisers leave unchanged (checked first: they are most lines of a real file). */
const SIMPLE_LOGIN = /^[A-Za-z0-9_.@-]+$/;
const SIMPLE_SLUG = /^[a-z0-9_]+(?:-[a-z0-9_]+)*$/;
const ROLE_SLUG = /^[a-z0-9_-]{1,100}$/;
const REGISTERED = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
/** Hash formats WordPress verifies: phpass, 6.8's bcrypt, plain bcrypt, argon2, and legacy MD5. */
const PASSWORD_HASH =
  /^(?:\$[PH]\$[./0-9A-Za-z]{31}|\$wp\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}|\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}|\$argon2(?:id|i|d)\$[ -~]{10,240}|[a-f0-9]{32})$/;

function fail(cause: string, message: string): ParsedLine {
  return { ok: false, cause, message };
}

/** PHP's `empty()` for a string. */
const phpEmpty = (s: string): boolean => s === '' || s === '0';

/** The list of values of a JSON list or of an object with numeric keys (both occur in real files). */
function valuesOf(value: unknown): unknown[] | null {
  if (Array.isArray(value)) return value as unknown[];
  if (value !== null && typeof value === 'object') return Object.values(value as Record<string, unknown>);
  return null;
}

/** The metadata keys only role changes write. */
export interface LineRules {
  readonly protectedMetaKeys: ReadonlySet<string>;
}

/**
 * Parses and checks one line (without its `\n`). Refusals name the field and the rule, the way
 * WordPress's own errors would.
 */
export function parseImportLine(text: string, rules: LineRules): ParsedLine {
  if (text.trim() === '') return fail('empty_line', 'empty line');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return fail('invalid_json', `not valid JSON (${(err as Error).message})`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    return fail('not_an_object', 'not a JSON object');
  const obj = data as Record<string, unknown>;
  if (!('user_login' in obj)) return fail('missing_user_login', 'user_login is missing');
  const str: Partial<Record<LineField, string>> = {};
  const present = new Set<LineField>();
  for (const field of LINE_FIELDS) {
    const value = obj[field];
    if (value === undefined || value === null) continue;
    if (typeof value === 'number' && field !== 'user_login') {
      str[field] = String(value); // PHP would take an int the same way
    } else if (typeof value !== 'string') {
      return fail(
        'wrong_type',
        `${field} must be a string, not ${Array.isArray(value) ? 'a list' : typeof value}`,
      );
    } else {
      str[field] = value;
    }
    present.add(field);
  }
  const login = str.user_login ?? '';
  if (!SIMPLE_LOGIN.test(login) && (sanitizeUserLogin(login) !== login || login === '' || login === '0'))
    return fail(
      'invalid_login',
      `user_login "${login}" is not a valid WordPress login (letters, digits, spaces and _ . - @)`,
    );
  if ([...login].length > 60) return fail('login_too_long', 'user_login has more than 60 characters');

  const email = (str.user_email ?? '').trim();
  if (email.length > 100) return fail('email_too_long', 'user_email has more than 100 characters');
  if (email !== '' && !isEmail(email)) return fail('invalid_email', `user_email "${email}" is not valid`);
  const url = str.user_url ?? '';
  if ([...url].length > 100) return fail('url_too_long', 'user_url has more than 100 characters');
  const rawNicename = str.user_nicename ?? '';
  const nicename = phpEmpty(rawNicename)
    ? userNicenameFrom(login)
    : SIMPLE_SLUG.test(rawNicename)
      ? rawNicename
      : sanitizeNicename(rawNicename);
  if ([...nicename].length > 50)
    return fail('nicename_too_long', 'user_nicename has more than 50 characters');
  const registered = str.user_registered ?? '';
  if (registered !== '' && !REGISTERED.test(registered))
    return fail('invalid_registered', 'user_registered must be "YYYY-MM-DD HH:MM:SS"');

  const first = str.first_name ?? '';
  const last = str.last_name ?? '';
  const displayName = str.display_name || defaultDisplayName(login, first, last);
  if ([...displayName].length > 250)
    return fail('display_name_too_long', 'display_name has more than 250 characters');
  const comment = str.comment_shortcuts ?? '';
  const meta: Record<MetaLineField, string> = {
    nickname: str.nickname || login,
    first_name: first,
    last_name: last,
    description: str.description ?? '',
    rich_editing: phpEmpty(str.rich_editing ?? '') ? 'true' : (str.rich_editing ?? ''),
    syntax_highlighting: phpEmpty(str.syntax_highlighting ?? '') ? 'true' : (str.syntax_highlighting ?? ''),
    comment_shortcuts: phpEmpty(comment) || comment === 'false' ? 'false' : 'true',
    admin_color: phpEmpty(str.admin_color ?? '')
      ? 'fresh'
      : (str.admin_color ?? '').replace(/[^a-z0-9 _.\-@]/gi, ''),
    use_ssl: phpEmpty(str.use_ssl ?? '') ? '0' : '1',
    show_admin_bar_front: phpEmpty(str.show_admin_bar_front ?? '')
      ? 'true'
      : (str.show_admin_bar_front ?? ''),
    locale: str.locale ?? '',
  };

  const roles: string[] = [];
  if (obj['roles'] !== undefined && obj['roles'] !== null) {
    const values = valuesOf(obj['roles']);
    if (!values) return fail('invalid_roles', 'roles must be a list of role slugs');
    for (const role of values) {
      if (typeof role !== 'string' || !ROLE_SLUG.test(role))
        return fail('invalid_roles', `roles: ${JSON.stringify(role)} is not a role slug`);
      if (!roles.includes(role)) roles.push(role);
    }
  }

  const metadata: [string, string[]][] = [];
  const rawMeta = obj['metadata'];
  if (rawMeta !== undefined && rawMeta !== null && !(Array.isArray(rawMeta) && rawMeta.length === 0)) {
    if (typeof rawMeta !== 'object' || Array.isArray(rawMeta))
      return fail('invalid_metadata', 'metadata must be an object of meta key → list of values');
    for (const [key, list] of Object.entries(rawMeta as Record<string, unknown>)) {
      if (key === '' || key.length > 255)
        return fail('invalid_meta_key', 'metadata: a meta key has 1 to 255 characters');
      const values = valuesOf(list);
      if (!values) return fail('invalid_metadata', `metadata.${key} must be a list of values`);
      if (values.length === 0 || rules.protectedMetaKeys.has(key)) continue;
      try {
        metadata.push([key, values.map((v) => encodeMetaValue(v))]);
      } catch (err) {
        return fail('invalid_metadata', `metadata.${key}: ${(err as Error).message}`);
      }
    }
  }

  let passwordHash: string | null = null;
  const pass = obj['user_pass'];
  if (pass !== undefined && pass !== null && pass !== '') {
    if (typeof pass !== 'string' || !PASSWORD_HASH.test(pass))
      return fail('invalid_password_hash', 'user_pass is not a WordPress password hash');
    passwordHash = pass;
  }

  return {
    ok: true,
    record: {
      login,
      present,
      email,
      url,
      nicename,
      displayName,
      registered: registered === '' ? null : registered,
      meta,
      roles,
      metadata,
      passwordHash,
    },
  };
}
