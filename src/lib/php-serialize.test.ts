import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PhpSerializeError, serialize, unserialize } from './php-serialize.js';
import { PhpArray, PhpFloat, PhpOpaqueObject } from './php-value.js';
import { isSerialized } from './wp-serialize.js';

const FIXTURES = new URL('../../../shared/fixtures/wprus/', import.meta.url);

/** Every `meta_value` string in a fixture file, wherever it sits. */
function metaValues(file: string): string[] {
  const found: string[] = [];
  const walk = (node: unknown, key: string): void => {
    if (typeof node === 'string' && key === 'meta_value') found.push(node);
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, k);
  };
  walk(JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')), '');
  return found;
}

// Each was printed by PHP 8.2's serialize().
const PHP_OUTPUT = [
  'N;',
  'b:1;',
  'b:0;',
  'i:-42;',
  'i:9223372036854775807;',
  'i:-9223372036854775808;',
  'd:0.1;',
  'd:1.0E+25;',
  'd:-0;',
  'd:INF;',
  'd:NAN;',
  's:0:"";',
  's:3:"x"y";',
  'a:0:{}',
  'a:1:{s:13:"administrator";b:1;}',
  'a:2:{i:1;s:1:"a";i:0;s:1:"b";}',
  'a:8:{s:1:"b";i:1;i:5;i:2;s:2:"05";i:3;s:2:"-0";i:4;i:-7;i:5;s:9:"__proto__";a:1:{s:1:"x";b:1;}i:9223372036854775807;i:6;s:19:"9223372036854775808";i:7;}',
  'a:12:{i:0;s:4:"list";i:1;d:1;i:2;d:-0;i:3;d:0.1;i:4;d:1.0E+25;i:5;d:1.5E-7;i:6;i:9223372036854775807;i:7;i:-9223372036854775808;i:8;N;i:9;b:0;i:10;s:16:"Zoë 東京 🚀";i:11;s:5:"x"y;}";}',
  'a:2:{s:1:"o";O:8:"stdClass":2:{s:1:"a";a:2:{i:0;i:1;i:1;i:2;}s:4:"self";r:2;}s:1:"n";i:1;}',
  'O:11:"ArrayObject":4:{i:0;i:0;i:1;a:1:{i:0;i:1;}i:2;a:0:{}i:3;N;}',
  'C:11:"ArrayObject":21:{x:i:0;a:0:{};m:a:0:{}}',
  'E:11:"Suit:Hearts";',
];

describe('serialize / unserialize', () => {
  it.each(PHP_OUTPUT)('round-trips %s byte for byte', (text) => {
    expect(serialize(unserialize(text))).toBe(text);
  });

  it.each(['synced-user-rows.json', 'import-result.json', 'export-README.json'])(
    'round-trips every serialized meta_value in %s',
    (file) => {
      const serialized = metaValues(file).filter((value) => isSerialized(value));
      expect(serialized.length).toBeGreaterThan(0);
      for (const value of serialized) expect(serialize(unserialize(value))).toBe(value);
    },
  );

  it('reads values into the PHP model', () => {
    const value = unserialize('a:3:{s:5:"theme";s:4:"dark";s:1:"n";a:2:{i:0;i:1;i:1;i:2;}s:1:"f";d:1;}');
    expect(value).toEqual(
      PhpArray.from([
        ['theme', 'dark'],
        ['n', PhpArray.list([1, 2])],
        ['f', new PhpFloat(1)],
      ]),
    );
    expect(unserialize('i:9223372036854775807;')).toBe(2n ** 63n - 1n);
  });

  it('counts string lengths in UTF-8 bytes', () => {
    expect(serialize('Zoë 🚀')).toBe('s:9:"Zoë 🚀";');
    expect(unserialize('s:9:"Zoë 🚀";')).toBe('Zoë 🚀');
    expect(() => unserialize('s:6:"Zoë 🚀";')).toThrow(PhpSerializeError);
  });

  it('turns numeric string keys into int keys, as PHP does', () => {
    expect(serialize(unserialize('a:1:{s:1:"5";i:1;}'))).toBe('a:1:{i:5;i:1;}');
    expect(serialize(unserialize('a:2:{i:0;i:1;i:0;i:2;}'))).toBe('a:1:{i:0;i:2;}');
  });

  it('accepts the non-canonical forms PHP accepts', () => {
    expect(unserialize('i:+5;')).toBe(5);
    expect(unserialize('i:05;')).toBe(5);
    expect(unserialize('d:.5;')).toEqual(new PhpFloat(0.5));
    expect(unserialize('d:1e5;')).toEqual(new PhpFloat(100000));
    expect(unserialize('d:-INF;')).toEqual(new PhpFloat(-Infinity));
    expect(unserialize('s:01:"a";')).toBe('a');
  });

  it('serializes JavaScript numbers as PHP would type them', () => {
    expect(serialize(3)).toBe('i:3;');
    expect(serialize(2.5)).toBe('d:2.5;');
    expect(serialize(1e25)).toBe('d:1.0E+25;');
    expect(serialize(new PhpFloat(3))).toBe('d:3;');
    expect(serialize(-(2n ** 63n))).toBe('i:-9223372036854775808;');
    expect(() => serialize(2n ** 63n)).toThrow(RangeError);
  });

  it('keeps objects opaque and verbatim', () => {
    const value = unserialize('a:1:{s:1:"o";O:8:"stdClass":1:{s:1:"a";i:1;}}');
    const object = value instanceof PhpArray ? value.get('o') : undefined;
    expect(object).toEqual(new PhpOpaqueObject('stdClass', 'O:8:"stdClass":1:{s:1:"a";i:1;}'));
  });

  it.each([
    ['', 'empty input'],
    ['N', 'truncated null'],
    ['b:2;', 'boolean other than 0/1'],
    ['i:;', 'empty int'],
    ['i: 5;', 'space in int'],
    ['i:9223372036854775808;', 'int beyond int64'],
    ['d:inf;', 'lower-case inf'],
    ['d:+INF;', 'signed +INF'],
    ['s:1:"ab";', 'string longer than its length'],
    ['s:5:"ab";', 'length past the end'],
    ['s:-1:"";', 'negative length'],
    ['a:-1:{}', 'negative count'],
    ['a:1:{i:0;i:1;', 'unterminated array'],
    ['a:2:{i:0;i:1;}', 'fewer elements than announced'],
    ['a:99999999:{}', 'count larger than the input'],
    ['a:1:{d:1.5;i:1;}', 'float key'],
    ['a:1:{N;i:1;}', 'null key'],
    ['a:1:{i:0;r:1;}', 'reference outside an object'],
    ['i:1;junk', 'trailing data'],
    ['S:1:"a";', 'escaped-string form'],
    ['O:3:"1ab":0:{}', 'invalid class name'],
    ['O:8:"stdClass":1:{s:1:"a";}', 'object member without a value'],
    ['E:4:"Suit";', 'enum without a case'],
    ['x:1;', 'unknown type'],
  ])('rejects %j (%s) with a PhpSerializeError', (text) => {
    expect(() => unserialize(text)).toThrow(PhpSerializeError);
  });

  it('limits depth and size', () => {
    const deep = 'a:1:{i:0;'.repeat(200) + 'N;' + '}'.repeat(200);
    expect(() => unserialize(deep)).toThrow(/nested too deeply/);
    expect(unserialize(deep, { maxDepth: 300 })).toBeInstanceOf(PhpArray);
    expect(() => unserialize('s:10:"0123456789";', { maxBytes: 10 })).toThrow(/too large/);
    const cyclic = new PhpArray();
    cyclic.set(0, cyclic);
    expect(() => serialize(cyclic)).toThrow(PhpSerializeError);
  });

  it('treats a __proto__ key as data', () => {
    const value = unserialize('a:1:{s:9:"__proto__";a:1:{s:8:"polluted";b:1;}}');
    expect(value instanceof PhpArray && [...value.keys()]).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
