import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityLogEntry } from '../../src/modules/activity-log/activity-log.entity.js';
import { encodePayload, encryptBundle, type JsonValue } from '../../src/protocol/envelope.js';
import { encodeWprusBody } from '../../src/protocol/form-body.js';
import { eventually } from '../support/eventually.js';
import { loadFixture, type WireCaptures } from '../support/fixtures.js';
import { postForm } from '../support/peer.js';
import { collect, wsClient } from '../support/subscriptions.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const captures = loadFixture<WireCaptures>('wire-captures.json');
const KEYS = { aesKey: captures.keys.aes_key, hmacKey: captures.keys.hmac_key };
const SENDER = captures.sites.A.url;
const PASSWORD = 'Very-secret-pass-42';

type Entry = {
  id: string;
  type: string;
  message: string;
  event: string | null;
  login: string | null;
  cause: string | null;
  direction: string | null;
  siteId: string | null;
  data: unknown;
};
const FIELDS = 'id type message event login cause direction siteId data action outcome at';

describe('the activity log: stored, filtered, paged and streamed', () => {
  let app: TestApp;
  let siteId: string;

  function bundle(payload: JsonValue): string {
    return encryptBundle(encodePayload(payload), KEYS);
  }

  async function token(): Promise<string> {
    const res = await postForm(
      app,
      '/wprus/token/',
      encodeWprusBody({
        wprusdata: bundle({ action: 'create', method: 'post', base_url: captures.sites.B.url }),
      }),
    );
    return (JSON.parse(res.body) as { nonce: string }).nonce;
  }

  /** A real incoming `create` from the fixture site, over HTTP. */
  async function incomingCreate(login: string): Promise<void> {
    const res = await postForm(
      app,
      '/wprus/create/',
      encodeWprusBody({
        wprusdata: bundle({
          username: login,
          user_login: login,
          user_email: `${login}@example.org`,
          user_pass: PASSWORD,
          base_url: SENDER,
        }),
        token: await token(),
      }),
    );
    expect(res.status).toBe(200);
  }

  async function log(filter: Record<string, unknown> = {}, first = 50, after?: string) {
    const res = await app.gql<{
      activityLog: {
        totalCount: number;
        edges: { cursor: string; node: Entry }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    }>(
      `query($f: ActivityLogFilter, $first: Int!, $after: String) { activityLog(first: $first, after: $after, filter: $f) {
        totalCount edges { cursor node { ${FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
      { f: filter, first, after },
    );
    expect(res.errors).toBeUndefined();
    return res.data!.activityLog;
  }

  beforeAll(async () => {
    app = await startTestApp({ PUBLIC_URL: captures.sites.B.url });
    const res = await app.gql<{ createSite: { site: { id: string } } }>(
      `mutation { updateSecuritySettings(input: { aesKey: "${KEYS.aesKey}", hmacKey: "${KEYS.hmacKey}" }) { warnings }
        createSite(input: { url: "${SENDER}", incomingActions: [CREATE, UPDATE, META] }) { site { id } } }`,
    );
    expect(res.errors).toBeUndefined();
    siteId = res.data!.createSite.site.id;
  });
  afterAll(async () => {
    await app.destroy();
  });

  it('records an incoming action with structured fields, never the password or the keys', async () => {
    await incomingCreate('log_alice');
    await app.services.activity.flush();
    const page = await log({ login: 'log_alice' });
    const events = page.edges.map((e) => e.node.event);
    expect(events).toContain('incoming.authorized');
    expect(events).toContain('incoming.action');
    const applied = page.edges.find((e) => e.node.event === 'incoming.action')!.node;
    expect(applied).toMatchObject({ type: 'SUCCESS', direction: 'INCOMING', siteId, login: 'log_alice' });
    // The plugin's `data` column, with the password hidden as the plugin does.
    expect(JSON.stringify(applied.data)).toContain('** HIDDEN **');
    const rows = await app.orm.em.fork().find(ActivityLogEntry, {});
    for (const row of rows) {
      const text = `${row.message} ${row.data ?? ''}`;
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(KEYS.aesKey);
      expect(text).not.toContain(KEYS.hmacKey);
    }
    expect(rows.some((r) => r.event === 'token.issued')).toBe(true);
  });

  it('filters by type, site, direction, login, event, cause, time and text, newest first, in pages', async () => {
    await incomingCreate('log_bob');
    // A refusal: a tampered bundle.
    await postForm(
      app,
      '/wprus/create/',
      encodeWprusBody({ wprusdata: 'x' + bundle({ username: 'z' }), token: await token() }),
    );
    await app.services.activity.flush();
    const all = await log({}, 500);
    const ids = all.edges.map((e) => Number(e.node.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(all.totalCount).toBe(all.edges.length);

    const alerts = await log({ types: ['ALERT'] });
    expect(alerts.edges.length).toBeGreaterThan(0);
    expect(alerts.edges.every((e) => e.node.type === 'ALERT')).toBe(true);
    expect((await log({ cause: 'decrypt_failed' })).totalCount).toBe(1);
    expect((await log({ login: 'log_bob', event: 'incoming.action' })).totalCount).toBe(1);
    expect(
      (await log({ siteId, direction: 'INCOMING', login: 'log_bob' })).edges.every(
        (e) => e.node.siteId === siteId,
      ),
    ).toBe(true);
    expect((await log({ search: 'LOG_BOB' })).edges.length).toBeGreaterThan(0);
    expect((await log({ search: '100%_' })).totalCount).toBe(0);
    expect((await log({ since: new Date(Date.now() + 60_000).toISOString() })).totalCount).toBe(0);
    expect((await log({ until: new Date(Date.now() - 3600_000).toISOString() })).totalCount).toBe(0);

    // Keyset pages cover everything exactly once.
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await log({}, 3, after);
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor ?? undefined;
    }
    expect(seen).toEqual(all.edges.map((e) => e.node.id));
  });

  it('refuses bad arguments with a code, and logs the refusal with its cause', async () => {
    const res = await app.gql(`{ activityLog(first: 100000) { totalCount } }`);
    expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const cursor = await app.gql(`{ activityLog(first: 1, after: "nope") { totalCount } }`);
    expect(cursor.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const settings = await app.gql(
      `mutation { updateActivityLogSettings(input: { minEntries: -5 }) { minEntries } }`,
    );
    expect(settings.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    await app.services.activity.flush();
    expect((await log({ cause: 'bad_user_input:first' })).totalCount).toBe(1);
    expect((await log({ cause: 'bad_user_input:after' })).totalCount).toBe(1);
    expect((await log({ cause: 'invalid_minEntries' })).totalCount).toBe(1);
    const unchanged = await app.gql<{ activityLogSettings: { minEntries: number } }>(
      `{ activityLogSettings { minEntries } }`,
    );
    expect(unchanged.data!.activityLogSettings.minEntries).toBe(1000);
  });

  it('streams entries over graphql-ws after they are stored, filtered before execution', async () => {
    const client = wsClient(app.url);
    const query = `subscription($f: ActivityLogFilter) { activityLogged(filter: $f) { ${FIELDS} } }`;
    const carol = collect<{ activityLogged: Entry }>(client, query, { f: { login: 'log_carol' } });
    const everything = collect<{ activityLogged: Entry }>(client, query, {});
    try {
      // Ready once a probe comes through the unfiltered subscription.
      await eventually(async () => {
        app.services.activity.record({ type: 'info', event: 'test.probe', message: 'probe' });
        await app.services.activity.flush();
        expect(everything.values.length).toBeGreaterThan(0);
      });
      await incomingCreate('log_carol');
      await incomingCreate('log_dave');
      await eventually(async () => {
        expect(carol.values.map((v) => v.activityLogged.event)).toContain('incoming.action');
        expect(everything.values.some((v) => v.activityLogged.login === 'log_dave')).toBe(true);
      });
      expect(carol.values.every((v) => v.activityLogged.login === 'log_carol')).toBe(true);
      // What a subscriber got is what was stored (same id).
      const streamed = carol.values.find((v) => v.activityLogged.event === 'incoming.action')!.activityLogged;
      const stored = await log({ login: 'log_carol', event: 'incoming.action' });
      expect(stored.edges[0]?.node.id).toBe(streamed.id);
      expect(JSON.stringify(carol.values)).not.toContain(PASSWORD);
    } finally {
      carol.stop();
      everything.stop();
      await client.dispose();
    }
  });

  it('refuses subscriptions without valid admin credentials, and logs the wrong token', async () => {
    const query = 'subscription { activityLogged { id } }';
    const anonymous = wsClient(app.url, null);
    const wrong = wsClient(app.url, { authorization: 'Bearer rus_not-a-real-token-000000000000' });
    const a = collect(anonymous, query);
    const w = collect(wrong, query);
    await eventually(async () => {
      expect((a.failure as { code?: number } | undefined)?.code).toBe(4401);
      expect((w.failure as { code?: number } | undefined)?.code).toBe(4403);
    });
    await anonymous.dispose();
    await wrong.dispose();
    await app.services.activity.flush();
    expect((await log({ event: 'admin.auth_failed' })).totalCount).toBeGreaterThanOrEqual(1);
  });

  it('keeps the newest entries and removes old ones by the retention settings', async () => {
    const res = await app.gql(
      `mutation { updateActivityLogSettings(input: { minEntries: 10, maxAgeDays: 30 }) { minEntries maxAgeDays } }`,
    );
    expect(res.errors).toBeUndefined();
    await app.services.activity.flush();
    const em = app.orm.em.fork();
    const old = Math.floor(Date.now() / 1000) - 90 * 86_400;
    await em.insertMany(
      ActivityLogEntry,
      Array.from({ length: 30 }, (_, i) => ({
        timestamp: old + i,
        loggedAtMs: String((old + i) * 1000),
        type: 'info' as const,
        message: `ancient ${i}`,
        event: 'test.ancient',
      })),
    );
    // Ancient rows were inserted last, so the newest-by-id ones are ancient too: the id order is
    // what the plugin (and we) keep by.
    const before = await em.count(ActivityLogEntry, {});
    const removed = await app.services.logPolicy.prune();
    expect(removed).toBe(20); // the 30 ancient rows minus the 10 newest kept; recent rows stay
    expect(await em.count(ActivityLogEntry, {})).toBe(before - removed);
    expect(await em.count(ActivityLogEntry, { event: 'test.ancient' })).toBe(10);

    // The plugin's behaviour: keep only the newest N.
    await app.gql(
      `mutation { updateActivityLogSettings(input: { minEntries: 5, maxAgeDays: null }) { minEntries } }`,
    );
    await app.services.activity.flush();
    await app.services.logPolicy.prune();
    expect(await em.count(ActivityLogEntry, {})).toBe(5);
    await app.gql(
      `mutation { updateActivityLogSettings(input: { minEntries: 1000, maxAgeDays: 30 }) { minEntries } }`,
    );
  });

  it('stores nothing while logging is off, and clearActivityLog leaves only its own entry', async () => {
    await app.gql(`mutation { updateActivityLogSettings(input: { enabled: false }) { enabled } }`);
    await app.services.activity.flush();
    const before = (await log()).totalCount;
    await incomingCreate('log_erin');
    await app.services.activity.flush();
    expect((await log()).totalCount).toBe(before);
    await app.gql(`mutation { updateActivityLogSettings(input: { enabled: true }) { enabled } }`);

    const cleared = await app.gql<{ clearActivityLog: { removed: number } }>(
      `mutation { clearActivityLog { removed } }`,
    );
    expect(cleared.data!.clearActivityLog.removed).toBeGreaterThan(0);
    await app.services.activity.flush();
    const left = await log();
    expect(left.edges.map((e) => e.node.event)).toEqual(['activity.cleared']);
  });
});
