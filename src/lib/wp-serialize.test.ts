import { describe, expect, it } from 'vitest';
import { PhpArray, PhpFloat, PhpOpaqueObject } from './php-value.js';
import { isSerialized, maybeSerialize, maybeUnserialize } from './wp-serialize.js';

// Expected answers come from WordPress 6.1.9's own functions run in PHP 8.2.
describe('isSerialized', () => {
  it.each([
    ['N;', true, true],
    [' N; ', true, true],
    ['b:1;', true, true],
    ['i:-5;', true, true],
    ['d:0.1;', true, true],
    ['d:INF;', false, false], // the pattern allows only digits . E + -
    ['s:1:"x";', true, true],
    ['s:1:"x";trailing', false, true],
    ['s:1:x;', false, false],
    ['a:0:{}', true, true],
    ['a:0:{}junk}', true, true],
    ['O:8:"stdClass":0:{}', true, true],
    ['E:11:"Suit:Hearts";', true, true],
    ['i:1;i:2;', false, true],
    ['i:1;x', false, true],
    ['hello', false, false],
    ['a:b;', false, false],
    ['x:1;', false, false],
    ['', false, false],
    ['N', false, false],
    ['42', false, false],
  ])('%j → strict %s, non-strict %s', (data, strict, loose) => {
    expect(isSerialized(data)).toBe(strict);
    expect(isSerialized(data, false)).toBe(loose);
  });

  it('is false for anything but a string', () => {
    expect(isSerialized(1)).toBe(false);
    expect(isSerialized(null)).toBe(false);
  });
});

describe('maybeSerialize', () => {
  it('serializes arrays and objects', () => {
    expect(maybeSerialize(PhpArray.from([['administrator', true]]))).toBe('a:1:{s:13:"administrator";b:1;}');
    expect(maybeSerialize(new PhpOpaqueObject('stdClass', 'O:8:"stdClass":0:{}'))).toBe(
      'O:8:"stdClass":0:{}',
    );
  });

  it('serializes again a string that already looks serialized (double serialization)', () => {
    expect(maybeSerialize('a:0:{}')).toBe('s:6:"a:0:{}";');
    expect(maybeSerialize('s:1:"x";trailing')).toBe('s:16:"s:1:"x";trailing";');
    expect(maybeSerialize('i:1;x')).toBe('s:5:"i:1;x";');
  });

  it('leaves other strings alone', () => {
    for (const s of ['red', '', '0', 'd:INF;', '{"a":1}', 'line1\r\nline2'])
      expect(maybeSerialize(s)).toBe(s);
  });

  it('writes scalars as $wpdb stores them', () => {
    expect(maybeSerialize(true)).toBe('1');
    expect(maybeSerialize(false)).toBe('');
    expect(maybeSerialize(null)).toBe('');
    expect(maybeSerialize(42)).toBe('42');
    expect(maybeSerialize(2n ** 62n)).toBe('4611686018427387904');
    expect(maybeSerialize(new PhpFloat(0.1 + 0.2))).toBe('0.3');
    expect(maybeSerialize(3.5)).toBe('3.5');
    expect(maybeSerialize(1e25)).toBe('1.0E+25');
  });
});

describe('maybeUnserialize', () => {
  it('unserializes serialized data, trimmed', () => {
    expect(maybeUnserialize(' a:1:{s:6:"author";b:1;}\n')).toEqual(PhpArray.from([['author', true]]));
    expect(maybeUnserialize('b:0;')).toBe(false);
    expect(maybeUnserialize('s:6:"a:0:{}";')).toBe('a:0:{}');
  });

  it('returns other strings unchanged', () => {
    for (const s of ['red', '42', '', 'd:INF;']) expect(maybeUnserialize(s)).toBe(s);
  });

  it('returns the original string where PHP would fail (WordPress would return false)', () => {
    expect(maybeUnserialize('a:2:{i:0;i:1;}')).toBe('a:2:{i:0;i:1;}');
    expect(maybeUnserialize('s:9:"x";')).toBe('s:9:"x";');
  });

  it('reads and writes back a double-serialized string unchanged', () => {
    const stored = maybeSerialize('a:0:{}');
    expect(maybeSerialize(maybeUnserialize(stored))).toBe(stored);
  });
});
