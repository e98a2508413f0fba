import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { FlakyProxy } from '../support/flaky-proxy.js';
import { startPeerApp, type TestApp } from '../support/test-app.js';

const KEYS = 'aesKey: "pressure-aes-key-0123456789", hmacKey: "pressure-hmac-key-0123456789"';

/** A slow peer delays neither local changes nor the other peers. */
describe('back-pressure', () => {
  let x: TestApp;
  let fast: TestApp;
  let slow: TestApp;
  let slowProxy: FlakyProxy;

  beforeAll(async () => {
    x = await startPeerApp('127.0.0.1');
    fast = await startPeerApp('127.0.0.2');
    slow = await startPeerApp('127.0.0.4');
    slowProxy = new FlakyProxy(slow.services.config.publicUrl);
    slowProxy.delayMs = 6000;
    const slowUrl = await slowProxy.start('127.0.0.3');
    const setup = await x.gql(`mutation { updateSecuritySettings(input: { ${KEYS} }) { warnings }
      a: createSite(input: { url: "${slowUrl}", outgoingActions: [CREATE] }) { site { id } }
      b: createSite(input: { url: "${fast.services.config.publicUrl}", outgoingActions: [CREATE] }) { site { id } } }`);
    expect(setup.errors).toBeUndefined();
    for (const peer of [fast, slow]) {
      await peer.gql(
        `mutation { updateSecuritySettings(input: { ${KEYS} }) { warnings } createSite(input: { url: "${x.services.config.publicUrl}", incomingActions: [CREATE] }) { site { id } } }`,
      );
    }
  });
  afterAll(async () => {
    await x.destroy();
    await fast.destroy();
    await slow.destroy();
    await slowProxy.stop();
  });

  it('answers local mutations at once and delivers to the fast peer while the slow one is still busy', async () => {
    const started = performance.now();
    for (let i = 0; i < 5; i++) {
      const res = await x.gql(
        `mutation { createUser(input: { login: "pressure_${i}", email: "p${i}@example.org" }) { user { id } } }`,
      );
      expect(res.errors).toBeUndefined();
    }
    const mutationsMs = performance.now() - started;
    expect(mutationsMs).toBeLessThan(3000);
    await eventually(async () => {
      const got = await fast.gql<{ users: { totalCount: number } }>(
        `{ users(first: 1, search: "pressure_") { totalCount } }`,
      );
      expect(got.data!.users.totalCount).toBe(5);
    }, 5000);
    const slowSoFar = await slow.gql<{ users: { totalCount: number } }>(
      `{ users(first: 1, search: "pressure_") { totalCount } }`,
    );
    expect(slowSoFar.data!.users.totalCount).toBeLessThan(5);
    await eventually(async () => {
      const got = await slow.gql<{ users: { totalCount: number } }>(
        `{ users(first: 1, search: "pressure_") { totalCount } }`,
      );
      expect(got.data!.users.totalCount).toBe(5);
    }, 20_000);
  }, 40_000);
});
