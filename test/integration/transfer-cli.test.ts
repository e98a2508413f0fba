import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../support/test-app.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Runs `remote-users-sync …` (the CLI's source, through tsx) as a separate process. */
function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args],
      { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
  });
}

function line(login: string, extra = ''): string {
  return `{"user_login":"${login}","user_nicename":"${login}","user_url":"","user_email":"${login}@example.org","display_name":"Zo\\u00eb ${login}","nickname":"${login}","first_name":"","last_name":"","description":"a \\/ slash","rich_editing":"true","syntax_highlighting":"true","comment_shortcuts":"false","admin_color":"fresh","use_ssl":"0","user_registered":"2026-11-28 02:02:33","show_admin_bar_front":"true","locale":"","roles":["author"],"metadata":{"ix_tags":["red","blue"]${extra}}}\n`;
}

describe('the remote-users-sync CLI against a running server', () => {
  let app: TestApp;
  const dir = mkdtempSync(join(tmpdir(), 'rus-cli-'));
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports a file, showing progress and the lines it did not import', async () => {
    const file = join(dir, 'users.dat');
    const lines = Array.from({ length: 3000 }, (_, i) => line(`cli_user_${i}`)).join('');
    writeFileSync(file, `${lines}not json\n${line('cli_user_5')}`);
    const run = await cli(['import', file, '--url', app.url, '--batch-size', '500'], {
      REMOTE_USERS_SYNC_TOKEN: TEST_ADMIN_TOKEN,
    });
    expect(run.stdout).toContain('imported 3,000 users (3,000 created, 0 updated) - 2 errors');
    expect(run.stdout).toContain('line 3001: not valid JSON');
    expect(run.stdout).toContain(
      'line 3002 (cli_user_5): Sorry, that username already exists! [existing_user_login]',
    );
    expect(run.stderr).toMatch(/import \d+ .*lines/);
    expect(run.code).toBe(3);
    const count = await app.gql<{ users: { totalCount: number } }>(
      `{ users(first: 0, search: "cli_user_") { totalCount } }`,
    );
    expect(count.data?.users.totalCount).toBe(3000);
  });

  it('exports to a file in the plugin format', async () => {
    const out = join(dir, 'export.dat');
    const run = await cli([
      'export',
      '--url',
      app.url,
      '--token',
      TEST_ADMIN_TOKEN,
      '--logins',
      'cli_user_1,cli_user_2',
      '--meta-keys',
      'ix_tags',
      '-o',
      out,
    ]);
    expect(run.stderr).toMatch(/^export \d+ 2 users/m);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Exported 2 users to ${out}`);
    expect(readFileSync(out, 'utf8')).toBe(line('cli_user_1') + line('cli_user_2'));
  });

  it('lists jobs, and fails clearly without a token, with a bad token or a bad server', async () => {
    const jobs = await cli(['jobs', '--url', app.url, '--token', TEST_ADMIN_TOKEN]);
    expect(jobs.code).toBe(0);
    expect(jobs.stdout).toMatch(/^\d+\texport\tcompleted\t2\t/m);
    const noToken = await cli(['jobs', '--url', app.url]);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('An admin token is needed');
    const badToken = await cli(['export', '--url', app.url, '--token', 'wrong-token-wrong-token-wrong']);
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toContain('UNAUTHENTICATED');
    const down = await cli(['jobs', '--url', 'http://127.0.0.1:1', '--token', TEST_ADMIN_TOKEN]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('cannot reach http://127.0.0.1:1');
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: remote-users-sync');
  });
});
