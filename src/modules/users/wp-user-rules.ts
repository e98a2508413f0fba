/**
 * WordPress core's rules for user fields (wp-includes/formatting.php and user.php, 6.x), reproduced
 * as pure functions so that a user created here is the user WordPress would have created.
 */
import { phpTrim, stripTags } from '../../lib/php-strings.js';

/** PCRE's `\s` without the u flag: ASCII whitespace only (JavaScript's `\s` also takes U+00A0 etc.). */
const PCRE_SPACES = /[ \t\n\v\f\r]+/g;
/** PCRE's `.` stops only at `\n`; JavaScript's also stops at `\r`, U+2028 and U+2029. */
const HTML_ENTITY = /&[^\n]+?;/g;
const URL_OCTET = /%[a-fA-F0-9]{2}/g;

/** Every character remove_accents() (default locale) replaces; the rest of Unicode is left alone. */
const ACCENTED =
  /[\u00a3\u00aa\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u017f\u01a0\u01a1\u01af\u01b0\u01cd-\u01dc\u0218-\u021b\u0251\u1ea0-\u1ef9\u20ac]/g;
/** Its replacements that are not simply "the letter without its combining marks": character, then replacement. */
const NOT_DECOMPOSED = new Map(
  'ªa ºo ÆAE ÐD ÞTH ßs æae ðd øo þth ØO ĐD đd ĦH ħh ıi ĲIJ ĳij ĸk ĿL ŀl ŁL łl ŉn ŊN ŋn ŒOE œoe ŦT ŧt ſs €E £ ɑa'
    .split(' ')
    .map((pair) => [pair.charAt(0), pair.slice(1)] as const),
);

/**
 * WordPress `remove_accents()` for a site whose locale has no special rules (not de_*, da_DK, ca,
 * sr_RS or bs_BA). Its 309-entry table is the letters in ACCENTED with their marks dropped, except
 * NOT_DECOMPOSED. Like WordPress with the intl extension, the input is NFC-normalised first.
 */
export function removeAccents(s: string): string {
  if (!/[\u0080-\uffff]/.test(s)) return s;
  return s
    .normalize('NFC')
    .replace(ACCENTED, (c) => NOT_DECOMPOSED.get(c) ?? c.normalize('NFD').replace(/[\u0300-\u036f]/g, ''));
}

/** WordPress `wp_strip_all_tags()`: script/style elements with their content, then every tag. */
export function wpStripAllTags(s: string): string {
  return phpTrim(stripTags(s.replace(/<(script|style)[^>]*?>[\s\S]*?<\/\1>/gi, '')));
}

/** WordPress `sanitize_user()`; strict mode keeps only `a-z A-Z 0-9 space _ . - @`. */
export function sanitizeUser(username: string, strict = false): string {
  let s = removeAccents(wpStripAllTags(username)).replace(URL_OCTET, '').replace(HTML_ENTITY, '');
  if (strict) s = s.replace(/[^a-z0-9 _.\-@]/gi, '');
  return phpTrim(s).replace(PCRE_SPACES, ' ');
}

/**
 * The `user_login` wp_insert_user() stores: `trim(sanitize_user($login, true))`. Characters are
 * dropped silently (`'Zoë <b>x</b>'` → `'Zoe x'`); see {@link userLoginError} for what it refuses.
 */
export function sanitizeUserLogin(raw: string): string {
  return phpTrim(sanitizeUser(raw, true));
}

/** Why wp_insert_user() refuses a sanitised login, with WordPress's error code, or null. */
export function userLoginError(login: string): 'empty_user_login' | 'user_login_too_long' | null {
  // PHP's empty() is true for "0", so WordPress cannot create a user called "0".
  if (login === '' || login === '0') return 'empty_user_login';
  return [...login].length > 60 ? 'user_login_too_long' : null;
}

/** WordPress `utf8_uri_encode()`: non-ASCII bytes as lower-case %xx, cut at whole characters. */
function utf8UriEncode(s: string, maxLength: number): string {
  let out = '';
  let pending: number[] = [];
  let octets = 1;
  for (const byte of Buffer.from(s, 'utf8')) {
    if (byte < 0x80) {
      if (out.length + 1 > maxLength) break;
      out += String.fromCharCode(byte);
      continue;
    }
    if (pending.length === 0) octets = byte < 0xe0 ? 2 : byte < 0xf0 ? 3 : 4;
    pending.push(byte);
    if (out.length + octets * 3 > maxLength) break;
    if (pending.length === octets) {
      out += pending.map((b) => `%${b.toString(16)}`).join('');
      pending = [];
    }
  }
  return out;
}

const replaceEach = (s: string, needles: readonly string[], by: string): string =>
  needles.reduce((acc, needle) => acc.replaceAll(needle, by), s);

// sanitize_title_with_dashes() 'save' context: encoded characters turned into hyphens or dropped.
const TO_HYPHEN = [
  '%c2%a0',
  '%e2%80%93',
  '%e2%80%94',
  '&nbsp;',
  '&#160;',
  '&ndash;',
  '&#8211;',
  '&mdash;',
  '&#8212;',
  '/',
];
const DROPPED = [
  ...['%c2%ad', '%c2%a1', '%c2%bf', '%c2%ab', '%c2%bb', '%e2%80%b9', '%e2%80%ba'],
  ...['%e2%80%98', '%e2%80%99', '%e2%80%9c', '%e2%80%9d', '%e2%80%9a', '%e2%80%9b', '%e2%80%9e', '%e2%80%9f'],
  ...[
    '%e2%80%a2',
    '%c2%a9',
    '%c2%ae',
    '%c2%b0',
    '%e2%80%a6',
    '%e2%84%a2',
    '%c2%b4',
    '%cb%8a',
    '%cc%81',
    '%cd%81',
  ],
  ...['%cc%80', '%cc%84', '%cc%8c', '%e2%80%8b', '%e2%80%8c', '%e2%80%8d', '%e2%80%8e', '%e2%80%8f'],
  ...['%e2%80%aa', '%e2%80%ab', '%e2%80%ac', '%e2%80%ad', '%e2%80%ae', '%ef%bb%bf', '%ef%bf%bc'],
];
const WIDE_SPACES = [
  ...['%e2%80%80', '%e2%80%81', '%e2%80%82', '%e2%80%83', '%e2%80%84', '%e2%80%85', '%e2%80%86'],
  ...['%e2%80%87', '%e2%80%88', '%e2%80%89', '%e2%80%8a', '%e2%80%a8', '%e2%80%a9', '%e2%80%af'],
];

/** WordPress `sanitize_title_with_dashes($title, '', 'save')`: a lower-case URL slug. */
export function sanitizeTitleWithDashes(title: string): string {
  let s = stripTags(title)
    .replace(/%([a-fA-F0-9]{2})/g, '---$1---')
    .replaceAll('%', '')
    .replace(/---([a-fA-F0-9]{2})---/g, '%$1');
  // mb_strtolower before PHP 8.3 knows no final sigma; JavaScript would write 'ς' at a word's end.
  s = utf8UriEncode(s.replaceAll('Σ', 'σ').toLowerCase(), 200).toLowerCase();
  s = replaceEach(s, TO_HYPHEN, '-');
  s = replaceEach(s, DROPPED, '');
  s = replaceEach(s, WIDE_SPACES, '-').replaceAll('%c3%97', 'x');
  s = s
    .replace(HTML_ENTITY, '')
    .replaceAll('.', '-')
    .replace(/[^%a-z0-9 _-]/g, '');
  return phpTrim(s.replace(PCRE_SPACES, '-').replace(/-+/g, '-'), '-');
}

/** WordPress `sanitize_title()` with its default filter, in the 'save' context. */
export function sanitizeTitle(title: string): string {
  return sanitizeTitleWithDashes(removeAccents(title));
}

/**
 * The `user_nicename` wp_insert_user() derives from a login when none is given:
 * `sanitize_title(mb_substr($user_login, 0, 50))` (`'John.Doe@x'` → `'john-doex'`).
 */
export function userNicenameFrom(login: string): string {
  return sanitizeTitle([...login].slice(0, 50).join(''));
}

/**
 * A nicename given explicitly, as wp_insert_user() cleans it: `sanitize_title(sanitize_user($n, true))`.
 * WordPress then refuses it when longer than 50 characters; it does not cut it.
 */
export function sanitizeNicename(nicename: string): string {
  return sanitizeTitle(sanitizeUser(nicename, true));
}

/**
 * WordPress `is_email()`: at least 6 bytes, an `@` after the first character, a local part of
 * `A-Z a-z 0-9 ! # $ % & ' * + / = ? ^ _ \` { | } ~ . -` (dots anywhere), and a domain of at least two
 * dot-separated labels of letters, digits and inner hyphens (so no IDN, no IP literal, no `localhost`).
 * One deliberate difference: PCRE's `$` lets WordPress accept a local part ending in a newline
 * (`"a\n@example.com"`); WordPress's sanitize_email() removes it before storing, so it is refused here.
 */
export function isEmail(raw: string): boolean {
  if (Buffer.byteLength(raw, 'utf8') < 6) return false;
  const at = raw.indexOf('@', 1);
  if (at < 0) return false;
  const local = raw.slice(0, at);
  const domain = raw.slice(at + 1);
  if (!/^[a-zA-Z0-9!#$%&'*+/=?^_`{|}~.-]+$/.test(local)) return false;
  if (/\.{2,}/.test(domain) || phpTrim(domain, ' \t\n\r\0\x0B.') !== domain) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  return labels.every((label) => phpTrim(label, ' \t\n\r\0\x0B-') === label && /^[a-z0-9-]+$/i.test(label));
}

/** The highest `level_N` capability of each default role (wp-admin/includes/schema.php). */
export const DEFAULT_ROLE_LEVELS: ReadonlyMap<string, number> = new Map([
  ['administrator', 10],
  ['editor', 7],
  ['author', 2],
  ['contributor', 1],
  ['subscriber', 0],
]);

/**
 * The value WordPress stores in `{prefix}user_level`: the highest `level_N` capability among the
 * user's roles (WP_User::update_user_level_from_caps), 0 for no role or roles without levels.
 */
export function userLevelFromRoles(
  roles: Iterable<string>,
  levels: ReadonlyMap<string, number> = DEFAULT_ROLE_LEVELS,
): number {
  let level = 0;
  for (const role of roles) level = Math.max(level, levels.get(role) ?? 0);
  return level;
}
