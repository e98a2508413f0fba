/**
 * WordPress password hashes: writing the two formats WordPress writes (6.8's `$wp$2y$` bcrypt and the
 * portable phpass `$P$B` of earlier versions), and checking every format WordPress still accepts.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { HashFormat } from '../../config/config.js';
import { phpTrim, utf8ByteLength } from '../../lib/php-strings.js';
import { assertNever } from '../../shared/app-error.js';

/** WordPress refuses longer passwords (wp_hash_password returns '*', wp_check_password false). */
export const MAX_PASSWORD_BYTES = 4096;

/** PHP's default bcrypt cost before PHP 8.4, which WordPress 6.8 inherits. */
const BCRYPT_COST = 10;
const BCRYPT_BODY = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** `new PasswordHash(8, true)`: log2 of the rounds is 8 + 5 = 13, written as ITOA64[13] = 'B'. */
const PHPASS_COUNT_LOG2 = 13;

/**
 * WordPress 6.8's pre-hash: base64 of HMAC-SHA384 keyed `wp-sha384`. It keeps the entropy of
 * passwords longer than bcrypt's 72 bytes and always yields 64 ASCII characters.
 */
function wpPrehash(password: string): string {
  return createHmac('sha384', 'wp-sha384').update(password, 'utf8').digest('base64');
}

/** phpass's own base64 (little-endian groups, ITOA64 alphabet), not RFC 4648. */
function encode64(input: Buffer, count: number): string {
  let output = '';
  let i = 0;
  while (i < count) {
    let value = input[i++] ?? 0;
    output += ITOA64[value & 0x3f];
    if (i < count) value |= (input[i] ?? 0) << 8;
    output += ITOA64[(value >> 6) & 0x3f];
    if (i++ >= count) break;
    if (i < count) value |= (input[i] ?? 0) << 16;
    output += ITOA64[(value >> 12) & 0x3f];
    if (i++ >= count) break;
    output += ITOA64[(value >> 18) & 0x3f];
  }
  return output;
}

/** phpass `crypt_private`: null where phpass would return its '*0' failure marker. */
function phpassCrypt(password: string, setting: string): string | null {
  const id = setting.slice(0, 3);
  if (id !== '$P$' && id !== '$H$') return null;
  const countLog2 = ITOA64.indexOf(setting.charAt(3));
  if (countLog2 < 7 || countLog2 > 30) return null;
  const salt = setting.slice(4, 12);
  if (salt.length !== 8) return null;
  const secret = Buffer.from(password, 'utf8');
  let hash = createHash('md5').update(salt, 'utf8').update(secret).digest();
  for (let rounds = 2 ** countLog2; rounds > 0; rounds--) {
    hash = createHash('md5').update(hash).update(secret).digest();
  }
  return setting.slice(0, 12) + encode64(hash, 16);
}

function equalStrings(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** PHP writes `$2y$`; bcryptjs writes `$2b$`. The algorithms agree for UTF-8 input. */
async function bcryptHash(secret: string): Promise<string> {
  const hash = await bcrypt.hash(secret, await bcrypt.genSalt(BCRYPT_COST));
  return `$2y$${hash.slice(4)}`;
}

/** bcryptjs reads `$2a$`, `$2b$` and `$2y$` alike, as PHP's crypt does; it truncates at 72 bytes too. */
async function bcryptVerify(secret: string, hash: string): Promise<boolean> {
  if (!BCRYPT_BODY.test(hash)) return false;
  try {
    return await bcrypt.compare(secret, hash);
  } catch {
    return false;
  }
}

/**
 * Hashes a password the way WordPress stores `user_pass`. Both formats hash the password with PHP's
 * `trim()` applied, as WordPress does (so `'  spaced  '` and `'spaced'` share a hash).
 * - `wp-bcrypt` (WordPress ≥ 6.8): `'$wp' + bcrypt_2y_cost10(base64(HMAC-SHA384('wp-sha384', pw)))`.
 * - `phpass` (WordPress < 6.8): portable phpass, `$P$B` + 8 salt characters + 22 hash characters.
 * @throws RangeError for passwords over 4096 bytes, which WordPress cannot store either
 */
export async function hashPassword(plain: string, format: HashFormat): Promise<string> {
  if (utf8ByteLength(plain) > MAX_PASSWORD_BYTES) {
    throw new RangeError(`passwords are limited to ${MAX_PASSWORD_BYTES} bytes`);
  }
  const password = phpTrim(plain);
  switch (format) {
    case 'wp-bcrypt':
      return `$wp${await bcryptHash(wpPrehash(password))}`;
    case 'phpass': {
      const setting = `$P$${ITOA64[PHPASS_COUNT_LOG2]}${encode64(randomBytes(6), 6)}`;
      const hash = phpassCrypt(password, setting);
      if (hash === null) throw new Error('phpass setting rejected'); // cannot happen: the setting is ours
      return hash;
    }
    default:
      return assertNever(format, 'hash format');
  }
}

/**
 * Checks a password as WordPress does at sign-in: `wp_authenticate` trims what was typed, then
 * `wp_check_password` dispatches on the hash: `$wp` (6.8 bcrypt), `$P$`/`$H$` (phpass), 32 hex
 * characters (legacy MD5), or plain bcrypt `$2y$`/`$2a$`/`$2b$`. Plain bcrypt is also tried with the
 * untrimmed password, because bcrypt plugins hash what they are given without trimming.
 * Never throws: malformed hashes and over-long passwords are simply not a match.
 */
export async function verifyPassword(plain: string, hash: string): Promise<boolean> {
  if (utf8ByteLength(plain) > MAX_PASSWORD_BYTES) return false;
  const typed = phpTrim(plain);
  if (hash.startsWith('$wp')) return bcryptVerify(wpPrehash(typed), hash.slice(3));
  if (hash.startsWith('$P$') || hash.startsWith('$H$')) {
    const computed = phpassCrypt(typed, hash);
    return computed !== null && equalStrings(computed, hash);
  }
  if (/^[0-9a-f]{32}$/.test(hash))
    return equalStrings(createHash('md5').update(typed, 'utf8').digest('hex'), hash);
  if (BCRYPT_BODY.test(hash)) {
    return (await bcryptVerify(typed, hash)) || (typed !== plain && (await bcryptVerify(plain, hash)));
  }
  return false;
}

/**
 * Whether a stored hash should be replaced, at the next successful sign-in, by one in `format`.
 * `wp-bcrypt` follows `wp_password_needs_rehash` of WordPress 6.8 (anything but `$wp$2y$` at cost 10);
 * `phpass` asks for the same thing of its own format (`$P$B…`), so MD5 and foreign hashes are upgraded
 * and a site that must stay readable by WordPress < 6.8 converges on hashes those versions can check.
 */
export function needsRehash(hash: string, format: HashFormat): boolean {
  switch (format) {
    case 'wp-bcrypt': {
      const match = BCRYPT_BODY.exec(hash.startsWith('$wp') ? hash.slice(3) : '');
      return !(match && hash.startsWith('$wp$2y$') && Number(match[1]) === BCRYPT_COST);
    }
    case 'phpass':
      return !new RegExp(`^\\$P\\$${ITOA64[PHPASS_COUNT_LOG2]}[./0-9A-Za-z]{30}$`).test(hash);
    default:
      return assertNever(format, 'hash format');
  }
}
