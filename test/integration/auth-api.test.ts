import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityLogEntry } from '../../src/modules/activity-log/activity-log.entity.js';
import { WpUser } from '../../src/modules/users/user.entity.js';
import { decodePayload, decryptBundle } from '../../src/protocol/envelope.js';
import { CookieJar, form, httpRequest } from '../support/browser-http.js';
import { loadFixture } from '../support/fixtures.js';
import { createUserEverywhere, FEDERATION_KEYS, federate, sessionsOf } from '../support/federation.js';
import { startPeerApp, type TestApp } from '../support/test-app.js';

const PASSWORD = 'Alice-pass-1';
const hashes = loadFixture<{
  hashes: { password: string; phpass_wp_6_1: string; wp_6_8_style: string; bcrypt_plain: string }[];
}>('password-hashes.json').hashes;

async function causes(app: TestApp, event: string): Promise<(string | null)[]> {
  await app.services.activity.flush();
  return (await app.orm.em.fork().find(ActivityLogEntry, { event }, { orderBy: { id: 'asc' } })).map(
    (e) => e.cause,
  );
}

function json(app: TestApp, path: string, body: unknown, headers: Record<string, string> = {}) {
  return httpRequest(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

function post(
  app: TestApp,
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) {
  return httpRequest(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: form(fields),
  });
}

describe('auth API: sign-in, sessions, sign-out', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await startPeerApp('127.0.0.1');
    b = await startPeerApp('127.0.0.2');
    await federate(a, [b.url]);
    await federate(b, [a.url]);
    await createUserEverywhere([a, b], 'api_alice', PASSWORD, 'Alice');
  });
  afterAll(async () => {
    await a.destroy();
    await b.destroy();
  });

  it('serves an accessible sign-in page with a strict CSP', async () => {
    const page = await httpRequest(`${a.url}/login`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-store');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.body).toContain('<html lang="en">');
    expect(page.body).toContain('<label for="login">Username or e-mail address</label>');
    expect(page.body).toContain('autocomplete="current-password"');
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('signs in with JSON: an HttpOnly, Secure, SameSite=None session cookie and the remote login URLs', async () => {
    const res = await json(a, '/auth/login', { login: 'api_alice', password: PASSWORD, remember: true });
    expect(res.status).toBe(200);
    const session = res.cookies.find((c) => c.startsWith('rus_session='));
    expect(session).toMatch(
      /^rus_session=[A-Za-z0-9_-]{43}; Max-Age=1209600; Expires=[^;]+; Path=\/; HttpOnly; Secure; SameSite=None$/,
    );
    const body = JSON.parse(res.body);
    expect(body.user).toMatchObject({
      login: 'api_alice',
      email: 'api_alice@example.org',
      displayName: 'Alice',
    });
    expect(body.session.remember).toBe(true);
    expect(body.async).toMatchObject({ action: 'login', mode: 'iframe' });
    expect(body.async.urls).toHaveLength(1);
    const { site, url } = body.async.urls[0];
    expect(site).toBe(b.url);
    const parsed = new URL(url);
    expect(`${parsed.origin}${parsed.pathname}`).toBe(`${b.url}/wprus/login/`);
    expect(url).toMatch(/\?wprusdata=[A-Za-z0-9%_]+&token=[0-9a-f]{32}$/);
    const plaintext = decryptBundle(parsed.searchParams.get('wprusdata') ?? '', FEDERATION_KEYS);
    expect(plaintext.ok && plaintext.plaintext).toBe(
      `{"username":"api_alice","remember":1,"base_url":"${a.url.replace(/\//g, '\\/')}"}`,
    );

    // A asked B for a GET token as the plugin does: base_url is B's URL with a trailing slash.
    await b.services.activity.flush();
    const issued = await b.orm.em.fork().find(ActivityLogEntry, { event: 'token.issued' });
    expect(issued.map((e) => e.message)).toContain(`Token created: site ${b.url}/ - action "login"`);

    // The browser follows the URL (an iframe): B signs it in once; the token is single-use.
    const first = await httpRequest(url);
    expect(first.status).toBe(200);
    expect(first.cookies[0]).toMatch(/^rus_session=.+; Max-Age=1209600; .*HttpOnly; Secure; SameSite=None$/);
    expect(await sessionsOf(b, 'api_alice')).toHaveLength(1);
    const replay = await httpRequest(url);
    expect(replay.status).toBe(200);
    expect(replay.cookies).toEqual([]);
    expect(await causes(b, 'incoming.refused')).toContain('replayed_token');
    expect(await sessionsOf(b, 'api_alice')).toHaveLength(1);

    const jar = new CookieJar().take(res.cookies);
    const who = await httpRequest(`${a.url}/auth/session`, { headers: { cookie: jar.header } });
    expect(JSON.parse(who.body)).toMatchObject({ signedIn: true, user: { login: 'api_alice' } });
  });

  it('a session without "remember me" ends with the browser (no Max-Age)', async () => {
    const res = await json(a, '/auth/login', { login: 'api_alice@example.org', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.cookies.find((c) => c.startsWith('rus_session='))).toMatch(/^rus_session=[^;]+; Path=\//);
    expect(JSON.parse(res.body).session.remember).toBe(false);
  });

  it('refuses a wrong password and an unknown user alike, and logs which it was', async () => {
    const wrong = await json(a, '/auth/login', { login: 'api_alice', password: 'nope' });
    const unknown = await json(a, '/auth/login', { login: 'api_nobody', password: 'nope' });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.cookies).toEqual([]);
      expect(JSON.parse(res.body)).toEqual({
        error: { code: 'UNAUTHENTICATED', message: 'Unknown username or e-mail address, or wrong password.' },
      });
    }
    const missing = await json(a, '/auth/login', { login: 'api_alice' });
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.body).error.code).toBe('BAD_USER_INPUT');
    expect(await causes(a, 'auth.signin')).toEqual(
      expect.arrayContaining(['wrong_password', 'unknown_user', 'missing_credentials']),
    );
    await a.services.activity.flush();
    const logged = await a.orm.em.fork().find(ActivityLogEntry, { event: 'auth.signin' });
    expect(JSON.stringify(logged)).not.toContain('nope');
    expect(JSON.stringify(logged)).not.toContain(PASSWORD);
  });

  it('verifies every WordPress hash format: $wp$2y$, $2y$ and $P$', async () => {
    const { password, phpass_wp_6_1, wp_6_8_style, bcrypt_plain } = hashes[1]!;
    for (const [login, hash] of [
      ['hash_phpass', phpass_wp_6_1],
      ['hash_wp68', wp_6_8_style],
      ['hash_bcrypt', bcrypt_plain],
    ] as const) {
      await createUserEverywhere([a], login, 'Temporary-pass-1');
      await a.orm.em.fork().nativeUpdate(WpUser, { userLogin: login }, { userPass: hash });
      const ok = await json(a, '/auth/login', { login, password });
      expect(ok.status, login).toBe(200);
      const ko = await json(a, '/auth/login', { login, password: hashes[0]!.password });
      expect(ko.status, login).toBe(401);
    }
  });

  it('ends every session when the password changes', async () => {
    await createUserEverywhere([a], 'api_changer', 'Before-pass-1');
    const res = await json(a, '/auth/login', { login: 'api_changer', password: 'Before-pass-1' });
    const jar = new CookieJar().take(res.cookies);
    const change = await a.gql(
      `mutation { setUserPassword(input: { login: "api_changer", password: "After-pass-2" }) { user { id } } }`,
    );
    expect(change.errors).toBeUndefined();
    const who = await httpRequest(`${a.url}/auth/session`, { headers: { cookie: jar.header } });
    expect(JSON.parse(who.body)).toEqual({ signedIn: false });
    expect(await sessionsOf(a, 'api_changer')).toEqual([]);
  });

  it('form sign-in: errors re-render the page; success lands on /login, which performs the remote login', async () => {
    const wrong = await post(a, '/auth/login', { login: 'api_alice', password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(wrong.body).toContain('role="alert">Unknown username or e-mail address, or wrong password.</p>');
    expect(wrong.body).toContain('value="api_alice"');

    const ok = await post(a, '/auth/login', {
      login: 'api_alice',
      password: PASSWORD,
      remember: '1',
      redirect_to: '/account?tab=1',
    });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/login?redirect_to=%2Faccount%3Ftab%3D1');
    const jar = new CookieJar().take(ok.cookies);
    expect(jar.has('rus_session') && jar.has('rus_session_async')).toBe(true);
    const landing = await httpRequest(`${a.url}/login`, { headers: { cookie: jar.header } });
    expect(landing.status).toBe(200);
    expect(landing.body).toContain(
      'You are signed in as <strong id="signed-in-user">Alice (api_alice)</strong>',
    );
    expect(landing.body).toMatch(
      new RegExp(`<iframe data-src="${b.url}/wprus/login/\\?wprusdata=[^"]+&amp;token=[0-9a-f]{32}" hidden`),
    );
    expect(landing.body).toContain('data-redirect-to="/account?tab=1"');
    expect(String(landing.headers['content-security-policy'])).toContain(`frame-src ${b.url}`);
    jar.take(landing.cookies);
    expect(jar.has('rus_session_async')).toBe(false); // performed once
    const again = await httpRequest(`${a.url}/login`, { headers: { cookie: jar.header } });
    expect(again.body).not.toContain('<iframe');
  });

  it('never redirects elsewhere after sign-in (open-redirect attempts)', async () => {
    for (const target of [
      '//evil.example/x',
      'https://evil.example/',
      '/\\evil.example',
      'javascript:alert(1)',
    ]) {
      const res = await post(a, '/auth/login', {
        login: 'api_alice',
        password: PASSWORD,
        redirect_to: target,
      });
      expect(res.status, target).toBe(303);
      expect(res.headers.location, target).toBe('/login');
      const signedIn = new CookieJar().take(res.cookies);
      const page = await httpRequest(`${a.url}/login?redirect_to=${encodeURIComponent(target)}`, {
        headers: { cookie: signedIn.header },
      });
      expect(page.status, target).toBe(200);
    }
    const bad = await json(a, '/auth/login', {
      login: 'api_alice',
      password: PASSWORD,
      callbackUrl: 'https://evil.example/cb',
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('refuses forms posted from another site (CSRF)', async () => {
    const res = await post(
      a,
      '/auth/login',
      { login: 'api_alice', password: PASSWORD },
      { origin: 'http://evil.example' },
    );
    expect(res.status).toBe(403);
    expect(res.cookies).toEqual([]);
    const out = await json(a, '/auth/logout', {}, { origin: 'http://evil.example' });
    expect(out.status).toBe(403);
    expect(await causes(a, 'auth.refused')).toEqual(['cross_origin', 'cross_origin']);
  });

  it('signs out with JSON: the cookie is cleared, the session ends, the remote logout URLs are returned', async () => {
    const signIn = await json(a, '/auth/login', { login: 'api_alice', password: PASSWORD });
    const jar = new CookieJar().take(signIn.cookies);
    const before = (await sessionsOf(a, 'api_alice')).length;
    const out = await json(a, '/auth/logout', {}, { cookie: jar.header });
    expect(out.status).toBe(200);
    expect(out.cookies[0]).toMatch(/^rus_session=; Max-Age=0; /);
    const body = JSON.parse(out.body);
    expect(body).toMatchObject({ signedOut: true, async: { action: 'logout', mode: 'iframe' } });
    const url = new URL(body.async.urls[0].url);
    const plaintext = decryptBundle(url.searchParams.get('wprusdata') ?? '', FEDERATION_KEYS);
    expect(plaintext.ok && decodePayload(plaintext.plaintext)).toEqual({
      ok: true,
      value: { username: 'api_alice', base_url: a.url },
    });
    expect((await sessionsOf(a, 'api_alice')).length).toBe(before - 1);
    const who = await httpRequest(`${a.url}/auth/session`, { headers: { cookie: jar.header } });
    expect(JSON.parse(who.body)).toEqual({ signedIn: false });
    const again = await json(a, '/auth/logout', {}, { cookie: jar.header });
    expect(JSON.parse(again.body)).toMatchObject({ signedOut: false, async: { urls: [] } });
  });

  it('no URLs for a site whose outgoing login is disabled', async () => {
    const sites = await a.gql<{ sites: { id: string }[] }>('{ sites { id } }');
    const id = sites.data!.sites[0]!.id;
    await a.gql(`mutation { updateSite(input: { id: "${id}", outgoingActions: [LOGOUT] }) { site { id } } }`);
    try {
      const res = await json(a, '/auth/login', { login: 'api_alice', password: PASSWORD });
      expect(JSON.parse(res.body).async.urls).toEqual([]);
    } finally {
      await a.gql(
        `mutation { updateSite(input: { id: "${id}", outgoingActions: [LOGIN, LOGOUT] }) { site { id } } }`,
      );
    }
  });

  it('admin API: userSessions and destroyUserSessions ("log out everywhere", here and on the sites)', async () => {
    // A session on B, opened by a login from A.
    const res = await json(a, '/auth/login', { login: 'api_alice', password: PASSWORD });
    await httpRequest(JSON.parse(res.body).async.urls[0].url);
    expect((await sessionsOf(b, 'api_alice')).length).toBeGreaterThan(0);

    const noAuth = await a.gql('{ userSessions(login: "api_alice") { id } }', {}, null);
    expect(noAuth.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    const missing = await a.gql('{ userSessions(login: "api_nobody") { id } }');
    expect(missing.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    const listed = await a.gql<{ userSessions: Record<string, unknown>[] }>(
      '{ userSessions(login: "api_alice") { id origin remember ip userAgent createdAt lastSeenAt expiresAt } }',
    );
    expect(listed.data!.userSessions.length).toBeGreaterThan(0);
    expect(listed.data!.userSessions[0]).toMatchObject({ origin: 'LOCAL', ip: '127.0.0.1' });

    const destroyed = await a.gql<{ destroyUserSessions: { destroyed: number; notifiedSites: number } }>(
      'mutation { destroyUserSessions(input: { login: "api_alice" }) { login destroyed notifiedSites } }',
    );
    expect(destroyed.errors).toBeUndefined();
    expect(destroyed.data!.destroyUserSessions.destroyed).toBe(listed.data!.userSessions.length);
    expect(destroyed.data!.destroyUserSessions.notifiedSites).toBe(1);
    expect(await sessionsOf(a, 'api_alice')).toEqual([]);
    // The queued server-to-server logout reaches B, which ends every session of the user.
    await expect.poll(async () => (await sessionsOf(b, 'api_alice')).length, { timeout: 10_000 }).toBe(0);
    expect(await causes(b, 'incoming.action')).toContain('logout_everywhere');
  });
});

describe('auth API: brute-force throttling', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startPeerApp('127.0.0.1', {
      LOGIN_MAX_FAILURES_PER_LOGIN: '3',
      LOGIN_MAX_FAILURES_PER_IP: '5',
      LOGIN_THROTTLE_WINDOW_SECONDS: '60',
    });
    await createUserEverywhere([app], 'throttle_bob', 'Bob-pass-1');
    await createUserEverywhere([app], 'throttle_eve', 'Eve-pass-1');
  });
  afterAll(async () => {
    await app.destroy();
  });

  const attempt = (login: string, password: string, from: string) =>
    httpRequest(`${app.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password }),
      from,
    });

  it('throttles a login attacked from several addresses, even with the right password, until the window passes', async () => {
    for (const from of ['127.0.0.11', '127.0.0.12', '127.0.0.13'])
      expect((await attempt('throttle_bob', 'wrong', from)).status).toBe(401);
    const blocked = await attempt('throttle_bob', 'Bob-pass-1', '127.0.0.14');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(50);
    expect(JSON.parse(blocked.body).error.code).toBe('TOO_MANY_REQUESTS');
    expect(blocked.cookies).toEqual([]);
    // Other logins from the same address are not affected by this login's lock.
    expect((await attempt('throttle_eve', 'Eve-pass-1', '127.0.0.14')).status).toBe(200);
    expect(await causes(app, 'auth.signin')).toContain('throttled_login');
  });

  it('throttles an address that tries many logins', async () => {
    for (let i = 0; i < 5; i++)
      expect((await attempt(`nobody_${i}`, 'guess', '127.0.0.21')).status).toBe(401);
    expect((await attempt('throttle_eve', 'Eve-pass-1', '127.0.0.21')).status).toBe(429);
    expect((await attempt('throttle_eve', 'Eve-pass-1', '127.0.0.22')).status).toBe(200);
    expect(await causes(app, 'auth.signin')).toContain('throttled_ip');
    const page = await httpRequest(`${app.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ login: 'throttle_eve', password: 'Eve-pass-1' }),
      from: '127.0.0.21',
    });
    expect(page.status).toBe(429);
    expect(page.body).toMatch(/role="alert">Too many failed sign-ins. Try again in \d+ seconds.<\/p>/);
  });
});
