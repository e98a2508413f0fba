import { encodePayload, encryptBundle, decryptBundle } from '../../src/protocol/envelope.js';
import { fmt, type SuiteResult } from '../lib/report.js';

const KEYS = { aesKey: 'bench-aes-key-0123456789abcdefghij', hmacKey: 'bench-hmac-key-0123456789abcdefghij' };

/** A typical update payload (≈ 700 bytes of JSON). */
export function updatePayload(
  login: string,
  n: number,
): Record<string, string | { set: string; add: false }> {
  return {
    username: login,
    user_login: login,
    user_nicename: login,
    user_url: `https://example.org/~${login}`,
    user_email: `${login}@example.org`,
    display_name: `Zoë "${login}" 東京`,
    nickname: `${login}-nick-${n}`,
    first_name: `First ${n}`,
    last_name: `Last ${n}`,
    description: `Bio number ${n} with a slash / and "quotes"`,
    rich_editing: 'true',
    syntax_highlighting: 'true',
    comment_shortcuts: 'false',
    admin_color: 'fresh',
    use_ssl: '0',
    user_registered: '2026-11-28 01:34:27',
    show_admin_bar_front: 'true',
    locale: n % 2 ? 'fr_FR' : 'de_DE',
    user_activation_key: '',
    roles: { set: 'author', add: false },
    base_url: 'http://127.0.0.1:8081',
  };
}

function measure(label: string, seconds: number, work: () => void): number {
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const start = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) work();
    n += 100;
  }
  const rate = n / ((performance.now() - start) / 1000);
  process.stdout.write(`  ${label}: ${fmt(rate)}/s\n`);
  return rate;
}

export async function run(): Promise<SuiteResult> {
  const plaintext = encodePayload(updatePayload('bench_user', 1));
  const bundle = encryptBundle(plaintext, KEYS);
  const encrypt = measure('encrypt', 3, () => encryptBundle(plaintext, KEYS));
  const decrypt = measure('decrypt', 3, () => decryptBundle(bundle, KEYS));
  const tampered = bundle.slice(0, 60) + (bundle[60] === 'A' ? 'B' : 'A') + bundle.slice(61);
  const refuse = measure('refuse (MAC mismatch)', 2, () => decryptBundle(tampered, KEYS));
  return Promise.resolve({
    suite: 'crypto',
    title: 'Bundle encryption (peer protocol envelope)',
    command: 'npm run bench crypto',
    setup: `One core, one ${plaintext.length}-byte update payload (AES-256-CBC + HMAC-SHA256, the plugin's format).`,
    figures: [
      { metric: 'encrypt bundles/s', value: fmt(encrypt) },
      { metric: 'decrypt bundles/s', value: fmt(decrypt) },
      { metric: 'refuse tampered bundles/s (MAC checked first)', value: fmt(refuse) },
    ],
  });
}
