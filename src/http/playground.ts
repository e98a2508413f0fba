import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { getDistDirectory, isSandboxFrame, renderAltair, type AltairConfigOptions } from 'altair-static';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';

const ASSETS_PREFIX = '/playground/';
/** Our own file, not altair-static's: the `AltairGraphQL.init` call, kept out of the page for the CSP. */
const INIT_SCRIPT = 'init.js';

/**
 * No inline script and no eval. Angular adds component styles at runtime, hence `'unsafe-inline'` for
 * styles. `'self'` also allows ws(s):// to this host (CSP 3) for subscriptions. (Zod inside Altair probes
 * for eval once at start-up and falls back quietly; browsers report that probe as a violation.)
 */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * What we serve from altair-static, by extension. No HTML: the page is rendered here, with its CSP.
 * Altair's `iframe-sandbox/` is not served either: on this origin it would `eval` scripts posted by any
 * window that names itself in `?sc=`, next to the stored token. Altair runs request scripts in its
 * in-page interpreter instead (`beta.disable.newScript`).
 */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

/** Build output named by content hash never changes under the same URL; the rest is revalidated. */
const HASHED_ASSET = /(?:^|\/)(?:chunk|worker)-[A-Z0-9]{8}\.js$/;

/**
 * The admin token lives in an Altair environment variable: pasted once, used by the `Authorization`
 * header and the graphql-ws connection params, and stored only in the browser.
 */
function altairOptions(endpoint: string): AltairConfigOptions {
  return {
    initialName: 'remote-users-sync',
    endpointURL: endpoint,
    subscriptionsEndpoint: endpoint,
    initialSubscriptionRequestHandlerId: 'graphql-ws',
    initialHeaders: { Authorization: 'Bearer {{adminToken}}' },
    initialSubscriptionsPayload: { authorization: 'Bearer {{adminToken}}' },
    initialEnvironments: { base: { title: 'Environment', variables: { adminToken: '' } } },
    initialQuery: [
      '# Every operation needs an admin token: set "adminToken" under',
      '# No environment > Environments... > Global environment, then Save.',
      '{',
      '  adminTokens {',
      '    id',
      '    name',
      '  }',
      '}',
      '',
    ].join('\n'),
    instanceStorageNamespace: 'remote_users_sync_',
    // Nothing that would call out to altairgraphql.dev or a CDN.
    disableAccount: true,
    initialSettings: {
      'alert.disableUpdateNotification': true,
      'banners.disable': true,
      disablePushNotification: true,
      'plugin.list': [],
      'beta.disable.newScript': true,
    },
  };
}

/**
 * `subscriptionsEndpoint` is relative, so Altair completes it with the page's host and this protocol.
 * The browser knows whether the page came over TLS (a proxy in front of us may have terminated it).
 */
function renderInitScript(endpoint: string): string {
  return `const options = ${JSON.stringify(altairOptions(endpoint))};
options.subscriptionsProtocol = location.protocol === 'https:' ? 'wss' : 'ws';
AltairGraphQL.init(options);
`;
}

/** Whether an `Accept` header prefers HTML to a GraphQL response (JSON wins ties, wildcards don't count). */
export function prefersHtml(accept: string | undefined): boolean {
  let html = 0;
  let json = 0;
  for (const part of (accept ?? '').split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? '1');
    if (Number.isNaN(q)) continue;
    if (type === 'text/html') html = Math.max(html, q);
    if (type === 'application/json' || type === 'application/graphql-response+json') json = Math.max(json, q);
  }
  return html > json;
}

/** A browser opening the endpoint, as opposed to a GraphQL GET (which carries `query`). */
function isPageRequest(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const query = request.query as Record<string, unknown> | undefined;
  return query?.['query'] === undefined && prefersHtml(request.headers.accept);
}

/** The path `relative` names under `root`, or null when it is `root` itself or outside it. */
export function resolveInside(root: string, relative: string): string | null {
  if (relative.includes('\0')) return null;
  const resolved = path.resolve(root, relative);
  const rel = path.relative(root, resolved);
  if (!rel || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return null;
  return resolved;
}

async function sendAsset(
  request: FastifyRequest,
  reply: FastifyReply,
  root: string,
  relative: string,
): Promise<FastifyReply> {
  reply.header('x-content-type-options', 'nosniff');
  const file = resolveInside(root, relative);
  const type = file && CONTENT_TYPES[path.extname(file).toLowerCase()];
  const info = file && type && !isSandboxFrame(relative) ? await stat(file).catch(() => null) : null;
  if (!file || !type || !info?.isFile()) {
    return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
  }

  const etag = `"${info.size.toString(36)}-${Math.trunc(info.mtimeMs).toString(36)}"`;
  reply
    .header('etag', etag)
    .header(
      'cache-control',
      HASHED_ASSET.test(relative) ? 'public, max-age=31536000, immutable' : 'public, no-cache',
    )
    .type(type);
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.header('content-length', info.size).send(createReadStream(file));
}

/**
 * The offline GraphQL playground: Altair's UI from altair-static, served by this server (no CDN). A
 * browser opening the GraphQL endpoint gets the page; GraphQL requests to it are left to Apollo. The
 * page and its assets are public; every operation it sends still needs an admin token.
 *
 * Call before the endpoint's route is registered: the page is served from an `onRequest` hook attached
 * to that route alone. Start-up fails if no GET route appears at `endpoint`.
 */
export function registerPlayground(fastify: FastifyInstance, options: { endpoint: string }): void {
  const { endpoint } = options;
  const root = getDistDirectory();
  const page = renderAltair({ baseURL: ASSETS_PREFIX, serveInitialOptionsInSeperateRequest: INIT_SCRIPT });
  const initScript = renderInitScript(endpoint);

  const servePage: onRequestHookHandler = (request, reply, done) => {
    if (!isPageRequest(request)) {
      done();
      return;
    }
    void reply
      .header('content-security-policy', PAGE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache')
      .header('vary', 'accept')
      .type('text/html; charset=utf-8')
      .send(page);
  };

  let attached = false;
  fastify.addHook('onRoute', (route) => {
    const methods = [route.method].flat();
    if (route.url !== endpoint || !(methods.includes('GET') || methods.includes('HEAD'))) return;
    route.onRequest = [servePage, ...(route.onRequest ? [route.onRequest].flat() : [])];
    attached = true;
  });
  fastify.addHook('onReady', (done) => {
    done(attached ? undefined : new Error(`playground: no GET route was registered at ${endpoint}`));
  });

  fastify.get(`${ASSETS_PREFIX}${INIT_SCRIPT}`, (_request, reply) =>
    reply
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache')
      .type('text/javascript; charset=utf-8')
      .send(initScript),
  );
  fastify.get(`${ASSETS_PREFIX}*`, (request, reply) =>
    sendAsset(request, reply, root, (request.params as { '*': string })['*']),
  );
}
