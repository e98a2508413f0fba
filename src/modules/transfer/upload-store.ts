import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export type SaveResult =
  | { readonly ok: true; readonly bytes: number }
  | { readonly ok: false; readonly cause: 'too_large' | 'upload_failed'; readonly message: string };

/** Streams a request body to a file, refusing more than `maxBytes` without buffering it. */
export async function saveStream(
  body: NodeJS.ReadableStream,
  path: string,
  maxBytes: number,
): Promise<SaveResult> {
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) done(new RangeError('too large'));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(body, limit, createWriteStream(path, { mode: 0o600 }));
    return { ok: true, bytes };
  } catch (err) {
    if (err instanceof RangeError)
      return {
        ok: false,
        cause: 'too_large',
        message: `the file is larger than ${maxBytes} bytes (TRANSFER_MAX_UPLOAD_BYTES)`,
      };
    return { ok: false, cause: 'upload_failed', message: 'the upload was interrupted' };
  }
}
