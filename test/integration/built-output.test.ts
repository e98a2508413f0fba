import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/test-app.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const OUT = join(ROOT, '.test-build');

/** Starts `node .test-build/main.js` and collects its output. */
function start(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, [join(OUT, 'main.js')], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...env },
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the built server did not become ready');
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/**
 * The compiled ESM output (what `npm start` and the Docker image run) starts, serves, prints the first
 * admin token once, and shuts down cleanly on SIGTERM. Decorator metadata, `Rel<>` typing and ESM
 * import specifiers only fail here, never under the test runner's transform.
 */
describe('the built server (tsc output)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rus-built-'));
  beforeAll(() => {
    execFileSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/typescript/bin/tsc'),
        '-p',
        join(ROOT, 'tsconfig.build.json'),
        '--outDir',
        OUT,
      ],
      { cwd: ROOT, stdio: 'pipe' },
    );
    writeFileSync(join(OUT, 'main.js'), "import './src/main.js';\n");
    writeFileSync(join(OUT, 'cli.js'), "#!/usr/bin/env node\nimport './src/cli/main.js';\n");
  }, 180_000);
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts on SQLite, prints the first admin token once, serves GraphQL and stops on SIGTERM', async () => {
    const port = await freePort();
    const env = { PORT: String(port), DATABASE_URL: `sqlite:${join(dir, 'built.db')}`, LOG_LEVEL: 'warn' };
    const first = start(env);
    const url = `http://127.0.0.1:${port}`;
    await waitReady(url);
    await new Promise((r) => setTimeout(r, 200));
    const token = /\n {2}(rus_[A-Za-z0-9_-]{43})\n/.exec(first.output())?.[1];
    expect(token, first.output()).toBeDefined();
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ adminTokens { name } }' }),
    });
    expect(await res.json()).toEqual({ data: { adminTokens: [{ name: 'initial' }] } });
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
    const exited = exitCode(first.child);
    first.child.kill('SIGTERM');
    expect(await exited).toBe(0);

    const second = start(env);
    await waitReady(url);
    expect(second.output()).not.toContain('rus_');
    const stopped = exitCode(second.child);
    second.child.kill('SIGINT');
    expect(await stopped).toBe(0);
  }, 60_000);

  it('ships the remote-users-sync command (package.json bin)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(pkg.bin['remote-users-sync']).toBe('dist/cli.js');
    const help = execFileSync(process.execPath, [join(OUT, 'cli.js'), '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(help).toContain('Usage: remote-users-sync <command>');
  });

  it('refuses to start with an invalid configuration, listing every problem', () => {
    let stderr = '';
    try {
      execFileSync(process.execPath, [join(OUT, 'main.js')], {
        cwd: ROOT,
        env: { PATH: process.env['PATH'] ?? '', PORT: 'x', TABLE_PREFIX: 'no-dashes' },
        stdio: 'pipe',
      });
    } catch (err) {
      stderr = String((err as { stderr: Buffer }).stderr);
      expect((err as { status: number }).status).toBe(2);
    }
    expect(stderr).toContain('PORT');
    expect(stderr).toContain('TABLE_PREFIX');
  });
});
