/**
 * The WPRUS envelope: the encrypted, signed `wprusdata` bundle and the JSON inside it
 * (protocol doc §3). Byte-compatible with `Wprus_Crypto` of WP Remote Users Sync 2.1.5.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

export interface EnvelopeKeys {
  /** Free-text AES key string; the cipher key is its raw SHA-256 digest. */
  readonly aesKey: string;
  /** Free-text HMAC key string, used as-is (UTF-8 bytes, not hashed). */
  readonly hmacKey: string;
}

export type DecryptFailure = 'malformed' | 'mac_mismatch' | 'decrypt_failed' | 'not_utf8';
export type DecryptResult = { ok: true; plaintext: string } | { ok: false; cause: DecryptFailure };

export interface DecryptOptions {
  /**
   * Map a literal space back to `+` before base64-decoding (default `true`). A space can only come
   * from a sender that forgot to percent-encode `+` in a form body (§2.4); PHP drops it and fails the
   * MAC. The MAC is still verified, so this leniency can never admit a forged bundle. `false`
   * reproduces PHP exactly.
   */
  readonly spaceAsPlus?: boolean;
}

const IV_BYTES = 16;
const MAC_BYTES = 32;
const BLOCK_BYTES = 16;
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const cipherKey = (aesKey: string): Buffer => createHash('sha256').update(aesKey, 'utf8').digest();
const mac = (hmacKey: string, iv: Buffer, ct: Buffer): Buffer =>
  createHmac('sha256', Buffer.from(hmacKey, 'utf8')).update(iv).update(ct).digest();

/** Encrypts a plaintext into a bundle (`base64(IV | MAC | CT)` with `/` → `_`). `iv` is for tests. */
export function encryptBundle(
  plaintext: string,
  keys: EnvelopeKeys,
  iv: Buffer = randomBytes(IV_BYTES),
): string {
  if (iv.length !== IV_BYTES) throw new RangeError(`IV must be ${IV_BYTES} bytes, got ${iv.length}`);
  const cipher = createCipheriv('aes-256-cbc', cipherKey(keys.aesKey), iv);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, mac(keys.hmacKey, iv, ct), ct])
    .toString('base64')
    .replaceAll('/', '_');
}

/**
 * Decrypts a bundle. Decoding is as lenient as PHP's non-strict `base64_decode` (characters outside
 * the alphabet, `=` included, are skipped, so missing padding is fine); the MAC over IV‖CT is then
 * compared in constant time before any decryption is attempted.
 */
export function decryptBundle(
  bundle: string,
  keys: EnvelopeKeys,
  options: DecryptOptions = {},
): DecryptResult {
  let b64 = bundle.replaceAll('_', '/');
  if (options.spaceAsPlus ?? true) b64 = b64.replaceAll(' ', '+');
  const raw = Buffer.from(b64.replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
  const ctLength = raw.length - IV_BYTES - MAC_BYTES;
  // PHP would fail these at the MAC or at openssl_decrypt; the outcome (reject) is the same.
  if (ctLength < BLOCK_BYTES || ctLength % BLOCK_BYTES !== 0) return { ok: false, cause: 'malformed' };

  const iv = raw.subarray(0, IV_BYTES);
  const presented = raw.subarray(IV_BYTES, IV_BYTES + MAC_BYTES);
  const ct = raw.subarray(IV_BYTES + MAC_BYTES);
  if (!timingSafeEqual(presented, mac(keys.hmacKey, iv, ct))) return { ok: false, cause: 'mac_mismatch' };

  let bytes: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', cipherKey(keys.aesKey), iv);
    bytes = Buffer.concat([decipher.update(ct), decipher.final()]);
  } catch {
    return { ok: false, cause: 'decrypt_failed' }; // bad PKCS#7 padding: right MAC key, wrong AES key
  }
  try {
    return { ok: true, plaintext: utf8Strict.decode(bytes) };
  } catch {
    return { ok: false, cause: 'not_utf8' }; // PHP's json_decode would reject it anyway
  }
}

// ---------------------------------------------------------------------------------------------
// Plaintext JSON, as the plugin writes it: wp_json_encode($data, JSON_UNESCAPED_UNICODE).

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: JsonValue | undefined;
}

export type DecodeResult = { ok: true; value: JsonValue } | { ok: false; cause: 'empty' | 'invalid_json' };

/**
 * Parses a decrypted plaintext like the plugin's `decrypt_data`: `""` and `"0"` are falsy in PHP and
 * count as an undecryptable bundle; anything else must be JSON (`\/` escapes are standard JSON).
 * Note that JS objects list integer-like keys first, in ascending order, whatever the wire order.
 */
export function decodePayload(plaintext: string): DecodeResult {
  if (plaintext === '' || plaintext === '0') return { ok: false, cause: 'empty' };
  try {
    return { ok: true, value: JSON.parse(plaintext) as JsonValue };
  } catch {
    return { ok: false, cause: 'invalid_json' };
  }
}

/**
 * Serialises a payload byte for byte as PHP's `wp_json_encode($v, JSON_UNESCAPED_UNICODE)`:
 * compact; `/` → `\/`; `"` `\` `\b` `\f` `\n` `\r` `\t` short escapes; other C0 controls and
 * U+2028/U+2029 as lowercase `\u00xx`/`\u2028`; all other characters raw UTF-8 (a lone surrogate,
 * which has no UTF-8 form, becomes U+FFFD). Objects keep insertion order, except that an object
 * whose keys are exactly "0".."n-1" (a PHP list) and an empty object (an empty PHP array) both
 * become JSON arrays. Integers print as integers, other numbers as PHP doubles
 * (`serialize_precision = -1`, e.g. `0.1`, `1.0e-5`, `1.0e+25`). Undefined members are omitted.
 * `escapeUnicode` gives plain `wp_json_encode`/`wp_send_json` output instead (token and ping
 * response bodies): every non-ASCII UTF-16 unit as lowercase `\uxxxx`.
 * @throws TypeError for NaN or ±Infinity, which PHP refuses to encode.
 */
export function encodePayload(value: JsonValue, options: { readonly escapeUnicode?: boolean } = {}): string {
  const encode = (item: JsonValue): string => encodePayload(item, options);
  const phpString = (s: string): string => phpJsonString(s, options.escapeUnicode === true);
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return phpNumber(value);
  if (typeof value === 'string') return phpString(value);
  if (isJsonArray(value)) return `[${value.map((item) => encode(item ?? null)).join(',')}]`;
  const entries = Object.entries(value).filter((e): e is [string, JsonValue] => e[1] !== undefined);
  if (entries.every(([key], index) => key === String(index))) {
    return `[${entries.map(([, item]) => encode(item)).join(',')}]`;
  }
  return `{${entries.map(([key, item]) => `${phpString(key)}:${encode(item)}`).join(',')}}`;
}

const isJsonArray = (value: JsonValue): value is readonly JsonValue[] => Array.isArray(value);

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '/': '\\/',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};
// C0 controls, the short-escaped characters, line terminators and lone surrogates.
const NEEDS_ESCAPE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f"\\/\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function phpJsonString(s: string, escapeUnicode: boolean): string {
  const escaped = s.replace(NEEDS_ESCAPE, (ch) => {
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) return short;
    const code = ch.charCodeAt(0);
    if (code >= 0xd800 && code <= 0xdfff) return '\ufffd';
    return unicodeEscape(ch);
  });
  return `"${escapeUnicode ? escaped.replace(/[\u0080-\uffff]/g, unicodeEscape) : escaped}"`;
}

function unicodeEscape(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

function phpNumber(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError(`PHP's json_encode cannot encode ${n}`);
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return BigInt(n).toString();
  // PHP's php_gcvt with precision 17, mode 0: shortest round-trip digits, fixed notation unless
  // the decimal exponent is below -4 or above 16 (php_gcvt: decpt < -3 || decpt > 17).
  const [mantissa = '', exponent = '0'] = Math.abs(n).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(exponent);
  const decpt = exp + 1;
  const sign = n < 0 ? '-' : '';
  if (decpt < 0 ? decpt < -3 : decpt > 17) {
    return `${sign}${digits[0] ?? '0'}.${digits.slice(1) || '0'}e${exp < 0 ? '-' : '+'}${Math.abs(exp)}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  const whole = digits.slice(0, decpt).padEnd(decpt, '0');
  const fraction = digits.slice(decpt);
  return fraction ? `${sign}${whole}.${fraction}` : `${sign}${whole}`;
}
