import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ActivityLogEntry } from '../../src/modules/activity-log/activity-log.entity.js';
import { asyncActionUrl, loginPayload, logoutPayload } from '../../src/protocol/browser-actions.js';
import { encodePayload, encryptBundle, type JsonObject } from '../../src/protocol/envelope.js';
import { encodeWprusBody } from '../../src/protocol/form-body.js';
import { CookieJar, httpRequest, type HttpAnswer } from '../support/browser-http.js';
import {
  createUserEverywhere,
  FEDERATION_KEYS,
  federate,
  sessionsOf,
  setBrowserSupport,
} from '../support/federation.js';
import { postForm } from '../support/peer.js';
import { startPeerApp, type TestApp } from '../support/test-app.js';

/** The sending sites, as the receiver has them configured (nothing needs to listen there). */
const SENDER = 'http://127.0.0.1:8081';
const NO_LOGIN = 'http://127.0.0.5:9000';
const SAFARI =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const CHROME =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

describe('receiving login and logout from a browser (GET /wprus/login/, /wprus/logout/)', () => {
  let b: TestApp;
  let senderId: string;

  beforeAll(async () => {
    b = await startPeerApp('127.0.0.2');
    [senderId] = (await federate(b, [SENDER])) as [string];
    await federate(b, [NO_LOGIN], { incoming: '[LOGOUT]' });
    await createUserEverywhere([b], 'recv_bob', 'Bob-pass-1');
    await createUserEverywhere([b], 'recv_carol', 'Carol-pass-1');
  });
  afterAll(async () => {
    await b.destroy();
  });
  beforeEach(async () => {
    for (const login of ['recv_bob', 'recv_carol'])
      await b.services.sessions.signOutAll((await b.services.sessions.userByLogin(login))!.userId);
  });

  async function token(action = 'login'): Promise<string> {
    const body = encodeWprusBody({
      wprusdata: encryptBundle(
        encodePayload({ action, method: 'get', base_url: `${b.url}/` }),
        FEDERATION_KEYS,
      ),
    });
    return (JSON.parse((await postForm(b, '/wprus/token/', body)).body) as { nonce: string }).nonce;
  }

  async function visit(
    action: 'login' | 'logout',
    payload: JsonObject,
    options: { token?: string; jar?: CookieJar; userAgent?: string } = {},
  ): Promise<HttpAnswer> {
    const url = asyncActionUrl(
      b.url,
      action,
      encryptBundle(encodePayload(payload), FEDERATION_KEYS),
      options.token ?? (await token(action)),
    );
    const res = await httpRequest(url, {
      headers: {
        'user-agent': options.userAgent ?? CHROME,
        ...(options.jar ? { cookie: options.jar.header } : {}),
      },
    });
    options.jar?.take(res.cookies);
    return res;
  }

  async function lastEntries(n: number): Promise<ActivityLogEntry[]> {
    await b.services.activity.flush();
    return (
      await b.orm.em.fork().find(ActivityLogEntry, {}, { orderBy: { id: 'desc' }, limit: n })
    ).reverse();
  }

  it('iframe login (no callback_url): 200, a session cookie, a session opened by that site', async () => {
    const jar = new CookieJar();
    const res = await visit('login', loginPayload('recv_bob', false, SENDER, null), { jar });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.cookies).toHaveLength(1);
    expect(res.cookies[0]).toMatch(
      /^rus_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=None$/,
    );
    const who = await httpRequest(`${b.url}/auth/session`, { headers: { cookie: jar.header } });
    expect(JSON.parse(who.body)).toMatchObject({ signedIn: true, user: { login: 'recv_bob' } });
    expect(await sessionsOf(b, 'recv_bob')).toEqual([
      expect.objectContaining({ origin: 'PEER', originSiteId: senderId, remember: false }),
    ]);
    const [granted, success] = await lastEntries(2);
    expect(granted?.message).toBe(`Access granted - ${SENDER}`);
    expect(success?.message).toBe(`Login action - successfully logged in user "recv_bob" from ${SENDER}.`);
    // Neither the cookie secret nor the token reaches the log.
    const secret = res.cookies[0]!.split(';')[0]!.split('=')[1]!;
    const all = JSON.stringify(await lastEntries(10));
    expect(all).not.toContain(secret);
    await visit('logout', logoutPayload('recv_bob', SENDER), { jar });
  });

  it('redirect-chain login: 303 to callback_url on the sending site, with the cookie', async () => {
    const res = await visit('login', loginPayload('recv_bob', true, SENDER, `${SENDER}/wp-admin/?step=2`));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${SENDER}/wp-admin/?step=2`);
    expect(res.cookies[0]).toMatch(/^rus_session=.+; Max-Age=1209600; /);
  });

  it("repairs the plugin's port-less callback_url", async () => {
    const res = await visit('login', loginPayload('recv_bob', true, SENDER, 'http://127.0.0.1/wp-admin/'));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${SENDER}/wp-admin/`);
    expect((await lastEntries(1))[0]?.cause).toBe('callback_port_repaired');
  });

  it('never redirects off the sending site (open-redirect attempts), yet still signs in', async () => {
    for (const callback of [
      'https://evil.example/steal',
      'http://127.0.0.1:6666/',
      'javascript:alert(1)',
      'http://u:p@127.0.0.1:8081/',
    ]) {
      const res = await visit('login', loginPayload('recv_bob', false, SENDER, callback));
      expect(res.status, callback).toBe(303);
      expect(res.headers.location, callback).toBe(`${SENDER}/`);
      expect(res.cookies, callback).toHaveLength(1);
      const entries = await lastEntries(3);
      expect(entries.map((e) => e.cause)).toContain('callback_refused');
    }
  });

  it('a replayed or unknown token signs nobody in, but a chain still goes on to the sending site', async () => {
    const used = await token();
    const first = await visit('login', loginPayload('recv_carol', false, SENDER, `${SENDER}/next`), {
      token: used,
    });
    expect(first.cookies).toHaveLength(1);
    const replay = await visit('login', loginPayload('recv_carol', false, SENDER, 'https://evil.example/'), {
      token: used,
    });
    expect(replay.status).toBe(303);
    expect(replay.headers.location).toBe(`${SENDER}/`);
    expect(replay.cookies).toEqual([]);
    expect((await lastEntries(3)).map((e) => e.cause)).toEqual(
      expect.arrayContaining(['replayed_token', 'callback_refused']),
    );
    const bogus = await visit('login', loginPayload('recv_carol', false, SENDER, null), {
      token: 'f'.repeat(32),
    });
    expect(bogus.status).toBe(200);
    expect(bogus.cookies).toEqual([]);
    expect((await lastEntries(1))[0]?.cause).toBe('unknown_token');
  });

  it('refuses a login the site may not send (incoming Login disabled) or from an unknown site', async () => {
    const disabled = await visit('login', loginPayload('recv_bob', false, NO_LOGIN, null));
    expect(disabled.status).toBe(200);
    expect(disabled.cookies).toEqual([]);
    const [entry] = await lastEntries(1);
    expect(entry?.cause).toBe('action_disabled');
    expect(entry?.message).toBe(`Login action failed - incoming login action not enabled for ${NO_LOGIN}`);
    // A sender not configured here (but holding the keys) keeps its chain going, on its own host only.
    const unknown = await visit(
      'login',
      loginPayload('recv_bob', false, 'https://unknown.example/blog', 'https://evil.example/cb'),
    );
    expect(unknown.status).toBe(303);
    expect(unknown.headers.location).toBe('https://unknown.example/blog');
    expect(unknown.cookies).toEqual([]);
    expect((await lastEntries(2)).map((e) => e.cause)).toEqual(['unknown_site', 'callback_refused']);
    const own = await visit(
      'login',
      loginPayload('recv_bob', false, 'https://unknown.example/blog', 'https://unknown.example/blog/next'),
    );
    expect(own.headers.location).toBe('https://unknown.example/blog/next');
  });

  it('refuses an unknown user and a boolean or missing remember, as the plugin does', async () => {
    for (const [payload, cause] of [
      [loginPayload('recv_nobody', false, SENDER, null), 'unknown_user'],
      [{ username: 'recv_bob', remember: true, base_url: SENDER }, 'invalid_payload'],
      [{ username: 'recv_bob', base_url: SENDER }, 'invalid_payload'],
      [{ username: 'recv_bob', remember: 2, base_url: SENDER }, 'invalid_payload'],
    ] as const) {
      const res = await visit('login', payload);
      expect(res.cookies, JSON.stringify(payload)).toEqual([]);
      const [entry] = await lastEntries(1);
      expect(entry?.cause).toBe(cause);
      expect(entry?.message).toBe('Login action failed - received invalid data.');
    }
    expect(
      (await visit('login', { username: 'RECV_BOB', remember: '1', base_url: SENDER })).cookies,
    ).toHaveLength(1);
  });

  it('logout with the session cookie: the cookie is cleared and that session ends', async () => {
    const jar = new CookieJar();
    await visit('login', loginPayload('recv_carol', false, SENDER, null), { jar });
    const other = new CookieJar();
    await visit('login', loginPayload('recv_carol', false, SENDER, null), { jar: other });
    expect(await sessionsOf(b, 'recv_carol')).toHaveLength(2);
    const res = await visit('logout', logoutPayload('recv_carol', SENDER), { jar });
    expect(res.status).toBe(200);
    expect(res.cookies[0]).toMatch(/^rus_session=; Max-Age=0; /);
    expect(jar.has('rus_session')).toBe(false);
    expect(await sessionsOf(b, 'recv_carol')).toHaveLength(1); // the other browser stays signed in
    expect((await lastEntries(1))[0]?.message).toBe(
      `Logout action - successfully logged out user "recv_carol" from ${SENDER}.`,
    );
  });

  it('logout of a user this browser is not signed in as changes nothing', async () => {
    const jar = new CookieJar();
    await visit('login', loginPayload('recv_bob', false, SENDER, null), { jar });
    const res = await visit('logout', logoutPayload('recv_carol', SENDER), { jar });
    expect(res.cookies).toEqual([]);
    expect((await lastEntries(1))[0]?.cause).toBe('other_user_signed_in');
  });

  it('logout without a cookie (third-party cookies blocked): ends the sessions that site opened, or all of them in strict mode', async () => {
    await visit('login', loginPayload('recv_bob', false, SENDER, null), { jar: new CookieJar() });
    const local = await httpRequest(`${b.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'recv_bob', password: 'Bob-pass-1' }),
    });
    expect(local.status).toBe(200);
    expect(await sessionsOf(b, 'recv_bob')).toHaveLength(2);

    await visit('logout', logoutPayload('recv_bob', SENDER));
    expect(await sessionsOf(b, 'recv_bob')).toEqual([expect.objectContaining({ origin: 'LOCAL' })]);
    expect((await lastEntries(1))[0]?.cause).toBe('no_session_cookie');
    await visit('logout', logoutPayload('recv_bob', SENDER));
    expect((await lastEntries(1))[0]?.message).toBe('Logout action failed - the user is already logged out.');

    // Safari (strict): the plugin's "Logout Everywhere".
    await visit('logout', logoutPayload('recv_bob', SENDER), { userAgent: SAFARI });
    expect(await sessionsOf(b, 'recv_bob')).toEqual([]);
    expect((await lastEntries(1))[0]?.cause).toBe('logout_everywhere');
  });

  it('strict mode by setting: a logout with the cookie ends every session of the user', async () => {
    await setBrowserSupport(b, { forceLoginLogoutStrict: true });
    try {
      const jar = new CookieJar();
      await visit('login', loginPayload('recv_bob', false, SENDER, `${SENDER}/`), { jar });
      await visit('login', loginPayload('recv_bob', false, SENDER, `${SENDER}/`), { jar: new CookieJar() });
      expect(await sessionsOf(b, 'recv_bob')).toHaveLength(2);
      await visit('logout', logoutPayload('recv_bob', SENDER), { jar });
      expect(await sessionsOf(b, 'recv_bob')).toEqual([]);
    } finally {
      await setBrowserSupport(b, {});
    }
  });

  it('a login without callback_url where this browser needs redirects is accepted and the settings mismatch is logged', async () => {
    const res = await visit('login', loginPayload('recv_bob', false, SENDER, null), { userAgent: SAFARI });
    expect(res.status).toBe(200);
    expect(res.cookies).toHaveLength(1);
    expect((await lastEntries(2)).map((e) => e.cause)).toContain('browser_support_mismatch');
  });

  it('server-to-server logout (POST, "Log Out Everywhere") ends every session of the user', async () => {
    await visit('login', loginPayload('recv_bob', false, SENDER, null), { jar: new CookieJar() });
    await visit('login', loginPayload('recv_bob', false, SENDER, null), { jar: new CookieJar() });
    const postToken = JSON.parse(
      (
        await postForm(
          b,
          '/wprus/token/',
          encodeWprusBody({
            wprusdata: encryptBundle(
              encodePayload({ action: 'logout', method: 'post', base_url: b.url }),
              FEDERATION_KEYS,
            ),
          }),
        )
      ).body,
    ).nonce as string;
    const res = await postForm(
      b,
      '/wprus/logout/',
      encodeWprusBody({
        wprusdata: encryptBundle(encodePayload(logoutPayload('recv_bob', SENDER)), FEDERATION_KEYS),
        token: postToken,
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await sessionsOf(b, 'recv_bob')).toEqual([]);
  });
});
