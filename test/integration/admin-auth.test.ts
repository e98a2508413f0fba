import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildAppSchema } from '../../src/graphql/schema.js';
import { createMemoryPubSub } from '../../src/shared/pubsub.js';
import { rootFieldOperations } from '../support/introspection.js';
import { startTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../support/test-app.js';

function wsClient(url: string, connectionParams?: Record<string, unknown>): Client {
  return createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
}

/** Subscribes once and resolves with how the attempt ended: a close code, an error, or a value. */
function firstOutcome(
  client: Client,
  query: string,
): Promise<{ closeCode?: number; error?: unknown; value?: unknown }> {
  return new Promise((resolve) => {
    const dispose = client.subscribe(
      { query },
      {
        next: (value) => {
          resolve({ value });
          dispose();
        },
        error: (err: unknown) => {
          const code = (err as { code?: number } | undefined)?.code;
          resolve(typeof code === 'number' ? { closeCode: code } : { error: err });
        },
        complete: () => resolve({}),
      },
    );
  });
}

describe('admin authentication', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.destroy();
  });

  it('refuses every Query and Mutation field to an anonymous caller', async () => {
    const schema = await buildAppSchema(createMemoryPubSub());
    const operations = [...rootFieldOperations(schema, 'query'), ...rootFieldOperations(schema, 'mutation')];
    expect(operations.length).toBeGreaterThan(10);
    for (const { field, operation } of operations) {
      for (const token of [null, 'wrong-token-wrong-token-wrong']) {
        const res = await app.gql(operation, undefined, token);
        expect(
          res.errors?.map((e) => e.extensions?.['code']),
          `${field} with token ${token}`,
        ).toEqual(['UNAUTHENTICATED']);
        // Nothing leaks: no data, or the (nullable) field itself null.
        expect(
          Object.values(res.data ?? {}).every((v) => v === null),
          field,
        ).toBe(true);
      }
    }
  });

  it('refuses every Subscription field on a socket without valid credentials (4401 / 4403)', async () => {
    const schema = await buildAppSchema(createMemoryPubSub());
    const operations = rootFieldOperations(schema, 'subscription');
    expect(operations.length).toBeGreaterThan(0);
    for (const { field, operation } of operations) {
      const anonymous = wsClient(app.url);
      expect(await firstOutcome(anonymous, operation), field).toEqual({ closeCode: 4401 });
      await anonymous.dispose();
      const wrong = wsClient(app.url, { authorization: 'Bearer rus_not-a-real-token' });
      expect(await firstOutcome(wrong, operation), field).toEqual({ closeCode: 4403 });
      await wrong.dispose();
    }
  });

  it('streams to an authenticated subscriber', async () => {
    const client = wsClient(app.url, { authorization: `Bearer ${TEST_ADMIN_TOKEN}` });
    const outcome = firstOutcome(client, 'subscription { userChanged { type login origin } }');
    await new Promise((r) => setTimeout(r, 200));
    const res = await app.gql(
      `mutation { createUser(input: { login: "ws_user", email: "ws@example.org" }) { user { id } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(await outcome).toEqual({
      value: { data: { userChanged: { type: 'user.created', login: 'ws_user', origin: 'local' } } },
    });
    await client.dispose();
  });

  it('creates, lists and revokes admin tokens without ever listing a secret', async () => {
    const created = await app.gql<{
      createAdminToken: { secret: string; adminToken: { id: string; prefix: string } };
    }>(`mutation { createAdminToken(input: { name: "ci" }) { secret adminToken { id name prefix } } }`);
    expect(created.errors).toBeUndefined();
    const { secret, adminToken } = created.data!.createAdminToken;
    expect(secret).toMatch(/^rus_[A-Za-z0-9_-]{43}$/);
    expect(secret.startsWith(adminToken.prefix)).toBe(true);

    const withNew = await app.gql<{ adminTokens: { id: string }[] }>(
      `{ adminTokens { id name prefix createdAt lastUsedAt revokedAt } }`,
      undefined,
      secret,
    );
    expect(withNew.errors).toBeUndefined();
    expect(JSON.stringify(withNew.data)).not.toContain(secret);

    const revoked = await app.gql(
      `mutation($id: ID!) { revokeAdminToken(input: { id: $id }) { adminToken { revokedAt } } }`,
      { id: adminToken.id },
    );
    expect(revoked.errors).toBeUndefined();
    const after = await app.gql(`{ adminTokens { id } }`, undefined, secret);
    expect(after.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    const missing = await app.gql(
      `mutation { revokeAdminToken(input: { id: "999999" }) { adminToken { id } } }`,
    );
    expect(missing.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
  });
});
