import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_PASSWORD_BYTES, hashPassword, needsRehash, verifyPassword } from './password-hasher.js';

interface HashFixture {
  readonly password: string;
  readonly phpass_wp_6_1: string;
  readonly wp_6_8_style: string;
  readonly bcrypt_plain: string;
}

const fixture = JSON.parse(
  readFileSync(new URL('../../../../shared/fixtures/wprus/password-hashes.json', import.meta.url), 'utf8'),
) as { hashes: HashFixture[] };
const KINDS = ['phpass_wp_6_1', 'wp_6_8_style', 'bcrypt_plain'] as const;
const cases = fixture.hashes.flatMap((entry) => KINDS.map((kind) => ({ ...entry, kind, hash: entry[kind] })));

describe('verifyPassword against hashes made by WordPress and PHP', () => {
  it.each(cases)('$kind of $password verifies', async ({ password, hash }) => {
    expect(await verifyPassword(password, hash)).toBe(true);
  });

  it.each(cases)('$kind of $password rejects a wrong password', async ({ password, hash }) => {
    expect(await verifyPassword(`${password}!`.slice(0, 60), hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('verifies no entry with another entry’s password', async () => {
    const [first, second] = fixture.hashes;
    if (!first || !second) throw new Error('fixture has fewer than two entries');
    for (const kind of KINDS) expect(await verifyPassword(first.password, second[kind])).toBe(false);
  });

  it('trims what is typed, as wp_authenticate does, for WordPress-made hashes', async () => {
    const spaced = fixture.hashes.find((entry) => entry.password === '  spaced  ');
    if (!spaced) throw new Error('fixture lost the spaced password');
    expect(await verifyPassword('spaced', spaced.phpass_wp_6_1)).toBe(true);
    expect(await verifyPassword('spaced', spaced.wp_6_8_style)).toBe(true);
    // A bcrypt plugin hashed the untrimmed password: only that one matches it.
    expect(await verifyPassword('spaced', spaced.bcrypt_plain)).toBe(false);
  });

  it('shows plain bcrypt truncating at 72 bytes while the $wp pre-hash does not', async () => {
    const long = fixture.hashes.find((entry) => entry.password.length === 100);
    if (!long) throw new Error('fixture lost the 100-character password');
    const sameFirst72 = `${long.password.slice(0, 72)}zzz`;
    expect(await verifyPassword(sameFirst72, long.bcrypt_plain)).toBe(true);
    expect(await verifyPassword(sameFirst72, long.wp_6_8_style)).toBe(false);
    expect(await verifyPassword(sameFirst72, long.phpass_wp_6_1)).toBe(false);
  });
});

describe('verifyPassword with other formats WordPress accepts', () => {
  // Made by PHP 8.2: phpass crypt_private with other settings, md5(), password_hash().
  it.each([
    ['phpBB $H$', 'phpbb-pass', '$H$9abcdefgh7badtUInyYujsb9TRlO2N.'],
    ['phpass with fewer rounds', 'low-count', '$P$5abcdefgh/XZVtiIoGEZe3VzxlA2Og1'],
    ['phpass with more rounds', 'Zoë', '$P$Dabcdefgh.rnHnudhH616FVzJO7csV.'],
    ['legacy MD5', 'legacy pass', '74d22f7c666150d2364e43dfcc00f395'],
    ['bcrypt cost 4', 'a', '$2y$04$9FPU.sWTINJaUwOk2IUacup0et/H8GRvO8Glm.FL6ZJJ475Cp5ZXe'],
    ['$wp bcrypt cost 12', 'cost12', '$wp$2y$12$lF3b92EkT6MVYlBhroBJhOir9yX8wg53PFNb4DjBbdbyHbmIv5/s2'],
  ])('%s', async (_name, password, hash) => {
    expect(await verifyPassword(password, hash)).toBe(true);
    expect(await verifyPassword(`${password}x`, hash)).toBe(false);
  });

  it('accepts $2a$/$2b$ variants of a $2y$ hash', async () => {
    const hash = '$2y$04$9FPU.sWTINJaUwOk2IUacup0et/H8GRvO8Glm.FL6ZJJ475Cp5ZXe';
    for (const minor of ['a', 'b']) {
      expect(await verifyPassword('a', `$2${minor}${hash.slice(3)}`)).toBe(true);
      expect(await verifyPassword('a', `$wp$2${minor}${hash.slice(3)}`)).toBe(false); // $wp wants the pre-hash
    }
  });

  it.each([
    '',
    '*',
    '$P$',
    '$P$Babc',
    '$P$!abcdefgh7badtUInyYujsb9TRlO2N.',
    '$wp$',
    '$wp$2y$10$short',
    '$2y$10$not-a-real-bcrypt-hash-at-all-but-sixty-chars-long-xxxxxx',
    '$2x$04$9FPU.sWTINJaUwOk2IUacup0et/H8GRvO8Glm.FL6ZJJ475Cp5ZXe',
    '$argon2id$v=19$m=65536,t=4,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG',
    '74D22F7C666150D2364E43DFCC00F395',
    'x'.repeat(5000),
  ])('returns false, without throwing, for the garbage hash %j', async (hash) => {
    await expect(verifyPassword('legacy pass', hash)).resolves.toBe(false);
  });

  it('rejects passwords over 4096 bytes as WordPress does', async () => {
    const hash = await hashPassword('p', 'phpass');
    expect(await verifyPassword(`p${' '.repeat(MAX_PASSWORD_BYTES)}`, hash)).toBe(false);
  });
});

describe('hashPassword', () => {
  it('writes $wp$2y$ cost-10 bcrypt that verifies', async () => {
    const hash = await hashPassword('Zoë 東京 🚀 pass', 'wp-bcrypt');
    expect(hash).toMatch(/^\$wp\$2y\$10\$[./A-Za-z0-9]{53}$/);
    expect(await verifyPassword('Zoë 東京 🚀 pass', hash)).toBe(true);
    expect(await verifyPassword('Zoë 東京 🚀 pas', hash)).toBe(false);
  });

  it('writes portable phpass $P$B hashes of 34 characters that verify', async () => {
    const hash = await hashPassword('p@ss\\w0rd"quote', 'phpass');
    expect(hash).toMatch(/^\$P\$B[./0-9A-Za-z]{30}$/);
    expect(hash).toHaveLength(34);
    expect(await verifyPassword('p@ss\\w0rd"quote', hash)).toBe(true);
    expect(await verifyPassword('p@ss\\w0rd"quot', hash)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same', 'phpass')).not.toBe(await hashPassword('same', 'phpass'));
    expect(await hashPassword('same', 'wp-bcrypt')).not.toBe(await hashPassword('same', 'wp-bcrypt'));
  });

  it.each(['wp-bcrypt', 'phpass'] as const)(
    '%s hashes the trimmed password, like WordPress',
    async (format) => {
      const hash = await hashPassword('  spaced  ', format);
      expect(await verifyPassword('  spaced  ', hash)).toBe(true);
      expect(await verifyPassword('spaced', hash)).toBe(true);
      expect(await verifyPassword('Simple-pass-1', hash)).toBe(false);
    },
  );

  it('refuses passwords WordPress could not store', async () => {
    await expect(hashPassword('x'.repeat(MAX_PASSWORD_BYTES + 1), 'phpass')).rejects.toThrow(RangeError);
  });
});

describe('needsRehash', () => {
  const wpBcrypt = fixture.hashes[0]?.wp_6_8_style ?? '';
  const phpass = fixture.hashes[0]?.phpass_wp_6_1 ?? '';
  const plain = fixture.hashes[0]?.bcrypt_plain ?? '';

  it('asks wp-bcrypt sites to upgrade anything but $wp$2y$ at cost 10, like WordPress 6.8', () => {
    expect(needsRehash(wpBcrypt, 'wp-bcrypt')).toBe(false);
    expect(needsRehash(phpass, 'wp-bcrypt')).toBe(true);
    expect(needsRehash(plain, 'wp-bcrypt')).toBe(true);
    expect(needsRehash('74d22f7c666150d2364e43dfcc00f395', 'wp-bcrypt')).toBe(true);
    expect(needsRehash('$wp$2y$12$lF3b92EkT6MVYlBhroBJhOir9yX8wg53PFNb4DjBbdbyHbmIv5/s2', 'wp-bcrypt')).toBe(
      true,
    );
    expect(needsRehash(`$wp$2b${wpBcrypt.slice(6)}`, 'wp-bcrypt')).toBe(true);
  });

  it('asks phpass sites to converge on $P$B', () => {
    expect(needsRehash(phpass, 'phpass')).toBe(false);
    expect(needsRehash('$P$Dabcdefgh.rnHnudhH616FVzJO7csV.', 'phpass')).toBe(true);
    expect(needsRehash('74d22f7c666150d2364e43dfcc00f395', 'phpass')).toBe(true);
    expect(needsRehash(wpBcrypt, 'phpass')).toBe(true);
  });
});
