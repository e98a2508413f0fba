import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/shared/logger.js';

export const BENCH_DATABASE_URL = process.env['BENCH_DATABASE_URL'] ?? 'mariadb://root@127.0.0.1:3306/test';

/** A server on MariaDB with its own table prefix (dropped by `dispose`). */
export async function startBenchApp(
  overrides: Record<string, string> = {},
): Promise<App & { dispose(): Promise<void> }> {
  const prefix = `b${randomBytes(3).toString('hex')}_`;
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: BENCH_DATABASE_URL,
    TABLE_PREFIX: prefix,
    ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
  const app = await createApp(config, {
    logger: createLogger('silent'),
    tokenRateLimit: { perSecond: 1e6, burst: 1e6 },
  });
  await app.listen();
  return Object.assign(app, {
    async dispose() {
      const conn = app.orm.em.fork().getConnection();
      const tables = await conn.execute<{ name: string }[]>(
        'select table_name as name from information_schema.tables where table_schema = database() and table_name like ?',
        [`${prefix.replace(/_/g, '\\_')}%`],
      );
      await app.close();
      if (tables.length) {
        const mysql = await import('mariadb');
        const url = new URL(BENCH_DATABASE_URL);
        const c = await mysql.createConnection({
          host: url.hostname,
          port: Number(url.port || 3306),
          user: url.username || 'root',
          password: url.password,
          database: url.pathname.slice(1),
        });
        await c.query(`drop table if exists ${tables.map((t) => `\`${t.name}\``).join(', ')}`);
        await c.end();
      }
    },
  });
}

export async function gql<T>(app: App, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: 'Bearer bench-admin-token-0123456789abcdef',
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data as T;
}

export interface LoadResult {
  readonly count: number;
  readonly errors: number;
  readonly seconds: number;
  /** CPU time the load generator itself used. */
  readonly cpuSeconds: number;
  readonly latencies: number[];
}

/** Runs the load generator in a child process (its own core and event loop). */
export function runLoad(spec: Record<string, unknown>): Promise<LoadResult> {
  const file = join(tmpdir(), `rus-load-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(file, JSON.stringify(spec));
  return new Promise<LoadResult>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', new URL('./http-load.worker.ts', import.meta.url).pathname, file],
      { maxBuffer: 256 * 1024 * 1024 },
      (err, stdout) => {
        if (err) reject(new Error(`load generator failed: ${err.message}`));
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as LoadResult);
      },
    );
  }).finally(() => rmSync(file, { force: true }));
}
