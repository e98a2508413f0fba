import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App, type CreateAppOptions } from '../../src/app.js';
import { loadConfig, type AppConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/shared/logger.js';

const DEFAULT_MARIADB = 'mariadb://root@127.0.0.1:3306/test';

/** Whether something answers on MariaDB's port (so `npm test` also runs on a machine without it). */
async function mariadbAnswers(): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: 3306, timeout: 500 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/**
 * The database tests run against: DATABASE_URL when set (CI sets it), else MariaDB at 127.0.0.1:3306
 * when it answers, else the embedded SQLite default (announced once per test file).
 */
export const TEST_DATABASE_URL =
  process.env['DATABASE_URL'] ??
  ((await mariadbAnswers())
    ? DEFAULT_MARIADB
    : (process.stderr.write('MariaDB does not answer on 127.0.0.1:3306: these tests run on SQLite\n'),
      'sqlite::memory:'));

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

/** A table prefix of its own per test app, so test files never see each other's rows. */
export function uniquePrefix(): string {
  return `t${randomBytes(3).toString('hex')}_`;
}

export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  const prefix = uniquePrefix();
  return loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: TEST_DATABASE_URL.startsWith('sqlite:') ? 'sqlite::memory:' : TEST_DATABASE_URL,
    TABLE_PREFIX: prefix,
    TRANSFER_DIR: join(tmpdir(), `rus-transfers-${prefix}`),
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    PASSWORD_HASH_FORMAT: 'wp-bcrypt',
    ...overrides,
  });
}

export interface TestApp extends App {
  /** POSTs a GraphQL operation with the admin token (or the given one, or none with `null`). */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
  ): Promise<{
    status: number;
    data?: T;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  }>;
  /** Drops this app's tables and closes it. */
  destroy(): Promise<void>;
}

export async function startTestApp(
  overrides: Record<string, string> = {},
  options: CreateAppOptions = {},
): Promise<TestApp> {
  const config = testConfig(overrides);
  const app = await createApp(config, { logger: createLogger(config.logLevel), ...options });
  await app.listen();
  const gql: TestApp['gql'] = async (query, variables, token = TEST_ADMIN_TOKEN) => {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: never; errors?: never };
    return { status: res.status, ...body };
  };
  return Object.assign(Object.create(Object.getPrototypeOf(app) as object) as TestApp, app, {
    gql,
    url: app.url,
    async destroy() {
      await app.services.relay.stop();
      await app.services.activity.flush();
      await dropPrefixedTables(app, config.tablePrefix);
      await app.close();
      await rm(config.transferDir, { recursive: true, force: true });
    },
  });
}

/** Removes every table of a prefix (test isolation on the shared MariaDB database). */
export async function dropPrefixedTables(app: App, prefix: string): Promise<void> {
  if (app.services.config.database.kind === 'sqlite') return;
  const conn = app.orm.em.fork().getConnection();
  const rows = await conn.execute<{ name: string }[]>(
    'select table_name as name from information_schema.tables where table_schema = database() and table_name like ?',
    [`${prefix.replace(/_/g, '\\_')}%`],
  );
  for (const { name } of rows) await conn.execute(`drop table if exists \`${name}\``);
}

/** A TCP port that is free right now on `host`. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** An app on its own loopback host (127.0.0.x), its PUBLIC_URL set to where it really listens. */
export async function startPeerApp(
  host: string,
  overrides: Record<string, string> = {},
  options: CreateAppOptions = {},
): Promise<TestApp> {
  const port = await freePort(host);
  return startTestApp(
    { HOST: host, PORT: String(port), PUBLIC_URL: `http://${host}:${port}`, ...overrides },
    options,
  );
}
