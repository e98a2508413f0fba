import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { getDistDirectory, renderAltair, SANDBOX_FRAME_CSP, type AltairConfigOptions } from 'altair-static';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';

const ASSETS_PREFIX = '/playground/';
/** Served by us, not by altair-static: the page's init call, kept out of the HTML so CSP needs no inline script. */
const INIT_SCRIPT = 'init.js';

/**
 * Altair's Angular build injects component styles at runtime, hence `style-src 'unsafe-inline'`. Scripts
 * are all files (no inline script, no eval); `connect-src 'self'` covers ws(s):// to this host (CSP 3).
 */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-src 'self'",
  "base-uri 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Altair's pre-request script sandbox runs in an opaque origin of its own (altair-static's advice). */
const SANDBOX_CSP = `${SANDBOX_FRAME_CSP}; default-src 'none'; script-src 'self'; style-src 'self'; frame-ancestors 'self'`;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

/** Build output whose name carries a content hash never changes under the same URL. */
const HASHED_ASSET = /(?:^|\/)(?:chunk|index)-[A-Za-z0-9_-]{8}\.js$|^media\//;

/** The token lives in an Altair environment variable, so it is pasted once and stays in the browser. */
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
      '# Every operation needs an admin token: open Environments and set "adminToken".',
      '{',
      '  adminTokens {',
      '    id',
      '    name',
      '  }',
      '}',
      '',
    ].join('\n'),
    instanceStorageNamespace: 'remote_users_sync_',
    disableAccount: true,
    initialSettings: {
      'alert.disableUpdateNotification': true,
      'banners.disable': true,
      disablePushNotification: true,
      'plugin.list': [],
    },
  };
}

/**
 * `subscriptionsEndpoint` is relative; Altair completes it with the page's host and this protocol. The
 * browser knows best whether the page came over TLS (a proxy in front of us may terminate it).
 */
function renderInitScript(endpoint: string): string {
  return `const options = ${JSON.stringify(altairOptions(endpoint))};
options.subscriptionsProtocol = location.protocol === 'https:' ? 'wss' : 'ws';
AltairGraphQL.init(options);
`;
}

/** Whether a GET is a browser navigation rather than a GraphQL request: it prefers HTML over JSON. */
function prefersHtml(accept: string | undefined): boolean {
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

function isPageRequest(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const query = request.query as Record<string, unknown> | undefined;
  return !query?.['query'] && prefersHtml(request.headers.accept);
}

/** The file under `root` that `relative` names, or null when it would leave `root`. */
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
  const info = file ? await stat(file).catch(() => null) : null;
  if (!file || !info?.isFile()) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');

  const etag = `"${info.size.toString(36)}-${Math.trunc(info.mtimeMs).toString(36)}"`;
  const relativeToRoot = path.relative(root, file).split(path.sep).join('/');
  reply
    .header('etag', etag)
    .header(
      'cache-control',
      HASHED_ASSET.test(relativeToRoot) ? 'public, max-age=31536000, immutable' : 'public, no-cache',
    )
    .type(CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream');
  if (relativeToRoot.startsWith('iframe-sandbox/') && relativeToRoot.endsWith('.html')) {
    reply.header('content-security-policy', SANDBOX_CSP);
  }
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.header('content-length', info.size).send(createReadStream(file));
}

/**
 * Offline GraphQL playground: Altair's UI from altair-static, served by this server (no CDN). A browser
 * opening the GraphQL endpoint gets the page; GraphQL requests to it are left to Apollo. The page and its
 * assets are public; every operation it sends still needs an admin token, which Altair keeps in the
 * browser.
 *
 * Call before the endpoint's route is registered: the page is served from an `onRequest` hook that is
 * attached to that route alone.
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
    if (route.url !== endpoint || !['GET', 'HEAD'].some((m) => [route.method].flat().includes(m))) return;
    const existing = route.onRequest ? [route.onRequest].flat() : [];
    route.onRequest = [servePage, ...existing];
    attached = true;
  });
  fastify.addHook('onReady', (done) => {
    done(attached ? undefined : new Error(`playground: no GET route at ${endpoint} was registered`));
  });

  fastify.get(`${ASSETS_PREFIX}${INIT_SCRIPT}`, (_request, reply) =>
    reply
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache')
      .type('text/javascript; charset=utf-8')
      .send(initScript),
  );
  fastify.get(`${ASSETS_PREFIX}*`, (request, reply) => {
    const relative = (request.params as { '*': string })['*'];
    return sendAsset(request, reply, root, relative);
  });
}
