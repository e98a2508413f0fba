/**
 * PHP's `json_encode()` with default flags (what the plugin's `wp_json_encode()` writes): every
 * non-ASCII character as a lowercase `\uXXXX` escape (surrogate pairs outside the BMP), `/` as `\/`,
 * no spaces. Strings, and PHP values as WordPress's `get_user_meta()` returns them.
 */
import {
  formatPhpFloat,
  PhpFloat,
  PhpOpaqueObject,
  type PhpArray,
  type PhpValue,
} from '../../lib/php-value.js';

const NEEDS_PHP_ESCAPE = /[\u0080-\uffff/]/;
/** Anything JSON or PHP escapes; most values have none and are quoted as they are. */
// eslint-disable-next-line no-control-regex
const NEEDS_ANY_ESCAPE = /[\u0000-\u001f"\\/\u007f-\uffff]/;
const PHP_ONLY_ESCAPES = /[\u0080-\uffff/]/g;

function escapeChar(c: string): string {
  if (c === '/') return '\\/';
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** A JSON string literal as PHP writes it. */
export function phpJsonString(s: string): string {
  if (!NEEDS_ANY_ESCAPE.test(s)) return `"${s}"`;
  const json = JSON.stringify(s);
  // JSON.stringify already escapes quotes, backslashes and control characters exactly as PHP does
  // (`\b \f \n \r \t`, otherwise `\u00XX` in lowercase); PHP additionally escapes `/` and non-ASCII.
  return NEEDS_PHP_ESCAPE.test(json) ? json.replace(PHP_ONLY_ESCAPES, escapeChar) : json;
}

/** A PHP float as json_encode writes it (serialize_precision -1, no forced `.0`, lowercase `e`). */
function phpJsonFloat(x: number): string {
  if (!Number.isFinite(x)) return '0'; // json_encode refuses INF/NAN; PHP's partial output is 0
  return formatPhpFloat(x, -1).replace('E', 'e');
}

const MAX_DEPTH = 128;

/** A PHP value as json_encode writes it: list arrays as JSON lists, other arrays as objects. */
export function phpJsonValue(value: PhpValue, depth = 0): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return phpJsonString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : phpJsonFloat(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof PhpFloat) return phpJsonFloat(value.value);
  if (value instanceof PhpOpaqueObject) return '{}'; // an object of a class this server cannot load
  if (depth >= MAX_DEPTH) return 'null';
  return phpJsonArray(value, depth);
}

function phpJsonArray(value: PhpArray, depth: number): string {
  if (value.size === 0) return '[]';
  const parts: string[] = [];
  if (value.isList()) {
    for (const v of value.values()) parts.push(phpJsonValue(v, depth + 1));
    return `[${parts.join(',')}]`;
  }
  for (const [k, v] of value) parts.push(`${phpJsonString(String(k))}:${phpJsonValue(v, depth + 1)}`);
  return `{${parts.join(',')}}`;
}
