import { serialize } from '../../lib/php-serialize.js';
import { jsToPhp, PhpArray, phpToJs, type JsonLike } from '../../lib/php-value.js';
import { maybeSerialize, maybeUnserialize } from '../../lib/wp-serialize.js';

/**
 * How API values become `meta_value` strings and back, with WordPress's rules: arrays and objects
 * are PHP-serialized, scalars stored as strings (maybe_serialize / maybe_unserialize).
 */
export function encodeMetaValue(value: unknown): string {
  return maybeSerialize(jsToPhp(value));
}

/** The value WordPress's `get_user_meta` would return, as JSON. */
export function decodeMetaValue(raw: string | null): JsonLike {
  if (raw === null) return null;
  return phpToJs(maybeUnserialize(raw));
}

/** True when writing `value` would store exactly `raw` (WordPress compares the stored strings). */
export function metaValuesEqual(raw: string | null, value: unknown): boolean {
  return (raw ?? '') === encodeMetaValue(value);
}

/** `{prefix}capabilities`: the PHP-serialized map role → true, in the given order. */
export function encodeCapabilities(roles: readonly string[]): string {
  return serialize(PhpArray.from(roles.map((role) => [role, true] as const)));
}

/** The roles of a `{prefix}capabilities` value: keys whose value is truthy, in stored order. */
export function decodeCapabilities(raw: string | null): string[] {
  if (!raw) return [];
  const value = maybeUnserialize(raw);
  if (!(value instanceof PhpArray)) return [];
  const roles: string[] = [];
  for (const [key, granted] of value) {
    if (typeof key === 'string' && granted !== false && granted !== null && granted !== 0 && granted !== '')
      roles.push(key);
  }
  return roles;
}
