import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium.js';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { chromium, type Browser, type BrowserContext, type Page, type WebSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../support/test-app.js';

const SCREENSHOTS = 'test-output';
const BROWSER_HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** GET with the path sent exactly as written (fetch would normalise `..` away). */
function rawGet(baseUrl: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${baseUrl}/`, { path }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('offline playground over HTTP', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ PLAYGROUND: 'offline' });
  });
  afterAll(async () => {
    await app.destroy();
  });

  it('serves the Altair page to a browser, with a CSP and nosniff', async () => {
    const res = await fetch(`${app.url}/graphql`, { headers: { accept: BROWSER_HTML } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe-eval');
    const html = await res.text();
    expect(html).toContain('<base href="/playground/">');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(html).not.toContain(TEST_ADMIN_TOKEN);
  });

  it('leaves GraphQL GET and POST requests to Apollo', async () => {
    const get = await fetch(`${app.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: BROWSER_HTML, 'apollo-require-preflight': '1' },
    });
    expect(get.headers.get('content-type')).toMatch(/^application\/json/);
    const json = await fetch(`${app.url}/graphql`, { headers: { accept: 'application/json' } });
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await app.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('serves assets with their types and caching, and nothing outside the package', async () => {
    const main = await fetch(`${app.url}/playground/main.js`);
    expect(main.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(main.headers.get('x-content-type-options')).toBe('nosniff');
    expect(main.headers.get('cache-control')).toBe('public, no-cache');
    const etag = main.headers.get('etag') ?? '';
    await main.arrayBuffer();
    const again = await fetch(`${app.url}/playground/main.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const font = await fetch(`${app.url}/playground/media/jetbrains-mono-latin-400-normal.woff2`);
    expect(font.headers.get('content-type')).toBe('font/woff2');

    for (const path of [
      '/playground/..%2fpackage.json',
      '/playground/..%2f..%2fpackage.json',
      '/playground/%2fetc%2fpasswd',
      '/playground/assets/..%2f..%2f..%2fpackage.json',
      '/playground/index.html',
      '/playground/iframe-sandbox/index.html',
      '/playground/',
    ]) {
      expect(await rawGet(app.url, path), path).toBe(404);
    }
  });
});

describe.each([
  ['sandbox', 200],
  ['none', 400],
] as const)('PLAYGROUND=%s', (mode, status) => {
  it('does not serve the offline playground', async () => {
    const app = await startTestApp({ PLAYGROUND: mode });
    try {
      const page = await fetch(`${app.url}/graphql`, { headers: { accept: BROWSER_HTML } });
      expect(page.status).toBe(status);
      const body = await page.text();
      if (mode === 'sandbox') expect(body).toContain('apollo');
      else expect(page.headers.get('content-type')).not.toMatch(/text\/html/);
      expect(body).not.toContain('/playground/');
      expect((await fetch(`${app.url}/playground/main.js`)).status).toBe(404);
    } finally {
      await app.destroy();
    }
  });
});

describe.skipIf(!existsSync(CHROMIUM_PATH))('offline playground in Chromium', () => {
  let app: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const offsite: string[] = [];
  const cspViolations: string[] = [];
  const sockets: WebSocket[] = [];
  const framesSent: string[] = [];

  beforeAll(async () => {
    app = await startTestApp({ PLAYGROUND: 'offline' });
    await mkdir(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [...CHROMIUM_ARGS, '--disable-quic'],
    });
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    // The machine is offline anyway; this makes any attempt to leave localhost visible.
    await context.route('**', (route) => {
      const url = route.request().url();
      if (['127.0.0.1', 'localhost'].includes(new URL(url).hostname)) return route.continue();
      offsite.push(url);
      return route.abort('blockedbyclient');
    });
    await context.addInitScript(
      `document.addEventListener('securitypolicyviolation', (e) =>
        console.warn('csp-violation', e.violatedDirective, e.blockedURI, e.sourceFile));`,
    );
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.text().startsWith('csp-violation')) cspViolations.push(message.text());
    });
    page.on('websocket', (ws) => {
      sockets.push(ws);
      ws.on('framesent', (frame) => framesSent.push(String(frame.payload)));
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.destroy();
  });

  const sendButton = () => page.locator('button.send-request__button');
  const resultText = () => page.locator('app-query-result .cm-content').textContent();

  /** Replaces the content of a CodeMirror editor (insertText bypasses auto-closing brackets). */
  async function fillEditor(selector: string, text: string): Promise<void> {
    await page.locator(selector).first().click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(text);
  }

  it('renders Altair from this server alone, and runs a query with the token from an environment', async () => {
    await page.goto(`${app.url}/graphql`);
    await expect.poll(() => sendButton().textContent(), { timeout: 20_000 }).toContain('Send Request');
    await page.screenshot({ path: `${SCREENSHOTS}/playground-loaded.png` });

    // Without the token, the API refuses.
    await sendButton().click();
    await expect.poll(resultText).toContain('UNAUTHENTICATED');

    await page.getByText('No environment', { exact: true }).click();
    await page.getByText('Environments...', { exact: true }).click();
    await fillEditor(
      '.environments-editor-textarea .cm-content',
      JSON.stringify({ adminToken: TEST_ADMIN_TOKEN }),
    );
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.ant-modal-content').waitFor({ state: 'detached' }); // Save closes the dialog

    await fillEditor('app-query-editor .cm-content', '{ adminTokens { id name } }');
    await sendButton().click();
    // The refusal above also names `adminTokens` (in its error path): wait for data, not the name.
    await expect.poll(resultText).toMatch(/"data":\s*\{\s*"adminTokens":\s*\[/);
    expect(await resultText()).not.toContain('UNAUTHENTICATED');
    await page.screenshot({ path: `${SCREENSHOTS}/playground-query.png` });

    expect(offsite).toEqual([]);
    // Zod probes for eval once (`new Function('')` in a try) and falls back; anything else is a problem.
    expect(cspViolations.filter((v) => !/^csp-violation script-src eval /.test(v))).toEqual([]);
  }, 60_000);

  it('runs a subscription over graphql-ws and shows the event a mutation causes', async () => {
    await fillEditor('app-query-editor .cm-content', 'subscription { userChanged { login type } }');
    await sendButton().click();
    await expect.poll(() => framesSent.some((f) => f.includes('"type":"subscribe"'))).toBe(true);

    const socket = sockets.at(-1);
    expect(socket?.url()).toBe(`${app.url.replace(/^http/, 'ws')}/graphql`);
    const init = JSON.parse(framesSent.find((f) => f.includes('"connection_init"')) ?? '{}');
    expect(init.payload).toEqual({ authorization: `Bearer ${TEST_ADMIN_TOKEN}` });

    // The server registers the subscription shortly after the frame: create users until one shows.
    const created: string[] = [];
    await expect
      .poll(
        async () => {
          const login = `playground_${created.length}`;
          created.push(login);
          const res = await app.gql(
            'mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } } }',
            { input: { login, email: `${login}@example.org` } },
          );
          expect(res.errors).toBeUndefined();
          const text = (await resultText()) ?? '';
          return created.some((l) => text.includes(`"${l}"`)) && text.includes('"user.created"');
        },
        { timeout: 15_000, interval: 500 },
      )
      .toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}/playground-subscription.png` });
    expect(offsite).toEqual([]);
  }, 60_000);
});
