import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';

/** One line of a file: its text, or why it cannot be read. `bytes` counts what was consumed so far. */
export type FileLine =
  | { readonly line: number; readonly text: string; readonly bytesRead: number }
  | {
      readonly line: number;
      readonly text: null;
      readonly cause: 'line_too_long' | 'invalid_utf8';
      readonly bytesRead: number;
    };

const NEWLINE = 0x0a;

/**
 * Reads a file line by line (`\n`; a final `\n` makes no extra line, as with the plugin's `fgets`),
 * holding at most one line of `maxLineBytes` in memory: a longer line is skipped and reported, never
 * buffered whole. A UTF-8 BOM at the start is ignored.
 */
export async function* readLines(path: string, maxLineBytes: number): AsyncGenerator<FileLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let oversized = false;
  let line = 0;
  let consumed = 0;
  let first = true;
  const finish = (chunk: Buffer): FileLine => {
    line++;
    if (oversized) return { line, text: null, cause: 'line_too_long', bytesRead: consumed };
    let bytes = pending.length === 0 ? chunk : Buffer.concat([...pending, chunk]);
    if (first) {
      first = false;
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    }
    if (!isUtf8(bytes)) return { line, text: null, cause: 'invalid_utf8', bytesRead: consumed };
    return { line, text: bytes.toString('utf8'), bytesRead: consumed };
  };
  const stream = createReadStream(path, { highWaterMark: 1024 * 1024 });
  for await (const data of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (;;) {
      const end = data.indexOf(NEWLINE, start);
      if (end < 0) break;
      const piece = data.subarray(start, end);
      consumed += end + 1 - start;
      if (pendingBytes + piece.length > maxLineBytes) oversized = true;
      yield finish(piece);
      pending = [];
      pendingBytes = 0;
      oversized = false;
      start = end + 1;
    }
    const rest = data.subarray(start);
    consumed += rest.length;
    if (rest.length === 0) continue;
    if (oversized || pendingBytes + rest.length > maxLineBytes) {
      oversized = true;
      pending = [];
      pendingBytes = 0;
      continue;
    }
    // Copy: the stream reuses nothing, but a subarray would keep the whole 1 MiB chunk alive.
    pending.push(Buffer.from(rest));
    pendingBytes += rest.length;
  }
  if (pendingBytes > 0 || oversized) yield finish(Buffer.alloc(0));
}
