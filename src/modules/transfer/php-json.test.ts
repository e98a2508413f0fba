import { describe, expect, it } from 'vitest';
import { PhpArray, PhpFloat } from '../../lib/php-value.js';
import { phpJsonString, phpJsonValue } from './php-json.js';

describe('PHP json_encode with default flags', () => {
  it('escapes slashes, every non-ASCII character (surrogate pairs) and control characters like PHP', () => {
    expect(phpJsonString('Zoë 東京 🚀')).toBe('"Zo\\u00eb \\u6771\\u4eac \\ud83d\\ude80"');
    expect(phpJsonString('a/b "q" \\ \r\n\t\u0001\u007f')).toBe(
      '"a\\/b \\"q\\" \\\\ \\r\\n\\t\\u0001\u007f"',
    );
    expect(phpJsonString('')).toBe('""');
  });

  it('writes PHP arrays as lists or objects, and numbers as PHP does', () => {
    const prefs = PhpArray.from([
      ['theme', 'dark'],
      ['langs', PhpArray.list(['en', 'fr'])],
      ['n', 3],
      ['ok', true],
      ['nested', PhpArray.from([['a/b', 'x"y']])],
    ]);
    expect(phpJsonValue(prefs)).toBe(
      '{"theme":"dark","langs":["en","fr"],"n":3,"ok":true,"nested":{"a\\/b":"x\\"y"}}',
    );
    expect(phpJsonValue(PhpArray.from([[1, 'editor']]))).toBe('{"1":"editor"}');
    expect(phpJsonValue(new PhpArray())).toBe('[]');
    expect(phpJsonValue(new PhpFloat(3.5))).toBe('3.5');
    expect(phpJsonValue(new PhpFloat(1))).toBe('1');
    expect(phpJsonValue(new PhpFloat(1e25))).toBe('1.0e+25');
    expect(phpJsonValue(null)).toBe('null');
    expect(phpJsonValue(false)).toBe('false');
  });
});
