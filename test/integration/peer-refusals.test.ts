import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ActivityLogEntry } from '../../src/modules/activity-log/activity-log.entity.js';
import { WpUserMeta } from '../../src/modules/users/user-meta.entity.js';
import { WpUser } from '../../src/modules/users/user.entity.js';
import { encodePayload, encryptBundle, type JsonValue } from '../../src/protocol/envelope.js';
import { encodeWprusBody, encodeWprusQuery } from '../../src/protocol/form-body.js';
import { Nonce } from '../../src/protocol/nonce.entity.js';
import { loadFixture, type WireCaptures } from '../support/fixtures.js';
import { getUrl, postForm } from '../support/peer.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const captures = loadFixture<WireCaptures>('wire-captures.json');
const KEYS = { aesKey: captures.keys.aes_key, hmacKey: captures.keys.hmac_key };
const SENDER = captures.sites.A.url;

function bundle(payload: JsonValue, keys = KEYS): string {
  return encryptBundle(encodePayload(payload), keys);
}

function createPayload(login: string, extra: Record<string, JsonValue> = {}): Record<string, JsonValue> {
  return {
    username: login,
    user_login: login,
    user_email: `${login}@example.org`,
    user_pass: 'Pass-1-word',
    base_url: SENDER,
    ...extra,
  };
}

describe('the receiver refuses bad input, writes nothing and logs the precise cause', () => {
  let app: TestApp;
  let siteId: string;

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

  async function counts(): Promise<number[]> {
    const em = app.orm.em.fork();
    return [await em.count(WpUser, {}), await em.count(WpUserMeta, {})];
  }

  /** Sends a request, then checks: plugin-style answer, no user written, one entry with `cause`. */
  async function expectRefused(
    cause: string,
    send: () => Promise<{ status: number; body: string }>,
    status = 200,
  ): Promise<void> {
    const before = await counts();
    const res = await send();
    expect(res.status, cause).toBe(status);
    if (status === 200) expect(res.body, cause).toBe('');
    expect(await counts(), cause).toEqual(before);
    await app.services.activity.flush();
    const entry = await app.orm.em.fork().findOne(ActivityLogEntry, { cause }, { orderBy: { id: 'desc' } });
    expect(entry, `an activity entry with cause ${cause}`).not.toBeNull();
    expect(entry!.type).toMatch(/alert|warning/);
  }

  beforeAll(async () => {
    app = await startTestApp({ PUBLIC_URL: captures.sites.B.url });
    const setup = await app.gql<{ createSite: { site: { id: string } } }>(
      `mutation { updateSecuritySettings(input: { aesKey: "${KEYS.aesKey}", hmacKey: "${KEYS.hmacKey}" }) { warnings }
        createSite(input: { url: "${SENDER}", incomingActions: [CREATE, UPDATE, META, PASSWORD, LOGIN, LOGOUT] }) { site { id } } }`,
    );
    expect(setup.errors).toBeUndefined();
    siteId = setup.data!.createSite.site.id;
  });
  afterAll(async () => {
    await app.destroy();
  });
  beforeEach(async () => {
    await app.gql(
      `mutation { updateSecuritySettings(input: { ipWhitelist: [], trustedProxies: [] }) { warnings } }`,
    );
  });

  it('accepts a well-formed create (the baseline the refusals differ from)', async () => {
    const res = await postForm(
      app,
      '/wprus/create/',
      encodeWprusBody({ wprusdata: bundle(createPayload('baseline')), token: await token() }),
    );
    expect(res).toMatchObject({ status: 200, body: '' });
    expect(await app.orm.em.fork().count(WpUser, { userLogin: 'baseline' })).toBe(1);
  });

  it('answers a resent bundle (same bytes) without applying it again, and logs it as a duplicate', async () => {
    await postForm(
      app,
      '/wprus/create/',
      encodeWprusBody({ wprusdata: bundle(createPayload('resent')), token: await token() }),
    );
    // A meta `add` is not idempotent: applied twice, it would leave two rows.
    const body = encodeWprusBody({
      wprusdata: bundle({
        add: { colour: [{ meta_value: 'blue', unique: false }] },
        username: 'resent',
        base_url: SENDER,
      }),
      token: await token(),
    });
    const first = await postForm(app, '/wprus/meta/', body);
    const before = await counts();
    const again = await postForm(app, '/wprus/meta/', body);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body).toBe('');
    expect(await counts()).toEqual(before);
    const em = app.orm.em.fork();
    const user = await em.findOneOrFail(WpUser, { userLogin: 'resent' });
    expect(await em.count(WpUserMeta, { userId: user.id, metaKey: 'colour' })).toBe(1);
    await app.services.activity.flush();
    const entry = await em.findOne(ActivityLogEntry, { cause: 'duplicate', login: 'resent' });
    expect(entry).toMatchObject({ action: 'meta', outcome: 'duplicate', siteId });
  });

  it('refuses tampered, truncated and wrongly keyed bundles before looking at the token', async () => {
    const good = bundle(createPayload('tampered'));
    const flipped = good.slice(0, 40) + (good[40] === 'A' ? 'B' : 'A') + good.slice(41);
    const t = await token();
    await expectRefused('decrypt_failed', () =>
      postForm(app, '/wprus/create/', encodeWprusBody({ wprusdata: flipped, token: t })),
    );
    await expectRefused('decrypt_failed', () =>
      postForm(app, '/wprus/create/', encodeWprusBody({ wprusdata: good.slice(0, 50), token: t })),
    );
    const wrong = bundle(createPayload('tampered'), {
      aesKey: 'other-aes-key-000000000000',
      hmacKey: 'other-hmac-key-00000000000',
    });
    await expectRefused('decrypt_failed', () =>
      postForm(app, '/wprus/create/', encodeWprusBody({ wprusdata: wrong, token: t })),
    );
    const wrongAesOnly = bundle(createPayload('tampered'), {
      aesKey: 'other-aes-key-000000000000',
      hmacKey: KEYS.hmacKey,
    });
    await expectRefused('decrypt_failed', () =>
      postForm(app, '/wprus/create/', encodeWprusBody({ wprusdata: wrongAesOnly, token: t })),
    );
  });

  it('refuses missing, unknown, expired and replayed tokens', async () => {
    const body = (t?: string) =>
      encodeWprusBody({
        wprusdata: bundle(createPayload('tokens')),
        ...(t === undefined ? {} : { token: t }),
      });
    await expectRefused('missing_token', () => postForm(app, '/wprus/create/', body()));
    await expectRefused('missing_token', () => postForm(app, '/wprus/create/', body('0')));
    await expectRefused('unknown_token', () =>
      postForm(app, '/wprus/create/', body('deadbeefdeadbeefdeadbeefdeadbeef')),
    );
    const valid = await token();
    await expectRefused('unknown_token', () => postForm(app, '/wprus/create/', body(valid.toUpperCase())));
    const expired = 'a'.repeat(32);
    await app.orm.em.fork().insert(Nonce, { nonce: expired, expiry: Math.floor(Date.now() / 1000) - 5 });
    await expectRefused('expired_token', () => postForm(app, '/wprus/create/', body(expired)));
    expect(await app.orm.em.fork().count(Nonce, { nonce: expired })).toBe(0);

    // A GET-mode token is single use: the second use of the same URL is a replay.
    const getToken = await token();
    const meta = {
      update: { replay_key: [{ meta_value: 'x', prev_value: '' }] },
      username: 'baseline',
      base_url: SENDER,
    };
    const url = `/wprus/meta/?${encodeWprusQuery({ wprusdata: bundle(meta), token: getToken })}`;
    expect((await getUrl(app, url)).status).toBe(200);
    await app.services.activity.flush();
    expect(await app.orm.em.fork().count(WpUserMeta, { metaKey: 'replay_key' })).toBe(1);
    await app.orm.em.fork().nativeDelete(WpUserMeta, { metaKey: 'replay_key' });
    await expectRefused('replayed_token', () => getUrl(app, url));
  });

  it('refuses POSTs from addresses outside the IPv4 and IPv6 allow-list, believing only trusted proxies', async () => {
    const body = async () =>
      encodeWprusBody({ wprusdata: bundle(createPayload('ipcheck')), token: await token() });
    let res = await app.gql(
      `mutation { updateSecuritySettings(input: { ipWhitelist: ["10.0.0.0/8", "2001:db8::/32"] }) { warnings } }`,
    );
    expect(res.errors).toBeUndefined();
    await expectRefused('ip_not_allowed', async () => postForm(app, '/wprus/create/', await body()));
    // Without a trusted proxy, X-Forwarded-For is ignored.
    await expectRefused('ip_not_allowed', async () =>
      postForm(app, '/wprus/create/', await body(), { 'x-forwarded-for': '10.1.2.3' }),
    );
    res = await app.gql(
      `mutation { updateSecuritySettings(input: { trustedProxies: ["127.0.0.1"] }) { warnings } }`,
    );
    expect(res.errors).toBeUndefined();
    await expectRefused('ip_not_allowed', async () =>
      postForm(app, '/wprus/create/', await body(), { 'x-forwarded-for': '2001:db9::1' }),
    );
    const allowed = await postForm(app, '/wprus/create/', await body(), { 'x-forwarded-for': '2001:db8::5' });
    expect(allowed.status).toBe(200);
    expect(await app.orm.em.fork().count(WpUser, { userLogin: 'ipcheck' })).toBe(1);
  });

  it('refuses disabled actions and unknown sites', async () => {
    const t = await token();
    await expectRefused('action_disabled', () =>
      postForm(
        app,
        '/wprus/delete/',
        encodeWprusBody({
          wprusdata: bundle({ username: 'baseline', reassign_username: false, base_url: SENDER }),
          token: t,
        }),
      ),
    );
    await expectRefused('unknown_site', () =>
      postForm(
        app,
        '/wprus/create/',
        encodeWprusBody({
          wprusdata: bundle(createPayload('stranger', { base_url: 'https://unknown.example' })),
          token: t,
        }),
      ),
    );
    const entry = await app.orm.em
      .fork()
      .findOne(ActivityLogEntry, { cause: 'action_disabled' }, { orderBy: { id: 'desc' } });
    expect(entry?.siteId).toBe(siteId);
  });

  it('matches senders by host and path like the plugin, or exactly in strict mode', async () => {
    const t = await token();
    const otherPort = SENDER.replace(':8081', ':9999');
    const send = (login: string) =>
      postForm(
        app,
        '/wprus/create/',
        encodeWprusBody({ wprusdata: bundle(createPayload(login, { base_url: otherPort })), token: t }),
      );
    expect((await send('loose_match')).status).toBe(200);
    expect(await app.orm.em.fork().count(WpUser, { userLogin: 'loose_match' })).toBe(1);
    await app.gql(`mutation { updateSecuritySettings(input: { strictSiteMatching: true }) { warnings } }`);
    try {
      await expectRefused('unknown_site', () => send('strict_match'));
    } finally {
      await app.gql(`mutation { updateSecuritySettings(input: { strictSiteMatching: false }) { warnings } }`);
    }
  });

  it('refuses oversized bodies, malformed JSON, invalid payloads and unknown actions', async () => {
    const t = await token();
    const huge = encodeWprusBody({
      wprusdata: 'A'.repeat(app.services.config.bodyLimitBytes + 10),
      token: t,
    });
    await expectRefused('body_too_large', () => postForm(app, '/wprus/create/', huge), 413);
    const notJson = encryptBundle('{"username": "x", broken', KEYS);
    await expectRefused('invalid_payload', () =>
      postForm(app, '/wprus/create/', encodeWprusBody({ wprusdata: notJson, token: t })),
    );
    await expectRefused('invalid_payload', () =>
      postForm(
        app,
        '/wprus/create/',
        encodeWprusBody({
          wprusdata: bundle({ username: ['not', 'a', 'string'], base_url: SENDER }),
          token: t,
        }),
      ),
    );
    await expectRefused('invalid_payload', () =>
      postForm(
        app,
        '/wprus/create/',
        encodeWprusBody({
          wprusdata: bundle(createPayload('bademail', { user_email: 42, roles: 'admin' })),
          token: t,
        }),
      ),
    );
    await expectRefused(
      'unknown_action',
      () =>
        postForm(app, '/wprus/nope/', encodeWprusBody({ wprusdata: bundle(createPayload('x')), token: t })),
      404,
    );
  });

  it('applies only the fields an action defines: no ID, role, meta_input or capability injection', async () => {
    const t = await token();
    const injected = createPayload('injected', {
      ID: 1,
      role: 'administrator',
      meta_input: { wp_capabilities: { administrator: true } },
      user_level: 10,
      roles: { set: 'subscriber', add: false },
    });
    await postForm(app, '/wprus/create/', encodeWprusBody({ wprusdata: bundle(injected), token: t }));
    const prefix = app.services.config.tablePrefix;
    const res = await app.gql<{ user: { id: string; roles: string[]; meta: { key: string }[] } }>(
      `{ user(login: "injected") { id roles meta { key } } }`,
    );
    expect(res.data!.user.id).not.toBe('1');
    expect(res.data!.user.roles).toEqual(['subscriber']);
    expect(res.data!.user.meta.map((m) => m.key)).not.toContain('meta_input');
    const caps = {
      add: { [`${prefix}capabilities`]: [{ meta_value: { administrator: true }, unique: false }] },
      update: { [`${prefix}user_level`]: [{ meta_value: '10', prev_value: '' }] },
      username: 'injected',
      base_url: SENDER,
    };
    await postForm(app, '/wprus/meta/', encodeWprusBody({ wprusdata: bundle(caps), token: t }));
    const after = await app.gql<{ user: { roles: string[]; meta: { key: string; value: unknown }[] } }>(
      `{ user(login: "injected") { roles meta(keys: ["${prefix}user_level"]) { key value } } }`,
    );
    expect(after.data!.user.roles).toEqual(['subscriber']);
    expect(after.data!.user.meta).toEqual([{ key: `${prefix}user_level`, value: '0' }]);
  });

  it('rate-limits token requests per IP', async () => {
    const limited = await startTestApp(
      { PUBLIC_URL: captures.sites.B.url },
      { tokenRateLimit: { perSecond: 1, burst: 20 } },
    );
    try {
      await limited.gql(
        `mutation { updateSecuritySettings(input: { aesKey: "${KEYS.aesKey}", hmacKey: "${KEYS.hmacKey}" }) { warnings } }`,
      );
      const body = encodeWprusBody({
        wprusdata: bundle({ action: 'create', method: 'post', base_url: captures.sites.B.url }),
      });
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await postForm(limited, '/wprus/token/', body)).status);
      expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(8);
      await limited.services.activity.flush();
      expect(await limited.orm.em.fork().count(ActivityLogEntry, { cause: 'rate_limited' })).toBeGreaterThan(
        0,
      );
    } finally {
      await limited.destroy();
    }
  });

  it('answers 404 everywhere while the keys are not configured, as the plugin does', async () => {
    const bare = await startTestApp();
    try {
      const res = await postForm(bare, '/wprus/token/', 'wprusdata=x');
      expect(res.status).toBe(404);
    } finally {
      await bare.destroy();
    }
  });
});
