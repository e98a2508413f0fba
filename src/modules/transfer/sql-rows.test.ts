import { describe, expect, it } from 'vitest';
import { mysqlLiteral } from './sql-rows.js';

describe('MariaDB/MySQL literals', () => {
  it('escapes like mysql_real_escape_string, or doubles quotes under NO_BACKSLASH_ESCAPES', () => {
    expect(mysqlLiteral('plain Zoë 🚀 ?', true)).toBe("'plain Zoë 🚀 ?'");
    expect(mysqlLiteral(`it's a \\ "q"\n\r\u0000\u001a`, true)).toBe(`'it\\'s a \\\\ \\"q\\"\\n\\r\\0\\Z'`);
    expect(mysqlLiteral(`it's a \\`, false)).toBe(`'it''s a \\'`);
    expect(mysqlLiteral(42, true)).toBe('42');
  });
});
