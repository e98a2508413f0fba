import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** Names this server gives its files: nothing else in the directory is ever opened or served. */
const FILE_NAME = /^(?:upload|export|import)-[a-z0-9-]{1,60}\.dat(?:\.part)?$/;
const UPLOAD_ID = /^[a-f0-9]{32}$/;

/**
 * The transfer directory (`TRANSFER_DIR`): uploads waiting for their import, import files while they
 * run, export files until they are downloaded. Files are reached only through the names below.
 */
export class TransferFiles {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  async ensureDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  /** The absolute path of one of our files; anything else is refused. */
  path(name: string): string {
    if (!FILE_NAME.test(name)) throw new Error(`not a transfer file name: ${name}`);
    return join(this.dir, name);
  }

  newUploadId(): string {
    return randomBytes(16).toString('hex');
  }

  isUploadId(id: string): boolean {
    return UPLOAD_ID.test(id);
  }

  uploadName(id: string): string {
    return `upload-${id}.dat`;
  }

  exportName(jobId: string): string {
    return `export-${jobId}-${randomBytes(6).toString('hex')}.dat`;
  }

  importName(jobId: string): string {
    return `import-${jobId}.dat`;
  }

  async size(name: string): Promise<number | null> {
    try {
      return (await stat(this.path(name))).size;
    } catch {
      return null;
    }
  }

  async move(from: string, to: string): Promise<void> {
    await rename(this.path(from), this.path(to));
  }

  async remove(name: string | null): Promise<void> {
    if (name) await rm(this.path(name), { force: true });
  }

  /** Deletes our files older than `maxAgeMs`, except those in `keep`; returns the names deleted. */
  async cleanup(maxAgeMs: number, keep: ReadonlySet<string>): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const removed: string[] = [];
    const now = Date.now();
    for (const name of names) {
      if (!FILE_NAME.test(name) || keep.has(name) || keep.has(name.replace(/\.part$/, ''))) continue;
      try {
        const info = await stat(join(this.dir, name));
        if (now - info.mtimeMs < maxAgeMs) continue;
        await rm(join(this.dir, name), { force: true });
        removed.push(name);
      } catch {
        // gone meanwhile
      }
    }
    return removed;
  }
}
