/**
 * WordPress's layer over PHP serialization (wp-includes/functions.php): which strings count as
 * serialized, and how meta values are written and read.
 */
import { PhpSerializeError, serialize, unserialize, type UnserializeOptions } from './php-serialize.js';
import { phpTrim, utf8ByteLength } from './php-strings.js';
import { PhpArray, PhpFloat, PhpOpaqueObject, formatPhpFloat, isInt64, type PhpValue } from './php-value.js';

/**
 * WordPress `is_serialized()`: a cheap shape test, not a parse. Non-strict mode (used by
 * `maybe_serialize`) only looks at the first characters, so `'s:1:"x";trailing'` qualifies.
 */
export function isSerialized(data: unknown, strict = true): boolean {
  if (typeof data !== 'string') return false;
  const s = phpTrim(data);
  if (s === 'N;') return true;
  if (utf8ByteLength(s) < 4 || s[1] !== ':') return false;
  if (strict) {
    if (!s.endsWith(';') && !s.endsWith('}')) return false;
  } else {
    const semicolon = s.indexOf(';');
    const brace = s.indexOf('}');
    if (semicolon < 0 && brace < 0) return false;
    if ((semicolon >= 0 && semicolon < 3) || (brace >= 0 && brace < 4)) return false;
  }
  const token = s.charAt(0);
  if (token === 's' && (strict ? s.at(-2) !== '"' : !s.includes('"'))) return false;
  if ('saOE'.includes(token)) return /^[saOE]:[0-9]+:/.test(s);
  if ('bid'.includes(token)) return (strict ? /^[bid]:[0-9.E+-]+;$/ : /^[bid]:[0-9.E+-]+;/).test(s);
  return false;
}

/**
 * WordPress `maybe_serialize()` followed by the string conversion `$wpdb` applies when it writes
 * `meta_value`: arrays and objects are serialized; a string that already looks serialized is
 * serialized again (WordPress's deliberate double serialization); other scalars become the string
 * PHP would write (`true` → `'1'`, `false` → `''`, floats with precision 14). WordPress writes SQL
 * NULL for `null`; this returns `''`, which reads back the same through `get_user_meta`.
 */
export function maybeSerialize(value: PhpValue): string {
  if (value instanceof PhpArray || value instanceof PhpOpaqueObject) return serialize(value);
  if (typeof value === 'string') return isSerialized(value, false) ? serialize(value) : value;
  if (value === null || value === false) return '';
  if (value === true) return '1';
  if (value instanceof PhpFloat) return formatPhpFloat(value.value, 14);
  if (typeof value === 'number' && !(Number.isInteger(value) && isInt64(BigInt(value))))
    return formatPhpFloat(value, 14);
  return BigInt(value).toString();
}

/**
 * WordPress `maybe_unserialize()`: unserializes (trimmed) data that `is_serialized()` accepts,
 * otherwise returns it unchanged. Where PHP's `unserialize` fails WordPress returns `false`; this
 * returns the original string instead, so a value it cannot read is shown and kept, not lost.
 */
export function maybeUnserialize(data: string, options?: UnserializeOptions): PhpValue {
  if (!isSerialized(data)) return data;
  try {
    return unserialize(phpTrim(data), options);
  } catch (error) {
    if (error instanceof PhpSerializeError) return data;
    throw error;
  }
}
