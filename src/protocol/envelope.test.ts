import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../test/support/fixtures.js';
import { decodePayload, decryptBundle, encodePayload, encryptBundle, type JsonValue } from './envelope.js';

interface CryptoVector {
  id: string;
  aes_key: string;
  hmac_key: string;
  bundle: string;
  expected: 'accept' | 'reject';
  plaintext?: string;
  plaintext_utf8_hex?: string;
  original_plaintext?: string;
  php_decrypt_result: string | false;
  derived?: {
    aes_key_sha256_hex: string;
    raw_length: number;
    iv_hex: string;
    hmac_hex: string;
    ciphertext_hex: string;
  };
}

interface Exchange {
  from: string;
  endpoint: string;
  request: { form_fields: Record<string, string> | []; query_fields: Record<string, string> | [] };
  decrypted: Record<string, { plaintext: string | false; json: JsonValue }>;
  response: { body: string };
}
interface WireCaptures {
  keys: { aes_key: string; hmac_key: string };
  steps: { id: string; exchanges: Exchange[] }[];
  experiments: { id: string; exchanges: Exchange[] }[];
}

const file = loadFixture<Record<string, unknown>>('crypto-vectors.json');
// Every array of the file whose items carry a bundle and a verdict, whatever the section is called.
const vectors = Object.entries(file).flatMap(([section, value]) =>
  Array.isArray(value)
    ? (value as CryptoVector[])
        .filter((v) => 'bundle' in v && 'expected' in v)
        .map((v) => ({ section, ...v }))
    : [],
);
const keysOf = (v: CryptoVector) => ({ aesKey: v.aes_key, hmacKey: v.hmac_key });

describe('crypto-vectors.json', () => {
  it('holds the 29 vectors we know of, every one covered below', () => {
    expect(vectors).toHaveLength(29);
    expect(vectors.filter((v) => v.expected === 'accept')).toHaveLength(17);
  });

  it.each(vectors.filter((v) => v.expected === 'accept').map((v) => [v.id, v] as const))(
    'accepts %s',
    (_, v) => {
      const result = decryptBundle(v.bundle, keysOf(v), { spaceAsPlus: false });
      expect(result).toEqual({ ok: true, plaintext: v.php_decrypt_result });
      expect(Buffer.from(v.plaintext ?? '', 'utf8').toString('hex')).toBe(v.plaintext_utf8_hex);
      const d = v.derived;
      if (d === undefined) throw new Error(`vector ${v.id} has no derived parts`);
      const raw = Buffer.from(v.bundle.replaceAll('_', '/'), 'base64');
      expect([raw.length, raw.subarray(16, 48).toString('hex')]).toEqual([d.raw_length, d.hmac_hex]);
      // Re-encrypting with the recorded IV reproduces the plugin's bundle byte for byte.
      expect(encryptBundle(v.plaintext ?? '', keysOf(v), Buffer.from(d.iv_hex, 'hex'))).toBe(v.bundle);
    },
  );

  it.each(vectors.filter((v) => v.expected === 'reject').map((v) => [`${v.section}/${v.id}`, v] as const))(
    'rejects %s as PHP does',
    (_, v) => {
      expect(v.php_decrypt_result).toBe(false);
      const strict = decryptBundle(v.bundle, keysOf(v), { spaceAsPlus: false });
      expect(strict.ok).toBe(false);
      const lenient = decryptBundle(v.bundle, keysOf(v));
      if (v.id === 'plus-as-space') {
        // Our one deliberate leniency (§2.4, §14): the space is mapped back and the MAC then holds.
        expect(lenient).toEqual({ ok: true, plaintext: v.original_plaintext });
      } else {
        expect(lenient).toEqual(strict);
      }
      if (v.section === 'informative') {
        // Right HMAC key, wrong AES key: the MAC passes, the padding check fails.
        expect(strict).toMatchObject({
          ok: false,
          cause: expect.stringMatching(/^(decrypt_failed|not_utf8)$/),
        });
      }
    },
  );
});

describe('decryptBundle', () => {
  const keys = { aesKey: 'my-aes-key', hmacKey: 'my-hmac-key' };
  const v1 =
    'AAECAwQFBgcICQoLDA0ODxWGfjWO+rhfV9Syq9WbrXtu5rC3hOL6q7YoDbFsi6rIoQsiN+nsuCVVc8Z7y3mAei0pMXubdbXzl9FI6QawBv3SZuNoAkFrXI3tScjntG8_6BimQ028dgiszwAhHhHSPW5Gd7+ONWiybKpD2Ndtbs0S4q4jh4FxkYRRjt1PwLsv';
  const v1Plain = '{"username":"bob","remember":1,"base_url":"https:\\/\\/a.example\\/blog","note":"é\\/ü"}';

  it('matches the doc vectors V1 and V2 (§3.8)', () => {
    expect(encryptBundle(v1Plain, keys, Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'))).toBe(v1);
    const v2 = encryptBundle('42', keys, Buffer.from('ffeeddccbbaa99887766554433221100', 'hex'));
    expect(v2).toBe(
      '_+7dzLuqmYh3ZlVEMyIRABVaOEmRJLJG_yvkw4jIBpdWpCV4i23fCB9PKsIH0EtFPupNWg0psmASKsinlFs+TA==',
    );
  });

  it('tolerates what PHP base64_decode tolerates: missing padding, line breaks, stray characters', () => {
    const v2 = encryptBundle('42', keys, Buffer.alloc(16, 7));
    expect(decryptBundle(v2.replace(/=+$/, ''), keys)).toEqual({ ok: true, plaintext: '42' });
    expect(decryptBundle(v2.replace(/(.{20})/g, '$1\r\n'), keys)).toEqual({ ok: true, plaintext: '42' });
    expect(decryptBundle(`*${v2}!`, keys)).toEqual({ ok: true, plaintext: '42' });
  });

  it('checks the MAC before decrypting and never accepts a bad one', () => {
    const wrongBoth = { aesKey: 'other', hmacKey: 'other' };
    expect(decryptBundle(v1, wrongBoth)).toEqual({ ok: false, cause: 'mac_mismatch' });
    const raw = Buffer.from(v1.replaceAll('_', '/'), 'base64');
    for (const index of [0, 15, 16, 47, 48, raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[index] = (tampered[index] ?? 0) ^ 0x80;
      const bundle = tampered.toString('base64').replaceAll('/', '_');
      expect(decryptBundle(bundle, keys)).toEqual({ ok: false, cause: 'mac_mismatch' });
    }
  });

  it('reports structurally impossible bundles as malformed', () => {
    expect(decryptBundle('', keys)).toEqual({ ok: false, cause: 'malformed' });
    expect(decryptBundle(v1.slice(0, 90), keys)).toEqual({ ok: false, cause: 'malformed' });
  });

  it('rejects an IV of the wrong size', () => {
    expect(() => encryptBundle('x', keys, Buffer.alloc(8))).toThrow(RangeError);
  });

  it('round-trips with random IVs', () => {
    const a = encryptBundle(v1Plain, keys);
    expect(a).not.toBe(encryptBundle(v1Plain, keys));
    expect(a).toMatch(/^[A-Za-z0-9+_=]+$/);
    expect(decryptBundle(a, keys)).toEqual({ ok: true, plaintext: v1Plain });
  });
});

describe('wire-captures.json', () => {
  const captures = loadFixture<WireCaptures>('wire-captures.json');
  const keys = { aesKey: captures.keys.aes_key, hmacKey: captures.keys.hmac_key };
  const bundles = [...captures.steps, ...captures.experiments].flatMap((step) =>
    step.exchanges.flatMap((exchange, i) =>
      Object.entries(exchange.decrypted).map(([where, decrypted]) => {
        const fields = where.startsWith('post.')
          ? exchange.request.form_fields
          : exchange.request.query_fields;
        const bundle = Array.isArray(fields) ? undefined : fields.wprusdata;
        return {
          name: `${step.id} #${i + 1} ${exchange.endpoint} ${where}`,
          from: exchange.from,
          bundle,
          ...decrypted,
        };
      }),
    ),
  );

  it('covers every captured bundle', () => {
    const exchanges = [...captures.steps, ...captures.experiments].flatMap((step) => step.exchanges);
    expect(bundles).toHaveLength(64);
    expect(bundles.length).toBeGreaterThanOrEqual(exchanges.length);
    expect(bundles.every((b) => typeof b.bundle === 'string')).toBe(true);
  });

  it.each(bundles.map((b) => [b.name, b] as const))('decrypts %s to the captured payload', (_, b) => {
    const result = decryptBundle(b.bundle ?? '', keys);
    if (b.plaintext === false) {
      expect(result.ok).toBe(false);
      return;
    }
    expect(result).toEqual({ ok: true, plaintext: b.plaintext });
    const decoded = decodePayload(b.plaintext);
    expect(decoded).toEqual({ ok: true, value: b.json });
    // Every captured plaintext was written by PHP (plugin traffic, and probes made with its crypto).
    if (decoded.ok) expect(encodePayload(decoded.value)).toBe(b.plaintext);
  });

  it('includes plugin-sent traffic in both directions and browser GETs', () => {
    const senders = new Set(bundles.map((b) => b.from.split(' ')[0]));
    expect([...senders].sort()).toEqual(['A', 'B', 'browser', 'synthetic']);
  });
});

describe('encodePayload (PHP wp_json_encode + JSON_UNESCAPED_UNICODE)', () => {
  it.each([
    [
      'slashes and quotes',
      { url: 'https://a.test/x', q: 'say "hi" \\ ok' },
      '{"url":"https:\\/\\/a.test\\/x","q":"say \\"hi\\" \\\\ ok"}',
    ],
    ['raw unicode, escaped line terminators', 'Zoë 東京 🚀 \u2028\u2029', '"Zoë 東京 🚀 \\u2028\\u2029"'],
    ['control characters', '\b\f\n\r\t\u0001\u001f\u007f', '"\\b\\f\\n\\r\\t\\u0001\\u001f\u007f"'],
    ['a lone surrogate', 'a\ud800b\udc00', '"a\ufffdb\ufffd"'],
    ['empty object = empty PHP array', { add: {}, list: [] }, '{"add":[],"list":[]}'],
    ['object with keys 0..n-1 = PHP list', { 0: 'a', 1: 'b' }, '["a","b"]'],
    ['object with other integer keys', { 1: 'a', 2: 'b' }, '{"1":"a","2":"b"}'],
    ['scalars', [null, true, false, 0, -7, 42], '[null,true,false,0,-7,42]'],
    ['undefined members', { a: undefined, b: 1 }, '{"b":1}'],
    [
      'doubles as PHP prints them',
      [0.1, -2.5, 1.5e-7, 1e-5, 0.0001, 1e25, 123456.789],
      '[0.1,-2.5,1.5e-7,1.0e-5,0.0001,1.0e+25,123456.789]',
    ],
    ['large integers', [2 ** 53, 1e17], '[9007199254740992,100000000000000000]'],
  ] as const)('%s', (_, value, expected) => {
    expect(encodePayload(value as JsonValue)).toBe(expected);
  });

  it('keeps insertion order of keys', () => {
    expect(encodePayload({ username: 'x', update: { b: [], a: [] }, base_url: 'h' })).toBe(
      '{"username":"x","update":{"b":[],"a":[]},"base_url":"h"}',
    );
  });

  it('escapes non-ASCII for wp_send_json response bodies, reproducing every captured JSON response', () => {
    expect(encodePayload({ success: true, data: 'Zoë 🚀 /' }, { escapeUnicode: true })).toBe(
      '{"success":true,"data":"Zo\\u00eb \\ud83d\\ude80 \\/"}',
    );
    const captures = loadFixture<WireCaptures>('wire-captures.json');
    const bodies = [...captures.steps, ...captures.experiments]
      .flatMap((step) => step.exchanges.map((e) => e.response.body))
      .filter((body) => body.startsWith('{'));
    expect(bodies).toHaveLength(20);
    for (const body of bodies)
      expect(encodePayload(JSON.parse(body) as JsonValue, { escapeUnicode: true })).toBe(body);
  });

  it('refuses what PHP cannot encode', () => {
    expect(() => encodePayload(Number.NaN)).toThrow(TypeError);
    expect(() => encodePayload([Number.POSITIVE_INFINITY])).toThrow(TypeError);
  });
});

describe('decodePayload', () => {
  it('accepts escaped and unescaped slashes alike', () => {
    expect(decodePayload('{"u":"http:\\/\\/a"}')).toEqual({ ok: true, value: { u: 'http://a' } });
    expect(decodePayload('{"u":"http://a"}')).toEqual({ ok: true, value: { u: 'http://a' } });
  });

  it('cannot keep the wire order of integer-like keys (a JS object limitation)', () => {
    const decoded = decodePayload('{"b":1,"2":2}');
    expect(decoded.ok && encodePayload(decoded.value)).toBe('{"2":2,"b":1}');
  });

  it('treats PHP-falsy plaintexts as empty and bad JSON as invalid', () => {
    expect(decodePayload('')).toEqual({ ok: false, cause: 'empty' });
    expect(decodePayload('0')).toEqual({ ok: false, cause: 'empty' });
    expect(decodePayload('7')).toEqual({ ok: true, value: 7 });
    expect(decodePayload('{"a":')).toEqual({ ok: false, cause: 'invalid_json' });
    expect(decodePayload('\ufeff{}')).toEqual({ ok: false, cause: 'invalid_json' });
  });
});
