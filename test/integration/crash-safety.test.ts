import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityLogEntry } from '../../src/modules/activity-log/activity-log.entity.js';
import { eventually } from '../support/eventually.js';
import { FlakyProxy } from '../support/flaky-proxy.js';
import {
  dropPrefixedTables,
  freePort,
  startPeerApp,
  TEST_ADMIN_TOKEN,
  TEST_DATABASE_URL,
  uniquePrefix,
  type TestApp,
} from '../support/test-app.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const KEYS = 'aesKey: "crash-aes-key-0123456789abcdef", hmacKey: "crash-hmac-key-0123456789abcdef"';
const USERS = 12;

/** The sender runs as a real process (`src/main.ts`), so that it can be killed with SIGKILL. */
function startSender(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: 'ignore',
  });
}

async function gql<T>(url: string, query: string): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { data: T; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/**
 * Crash safety: the sender is killed with SIGKILL while its deliveries are pending (the peer is down).
 * After a restart every action arrives: at least once, since a kill between the peer's answer and
 * the outbox update makes the relay send that action again; the receiver finds the user by login, so
 * a repeated create changes nothing (it is refused as an existing user and logged).
 */
describe('a sender killed with SIGKILL loses no action', () => {
  let peer: TestApp;
  let proxy: FlakyProxy;
  const dir = mkdtempSync(join(tmpdir(), 'rus-crash-'));
  let env: Record<string, string>;
  let url: string;

  beforeAll(async () => {
    peer = await startPeerApp('127.0.0.2');
    proxy = new FlakyProxy(peer.services.config.publicUrl);
    const proxyUrl = await proxy.start('127.0.0.3');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    env = {
      PORT: String(port),
      PUBLIC_URL: url,
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      DATABASE_URL: TEST_DATABASE_URL.startsWith('sqlite:')
        ? `sqlite:${join(dir, 'sender.db')}`
        : TEST_DATABASE_URL,
      TABLE_PREFIX: uniquePrefix(),
      OUTBOX_LEASE_SECONDS: '2',
    };
    await peer.gql(
      `mutation { updateSecuritySettings(input: { ${KEYS} }) { warnings } createSite(input: { url: "${url}", incomingActions: [CREATE, META] }) { site { id } } }`,
    );
    process.env['CRASH_PROXY_URL'] = proxyUrl;
  });
  afterAll(async () => {
    await dropPrefixedTables(peer, env['TABLE_PREFIX'] ?? '');
    await peer.destroy();
    await proxy.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every pending action after a restart', async () => {
    proxy.down = true;
    let sender = startSender(env);
    await eventually(async () => expect((await fetch(`${url}/readyz`)).status).toBe(200), 30_000);
    await gql(
      url,
      `mutation { updateSecuritySettings(input: { ${KEYS} }) { warnings } createSite(input: { url: "${process.env['CRASH_PROXY_URL'] ?? ''}", outgoingActions: [CREATE, META], outgoingMeta: ["n"] }) { site { id } } }`,
    );
    for (let i = 0; i < USERS; i++) {
      await gql(
        url,
        `mutation { createUser(input: { login: "crash_${i}", email: "crash${i}@example.org", meta: [{ key: "n", value: "${i}" }] }) { user { id } } }`,
      );
    }
    const pending = await gql<{ deliveries: { totalCount: number } }>(
      url,
      `{ deliveries(first: 1, filter: { status: PENDING }) { totalCount } }`,
    );
    expect(pending.deliveries.totalCount).toBe(USERS * 2);

    sender.kill('SIGKILL');
    await new Promise((resolve) => sender.once('exit', resolve));
    proxy.down = false;
    sender = startSender(env);
    try {
      await eventually(
        async () => {
          const left = await gql<{ deliveries: { totalCount: number } }>(
            url,
            `{ deliveries(first: 1, filter: { status: PENDING }) { totalCount } }`,
          );
          expect(left.deliveries.totalCount).toBe(0);
        },
        60_000,
        250,
      );
      const received = await peer.gql<{
        users: { totalCount: number; edges: { node: { login: string; meta: { value: unknown }[] } }[] };
      }>(
        `{ users(first: 100, search: "crash_") { totalCount edges { node { login meta(keys: ["n"]) { value } } } } }`,
      );
      expect(received.data!.users.totalCount).toBe(USERS);
      for (const { node } of received.data!.users.edges)
        expect(node.meta).toEqual([{ value: node.login.replace('crash_', '') }]);
      const dead = await gql<{ deliveries: { totalCount: number } }>(
        url,
        `{ deliveries(first: 1, filter: { status: DEAD }) { totalCount } }`,
      );
      expect(dead.deliveries.totalCount).toBe(0);
    } finally {
      sender.kill('SIGTERM');
      await new Promise((resolve) => sender.once('exit', resolve));
    }
  }, 120_000);

  it('does not apply an action twice when the sender dies after the peer applied it', async () => {
    // The peer applies the create, but its answer never reaches the sender, which is then killed:
    // the outbox row is still pending, so the restarted relay sends the same bundle again.
    proxy.holdAnswers = true;
    let sender = startSender(env);
    await eventually(async () => expect((await fetch(`${url}/readyz`)).status).toBe(200), 30_000);
    await gql(
      url,
      `mutation { createUser(input: { login: "held_0", email: "held0@example.org", meta: [{ key: "n", value: "7" }] }) { user { id } } }`,
    );
    await eventually(async () => {
      const res = await peer.gql<{ user: { login: string } | null }>(`{ user(login: "held_0") { login } }`);
      expect(res.data?.user?.login).toBe('held_0');
    }, 30_000);
    sender.kill('SIGKILL');
    await new Promise((resolve) => sender.once('exit', resolve));
    proxy.holdAnswers = false;
    sender = startSender(env);
    try {
      await eventually(
        async () => {
          const left = await gql<{ deliveries: { totalCount: number } }>(
            url,
            `{ deliveries(first: 1, filter: { status: PENDING, login: "held_0" }) { totalCount } }`,
          );
          expect(left.deliveries.totalCount).toBe(0);
        },
        60_000,
        250,
      );
      // Sent twice, applied once: the resend is recognised by its bundle and only logged.
      expect(proxy.forwarded.filter((p) => p.endsWith('/wprus/create/')).length).toBeGreaterThanOrEqual(
        USERS + 2,
      );
      await peer.services.activity.flush();
      const em = peer.orm.em.fork();
      const duplicates = await em.find(ActivityLogEntry, { login: 'held_0', cause: 'duplicate' });
      expect(duplicates.map((e) => e.action)).toEqual(['create']);
      expect(await em.count(ActivityLogEntry, { login: 'held_0', cause: 'existing_user_login' })).toBe(0);
      const received = await peer.gql<{ user: { meta: { value: unknown }[] } }>(
        `{ user(login: "held_0") { meta(keys: ["n"]) { value } } }`,
      );
      expect(received.data!.user.meta).toEqual([{ value: '7' }]);
    } finally {
      sender.kill('SIGTERM');
      await new Promise((resolve) => sender.once('exit', resolve));
    }
  }, 120_000);
});
