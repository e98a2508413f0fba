/**
 * PHP values as WordPress stores them in usermeta, modelled so that `unserialize` → `serialize`
 * reproduces PHP's bytes: ints and floats stay distinct, arrays keep their key order and key types.
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A PHP float. Wrapped because a JavaScript number cannot tell `1.0` (float) from `1` (int). */
export class PhpFloat {
  constructor(readonly value: number) {}
}

/**
 * A serialized PHP object (`O:`), custom-serialized object (`C:`) or enum case (`E:`), kept as its
 * exact serialized text. Nothing is ever instantiated from it: it only travels back out verbatim.
 */
export class PhpOpaqueObject {
  constructor(
    readonly className: string,
    readonly serialized: string,
  ) {}
}

/** Integer keys beyond ±2^53 are bigints so that no key is silently rounded. */
export type PhpKey = number | bigint | string;

/** A PHP int is a number when it is a safe integer, otherwise a bigint (always within int64). */
export type PhpValue = null | boolean | number | bigint | string | PhpFloat | PhpArray | PhpOpaqueObject;

/** Whether an integer fits PHP's 64-bit int. */
export function isInt64(n: bigint): boolean {
  return n >= INT64_MIN && n <= INT64_MAX;
}

/** The number when it is safe, else the bigint: one representation per integer value. */
export function canonicalInt(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/**
 * The key PHP actually stores: a decimal string without leading zeros or `+` that fits int64 becomes
 * an int key (`$a["5"]` is `$a[5]`; `"05"`, `"-0"` and `" 5"` stay strings).
 */
export function normalizePhpKey(key: PhpKey): number | bigint | string {
  if (typeof key === 'string') {
    if (!/^(?:0|-?[1-9][0-9]*)$/.test(key) || key.length > 20) return key;
    const n = BigInt(key);
    return isInt64(n) ? canonicalInt(n) : key;
  }
  if (typeof key === 'number' && !Number.isInteger(key))
    throw new RangeError(`PHP array key must be an integer, got ${key}`);
  const n = BigInt(key);
  if (!isInt64(n)) throw new RangeError(`PHP array key ${n} is outside the int64 range`);
  return canonicalInt(n);
}

/** An ordered PHP array. Keys are normalised as PHP does; re-setting a key keeps its position. */
export class PhpArray implements Iterable<[PhpKey, PhpValue]> {
  // A Map keyed by a tagged string, so 5 and "5x" can never collide and "__proto__" is just data.
  readonly #entries = new Map<string, [PhpKey, PhpValue]>();

  static list(values: Iterable<PhpValue>): PhpArray {
    const array = new PhpArray();
    let index = 0;
    for (const value of values) array.set(index++, value);
    return array;
  }

  static from(entries: Iterable<readonly [PhpKey, PhpValue]>): PhpArray {
    const array = new PhpArray();
    for (const [key, value] of entries) array.set(key, value);
    return array;
  }

  static #id(key: PhpKey): string {
    const k = normalizePhpKey(key);
    return typeof k === 'string' ? `s${k}` : `i${k}`;
  }

  get size(): number {
    return this.#entries.size;
  }

  set(key: PhpKey, value: PhpValue): this {
    const id = PhpArray.#id(key);
    const existing = this.#entries.get(id);
    if (existing) existing[1] = value;
    else this.#entries.set(id, [normalizePhpKey(key), value]);
    return this;
  }

  get(key: PhpKey): PhpValue | undefined {
    return this.#entries.get(PhpArray.#id(key))?.[1];
  }

  has(key: PhpKey): boolean {
    return this.#entries.has(PhpArray.#id(key));
  }

  delete(key: PhpKey): boolean {
    return this.#entries.delete(PhpArray.#id(key));
  }

  *keys(): IterableIterator<PhpKey> {
    for (const [key] of this.#entries.values()) yield key;
  }

  *values(): IterableIterator<PhpValue> {
    for (const [, value] of this.#entries.values()) yield value;
  }

  *[Symbol.iterator](): IterableIterator<[PhpKey, PhpValue]> {
    for (const [key, value] of this.#entries.values()) yield [key, value];
  }

  /** PHP `array_is_list()`: keys are exactly 0, 1, 2… in order. */
  isList(): boolean {
    let expected = 0;
    for (const key of this.keys()) if (key !== expected++) return false;
    return true;
  }
}

/**
 * The digits and decimal-point position of a finite, positive double, as zend_dtoa returns them.
 * `precision` -1 is mode 0 (the shortest string that round-trips, PHP's serialize_precision=-1);
 * a positive precision is mode 2 (correctly rounded, ties to even, trailing zeros dropped).
 */
function decimalDigits(x: number, precision: number): { digits: string; point: number } {
  if (precision < 0) {
    const [mantissa = '0', exponent = '0'] = x.toExponential().split('e');
    return { digits: mantissa.replace('.', ''), point: Number(exponent) + 1 };
  }
  // The exact decimal expansion of the double, then rounding on the digit string.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const biased = (view.getUint32(0) >>> 20) & 0x7ff;
  let mantissa = (BigInt(view.getUint32(0) & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  if (biased !== 0) mantissa |= 1n << 52n;
  const exp2 = (biased === 0 ? 1 : biased) - 1075;
  const exact =
    exp2 >= 0 ? (mantissa << BigInt(exp2)).toString() : (mantissa * 5n ** BigInt(-exp2)).toString();
  let point = exact.length + Math.min(exp2, 0);
  let head = exact.slice(0, precision);
  const rest = exact.slice(precision);
  const first = rest.charAt(0);
  const odd = Number(head.at(-1)) % 2 === 1;
  if (first > '5' || (first === '5' && (odd || /[1-9]/.test(rest.slice(1))))) {
    const bumped = (BigInt(head) + 1n).toString();
    if (bumped.length > head.length) point++;
    head = bumped.slice(0, precision);
  }
  return { digits: head.replace(/0+$/, '') || '0', point };
}

/**
 * A double as PHP 8 prints it (zend_gcvt): `precision` -1 for `serialize()`/`var_export()`
 * (`0.1`, `1.0E+25`, `-0`, `INF`), 14 for `(string)$float` and `echo` (`0.3`, `1.0E+14`).
 * Exponential form is used when the decimal point is more than `precision` (17 for -1) digits
 * right, or more than 3 zeros left, of the first digit.
 */
export function formatPhpFloat(x: number, precision = -1): string {
  if (Number.isNaN(x)) return 'NAN';
  if (!Number.isFinite(x)) return x > 0 ? 'INF' : '-INF';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (x === 0) return `${sign}0`;
  const { digits, point } = decimalDigits(Math.abs(x), precision);
  const limit = precision < 0 ? 17 : precision;
  if (point < -3 || point > limit) {
    const exponent = point - 1;
    const fraction = digits.slice(1) || '0';
    return `${sign}${digits[0]}.${fraction}E${exponent < 0 ? '-' : '+'}${Math.abs(exponent)}`;
  }
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  const whole = digits.slice(0, point).padEnd(point, '0');
  const fraction = digits.slice(point);
  return fraction ? `${sign}${whole}.${fraction}` : `${sign}${whole}`;
}

/** JSON-shaped data, as the GraphQL JSON scalar and the peer protocol carry it. */
export type JsonLike = null | boolean | number | string | JsonLike[] | { [key: string]: JsonLike };

const MAX_JS_DEPTH = 128;

/**
 * A PHP value as JSON-shaped data, as PHP's `json_encode` shows it: list arrays become arrays, other
 * arrays objects (JavaScript puts integer-like keys first, so their order is not kept), ints beyond
 * 2^53 decimal strings, INF/NAN (which JSON cannot hold) the strings PHP prints, and an opaque object
 * `{ __phpObject: className, serialized }`. Objects are built with `Object.fromEntries`, so a
 * `__proto__` key is an ordinary own property, never a prototype.
 */
export function phpToJs(value: PhpValue, depth = 0): JsonLike {
  if (depth > MAX_JS_DEPTH) throw new RangeError('PHP value nested too deeply');
  if (value instanceof PhpArray) {
    if (value.isList()) return Array.from(value.values(), (v) => phpToJs(v, depth + 1));
    return Object.fromEntries(Array.from(value, ([k, v]) => [String(k), phpToJs(v, depth + 1)]));
  }
  if (value instanceof PhpFloat)
    return Number.isFinite(value.value) ? value.value : formatPhpFloat(value.value);
  if (value instanceof PhpOpaqueObject) return { __phpObject: value.className, serialized: value.serialized };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/**
 * JSON-shaped data as the PHP value `json_decode($json, true)` would give: integers are ints, other
 * numbers floats, arrays lists, objects arrays with PHP's key normalisation (`"5"` becomes 5).
 * It never produces a PHP object, whatever the input looks like, so a client cannot plant one in a
 * WordPress database (PHP object injection).
 */
export function jsToPhp(value: unknown, depth = 0): PhpValue {
  if (depth > MAX_JS_DEPTH) throw new RangeError('value nested too deeply');
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    return Number.isInteger(value) && isInt64(BigInt(value))
      ? canonicalInt(BigInt(value))
      : new PhpFloat(value);
  }
  if (typeof value === 'bigint') {
    if (!isInt64(value)) throw new RangeError(`${value} is outside the int64 range`);
    return canonicalInt(value);
  }
  if (Array.isArray(value)) return PhpArray.list(value.map((v) => jsToPhp(v, depth + 1)));
  // Plain objects only (GraphQL's JSON scalar builds literals with a null prototype).
  if (typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      return PhpArray.from(Object.entries(value).map(([k, v]) => [k, jsToPhp(v, depth + 1)] as const));
    }
  }
  throw new TypeError(`cannot represent ${typeof value} as a PHP value`);
}
