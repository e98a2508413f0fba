import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { TEST_ADMIN_TOKEN, type TestApp } from './test-app.js';
import { loadFixture } from './fixtures.js';

export const JOB_FIELDS = `id kind status processed created updated failed cause message downloadAvailable downloadName bytesDone bytesTotal ratePerSecond`;

export interface JobView {
  id: string;
  kind: string;
  status: string;
  processed: number;
  created: number;
  updated: number;
  failed: number;
  cause: string | null;
  message: string | null;
  downloadAvailable: boolean;
  downloadName: string | null;
  bytesDone: number;
  bytesTotal: number | null;
  ratePerSecond: number;
}

export interface LineErrorView {
  line: number;
  login: string | null;
  cause: string;
  message: string;
}

/** POSTs a file body to the upload endpoint. */
export async function upload(
  app: TestApp,
  body: string | Buffer,
  token: string | null = TEST_ADMIN_TOKEN,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${app.url}/transfers/uploads`, {
    method: 'POST',
    headers: {
      'content-type': 'application/octet-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Polls a job until it has ended. */
export async function waitForJob(app: TestApp, id: string, timeoutMs = 60_000): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await app.gql<{ transferJob: JobView }>(
      `query($id: ID!) { transferJob(id: $id) { ${JOB_FIELDS} } }`,
      {
        id,
      },
    );
    const job = res.data?.transferJob;
    if (!job) throw new Error(JSON.stringify(res.errors));
    if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function lineErrors(app: TestApp, id: string): Promise<LineErrorView[]> {
  const res = await app.gql<{ transferJob: { errors: { nodes: LineErrorView[] } } }>(
    `query($id: ID!) { transferJob(id: $id) { errors(first: 1000) { nodes { line login cause message } } } }`,
    { id },
  );
  return res.data?.transferJob.errors.nodes ?? [];
}

export interface ImportInput {
  mode?: 'CREATE_ONLY' | 'UPSERT';
  generatePasswords?: boolean;
  syncToSites?: boolean;
  batchSize?: number;
}

/** Uploads a file, imports it and waits for the end; returns the job and its line errors. */
export async function importFile(
  app: TestApp,
  content: string | Buffer,
  input: ImportInput = {},
): Promise<{ job: JobView; errors: LineErrorView[] }> {
  const up = await upload(app, content);
  if (up.status !== 201) throw new Error(JSON.stringify(up.body));
  const res = await app.gql<{ importUsers: { job: JobView } }>(
    `mutation($input: ImportUsersInput!) { importUsers(input: $input) { job { ${JOB_FIELDS} } } }`,
    { input: { upload: up.body['upload'], ...input } },
  );
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  const job = await waitForJob(app, res.data.importUsers.job.id);
  return { job, errors: await lineErrors(app, job.id) };
}

/** Starts an export, waits for it and downloads the file. */
export async function exportFile(
  app: TestApp,
  input: Record<string, unknown> = {},
): Promise<{ job: JobView; content: string; downloadUrl: string; headers: Headers }> {
  const res = await app.gql<{ exportUsers: { job: JobView; downloadPath: string } }>(
    `mutation($input: ExportUsersInput!) { exportUsers(input: $input) { downloadPath job { ${JOB_FIELDS} } } }`,
    { input },
  );
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  const job = await waitForJob(app, res.data.exportUsers.job.id);
  const downloadUrl = `${app.url}${res.data.exportUsers.downloadPath}`;
  const dl = await fetch(downloadUrl, {
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
  });
  if (dl.status !== 200) throw new Error(`download: ${dl.status} ${await dl.text()}`);
  return { job, content: await dl.text(), downloadUrl, headers: dl.headers };
}

export function wsClient(app: TestApp): Client {
  return createClient({
    url: app.url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    retryAttempts: 0,
    lazy: true,
  });
}

interface SourceRows {
  source_rows_site_A: Record<
    string,
    {
      wp_users: Record<string, string>;
      wp_usermeta: { umeta_id: string; meta_key: string; meta_value: string }[];
    }
  >;
}

/** Writes the plugin lab's site-A users (export-README.json) into this app's tables, IDs included. */
export async function seedFixtureUsers(app: TestApp): Promise<void> {
  const fixture = loadFixture<SourceRows>('export-README.json');
  const prefix = app.services.config.tablePrefix;
  const knex = app.orm.em.getConnection().getKnex();
  const sqlite = app.services.config.database.kind === 'sqlite';
  for (const { wp_users: u, wp_usermeta: meta } of Object.values(fixture.source_rows_site_A)) {
    await knex(`${prefix}users`).insert({
      ID: Number(u['ID']),
      user_login: u['user_login'],
      user_pass: '$P$BabcdefghijklmnopqrstuvwxyzABCD',
      user_nicename: u['user_nicename'],
      user_email: u['user_email'],
      user_url: u['user_url'],
      user_registered: sqlite
        ? Date.parse(`${u['user_registered']?.replace(' ', 'T')}Z`)
        : u['user_registered'],
      user_activation_key: '',
      user_status: 0,
      display_name: u['display_name'],
    });
    await knex(`${prefix}usermeta`).insert(
      meta.map((m) => ({
        umeta_id: Number(m.umeta_id),
        user_id: Number(u['ID']),
        meta_key: m.meta_key.replace(/^wp_/, prefix),
        meta_value: m.meta_value,
      })),
    );
  }
}
