import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ApiClient, CliError, type Progress } from './api-client.js';
import { formatCount, ProgressBar } from './progress-bar.js';

const USAGE = `Usage: remote-users-sync <command> [options]

Talks to a running remote-users-sync server through its admin API.

Commands:
  export [--output FILE] [--roles a,b] [--meta-keys k1,k2] [--logins l1,l2]
         [--offset N] [--max N] [--no-roles] [--include-password-hashes]
                       Export users in the plugin's file format and download the file
                       (default name: the plugin's wprus-user-export-….dat).
  import FILE [--mode create-only|upsert] [--generate-passwords] [--sync-to-sites]
         [--batch-size N]
                       Upload FILE and import it; lines that were not imported are listed.
  jobs                 List recent import/export jobs.
  cancel ID            Cancel a running job.

Options:
  --url URL            Server URL (env REMOTE_USERS_SYNC_URL, default http://127.0.0.1:4000)
  --token TOKEN        Admin token (env REMOTE_USERS_SYNC_TOKEN or ADMIN_TOKEN)
  --quiet              No progress bar
  --help               This help

Exit status: 0 done, 1 failed or cancelled, 2 usage error, 3 import done with lines not imported.
`;

const JOB_FIELDS = 'id kind status processed created updated failed cause message downloadName';

interface JobView {
  id: string;
  kind: string;
  status: string;
  processed: number;
  created: number;
  updated: number;
  failed: number;
  cause: string | null;
  message: string | null;
  downloadName: string | null;
}

function list(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
}

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new CliError(`--${name} must be a whole number`, 2);
  return Number(value);
}

function detail(p: Progress, unit: string): string {
  const parts = [`${formatCount(p.processed)} ${unit}`, `${formatCount(p.ratePerSecond)}/s`];
  if (p.failed) parts.push(`${formatCount(p.failed)} not imported`);
  return parts.join(', ');
}

async function runExport(
  api: ApiClient,
  values: Record<string, string | boolean | undefined>,
  bar: ProgressBar,
  out: NodeJS.WriteStream,
): Promise<number> {
  const input = {
    roles: list(values['roles'] as string | undefined),
    metaKeys: list(values['meta-keys'] as string | undefined),
    logins: list(values['logins'] as string | undefined),
    offset: integer(values['offset'] as string | undefined, 'offset') ?? 0,
    max: integer(values['max'] as string | undefined, 'max') ?? 0,
    keepRoles: !values['no-roles'],
    includePasswordHashes: Boolean(values['include-password-hashes']),
  };
  const { exportUsers } = await api.gql<{ exportUsers: { job: JobView; downloadPath: string } }>(
    `mutation($input: ExportUsersInput!) { exportUsers(input: $input) { downloadPath job { ${JOB_FIELDS} } } }`,
    { input },
  );
  const id = exportUsers.job.id;
  const end = await api.follow(id, (p) => bar.update(`export ${id}`, p.processed, null, detail(p, 'users')));
  bar.done();
  const { transferJob: job } = await api.gql<{ transferJob: JobView }>(
    `query($id: ID!) { transferJob(id: $id) { ${JOB_FIELDS} } }`,
    { id },
  );
  if (end.status !== 'COMPLETED') {
    out.write(`Export ${id} ${job.status.toLowerCase()}${job.message ? `: ${job.message}` : ''}\n`);
    return 1;
  }
  const target = resolve((values['output'] as string | undefined) ?? job.downloadName ?? `export-${id}.dat`);
  const bytes = await api.download(exportUsers.downloadPath, target);
  out.write(
    `Exported ${formatCount(job.processed)} ${job.processed === 1 ? 'user' : 'users'} to ${target} (${formatCount(bytes)} bytes)\n`,
  );
  return 0;
}

async function runImport(
  api: ApiClient,
  file: string,
  values: Record<string, string | boolean | undefined>,
  bar: ProgressBar,
  out: NodeJS.WriteStream,
): Promise<number> {
  if (!existsSync(file)) throw new CliError(`no such file: ${file}`, 2);
  const mode = String(values['mode'] ?? 'create-only').toLowerCase();
  if (mode !== 'create-only' && mode !== 'upsert') throw new CliError('--mode is create-only or upsert', 2);
  const upload = await api.upload(file, (sent, total) =>
    bar.update(`upload ${basename(file)}`, sent, total, `${formatCount(sent)} bytes`),
  );
  bar.done();
  const { importUsers } = await api.gql<{ importUsers: { job: JobView } }>(
    `mutation($input: ImportUsersInput!) { importUsers(input: $input) { job { ${JOB_FIELDS} } } }`,
    {
      input: {
        upload,
        mode: mode === 'upsert' ? 'UPSERT' : 'CREATE_ONLY',
        generatePasswords: Boolean(values['generate-passwords']),
        syncToSites: Boolean(values['sync-to-sites']),
        batchSize: integer(values['batch-size'] as string | undefined, 'batch-size'), // unset: the server's default
      },
    },
  );
  const id = importUsers.job.id;
  await api.follow(id, (p) => bar.update(`import ${id}`, p.bytesDone, p.bytesTotal, detail(p, 'lines')));
  bar.done();
  const { transferJob: job } = await api.gql<{ transferJob: JobView }>(
    `query($id: ID!) { transferJob(id: $id) { ${JOB_FIELDS} } }`,
    { id },
  );
  const imported = job.created + job.updated;
  out.write(
    `Import ${id} ${job.status.toLowerCase()}: imported ${formatCount(imported)} ${imported === 1 ? 'user' : 'users'} (${formatCount(job.created)} created, ${formatCount(job.updated)} updated) - ${formatCount(job.failed)} ${job.failed === 1 ? 'error' : 'errors'}${job.message && job.status !== 'COMPLETED' ? ` (${job.message})` : ''}\n`,
  );
  let afterLine = 0;
  for (;;) {
    const { transferJob } = await api.gql<{
      transferJob: {
        errors: {
          nodes: { line: number; login: string | null; cause: string; message: string }[];
          hasNextPage: boolean;
          lastLine: number | null;
        };
      };
    }>(
      `query($id: ID!, $after: Int!) { transferJob(id: $id) { errors(first: 1000, afterLine: $after) { nodes { line login cause message } hasNextPage lastLine } } }`,
      { id, after: afterLine },
    );
    for (const e of transferJob.errors.nodes)
      out.write(`  line ${e.line}${e.login ? ` (${e.login})` : ''}: ${e.message} [${e.cause}]\n`);
    if (!transferJob.errors.hasNextPage || transferJob.errors.lastLine === null) break;
    afterLine = transferJob.errors.lastLine;
  }
  if (job.status !== 'COMPLETED') return 1;
  return job.failed > 0 ? 3 : 0;
}

/** Runs the CLI with `argv` (without node and the script); returns the exit status. */
export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  out = process.stdout,
  err = process.stderr,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        output: { type: 'string', short: 'o' },
        roles: { type: 'string' },
        'meta-keys': { type: 'string' },
        logins: { type: 'string' },
        offset: { type: 'string' },
        max: { type: 'string' },
        'no-roles': { type: 'boolean' },
        'include-password-hashes': { type: 'boolean' },
        mode: { type: 'string' },
        'generate-passwords': { type: 'boolean' },
        'sync-to-sites': { type: 'boolean' },
        'batch-size': { type: 'string' },
      },
    });
  } catch (e) {
    err.write(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    (values.help ? out : err).write(USAGE);
    return values.help ? 0 : 2;
  }
  const url = (values.url ?? env['REMOTE_USERS_SYNC_URL'] ?? 'http://127.0.0.1:4000').replace(/\/+$/, '');
  const token = values.token ?? env['REMOTE_USERS_SYNC_TOKEN'] ?? env['ADMIN_TOKEN'];
  if (!token) {
    err.write('An admin token is needed: --token or REMOTE_USERS_SYNC_TOKEN.\n');
    return 2;
  }
  const api = new ApiClient(url, token);
  const bar = new ProgressBar(err, !values.quiet);
  try {
    switch (command) {
      case 'export':
        return await runExport(api, values, bar, out);
      case 'import': {
        const file = rest[0];
        if (!file) throw new CliError('import needs a FILE', 2);
        return await runImport(api, file, values, bar, out);
      }
      case 'jobs': {
        const { transferJobs } = await api.gql<{
          transferJobs: { edges: { node: JobView & { createdAt: string } }[] };
        }>(`{ transferJobs(first: 20) { edges { node { ${JOB_FIELDS} createdAt } } } }`);
        for (const { node: j } of transferJobs.edges)
          out.write(
            `${j.id}\t${j.kind.toLowerCase()}\t${j.status.toLowerCase()}\t${j.processed}\t${j.createdAt}\t${j.message ?? ''}\n`,
          );
        return 0;
      }
      case 'cancel': {
        const id = rest[0];
        if (!id) throw new CliError('cancel needs a job ID', 2);
        const { cancelTransferJob } = await api.gql<{ cancelTransferJob: { job: JobView } }>(
          `mutation($id: ID!) { cancelTransferJob(id: $id) { job { ${JOB_FIELDS} } } }`,
          { id },
        );
        out.write(`Job ${id}: ${cancelTransferJob.job.status.toLowerCase()}\n`);
        return 0;
      }
      default:
        throw new CliError(`unknown command ${command}\n\n${USAGE}`, 2);
    }
  } catch (e) {
    bar.done();
    if (e instanceof CliError) {
      err.write(`remote-users-sync: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
