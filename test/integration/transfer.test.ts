import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { startTestApp, TEST_DATABASE_URL, type TestApp } from '../support/test-app.js';
import {
  exportFile,
  importFile,
  JOB_FIELDS,
  upload,
  waitForJob,
  wsClient,
  type JobView,
} from '../support/transfer.js';

/** A line of the plugin's format (§10): every key, in order, as wp_json_encode writes it. */
function pluginLine(login: string, over: Record<string, unknown> = {}): string {
  const fields: Record<string, unknown> = {
    user_login: login,
    user_nicename: login,
    user_url: '',
    user_email: `${login}@example.org`,
    display_name: login,
    nickname: login,
    first_name: '',
    last_name: '',
    description: '',
    rich_editing: 'true',
    syntax_highlighting: 'true',
    comment_shortcuts: 'false',
    admin_color: 'fresh',
    use_ssl: '0',
    user_registered: '2026-11-28 02:02:33',
    show_admin_bar_front: 'true',
    locale: '',
    roles: ['subscriber'],
    metadata: [],
    ...over,
  };
  return `${phpJson(fields)}\n`;
}

/** PHP's json_encode: `\/`, lowercase `\uXXXX` for everything outside ASCII. */
function phpJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// libSQL cuts a bound text at a NUL character; MariaDB keeps it (and it must survive the escaping).
const NUL = TEST_DATABASE_URL.startsWith('sqlite:') ? '' : 'nul\u0000 ';

describe('user import and export', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.destroy();
  });

  async function metaOf(login: string, keys: string[]): Promise<{ key: string; value: unknown }[]> {
    const res = await app.gql<{ user: { meta: { key: string; value: unknown }[] } }>(
      `query($login: String!, $keys: [String!]) { user(login: $login) { meta(keys: $keys) { key value } } }`,
      { login, keys },
    );
    return res.data?.user.meta ?? [];
  }

  it('imports a file in the plugin format: unicode, slashes, serialized meta and several values per key', async () => {
    const file =
      pluginLine('ix_zoe', {
        display_name: 'Zoë 東京 🚀',
        first_name: 'Zoë',
        last_name: '東京 🚀',
        description: 'Üñïcödé — “curly” quotes, a slash / a backslash \\ and "double"\nsecond line',
        user_url: 'https://example.com/path/?q=a&amp;b=c#frag',
        roles: ['editor', 'author'],
        locale: 'fr_FR',
        metadata: {
          ix_prefs: [{ theme: 'dark', langs: ['en', 'fr'], n: 3, ok: true, nested: { 'a/b': 'x"y' } }],
          ix_tags: ['red', 'blue'],
          ix_number: ['42'],
          ix_list: [['one', 'two']],
          ix_missing: [],
          ix_nasty: ["it's \\'; drop table x; -- ?", `${NUL}sub\u001a \\" end`],
        },
      }) + pluginLine('ix_capfirst', { roles: { '1': 'editor' } });
    expect(file).toContain('\\u00eb \\u6771\\u4eac \\ud83d\\ude80');
    expect(file).toContain('https:\\/\\/example.com');
    const { job, errors } = await importFile(app, file);
    expect(errors).toEqual([]);
    expect(job).toMatchObject({ status: 'COMPLETED', processed: 2, created: 2, failed: 0 });

    const res = await app.gql<{ user: { login: string; displayName: string; url: string; roles: string[] } }>(
      `{ user(login: "ix_zoe") { login displayName url roles } }`,
    );
    expect(res.data?.user).toEqual({
      login: 'ix_zoe',
      displayName: 'Zoë 東京 🚀',
      url: 'https://example.com/path/?q=a&amp;b=c#frag',
      roles: ['editor', 'author'],
    });
    expect(await metaOf('ix_zoe', ['first_name', 'description', 'locale'])).toEqual([
      { key: 'first_name', value: 'Zoë' },
      // Unlike the plugin's import, backslashes are kept.
      {
        key: 'description',
        value: 'Üñïcödé — “curly” quotes, a slash / a backslash \\ and "double"\nsecond line',
      },
      { key: 'locale', value: 'fr_FR' },
    ]);
    expect(await metaOf('ix_zoe', ['ix_nasty'])).toEqual([
      { key: 'ix_nasty', value: "it's \\'; drop table x; -- ?" },
      { key: 'ix_nasty', value: `${NUL}sub\u001a \\" end` },
    ]);
    expect(await metaOf('ix_zoe', ['ix_prefs', 'ix_tags', 'ix_number', 'ix_list', 'ix_missing'])).toEqual([
      {
        key: 'ix_prefs',
        value: { theme: 'dark', langs: ['en', 'fr'], n: 3, ok: true, nested: { 'a/b': 'x"y' } },
      },
      { key: 'ix_tags', value: 'red' },
      { key: 'ix_tags', value: 'blue' },
      { key: 'ix_number', value: '42' },
      { key: 'ix_list', value: ['one', 'two'] },
    ]);
    const capfirst = await app.gql<{ user: { roles: string[] } }>(`{ user(login: "ix_capfirst") { roles } }`);
    expect(capfirst.data?.user.roles).toEqual(['editor']);
  });

  it('round-trips: what it exports imports elsewhere into the same users, and exports identically', async () => {
    const metaKeys = ['ix_prefs', 'ix_tags', 'ix_number', 'ix_list', 'ix_missing'];
    const first = await exportFile(app, { metaKeys, logins: ['ix_zoe', 'ix_capfirst'] });
    expect(first.job).toMatchObject({ status: 'COMPLETED', processed: 2 });
    expect(first.content.split('\n')).toHaveLength(3);
    expect(first.content).toContain('"ix_tags":["red","blue"]');
    expect(first.content).toContain('"ix_missing":[]');
    expect(first.content).not.toContain('user_pass');
    const other = await startTestApp();
    try {
      const imported = await importFile(other, first.content);
      expect(imported.job).toMatchObject({ status: 'COMPLETED', created: 2, failed: 0 });
      const again = await exportFile(other, { metaKeys });
      expect(again.content).toBe(first.content);
    } finally {
      await other.destroy();
    }
  });

  it('carries password hashes only when asked, so that imported users can log in', async () => {
    const created = await app.gql(
      `mutation { createUser(input: { login: "hash_user", email: "hash_user@example.org", password: "S3cret-pass" }) { user { id } } }`,
    );
    expect(created.errors).toBeUndefined();
    const plain = await exportFile(app, { logins: ['hash_user'] });
    expect(plain.content).not.toContain('user_pass');
    const withHashes = await exportFile(app, { logins: ['hash_user'], includePasswordHashes: true });
    const hash = /"user_pass":"([^"]+)"\}\n$/.exec(withHashes.content)?.[1]?.replace(/\\\//g, '/');
    expect(hash).toMatch(/^\$wp\$2y\$10\$/);
    const other = await startTestApp();
    try {
      await importFile(other, withHashes.content);
      const prefix = other.services.config.tablePrefix;
      const [row] = await other.orm.em
        .getConnection()
        .getKnex()(`${prefix}users`)
        .where('user_login', 'hash_user')
        .select<{ user_pass: string }[]>('user_pass');
      expect(row?.user_pass).toBe(hash);
      const { verifyPassword } = await import('../../src/modules/users/password-hasher.js');
      expect(await verifyPassword('S3cret-pass', row?.user_pass ?? '')).toBe(true);
    } finally {
      await other.destroy();
    }
  });

  it('refuses duplicate logins and e-mails in CREATE_ONLY, line by line like the plugin', async () => {
    const file =
      pluginLine('dup_a') +
      pluginLine('DUP_A', { user_email: 'other@example.org' }) +
      pluginLine('dup_b', { user_email: 'DUP_A@example.org' }) +
      pluginLine('ix_zoe');
    const { job, errors } = await importFile(app, file);
    expect(job).toMatchObject({ status: 'COMPLETED', processed: 4, created: 1, failed: 3 });
    expect(errors).toEqual([
      {
        line: 2,
        login: 'DUP_A',
        cause: 'existing_user_login',
        message: 'Sorry, that username already exists!',
      },
      {
        line: 3,
        login: 'dup_b',
        cause: 'existing_user_email',
        message: 'Sorry, that email address is already used!',
      },
      {
        line: 4,
        login: 'ix_zoe',
        cause: 'existing_user_login',
        message: 'Sorry, that username already exists!',
      },
    ]);
  });

  it('lets metadata replace a field wp_insert_user writes with one value, and add to it with several', async () => {
    const { job } = await importFile(
      app,
      pluginLine('ix_over', {
        first_name: 'Top',
        locale: 'fr_FR',
        roles: ['author', 'editor', 'author'],
        metadata: { first_name: ['From meta'], locale: ['de_DE', 'it_IT'], ix_one: ['1'] },
      }),
    );
    expect(job).toMatchObject({ status: 'COMPLETED', created: 1, failed: 0 });
    expect(await metaOf('ix_over', ['first_name', 'locale', 'ix_one'])).toEqual([
      { key: 'first_name', value: 'From meta' },
      { key: 'locale', value: 'fr_FR' },
      { key: 'locale', value: 'de_DE' },
      { key: 'locale', value: 'it_IT' },
      { key: 'ix_one', value: '1' },
    ]);
    const res = await app.gql<{ user: { roles: string[] } }>(`{ user(login: "ix_over") { roles } }`);
    expect(res.data?.user.roles).toEqual(['author', 'editor']);
  });

  it('updates existing users in UPSERT, and still refuses an e-mail that belongs to someone else', async () => {
    const file =
      pluginLine('dup_a', { first_name: 'Updated', roles: ['author'], metadata: { ix_tags: ['green'] } }) +
      pluginLine('dup_a', { first_name: 'Twice', roles: [] }) +
      pluginLine('upsert_new') +
      pluginLine('upsert_other', { user_email: 'dup_a@example.org' });
    const { job, errors } = await importFile(app, file, { mode: 'UPSERT', batchSize: 100 });
    expect(job).toMatchObject({ status: 'COMPLETED', processed: 4, created: 1, updated: 2, failed: 1 });
    expect(errors).toEqual([
      {
        line: 4,
        login: 'upsert_other',
        cause: 'existing_user_email',
        message: 'Sorry, that email address is already used!',
      },
    ]);
    const res = await app.gql<{ user: { roles: string[] } }>(`{ user(login: "dup_a") { roles } }`);
    expect(res.data?.user).toEqual({ roles: ['author'] });
    // The second line for the same login is applied after the first.
    expect(await metaOf('dup_a', ['first_name'])).toEqual([{ key: 'first_name', value: 'Twice' }]);
    expect(await metaOf('dup_a', ['ix_tags'])).toEqual([{ key: 'ix_tags', value: 'green' }]);
  });

  it('makes nicenames unique as wp_insert_user does, within a batch and against the database', async () => {
    await importFile(
      app,
      pluginLine('nice.name', { user_nicename: '' }) + pluginLine('nice-name', { user_nicename: '' }),
    );
    await importFile(app, pluginLine('nice_third', { user_nicename: 'Nice Name' }));
    const res = await app.gql<{ users: { edges: { node: { login: string; nicename: string } }[] } }>(
      `{ users(first: 10, search: "nice") { edges { node { login nicename } } } }`,
    );
    expect(res.data?.users.edges.map((e) => e.node)).toEqual([
      { login: 'nice.name', nicename: 'nice-name' },
      { login: 'nice-name', nicename: 'nice-name-2' },
      { login: 'nice_third', nicename: 'nice-name-3' },
    ]);
  });

  it('gives batches written at the same time the nicenames and refusals of a line-by-line import', async () => {
    // One line per batch: each batch is written while the next one is planned.
    const file =
      pluginLine('cross_a', { user_nicename: 'cross' }) +
      pluginLine('CROSS_A', { user_nicename: 'cross-f' }) +
      pluginLine('cross_e', { user_nicename: 'cross-e', user_email: 'cross_a@example.org' }) +
      pluginLine('cross_b', { user_nicename: 'cross' }) +
      pluginLine('cross_c', { user_nicename: 'cross-2' }) +
      pluginLine('cross_d', { user_nicename: 'cross' });
    const { job, errors } = await importFile(app, file, { batchSize: 1 });
    expect(job).toMatchObject({ status: 'COMPLETED', created: 4, failed: 2 });
    expect(errors.map((e) => [e.line, e.cause])).toEqual([
      [2, 'existing_user_login'],
      [3, 'existing_user_email'],
    ]);
    const res = await app.gql<{ users: { edges: { node: { login: string; nicename: string } }[] } }>(
      `{ users(first: 10, search: "cross_") { edges { node { login nicename } } } }`,
    );
    expect(res.data?.users.edges.map((e) => e.node)).toEqual([
      { login: 'cross_a', nicename: 'cross' },
      { login: 'cross_b', nicename: 'cross-2' },
      { login: 'cross_c', nicename: 'cross-2-2' },
      { login: 'cross_d', nicename: 'cross-3' },
    ]);
  });

  it('names the line and the cause of every malformed line, an oversized line and wrong types', async () => {
    const small = await startTestApp({ TRANSFER_MAX_LINE_BYTES: '2048' });
    try {
      const file = [
        'not json',
        '',
        '{"user_email":"x@example.org"}',
        '["user_login"]',
        pluginLine('bad_type', { user_email: ['a@example.org'] }).trimEnd(),
        pluginLine('bad_roles', { roles: 'editor' }).trimEnd(),
        pluginLine('bad_meta', { metadata: { k: 'not a list' } }).trimEnd(),
        pluginLine('bad<login>').trimEnd(),
        pluginLine('bad_mail', { user_email: 'not-an-email' }).trimEnd(),
        pluginLine('big', { description: 'x'.repeat(5000) }).trimEnd(),
        pluginLine('bad_date', { user_registered: 'yesterday' }).trimEnd(),
        pluginLine('good_after'),
      ].join('\n');
      const { job, errors } = await importFile(small, file);
      expect(job).toMatchObject({ status: 'COMPLETED', processed: 12, created: 1, failed: 11 });
      expect(errors.map((e) => [e.line, e.cause])).toEqual([
        [1, 'invalid_json'],
        [2, 'empty_line'],
        [3, 'missing_user_login'],
        [4, 'not_an_object'],
        [5, 'wrong_type'],
        [6, 'invalid_roles'],
        [7, 'invalid_metadata'],
        [8, 'invalid_login'],
        [9, 'invalid_email'],
        [10, 'line_too_long'],
        [11, 'invalid_registered'],
      ]);
      expect(errors[4]?.message).toBe('user_email must be a string, not a list');
      await small.services.activity.flush();
      const [entry] = await small.orm.em
        .getConnection()
        .getKnex()(`${small.services.config.tablePrefix}wprus_logs`)
        .where({ event: 'transfer.import', outcome: 'completed' })
        .select<{ type: string; cause: string; message: string }[]>('type', 'cause', 'message');
      expect(entry).toMatchObject({ type: 'warning', cause: 'lines_not_imported' });
      expect(entry?.message).toContain('1 created, 0 updated, 11 lines not imported of 12');
    } finally {
      await small.destroy();
    }
  });

  /** Runs `test` while the database refuses any usermeta row whose value is 'boom' (a trigger). */
  async function withRefusal(test: () => Promise<void>): Promise<void> {
    const prefix = app.services.config.tablePrefix;
    const conn = app.orm.em.getConnection();
    await conn.execute(
      `create trigger \`${prefix}refuse_boom\` before insert on \`${prefix}usermeta\` for each row begin if new.meta_value = 'boom' then signal sqlstate '45000' set message_text = 'refused by a trigger'; end if; end`,
    );
    try {
      await test();
    } finally {
      await conn.execute(`drop trigger if exists \`${prefix}refuse_boom\``);
    }
  }

  it('writes nothing of a batch the database refuses, and reports each of its lines', async () => {
    if (app.services.config.database.kind === 'sqlite') return;
    const prefix = app.services.config.tablePrefix;
    const conn = app.orm.em.getConnection();
    await withRefusal(async () => {
      const file =
        pluginLine('batch_1') +
        pluginLine('batch_2') +
        pluginLine('batch_3') +
        pluginLine('batch_4') +
        pluginLine('batch_5', { metadata: { ix_bad: ['boom'] } }) +
        pluginLine('batch_6') +
        pluginLine('batch_7');
      const { job, errors } = await importFile(app, file, { batchSize: 3 });
      expect(job).toMatchObject({ status: 'COMPLETED', processed: 7, created: 4, failed: 3 });
      expect(errors.map((e) => [e.line, e.login, e.cause])).toEqual([
        [4, 'batch_4', 'batch_failed'],
        [5, 'batch_5', 'batch_failed'],
        [6, 'batch_6', 'batch_failed'],
      ]);
      expect(errors[0]?.message).toContain('lines 4-6');
      expect(errors[0]?.message).toContain('refused by a trigger');
      const found = await app.gql<{ users: { edges: { node: { login: string } }[] } }>(
        `{ users(first: 50, search: "batch_") { edges { node { login } } } }`,
      );
      expect(found.data?.users.edges.map((e) => e.node.login).sort()).toEqual([
        'batch_1',
        'batch_2',
        'batch_3',
        'batch_7',
      ]);
      // Not even the users rows of the failed batch remain.
      const rows = await conn.execute<{ n: number }[]>(
        `select count(*) as n from \`${prefix}usermeta\` m left join \`${prefix}users\` u on u.ID = m.user_id where u.ID is null`,
      );
      expect(Number(rows[0]?.n)).toBe(0);
    });
  });

  it('keeps batches written at once apart: a refused batch takes none of its neighbour’s rows with it', async () => {
    if (app.services.config.database.kind === 'sqlite') return;
    const prefix = app.services.config.tablePrefix;
    const conn = app.orm.em.getConnection();
    await withRefusal(async () => {
      // 24 batches of 20 lines, every other one refused; CREATE_ONLY writes two batches at once.
      let file = '';
      for (let b = 0; b < 24; b++)
        for (let i = 0; i < 20; i++)
          file += pluginLine(`pair_${b}_${i}`, b % 2 && i === 19 ? { metadata: { ix_bad: ['boom'] } } : {});
      const { job } = await importFile(app, file, { batchSize: 20 });
      expect(job).toMatchObject({ status: 'COMPLETED', processed: 480, created: 240, failed: 240 });
      const [counts] = await conn.execute<{ users: number; complete: number; rows: number }[]>(
        `select count(*) as users, sum(n = 13) as complete, sum(n) as \`rows\` from (
           select u.ID, count(m.umeta_id) as n from \`${prefix}users\` u
           left join \`${prefix}usermeta\` m on m.user_id = u.ID
           where u.user_login like 'pair_%' group by u.ID) t`,
      );
      // Every created user has exactly the 13 rows wp_insert_user writes: none went down with a refused neighbour.
      expect(Number(counts?.users)).toBe(240);
      expect(Number(counts?.complete)).toBe(240);
      expect(Number(counts?.rows)).toBe(240 * 13);
    });
  });

  it('streams progress over graphql-ws and cancels a running import, keeping the committed batches', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 40_000; i++) lines.push(pluginLine(`cancel_${i}`));
    const up = await upload(app, lines.join(''));
    const started = await app.gql<{ importUsers: { job: JobView } }>(
      `mutation($u: String!) { importUsers(input: { upload: $u, batchSize: 25 }) { job { id } } }`,
      { u: up.body['upload'] },
    );
    const id = started.data?.importUsers.job.id ?? '';
    const client = wsClient(app);
    const seen: { status: string; processed: number; created: number; ratePerSecond: number }[] = [];
    const ended = new Promise<void>((resolve, reject) => {
      client.subscribe<{ transferProgress: (typeof seen)[number] }>(
        {
          query: `subscription($id: ID!) { transferProgress(jobId: $id) { jobId status processed created ratePerSecond } }`,
          variables: { id },
        },
        {
          next: (r) => {
            if (r.data) seen.push(r.data.transferProgress);
          },
          error: reject,
          complete: resolve,
        },
      );
    });
    await eventually(
      () => Promise.resolve(expect(seen.some((s) => s.status === 'RUNNING' && s.created > 0)).toBe(true)),
      20_000,
    );
    const cancelled = await app.gql<{ cancelTransferJob: { job: JobView } }>(
      `mutation($id: ID!) { cancelTransferJob(id: $id) { job { ${JOB_FIELDS} } } }`,
      { id },
    );
    expect(cancelled.errors, JSON.stringify(cancelled.errors)).toBeUndefined();
    await ended;
    await client.dispose();
    const job = await waitForJob(app, id);
    expect(job.status).toBe('CANCELLED');
    expect(job.created).toBeGreaterThan(0);
    expect(job.created).toBeLessThan(40_000);
    expect(job.created % 25).toBe(0);
    expect(seen.at(-1)?.status).toBe('CANCELLED');
    expect(seen.some((s) => s.ratePerSecond > 0)).toBe(true);
    const count = await app.gql<{ users: { totalCount: number } }>(
      `{ users(first: 0, search: "cancel_") { totalCount } }`,
    );
    expect(count.data?.users.totalCount).toBe(job.created);
    const again = await app.gql(`mutation($id: ID!) { cancelTransferJob(id: $id) { job { id } } }`, { id });
    expect(again.errors?.[0]?.extensions?.['code']).toBe('CONFLICT');
  });

  it('hands out an export once, to an admin only, then deletes the file', async () => {
    const res = await app.gql<{ exportUsers: { job: JobView; downloadPath: string } }>(
      `mutation { exportUsers(input: { logins: ["ix_zoe"] }) { downloadPath job { id } } }`,
    );
    const id = res.data?.exportUsers.job.id ?? '';
    const path = res.data?.exportUsers.downloadPath ?? '';
    await waitForJob(app, id);
    const dir = app.services.transfers.files.dir;
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(dir)).some((n) => n.startsWith(`export-${id}-`))).toBe(true);

    const anonymous = await fetch(`${app.url}${path}`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const wrongAdmin = await fetch(`${app.url}${path}`, {
      headers: { authorization: 'Bearer nope-nope-nope' },
    });
    expect(wrongAdmin.status).toBe(401);
    const auth = { authorization: 'Bearer test-admin-token-0123456789abcdef' };
    const badToken = await fetch(`${app.url}/transfers/${id}/download?token=forged`, { headers: auth });
    expect(badToken.status).toBe(404);

    const first = await fetch(`${app.url}${path}`, { headers: auth });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/octet-stream');
    expect(await first.text()).toMatch(/^\{"user_login":"ix_zoe"/);
    const second = await fetch(`${app.url}${path}`, { headers: auth });
    expect(second.status).toBe(404);
    expect(await second.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    await eventually(async () =>
      expect((await readdir(dir)).some((n) => n.startsWith(`export-${id}-`))).toBe(false),
    );
    const job = await app.gql<{ transferJob: { downloadAvailable: boolean; downloadedAt: string | null } }>(
      `query($id: ID!) { transferJob(id: $id) { downloadAvailable downloadedAt } }`,
      { id },
    );
    expect(job.data?.transferJob.downloadAvailable).toBe(false);
    expect(job.data?.transferJob.downloadedAt).not.toBeNull();
    // Nothing else serves the directory.
    expect((await fetch(`${app.url}/transfers/${id}`, { headers: auth })).status).toBe(404);

    await app.services.activity.flush();
    const prefix = app.services.config.tablePrefix;
    const causes = await app.orm.em
      .getConnection()
      .getKnex()(`${prefix}wprus_logs`)
      .where('event', 'transfer.download')
      .orWhere('event', 'transfer.refused')
      .select<{ cause: string | null }[]>('cause');
    expect(causes.map((c) => c.cause)).toEqual(
      expect.arrayContaining(['unauthenticated', 'bad_admin_token', 'bad_token', 'already_downloaded', null]),
    );
  });

  it('refuses uploads and imports without admin rights or with a bad upload, naming the cause', async () => {
    expect((await upload(app, 'x', null)).status).toBe(401);
    expect((await upload(app, '', undefined)).body).toMatchObject({ error: { code: 'BAD_USER_INPUT' } });
    const missing = await app.gql(
      `mutation { importUsers(input: { upload: "0123456789abcdef0123456789abcdef" }) { job { id } } }`,
    );
    expect(missing.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    const invalid = await app.gql(
      `mutation { importUsers(input: { upload: "../../etc/passwd" }) { job { id } } }`,
    );
    expect(invalid.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const noAdmin = await app.gql(`{ transferJobs(first: 5) { totalCount } }`, {}, null);
    expect(noAdmin.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    const badInput = await app.gql(
      `mutation { exportUsers(input: { roles: ["Not A Role"] }) { job { id } } }`,
    );
    expect(badInput.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'roles' });
    const list = await app.gql<{ transferJobs: { totalCount: number; edges: { node: { kind: string } }[] } }>(
      `{ transferJobs(first: 3, kind: IMPORT) { totalCount edges { node { kind } } } }`,
    );
    expect(list.data?.transferJobs.edges.every((e) => e.node.kind === 'IMPORT')).toBe(true);
    expect(list.data?.transferJobs.totalCount).toBeGreaterThan(3);
  });

  it('sends imported users to remote sites through the outbox only when syncToSites is on', async () => {
    const keys = await app.gql(
      `mutation { updateSecuritySettings(input: { generateKeys: true }) { warnings }
                  createSite(input: { url: "http://127.0.0.9:9", outgoingActions: [CREATE] }) { site { id } } }`,
    );
    expect(keys.errors).toBeUndefined();
    await app.services.relay.stop();
    const pending = async (login: string) =>
      (
        await app.gql<{ deliveries: { totalCount: number } }>(
          `query($l: String!) { deliveries(first: 0, filter: { login: $l }) { totalCount } }`,
          { l: login },
        )
      ).data?.deliveries.totalCount;
    await importFile(app, pluginLine('nosync_user'));
    expect(await pending('nosync_user')).toBe(0);
    await importFile(app, pluginLine('sync_user'), { syncToSites: true });
    expect(await pending('sync_user')).toBe(1);
  });
});

describe('transfer housekeeping', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ TRANSFER_MAX_UPLOAD_BYTES: '4096', TRANSFER_RETENTION_HOURS: '1' });
  });
  afterAll(async () => {
    await app?.destroy();
  });

  it('refuses an upload larger than TRANSFER_MAX_UPLOAD_BYTES and keeps nothing of it', async () => {
    const res = await upload(app, 'x'.repeat(10_000));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'BAD_USER_INPUT', limit: 4096 } });
    const { readdir } = await import('node:fs/promises');
    const names = await readdir(app.services.transfers.files.dir).catch(() => []);
    expect(names.filter((n) => n.startsWith('upload-'))).toEqual([]);
  });

  it('deletes exports and uploads left over after the retention time, and says so in the activity log', async () => {
    const exported = await app.gql<{ exportUsers: { job: JobView } }>(
      `mutation { exportUsers(input: {}) { job { id } } }`,
    );
    const id = exported.data?.exportUsers.job.id ?? '';
    expect((await waitForJob(app, id)).downloadAvailable).toBe(true);
    const up = await upload(app, pluginLine('left_over'));
    const files = app.services.transfers.files;
    const { readdir, utimes } = await import('node:fs/promises');
    const names = await readdir(files.dir);
    expect(names).toHaveLength(2);
    const fresh = await app.services.transfers.runner.cleanup();
    expect(fresh).toEqual([]);
    const old = new Date(Date.now() - 2 * 3600_000);
    for (const name of names) await utimes(files.path(name), old, old);
    const removed = await app.services.transfers.runner.cleanup();
    expect(removed.sort()).toEqual(names.sort());
    expect(await readdir(files.dir)).toEqual([]);
    const job = await waitForJob(app, id);
    expect(job.downloadAvailable).toBe(false);
    const missing = await app.gql(
      `mutation($u: String!) { importUsers(input: { upload: $u }) { job { id } } }`,
      {
        u: up.body['upload'],
      },
    );
    expect(missing.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    await app.services.activity.flush();
    const [entry] = await app.orm.em
      .getConnection()
      .getKnex()(`${app.services.config.tablePrefix}wprus_logs`)
      .where({ event: 'transfer.cleanup' })
      .select<{ cause: string; message: string }[]>('cause', 'message');
    expect(entry).toMatchObject({ cause: 'expired', message: '2 transfer file(s) older than 1 h deleted' });
  });

  it('fails jobs whose server stopped while they ran', async () => {
    const { TransferJob } = await import('../../src/modules/transfer/transfer-job.entity.js');
    const em = app.orm.em.fork();
    const stale = new Date(Date.now() - 3600_000);
    const job = Object.assign(new TransferJob(), {
      kind: 'import',
      status: 'running',
      options: '{}',
      createdBy: 'test',
      createdAt: stale,
      startedAt: stale,
      heartbeatAt: stale,
    });
    await em.persistAndFlush(job);
    await app.services.transfers.runner.recoverInterrupted();
    const after = await app.gql<{ transferJob: JobView }>(
      `query($id: ID!) { transferJob(id: $id) { ${JOB_FIELDS} } }`,
      {
        id: job.id,
      },
    );
    expect(after.data?.transferJob).toMatchObject({ status: 'FAILED', cause: 'interrupted' });
  });
});
