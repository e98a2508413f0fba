import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { rename } from 'node:fs/promises';
import type { TransferJob } from './transfer-job.entity.js';
import type { JobControl } from './transfer-runner.js';
import { readExportPages } from './export-reader.js';
import { exportableMetaKeys, formatExportLine } from './plugin-format.js';

export interface ExportOptions {
  readonly roles: readonly string[];
  readonly keepRoles: boolean;
  readonly metaKeys: readonly string[];
  readonly logins: readonly string[];
  readonly offset: number;
  readonly max: number;
  readonly includePasswordHashes: boolean;
}

/** Users read per query (one more query reads their meta rows). */
const PAGE_SIZE = 500;
/** Lines per write: small strings die young (a big one would go straight to the old generation). */
const LINES_PER_WRITE = 64;

/** The plugin's file name: `wprus-user-export-YYYY-MM-DD-HH-ii-ss.dat` (UTC). */
export function pluginExportName(at: Date): string {
  const iso = at.toISOString();
  return `wprus-user-export-${iso.slice(0, 10)}-${iso.slice(11, 19).replace(/:/g, '-')}.dat`;
}

/**
 * Streams the matching users into the job's file, page by page, in the plugin's format. The file is
 * written as `….part` and renamed when complete, so a half-written export is never downloadable.
 */
export async function runExport(control: JobControl, options: ExportOptions): Promise<Partial<TransferJob>> {
  const { job, deps, files } = control;
  await files.ensureDir();
  const fileName = files.exportName(job.id);
  job.fileName = fileName; // so that a failure removes the partial file
  const partPath = `${files.path(fileName)}.part`;
  const out = createWriteStream(partPath, { mode: 0o600 });
  const closed = once(out, 'close');
  const lineOptions = {
    capabilitiesKey: `${deps.config.tablePrefix}capabilities`,
    keepRoles: options.keepRoles,
    metaKeys: exportableMetaKeys(options.metaKeys),
    includePasswordHash: options.includePasswordHashes,
  };
  let users = 0;
  let bytes = 0;
  let stopped = false;
  try {
    const pages = readExportPages(deps.orm.em.getConnection().getKnex(), {
      usersTable: control.usersTable,
      metaTable: control.metaTable,
      capabilitiesKey: lineOptions.capabilitiesKey,
      roles: options.roles,
      logins: options.logins,
      metaKeys: lineOptions.metaKeys,
      pageSize: PAGE_SIZE,
      offset: options.offset,
      max: options.max,
    });
    for await (const page of pages) {
      for (let i = 0; i < page.length; i += LINES_PER_WRITE) {
        let text = '';
        for (const user of page.slice(i, i + LINES_PER_WRITE)) text += formatExportLine(user, lineOptions);
        const chunk = Buffer.from(text, 'utf8');
        bytes += chunk.length;
        if (!out.write(chunk)) await once(out, 'drain');
        // Let the next page's queries move on (its meta query starts when its users arrive).
        else await new Promise((resolve) => setImmediate(resolve));
      }
      users += page.length;
      if (await control.step({ processed: users, bytesDone: bytes })) {
        stopped = true;
        break;
      }
    }
  } finally {
    out.end();
    await closed;
  }
  if (stopped) return { status: 'cancelled', processed: users, bytesDone: bytes, fileName: `${fileName}` };
  await rename(partPath, files.path(fileName));
  return {
    status: 'completed',
    processed: users,
    bytesDone: bytes,
    fileName,
    downloadName: pluginExportName(job.startedAt ?? new Date()),
    message: `exported ${users} ${users === 1 ? 'result' : 'results'}`,
  };
}
