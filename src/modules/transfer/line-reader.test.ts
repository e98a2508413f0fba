import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLines, type FileLine } from './line-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'rus-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function lines(content: Buffer | string, max = 16): Promise<FileLine[]> {
  const path = join(dir, `f${Math.random()}`);
  writeFileSync(path, content);
  const out: FileLine[] = [];
  for await (const line of readLines(path, max)) out.push(line);
  return out;
}

describe('reading a file line by line', () => {
  it('numbers lines from 1; the final newline makes no extra line, an empty line inside does', async () => {
    const result = await lines('\ufeffa\n\nb\r\nc');
    expect(result.map((l) => [l.line, l.text])).toEqual([
      [1, 'a'],
      [2, ''],
      [3, 'b\r'],
      [4, 'c'],
    ]);
    expect((await lines('a\n')).map((l) => l.text)).toEqual(['a']);
  });

  it('skips an oversized line without holding it, and reports invalid UTF-8', async () => {
    const result = await lines(
      Buffer.concat([Buffer.from(`${'x'.repeat(40)}\nok\n`), Buffer.from([0xff, 0x0a])]),
    );
    expect(result.map((l) => [l.line, l.text, l.text === null ? l.cause : null])).toEqual([
      [1, null, 'line_too_long'],
      [2, 'ok', null],
      [3, null, 'invalid_utf8'],
    ]);
  });
});
