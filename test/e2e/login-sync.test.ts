import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium.js';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ActivityLogEntry } from '../../src/modules/activity-log/activity-log.entity.js';
import { eventually } from '../support/eventually.js';
import { createUserEverywhere, federate, sessionsOf, setBrowserSupport } from '../support/federation.js';
import { freePort, startPeerApp, type TestApp } from '../support/test-app.js';

const SCREENSHOTS = 'test-output';
/** Safari on an iPhone: the plugin's formula sends it through the redirect chain. */
const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const LOGIN = 'e2e_bob';
const profiles: string[] = [];
const PASSWORD = 'Correct horse battery 9';

/**
 * A Chromium profile of its own. `cookie_controls_mode` is the "Third-party cookies" setting: 0 allows
 * them (what the iframe mode needs), 1 blocks them, as Safari does. (Off-the-record contexts, which
 * `browser.newContext()` creates, always block them.)
 */
async function launchProfile(
  thirdPartyCookies: 'allowed' | 'blocked',
  userAgent?: string,
): Promise<BrowserContext> {
  const dir = await mkdtemp(join(tmpdir(), 'rus-e2e-'));
  await mkdir(join(dir, 'Default'));
  await writeFile(
    join(dir, 'Default', 'Preferences'),
    JSON.stringify({ profile: { cookie_controls_mode: thirdPartyCookies === 'allowed' ? 0 : 1 } }),
  );
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS],
    viewport: { width: 900, height: 700 },
    ...(userAgent ? { userAgent } : {}),
  });
  profiles.push(dir);
  return context;
}

/** Every request of the page's top frame, redirects included. */
function topLevelRequests(page: Page): Request[] {
  const requests: Request[] = [];
  page.on('request', (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) requests.push(request);
  });
  return requests;
}

const shape = (r: Request) =>
  `${r.method()} ${r.url().replace(/wprusdata=[^&]+&token=[0-9a-f]{32}$/, 'wprusdata=…&token=…')}`;

describe.skipIf(!existsSync(CHROMIUM_PATH))('login and logout across two servers in Chromium', () => {
  let a: TestApp;
  let b: TestApp;
  let deadSite: string;
  let siteOfAOnB: string;
  let allowed: BrowserContext;
  let blocked: BrowserContext;

  beforeAll(async () => {
    a = await startPeerApp('127.0.0.1');
    b = await startPeerApp('127.0.0.2');
    // A third site that is down: it must never strand the browser.
    deadSite = `http://127.0.0.3:${await freePort('127.0.0.3')}`;
    await federate(a, [b.url, deadSite]);
    [siteOfAOnB] = (await federate(b, [a.url])) as [string];
    await createUserEverywhere([a, b], LOGIN, PASSWORD, 'Bob E2E');
    await mkdir(SCREENSHOTS, { recursive: true });
    [allowed, blocked] = await Promise.all([
      launchProfile('allowed'),
      launchProfile('blocked', IPHONE_SAFARI),
    ]);
  }, 60_000);

  afterAll(async () => {
    await allowed?.close();
    await blocked?.close();
    for (const dir of profiles) await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    await a?.destroy();
    await b?.destroy();
  });

  beforeEach(async () => {
    for (const context of [allowed, blocked]) await context.clearCookies();
    for (const app of [a, b]) await setBrowserSupport(app, {});
  });

  async function signIn(page: Page, remember = false): Promise<void> {
    await page.goto(`${a.url}/login`);
    await page.getByLabel('Username or e-mail address').fill(LOGIN);
    await page.getByLabel('Password').fill(PASSWORD);
    if (remember) await page.getByLabel('Remember me').check();
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** What the browser itself shows on a server's sign-in page (its own cookies, top level). */
  async function signedInAs(page: Page, app: TestApp): Promise<string | null> {
    await page.goto(`${app.url}/login`);
    const who = page.locator('#signed-in-user');
    return (await who.count()) ? await who.textContent() : null;
  }

  async function skippedDeadSite(): Promise<boolean> {
    await a.services.activity.flush();
    const entries = await a.orm.em.fork().find(ActivityLogEntry, { event: 'async.skipped' });
    return entries.some((e) => e.message.includes(deadSite) && e.cause === 'site_unreachable');
  }

  it('iframe mode: signing in on one server signs in on the other; signing out signs out on both', async () => {
    const page = await allowed.newPage();
    await page.goto(`${a.url}/login`);
    await expect.poll(() => page.title()).toBe('Sign in');
    await page.screenshot({ path: `${SCREENSHOTS}/login-page.png` });

    await page.getByLabel('Username or e-mail address').fill(LOGIN);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('wrong password');
    await page.screenshot({ path: `${SCREENSHOTS}/login-page-error.png` });

    await signIn(page, true);
    await expect.poll(() => page.locator('#wprus-status').textContent()).toBe('Signed in on 1 other site.');
    expect(await page.locator('#signed-in-user').textContent()).toBe(`Bob E2E (${LOGIN})`);
    await page.screenshot({ path: `${SCREENSHOTS}/login-signed-in.png` });
    // Only the hidden iframe to B was emitted: the site that is down was skipped, not framed.
    expect(await page.locator('#wprus-async iframe').count()).toBe(1);
    expect(await skippedDeadSite()).toBe(true);

    const onB = await sessionsOf(b, LOGIN);
    expect(onB).toEqual([
      expect.objectContaining({ origin: 'PEER', originSiteId: siteOfAOnB, remember: true }),
    ]);
    expect(await signedInAs(page, b)).toBe(`Bob E2E (${LOGIN})`);

    await page.goto(`${a.url}/login`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.locator('#wprus-status').textContent()).toBe('Signed out of 1 other site.');
    expect(await page.getByRole('status').first().textContent()).toBe('You are signed out.');
    expect(await sessionsOf(b, LOGIN)).toEqual([]);
    expect(await sessionsOf(a, LOGIN)).toEqual([]);
    expect(await signedInAs(page, b)).toBeNull();
    expect(await signedInAs(page, a)).toBeNull();
    await page.close();
  }, 60_000);

  it('redirect mode (forced): the browser is chained through the other server and back', async () => {
    for (const app of [a, b]) await setBrowserSupport(app, { forceLoginLogoutStrict: true });
    const page = await allowed.newPage();
    const hops = topLevelRequests(page);
    await signIn(page);
    await expect.poll(() => page.locator('#signed-in-user').count(), { timeout: 15_000 }).toBe(1);
    expect(page.url()).toBe(`${a.url}/login`);
    // The form, its POST, A's "Processing…" page, B's login URL in the top frame, back to A by B's 303.
    expect(hops.map(shape)).toEqual([
      `GET ${a.url}/login`,
      `POST ${a.url}/auth/login`,
      `GET ${a.url}/login`,
      `GET ${b.url}/wprus/login/?wprusdata=…&token=…`,
      `GET ${a.url}/login`,
    ]);
    expect(await sessionsOf(b, LOGIN)).toHaveLength(1);
    expect(await skippedDeadSite()).toBe(true);
    expect(await signedInAs(page, b)).toBe(`Bob E2E (${LOGIN})`);

    await page.goto(`${a.url}/login`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.locator('#wprus-status').textContent()).toBe('Signed out of 1 other site.');
    await eventually(async () => expect(await sessionsOf(b, LOGIN)).toEqual([]));
    expect(await signedInAs(page, b)).toBeNull();
    await page.close();
  }, 60_000);

  it('redirect mode, silent: HTTP 303s only, no "Processing…" page', async () => {
    for (const app of [a, b])
      await setBrowserSupport(app, { forceLoginLogoutStrict: true, silentLoginLogoutStrict: true });
    const page = await allowed.newPage();
    const hops = topLevelRequests(page);
    const pages: string[] = [];
    page.on('load', () => pages.push(page.url()));
    await signIn(page);
    await expect.poll(() => page.locator('#signed-in-user').count(), { timeout: 15_000 }).toBe(1);
    expect(hops.map(shape)).toEqual([
      `GET ${a.url}/login`,
      `POST ${a.url}/auth/login`,
      `GET ${a.url}/login`,
      `GET ${b.url}/wprus/login/?wprusdata=…&token=…`,
      `GET ${a.url}/login`,
    ]);
    // The form, then the end of the chain: the steps in between were 303s, no page was shown.
    expect(pages).toEqual([`${a.url}/login`, `${a.url}/login`]);
    expect(await sessionsOf(b, LOGIN)).toHaveLength(1);
    await page.close();
  }, 60_000);

  it('third-party cookies blocked (Safari on iPhone): the redirect chain signs in, logout still signs out everywhere', async () => {
    const page = await blocked.newPage();
    const hops = topLevelRequests(page);
    await signIn(page);
    await expect.poll(() => page.locator('#signed-in-user').count(), { timeout: 15_000 }).toBe(1);
    expect(hops.map(shape)).toEqual([
      `GET ${a.url}/login`,
      `POST ${a.url}/auth/login`,
      `GET ${a.url}/login`,
      `GET ${b.url}/wprus/login/?wprusdata=…&token=…`,
      `GET ${a.url}/login`,
    ]);
    expect(await signedInAs(page, b)).toBe(`Bob E2E (${LOGIN})`);
    await page.screenshot({ path: `${SCREENSHOTS}/login-signed-in-safari.png` });

    // Logout runs in an iframe (as in the plugin); B receives it without its cookie and, Safari being
    // a strict browser, ends every session of the user.
    await page.goto(`${a.url}/login`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.locator('#wprus-status').textContent()).toBe('Signed out of 1 other site.');
    await eventually(async () => expect(await sessionsOf(b, LOGIN)).toEqual([]));
    expect(await signedInAs(page, b)).toBeNull();
    expect(await signedInAs(page, a)).toBeNull();
    await page.close();
  }, 60_000);

  it('third-party cookies blocked, iframe mode forced: the login cannot reach the other server (why redirect mode exists)', async () => {
    for (const app of [a, b]) await setBrowserSupport(app, { forceDisableLoginLogoutStrict: true });
    const page = await blocked.newPage();
    await signIn(page);
    await expect.poll(() => page.locator('#wprus-status').textContent()).toBe('Signed in on 1 other site.');
    // B did open a session, but the browser refused its cookie in the third-party iframe.
    expect(await sessionsOf(b, LOGIN)).toHaveLength(1);
    expect(await signedInAs(page, b)).toBeNull();
    await b.gql(
      `mutation { destroyUserSessions(input: { login: "${LOGIN}", notifySites: false }) { destroyed } }`,
    );
    await page.close();
  }, 60_000);
});
