import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { FlakyProxy } from '../support/flaky-proxy.js';
import { startPeerApp, type TestApp } from '../support/test-app.js';

const KEYS = 'aesKey: "resilience-aes-key-0123456789", hmacKey: "resilience-hmac-key-0123456789"';
const FAST_RETRIES = { retryPolicy: { baseMs: 20, capMs: 200, maxAttempts: 4 } };

interface DeliveryView {
  id: string;
  action: string;
  status: string;
  attempts: number;
  attemptLog: { outcome: string; httpStatus: number | null }[];
}

async function deliveries(app: TestApp, login: string): Promise<DeliveryView[]> {
  const res = await app.gql<{ deliveries: { edges: { node: DeliveryView }[] } }>(
    `query($l: String) { deliveries(first: 50, filter: { login: $l }) { edges { node { id action status attempts attemptLog { outcome httpStatus } } } } }`,
    { l: login },
  );
  return (res.data?.deliveries.edges.map((e) => e.node) ?? []).reverse();
}

describe('delivery that never silently drops an action', () => {
  let x: TestApp;
  let y: TestApp;
  let proxy: FlakyProxy;
  let siteId: string;

  beforeAll(async () => {
    x = await startPeerApp('127.0.0.1', {}, FAST_RETRIES);
    y = await startPeerApp('127.0.0.2');
    proxy = new FlakyProxy(y.services.config.publicUrl);
    const proxyUrl = await proxy.start('127.0.0.3');
    const onX = await x.gql<{ createSite: { site: { id: string } } }>(
      `mutation { updateSecuritySettings(input: { ${KEYS} }) { warnings }
        createSite(input: { url: "${proxyUrl}", outgoingActions: [CREATE, UPDATE, META, DELETE], outgoingMeta: ["step"] }) { site { id } } }`,
    );
    siteId = onX.data!.createSite.site.id;
    await y.gql(`mutation { updateSecuritySettings(input: { ${KEYS} }) { warnings }
      createSite(input: { url: "${x.services.config.publicUrl}", incomingActions: [CREATE, UPDATE, META, DELETE] }) { site { id } } }`);
  });
  afterAll(async () => {
    await x.destroy();
    await y.destroy();
    await proxy.stop();
  });

  it('retries a peer that answers 500, then delivers every action in order', async () => {
    proxy.failNextActions = 3;
    await x.gql(
      `mutation { createUser(input: { login: "flaky", email: "flaky@example.org" }) { user { id } } }`,
    );
    for (let i = 1; i <= 3; i++)
      await x.gql(
        `mutation { setUserMeta(input: { login: "flaky", key: "step", value: "${i}" }) { user { id } } }`,
      );
    const views = await eventually(async () => {
      const list = await deliveries(x, 'flaky');
      expect(list.map((d) => d.status)).toEqual(['DELIVERED', 'DELIVERED', 'DELIVERED', 'DELIVERED']);
      return list;
    });
    expect(views.map((d) => d.action)).toEqual(['create', 'meta', 'meta', 'meta']);
    expect(views[0]!.attemptLog.slice(0, 3)).toEqual([
      { outcome: 'retry', httpStatus: 500 },
      { outcome: 'retry', httpStatus: 500 },
      { outcome: 'retry', httpStatus: 500 },
    ]);
    const remote = await y.gql<{ user: { meta: { value: unknown }[] } }>(
      `{ user(login: "flaky") { meta(keys: ["step"]) { value } } }`,
    );
    expect(remote.data!.user.meta).toEqual([{ value: '3' }]);
    // The receiver saw the meta actions in their order: the create first, then 1, 2, 3.
    const actions = proxy.seen
      .filter((s) => s.status === 200 && !s.path.includes('token'))
      .map((s) => s.path);
    expect(actions).toEqual(['/wprus/create/', '/wprus/meta/', '/wprus/meta/', '/wprus/meta/']);
  });

  it('ends in a dead delivery when the peer stays down, which retryDelivery sends once it is back', async () => {
    proxy.down = true;
    await x.gql(
      `mutation { updateUser(input: { login: "flaky", email: "down@example.org" }) { user { id } } }`,
    );
    const dead = await eventually(async () => {
      const list = await deliveries(x, 'flaky');
      const last = list.at(-1)!;
      expect(last).toMatchObject({ action: 'update', status: 'DEAD', attempts: 4 });
      return last;
    });
    expect(dead.attemptLog.map((a) => a.outcome)).toEqual(['retry', 'retry', 'retry', 'dead']);
    const listed = await x.gql<{ deliveries: { totalCount: number } }>(
      `query($s: ID) { deliveries(first: 5, filter: { status: DEAD, siteId: $s }) { totalCount } }`,
      { s: siteId },
    );
    expect(listed.data!.deliveries.totalCount).toBe(1);

    proxy.down = false;
    const retried = await x.gql(
      `mutation($id: ID!) { retryDelivery(input: { id: $id }) { delivery { status } } }`,
      { id: dead.id },
    );
    expect(retried.errors).toBeUndefined();
    await eventually(async () => {
      const remote = await y.gql<{ user: { email: string } }>(`{ user(login: "flaky") { email } }`);
      expect(remote.data!.user.email).toBe('down@example.org');
    });
    const again = await x.gql(
      `mutation($id: ID!) { retryDelivery(input: { id: $id }) { delivery { status } } }`,
      { id: dead.id },
    );
    expect(again.errors?.[0]?.extensions?.['code']).toBe('CONFLICT');
  });

  it('resyncs a user to a site that missed it', async () => {
    const res = await x.gql<{ resyncUser: { queued: number } }>(
      `mutation { resyncUser(input: { login: "flaky" }) { queued } }`,
    );
    expect(res.data!.resyncUser.queued).toBe(2);
    await eventually(async () =>
      expect((await deliveries(x, 'flaky')).every((d) => d.status === 'DELIVERED')).toBe(true),
    );
    const all = await x.gql<{ resyncAllUsers: { queued: number } }>(
      `mutation($s: ID!) { resyncAllUsers(input: { siteId: $s }) { queued } }`,
      { s: siteId },
    );
    expect(all.data!.resyncAllUsers.queued).toBe(2);
  });
});
