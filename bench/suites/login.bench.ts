import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../test/support/chromium.js';
import { createServer } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import type { App } from '../../src/app.js';
import { Session } from '../../src/modules/sessions/session.entity.js';
import { gql, startBenchApp } from '../lib/bench-app.js';
import { fmt, percentile, type SuiteResult } from '../lib/report.js';

const REMOTES = 5;
const RUNS = Number(process.env['BENCH_LOGIN_RUNS'] ?? 40);
const WARMUP = 3;
const LOGIN = 'bench_login_user';
const PASSWORD = 'Bench-login-pass-1';
const KEYS = 'aesKey: "bench-login-aes-key-0123456789", hmacKey: "bench-login-hmac-key-0123456789"';

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function startOn(host: string): Promise<App & { dispose(): Promise<void> }> {
  const port = await freePort(host);
  return startBenchApp({ HOST: host, PORT: String(port), PUBLIC_URL: `http://${host}:${port}` });
}

async function browserSupport(apps: readonly App[], silent: boolean): Promise<void> {
  for (const app of apps)
    await gql(
      app,
      `mutation { updateSecuritySettings(input: { forceLoginLogoutStrict: true, silentLoginLogoutStrict: ${silent} }) { warnings } }`,
    );
}

/**
 * One sign-in per run in a fresh browser context: from the click on "Sign in" until the browser,
 * having been through all 5 remote sites, shows the signed-in page back home. Each run is then
 * checked: one new session per remote site.
 */
async function measure(
  browser: Browser,
  local: App,
  remotes: readonly App[],
  runs: number,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs + WARMUP; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${local.url}/login`);
    await page.fill('#login', LOGIN);
    await page.fill('#password', PASSWORD);
    const before = await Promise.all(remotes.map((r) => r.orm.em.fork().count(Session, {})));
    const started = performance.now();
    await page.click('button[type=submit]');
    await page.waitForSelector('#signed-in-user', { timeout: 30_000 });
    const elapsed = performance.now() - started;
    if (page.url() !== `${local.url}/login`) throw new Error(`login bench: ended on ${page.url()}`);
    const after = await Promise.all(remotes.map((r) => r.orm.em.fork().count(Session, {})));
    if (after.some((n, k) => n !== (before[k] ?? 0) + 1))
      throw new Error(
        `login bench: not signed in on every remote site (${before.join(',')} → ${after.join(',')})`,
      );
    if (i >= WARMUP) times.push(elapsed);
    await context.close();
  }
  return times.sort((x, y) => x - y);
}

export async function run(): Promise<SuiteResult> {
  const local = await startOn('127.0.0.1');
  const remotes: (App & { dispose(): Promise<void> })[] = [];
  let browser: Browser | null = null;
  try {
    for (let i = 0; i < REMOTES; i++) remotes.push(await startOn(`127.0.0.${i + 2}`));
    for (const app of [local, ...remotes]) {
      const others = app === local ? remotes : [local];
      await gql(
        app,
        `mutation { updateSecuritySettings(input: { ${KEYS} }) { warnings }
          createUser(input: { login: "${LOGIN}", email: "${LOGIN}@example.org", password: "${PASSWORD}" }) { user { id } } }`,
      );
      for (const other of others)
        await gql(
          app,
          `mutation { createSite(input: { url: "${other.url}", incomingActions: [LOGIN, LOGOUT], outgoingActions: [LOGIN, LOGOUT] }) { site { id } } }`,
        );
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [...CHROMIUM_ARGS],
    });
    await browserSupport([local, ...remotes], false);
    const page = await measure(browser, local, remotes, RUNS);
    process.stdout.write(
      `  redirect page: p50 ${fmt(percentile(page, 50))} ms, p99 ${fmt(percentile(page, 99))} ms\n`,
    );
    await browserSupport([local, ...remotes], true);
    const silent = await measure(browser, local, remotes, RUNS);
    process.stdout.write(
      `  silent 303s: p50 ${fmt(percentile(silent, 50))} ms, p99 ${fmt(percentile(silent, 99))} ms\n`,
    );
    return {
      suite: 'login',
      title: 'Sign-in across 5 remote sites (redirect chain, Chromium)',
      command: 'npm run bench login',
      setup: `Six servers on one machine (127.0.0.1 signs in, 127.0.0.2–6 are its remote sites, Login enabled both ways), MariaDB, Debian's Chromium headless. Redirect mode forced (the plugin's "Force Login Redirects"): after the form is submitted the browser visits each remote site's \`/wprus/login/\` in turn, each URL with a fresh single-use token requested by the server, and comes back. Time from the click on "Sign in" to the signed-in page back home (password check with bcrypt included), ${RUNS} runs after ${WARMUP} warm-up runs, each in a fresh browser context and checked for one new session on every remote site.`,
      figures: [
        { metric: 'sign-in on 5 sites, redirect page: p50', value: `${fmt(percentile(page, 50))} ms` },
        { metric: 'sign-in on 5 sites, redirect page: p99', value: `${fmt(percentile(page, 99))} ms` },
        { metric: 'sign-in on 5 sites, silent 303s: p50', value: `${fmt(percentile(silent, 50))} ms` },
        { metric: 'sign-in on 5 sites, silent 303s: p99', value: `${fmt(percentile(silent, 99))} ms` },
      ],
    };
  } finally {
    await browser?.close();
    for (const app of [local, ...remotes]) await app.dispose();
  }
}
