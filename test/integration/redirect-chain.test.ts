import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityLogEntry } from '../../src/modules/activity-log/activity-log.entity.js';
import { CookieJar, form, httpRequest, type HttpAnswer } from '../support/browser-http.js';
import { createUserEverywhere, federate, sessionsOf, setBrowserSupport } from '../support/federation.js';
import { freePort, startPeerApp, type TestApp } from '../support/test-app.js';

const LOGIN = 'chain_dora';
const PASSWORD = 'Dora-pass-1';

/**
 * A minimal browser: one cookie jar per host, follows 3xx and the redirect page's link (what its
 * script does), and gives up after `maxHops` — a redirect loop would fail the test.
 */
async function browse(
  start: string,
  init: { method: string; body?: string; headers?: Record<string, string> },
  maxHops = 40,
): Promise<{ hops: string[]; last: HttpAnswer; jars: Map<string, CookieJar> }> {
  const jars = new Map<string, CookieJar>();
  const jar = (url: string) => {
    const host = new URL(url).host;
    if (!jars.has(host)) jars.set(host, new CookieJar());
    return jars.get(host)!;
  };
  let url = start;
  let request = init;
  const hops: string[] = [];
  for (let i = 0; i < maxHops; i++) {
    hops.push(`${request.method} ${url.replace(/\?wprusdata=.*$/, '?…')}`);
    const res = await httpRequest(url, {
      method: request.method,
      body: request.body,
      headers: { ...request.headers, cookie: jar(url).header },
    });
    jar(url).take(res.cookies);
    const next =
      res.status >= 300 && res.status < 400
        ? res.headers.location
        : /id="wprus-next" href="([^"]+)"/.exec(res.body)?.[1]?.replaceAll('&amp;', '&');
    if (typeof next !== 'string') return { hops, last: res, jars };
    url = new URL(next, url).href;
    request = { method: 'GET' };
  }
  throw new Error(`no end after ${maxHops} hops: ${hops.join(' → ')}`);
}

describe('redirect chains over many sites', () => {
  let a: TestApp;
  let remotes: TestApp[];
  let stranger: TestApp;
  let dead: string;

  beforeAll(async () => {
    a = await startPeerApp('127.0.0.1');
    remotes = [];
    for (const host of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) remotes.push(await startPeerApp(host));
    // A live site with other keys (its token answer is empty) and a site that is down.
    stranger = await startPeerApp('127.0.0.5');
    dead = `http://127.0.0.6:${await freePort('127.0.0.6')}`;
    await federate(a, [...remotes.map((r) => r.url), stranger.url, dead]);
    for (const r of remotes) await federate(r, [a.url]);
    await stranger.gql(`mutation { updateSecuritySettings(input: { generateKeys: true }) { warnings } }`);
    await createUserEverywhere([a, ...remotes, stranger], LOGIN, PASSWORD);
  });
  afterAll(async () => {
    for (const app of [a, ...remotes, stranger]) await app?.destroy();
  });

  it.each([
    ['redirect page', false],
    ['silent 303s', true],
  ])(
    '%s: one visit per live site, skipping the others, then back home — never a loop',
    async (_name, silent) => {
      for (const app of [a, ...remotes])
        await setBrowserSupport(app, { forceLoginLogoutStrict: true, silentLoginLogoutStrict: silent });
      const { hops, last, jars } = await browse(`${a.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ login: LOGIN, password: PASSWORD, redirect_to: '/account' }),
      });
      // Last queued site first, as the plugin does; dead and stranger are skipped without a visit.
      const visits = [...remotes].reverse().map((r) => `GET ${r.url}/wprus/login/?…`);
      expect(hops).toEqual([
        `POST ${a.url}/auth/login`,
        `GET ${a.url}/login?redirect_to=%2Faccount`,
        visits[0],
        `GET ${a.url}/login`,
        visits[1],
        `GET ${a.url}/login`,
        visits[2],
        `GET ${a.url}/login`,
        `GET ${a.url}/account`,
      ]);
      expect(last.status).toBe(404); // /account is not ours: the chain ended where the user wanted to go
      for (const r of remotes) {
        expect(await sessionsOf(r, LOGIN)).toHaveLength(1);
        expect(jars.get(new URL(r.url).host)?.has('rus_session')).toBe(true);
      }
      expect(await sessionsOf(stranger, LOGIN)).toEqual([]);
      await a.services.activity.flush();
      const skipped = await a.orm.em
        .fork()
        .find(ActivityLogEntry, { event: 'async.skipped' }, { orderBy: { id: 'desc' }, limit: 2 });
      expect(skipped.map((e) => e.cause).sort()).toEqual(['site_unreachable', 'token_refused']);
      for (const r of remotes)
        await r.services.sessions.signOutAll((await r.services.sessions.userByLogin(LOGIN))!.userId);
    },
  );

  it('a remote that sends the browser back to the login page again does not restart the chain', async () => {
    for (const app of [a, ...remotes])
      await setBrowserSupport(app, { forceLoginLogoutStrict: true, silentLoginLogoutStrict: true });
    const first = await browse(`${a.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ login: LOGIN, password: PASSWORD }),
    });
    const jar = first.jars.get(new URL(a.url).host)!;
    // Coming back to the landing page (a refresh, a remote's extra redirect) finds nothing left to do.
    const again = await httpRequest(`${a.url}/login`, { headers: { cookie: jar.header } });
    expect(again.status).toBe(200);
    expect(again.body).toContain('id="signed-in-user"');
    expect(again.body).not.toContain('wprus-next');
  });
});
