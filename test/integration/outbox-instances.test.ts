import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Delivery } from '../../src/protocol/outbox/delivery.entity.js';
import { eventually } from '../support/eventually.js';
import { FlakyProxy } from '../support/flaky-proxy.js';
import { startPeerApp, TEST_DATABASE_URL, type TestApp } from '../support/test-app.js';

const KEYS = 'aesKey: "instances-aes-key-0123456789", hmacKey: "instances-hmac-key-0123456789"';
const USERS = 40;

/**
 * Two instances share one database (and so one outbox). Rows are claimed with
 * `SELECT … FOR UPDATE SKIP LOCKED` and a lease, so every action reaches the peer exactly once even
 * though both relays poll at the same time. (SQLite runs a single instance, so MariaDB only.)
 */
describe.runIf(!TEST_DATABASE_URL.startsWith('sqlite:'))('several instances sharing the outbox', () => {
  let first: TestApp;
  let second: TestApp;
  let peer: TestApp;
  let proxy: FlakyProxy;

  beforeAll(async () => {
    first = await startPeerApp('127.0.0.1');
    second = await startPeerApp('127.0.0.1', {
      TABLE_PREFIX: first.services.config.tablePrefix,
      PUBLIC_URL: first.services.config.publicUrl,
    });
    peer = await startPeerApp('127.0.0.2');
    proxy = new FlakyProxy(peer.services.config.publicUrl);
    const proxyUrl = await proxy.start('127.0.0.3');
    const setup = await first.gql(
      `mutation { updateSecuritySettings(input: { ${KEYS} }) { warnings } createSite(input: { url: "${proxyUrl}", outgoingActions: [CREATE] }) { site { id } } }`,
    );
    expect(setup.errors).toBeUndefined();
    await peer.gql(
      `mutation { updateSecuritySettings(input: { ${KEYS} }) { warnings } createSite(input: { url: "${first.services.config.publicUrl}", incomingActions: [CREATE] }) { site { id } } }`,
    );
  });
  afterAll(async () => {
    await second.close();
    await first.destroy();
    await peer.destroy();
    await proxy.stop();
  });

  it('delivers every action exactly once', async () => {
    // Both instances write: the users are created half on each.
    await Promise.all(
      Array.from({ length: USERS }, (_, i) =>
        (i % 2 ? first : second).gql(
          `mutation { createUser(input: { login: "multi_${i}", email: "multi${i}@example.org" }) { user { id } } }`,
        ),
      ),
    );
    await eventually(async () => {
      const pending = await first.orm.em.fork().count(Delivery, { status: { $ne: 'delivered' } });
      expect(pending).toBe(0);
    }, 20_000);
    const rows = await first.orm.em.fork().find(Delivery, {});
    expect(rows).toHaveLength(USERS);
    expect(rows.every((d) => d.attempts === 1)).toBe(true);
    const creates = proxy.seen.filter((s) => s.path === '/wprus/create/');
    expect(creates).toHaveLength(USERS);
    const received = await peer.gql<{ users: { totalCount: number } }>(
      `{ users(first: 1, search: "multi_") { totalCount } }`,
    );
    expect(received.data!.users.totalCount).toBe(USERS);
  });
});
