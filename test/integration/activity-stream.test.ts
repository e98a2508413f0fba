import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { collect, wsClient } from '../support/subscriptions.js';
import {
  startPeerApp,
  startTestApp,
  TEST_DATABASE_URL,
  uniquePrefix,
  type TestApp,
} from '../support/test-app.js';

const KEYS = 'aesKey: "stream-aes-key-0123456789abcdef", hmacKey: "stream-hmac-key-0123456789abcdef"';

type DeliveryUpdate = { deliveryUpdated: { login: string; status: string; action: string; siteId: string } };
type Logged = { activityLogged: { event: string; login: string | null; message: string } };

describe('delivery updates stream to subscribers', () => {
  let x: TestApp;
  let y: TestApp;
  beforeAll(async () => {
    x = await startPeerApp('127.0.0.1');
    y = await startPeerApp('127.0.0.2');
    for (const [a, b] of [
      [x, y],
      [y, x],
    ] as const) {
      const res = await a.gql(
        `mutation { updateSecuritySettings(input: { ${KEYS} }) { warnings }
          createSite(input: { url: "${b.services.config.publicUrl}", incomingActions: [CREATE, UPDATE], outgoingActions: [CREATE, UPDATE] }) { site { id } } }`,
      );
      expect(res.errors).toBeUndefined();
    }
  });
  afterAll(async () => {
    await x.destroy();
    await y.destroy();
  });

  it('sends each delivery state change of a real sync, filtered by login', async () => {
    const client = wsClient(x.url);
    const mine = collect<DeliveryUpdate>(
      client,
      `subscription { deliveryUpdated(filter: { login: "stream_a" }) { login status action siteId } }`,
    );
    const others = collect<DeliveryUpdate>(
      client,
      `subscription { deliveryUpdated(filter: { login: "somebody_else" }) { login status } }`,
    );
    const attempts = collect<Logged>(
      client,
      `subscription { activityLogged(filter: { event: "delivery.delivered" }) { event login message } }`,
    );
    try {
      // The three subscriptions are active once a probe delivery has been seen by the activity one.
      await eventually(async () => {
        const probe = `stream_probe_${Date.now()}`;
        await x.gql(
          `mutation { createUser(input: { login: "${probe}", email: "${probe}@example.org" }) { user { id } } }`,
        );
        await eventually(async () => expect(attempts.values.length).toBeGreaterThan(0), 2000);
      });
      const res = await x.gql(
        `mutation { createUser(input: { login: "stream_a", email: "stream_a@example.org" }) { user { id } } }`,
      );
      expect(res.errors).toBeUndefined();
      await eventually(async () => {
        expect(mine.values).toContainEqual({
          deliveryUpdated: {
            login: 'stream_a',
            status: 'DELIVERED',
            action: 'create',
            siteId: expect.any(String) as string,
          },
        });
        expect(attempts.values.some((v) => v.activityLogged.login === 'stream_a')).toBe(true);
      });
      expect(others.values).toEqual([]);
      expect(mine.values.every((v) => v.deliveryUpdated.login === 'stream_a')).toBe(true);
    } finally {
      mine.stop();
      others.stop();
      attempts.stop();
      await client.dispose();
    }
  });
});

describe.skipIf(TEST_DATABASE_URL.startsWith('sqlite:'))(
  'several instances share events through Redis',
  () => {
    const redis = { REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379' };
    const prefix = uniquePrefix();
    let a: TestApp;
    let b: TestApp;
    let stranger: TestApp;
    beforeAll(async () => {
      a = await startTestApp({ ...redis, TABLE_PREFIX: prefix });
      b = await startTestApp({ ...redis, TABLE_PREFIX: prefix });
      stranger = await startTestApp({ ...redis }); // another deployment on the same Redis
    });
    afterAll(async () => {
      await b.close();
      await a.destroy();
      await stranger.destroy();
    });

    it('delivers an event from one instance to subscribers on every instance, and only of its deployment', async () => {
      const onA = wsClient(a.url);
      const onStranger = wsClient(stranger.url);
      const query = `subscription { activityLogged(filter: { event: "settings.logs" }) { event message } }`;
      const seenByA = collect<Logged>(onA, query);
      const seenByStranger = collect<Logged>(onStranger, query);
      try {
        // Changes made on B until A's subscriber sees one (the subscription is then surely active).
        await eventually(async () => {
          const res = await b.gql(
            `mutation { updateActivityLogSettings(input: { minEntries: 500 }) { minEntries } }`,
          );
          expect(res.errors).toBeUndefined();
          await b.services.activity.flush();
          await eventually(async () => expect(seenByA.values.length).toBeGreaterThan(0), 1000);
        });
        expect(seenByA.values[0]?.activityLogged.message).toContain('keep the newest 500 entries');
        // The stranger subscribed as early and saw nothing of this deployment.
        await stranger.gql(
          `mutation { updateActivityLogSettings(input: { minEntries: 77 }) { minEntries } }`,
        );
        await eventually(async () => expect(seenByStranger.values.length).toBe(1));
        expect(seenByStranger.values[0]?.activityLogged.message).toContain('77');
      } finally {
        seenByA.stop();
        seenByStranger.stop();
        await onA.dispose();
        await onStranger.dispose();
      }
    });
  },
);
