import { describe, expect, it } from 'vitest';
import {
  PhpArray,
  PhpFloat,
  PhpOpaqueObject,
  formatPhpFloat,
  jsToPhp,
  normalizePhpKey,
  phpToJs,
} from './php-value.js';

describe('normalizePhpKey', () => {
  it('turns canonical decimal strings into int keys, as PHP does', () => {
    expect(normalizePhpKey('5')).toBe(5);
    expect(normalizePhpKey('-7')).toBe(-7);
    expect(normalizePhpKey('0')).toBe(0);
    expect(normalizePhpKey('9223372036854775807')).toBe(9223372036854775807n);
  });

  it('keeps strings PHP keeps as strings', () => {
    for (const key of ['05', '-0', '+5', ' 5', '5 ', '1.5', '', '9223372036854775808', '__proto__']) {
      expect(normalizePhpKey(key)).toBe(key);
    }
  });

  it('rejects keys PHP could not hold', () => {
    expect(() => normalizePhpKey(1.5)).toThrow(RangeError);
    expect(() => normalizePhpKey(2n ** 63n)).toThrow(RangeError);
  });
});

describe('PhpArray', () => {
  it('keeps insertion order and overwrites in place', () => {
    const array = PhpArray.from([
      ['b', 1],
      [5, 2],
      ['a', 3],
    ]);
    array.set('5', 'five');
    expect([...array]).toEqual([
      ['b', 1],
      [5, 'five'],
      ['a', 3],
    ]);
    expect(array.get(5)).toBe('five');
    expect(array.has('b')).toBe(true);
    expect(array.delete('b')).toBe(true);
    expect([...array.keys()]).toEqual([5, 'a']);
  });

  it('tells lists from other arrays like array_is_list', () => {
    expect(PhpArray.list(['a', 'b']).isList()).toBe(true);
    expect(new PhpArray().isList()).toBe(true);
    expect(
      PhpArray.from([
        [1, 'a'],
        [0, 'b'],
      ]).isList(),
    ).toBe(false);
    expect(
      PhpArray.from([
        ['0', 'a'],
        ['1', 'b'],
      ]).isList(),
    ).toBe(true);
    expect(PhpArray.from([['x', 1]]).isList()).toBe(false);
  });

  it('holds a __proto__ key as plain data', () => {
    const array = PhpArray.from([['__proto__', 'x']]);
    expect(array.get('__proto__')).toBe('x');
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });
});

describe('formatPhpFloat', () => {
  it.each([
    [0.1, '0.1'],
    [1, '1'],
    [-0, '-0'],
    [1e25, '1.0E+25'],
    [1e15, '1000000000000000'],
    [1e16, '10000000000000000'],
    [1e17, '1.0E+17'],
    [1.2345678901234568e17, '1.2345678901234568E+17'],
    [1e-4, '0.0001'],
    [1e-5, '1.0E-5'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1 / 3, '0.3333333333333333'],
    [5e-324, '5.0E-324'],
    [Infinity, 'INF'],
    [-Infinity, '-INF'],
    [NaN, 'NAN'],
  ])('serialize_precision -1: %s → %s', (x, expected) => {
    expect(formatPhpFloat(x)).toBe(expected);
  });

  it.each([
    [0.1 + 0.2, '0.3'],
    [1 / 3, '0.33333333333333'],
    [1e14, '1.0E+14'],
    [100000000000000.5, '1.0E+14'], // a tie, rounded to even as zend_dtoa does
    [123456.789, '123456.789'],
    [-1.5e-10, '-1.5E-10'],
    [5e-324, '4.9406564584125E-324'],
    [1.7976931348623157e308, '1.7976931348623E+308'],
  ])('precision 14 ((string) cast): %s → %s', (x, expected) => {
    expect(formatPhpFloat(x, 14)).toBe(expected);
  });
});

describe('phpToJs / jsToPhp', () => {
  it('maps a capabilities array to a role map and back', () => {
    const caps = PhpArray.from([['administrator', true]]);
    expect(phpToJs(caps)).toEqual({ administrator: true });
    expect(jsToPhp({ administrator: true })).toEqual(caps);
  });

  it('maps lists to arrays and other arrays to objects', () => {
    const value = PhpArray.from([
      ['theme', 'dark'],
      ['n', PhpArray.list([1, 2])],
      ['f', new PhpFloat(1.5)],
      ['big', 2n ** 62n],
      ['inf', new PhpFloat(Infinity)],
      ['empty', new PhpArray()],
    ]);
    expect(phpToJs(value)).toEqual({
      theme: 'dark',
      n: [1, 2],
      f: 1.5,
      big: '4611686018427387904',
      inf: 'INF',
      empty: [],
    });
  });

  it('shows an object without interpreting it', () => {
    const object = new PhpOpaqueObject('stdClass', 'O:8:"stdClass":0:{}');
    expect(phpToJs(object)).toEqual({ __phpObject: 'stdClass', serialized: 'O:8:"stdClass":0:{}' });
  });

  it('never builds a PHP object from client data', () => {
    const php = jsToPhp({ __phpObject: 'Evil', serialized: 'O:4:"Evil":0:{}' });
    expect(php).toBeInstanceOf(PhpArray);
  });

  it('types numbers as json_decode does and normalises numeric keys', () => {
    expect(jsToPhp(3)).toBe(3);
    expect(jsToPhp(1.5)).toEqual(new PhpFloat(1.5));
    expect(jsToPhp(1e20)).toEqual(new PhpFloat(1e20));
    expect(jsToPhp(2 ** 60)).toBe(2n ** 60n);
    const array = jsToPhp({ '5': 1, a: [true, null] });
    expect(array instanceof PhpArray && [...array.keys()]).toEqual([5, 'a']);
  });

  it('keeps __proto__ an own property in both directions', () => {
    const js = phpToJs(PhpArray.from([['__proto__', PhpArray.from([['polluted', true]])]]));
    expect(Object.getPrototypeOf(js)).toBe(Object.prototype);
    expect(Object.keys(js as object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const back = jsToPhp(JSON.parse('{"__proto__": {"polluted": true}}'));
    expect(back instanceof PhpArray && [...back.keys()]).toEqual(['__proto__']);
  });

  it('accepts null-prototype objects and rejects what JSON cannot carry', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    expect(jsToPhp(bare)).toEqual(PhpArray.from([['a', 1]]));
    expect(() => jsToPhp(undefined)).toThrow(TypeError);
    expect(() => jsToPhp(new Date())).toThrow(TypeError);
    expect(() => jsToPhp(() => 1)).toThrow(TypeError);
  });

  it('refuses absurd nesting instead of overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1000; i++) deep = [deep];
    expect(() => jsToPhp(deep)).toThrow(RangeError);
  });
});
