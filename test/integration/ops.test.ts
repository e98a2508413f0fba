import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('operations endpoints', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.destroy();
  });

  it('reports liveness and readiness without authentication', async () => {
    expect(await (await fetch(`${app.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${app.url}/readyz`)).json()).toEqual({ status: 'ready' });
  });

  it('exposes HTTP, GraphQL and user-change metrics in Prometheus format', async () => {
    await app.gql(
      `mutation { createUser(input: { login: "metrics_user", email: "m@example.org" }) { user { id } } }`,
    );
    await app.gql(`query Named { adminTokens { id } }`);
    await app.gql(`{ adminTokens { id } }`, undefined, null);
    const res = await fetch(`${app.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/rus_http_requests_total\{method="POST",route="\/graphql",status="200"\} \d+/);
    expect(text).toMatch(
      /rus_http_request_duration_seconds_bucket\{le="0.1",method="POST",route="\/graphql"\} \d+/,
    );
    expect(text).toMatch(/rus_graphql_operations_total\{type="query",name="Named",outcome="ok"\} 1/);
    expect(text).toMatch(/rus_graphql_operations_total\{type="query",name="anonymous",outcome="error"\} 1/);
    expect(text).toMatch(/rus_user_changes_total\{type="user.created",origin="local"\} 1/);
    expect(text).not.toContain('test-admin-token');
  });
});
