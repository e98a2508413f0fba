import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../shared/app-error.js';
import type { ActivityInput } from '../activity-log/activity-log.service.js';
import type { AsyncActionService, AsyncUrl } from './async-actions.service.js';
import { LOGIN_CSS, LOGIN_JS } from './auth-assets.js';
import {
  isSameOrigin,
  localRedirect,
  seeOther,
  sendAuthError,
  setPageHeaders,
  wantsJson,
} from './auth-http.js';
import type { AsyncSummary, AuthService } from './auth.service.js';
import { redirectPage, signedInPage, signInPage, type IframeBlock } from './login.page.js';
import type { ResolvedSession, SessionService } from './session.service.js';

export interface AuthRoutesOptions {
  readonly auth: AuthService;
  readonly sessions: SessionService;
  readonly async: AsyncActionService;
  /** Path prefixes to serve under ('' and, when PUBLIC_URL has a path, that path). */
  readonly prefixes: readonly string[];
  /** The path of PUBLIC_URL ('' at the root): links and redirects are built under it. */
  readonly base: string;
  readonly publicUrl: string;
  /** The client's address (the socket's, or X-Forwarded-For from a trusted proxy). */
  clientIp(req: FastifyRequest): Promise<string>;
  /** Origins of the sites the pages may frame or send the browser to (login/logout outgoing). */
  siteOrigins(): Promise<string[]>;
  log(entry: ActivityInput): void;
}

const FORM_LIMIT = 16 * 1024;

const truthy = z
  .union([z.boolean(), z.string(), z.number()])
  .optional()
  .transform(
    (v) =>
      v === true || v === 1 || (typeof v === 'string' && ['1', 'on', 'true', 'yes', 'forever'].includes(v)),
  );

/** The sign-in form (`login`, `password`, `remember`, `redirect_to`) or its JSON twin (`callbackUrl`). */
const signInBody = z.object({
  login: z.string().max(200).default(''),
  password: z.string().max(16_384).default(''),
  remember: truthy,
  rememberme: truthy,
  redirect_to: z.string().max(2048).optional(),
  callbackUrl: z.string().max(2048).optional(),
});

const outBody = z.object({ redirect_to: z.string().max(2048).optional() }).optional();

/**
 * Browser auth over HTTP: the sign-in page (`GET /login`, also the page that performs the remote
 * login/logout), `POST /auth/login`, `POST /auth/logout` (forms or JSON) and `GET /auth/session`.
 */
export async function registerAuthRoutes(fastify: FastifyInstance, o: AuthRoutesOptions): Promise<void> {
  const publicOrigin = new URL(o.publicUrl).origin;

  const safeRedirect = (value: unknown): string | null => localRedirect(value, o.publicUrl);
  const sameOrigin = (req: FastifyRequest): boolean => isSameOrigin(req, o.publicUrl);
  const pageHeaders = async (reply: FastifyReply, framed: readonly AsyncUrl[] = []): Promise<void> => {
    setPageHeaders(reply, [...new Set(framed.map((u) => new URL(u.url).origin))], await o.siteOrigins());
  };
  const sendError = sendAuthError;

  const refuseCrossOrigin = (req: FastifyRequest, ip: string): AppError => {
    o.log({
      type: 'alert',
      event: 'auth.refused',
      message: `${req.url.split('?')[0] ?? ''} refused - posted from another site (${String(req.headers.origin ?? req.headers.referer)})`,
      outcome: 'refused',
      cause: 'cross_origin',
      remoteIp: ip,
    });
    return new AppError('FORBIDDEN', 'This form was posted from another site.');
  };

  const client = async (req: FastifyRequest) => ({
    cookieHeader: req.headers.cookie,
    userAgent: req.headers['user-agent'],
    remoteIp: await o.clientIp(req),
  });

  const asyncJson = (a: AsyncSummary) => ({
    action: a.action,
    mode: a.mode,
    urls: a.urls.map((u) => ({ site: u.siteUrl, url: u.url })),
  });

  const userJson = (r: ResolvedSession) => ({
    user: {
      id: r.user.id,
      login: r.user.userLogin,
      email: r.user.userEmail,
      displayName: r.user.displayName,
    },
    session: { createdAt: r.session.createdAt, expiresAt: r.session.expiresAt, remember: r.session.remember },
  });

  const renderSignedOut = async (
    reply: FastifyReply,
    status: number,
    options: Omit<Parameters<typeof signInPage>[0], 'base'>,
  ) => {
    await pageHeaders(reply, options.async?.urls);
    return reply.code(status).send(signInPage({ base: o.base, ...options }));
  };

  const loginPage = async (
    req: FastifyRequest<{ Querystring: Record<string, unknown> }>,
    reply: FastifyReply,
  ) => {
    const resolved = await o.sessions.resolve(req.headers.cookie);
    const step = await o.async.continue(req.headers.cookie, resolved?.session.id ?? null);
    const redirectTo = safeRedirect(req.query['redirect_to']);
    const notice = req.query['loggedout'] ? 'You are signed out.' : null;
    let block: IframeBlock | null = null;
    switch (step.kind) {
      case 'redirect':
        if (step.silent) return seeOther(reply, step.url);
        await pageHeaders(reply);
        return reply
          .code(200)
          .send(
            redirectPage({ base: o.base, action: step.action, url: step.url, remaining: step.remaining }),
          );
      case 'iframes':
        void reply.header('set-cookie', step.clearCookie);
        block = { action: step.action, urls: step.urls, redirectTo: step.redirectTo };
        break;
      case 'done':
        void reply.header('set-cookie', step.clearCookie);
        if (step.redirectTo) return seeOther(reply, step.redirectTo);
        break;
      case 'none':
        if (step.clearCookie) void reply.header('set-cookie', step.clearCookie);
        if (resolved && redirectTo) return seeOther(reply, redirectTo);
        break;
    }
    if (!resolved) return renderSignedOut(reply, 200, { notice, redirectTo, async: block });
    await pageHeaders(reply, block?.urls);
    return reply.code(200).send(
      signedInPage({
        base: o.base,
        login: resolved.user.userLogin,
        displayName: resolved.user.displayName,
        async: block,
      }),
    );
  };

  const signIn = async (req: FastifyRequest, reply: FastifyReply) => {
    const json = wantsJson(req);
    const who = await client(req);
    const parsed = signInBody.safeParse(req.body ?? {});
    const redirectTo = parsed.success ? safeRedirect(parsed.data.redirect_to) : null;
    try {
      if (!sameOrigin(req)) throw refuseCrossOrigin(req, who.remoteIp);
      if (!parsed.success) throw AppError.badInput('The sign-in request is malformed.');
      const body = parsed.data;
      let callbackUrl: string | null = null;
      if (json && body.callbackUrl !== undefined) {
        callbackUrl = safeRedirect(body.callbackUrl);
        if (!callbackUrl)
          throw AppError.badInput(
            `callbackUrl must be a URL of this server (${publicOrigin})`,
            'callbackUrl',
          );
        callbackUrl = `${publicOrigin}${callbackUrl}`;
      }
      const result = await o.auth.signIn(
        { identifier: body.login, password: body.password, remember: body.remember || body.rememberme },
        who,
        json ? { kind: 'urls', callbackUrl } : { kind: 'page', redirectTo },
      );
      void reply.header('set-cookie', result.setCookie).header('cache-control', 'no-store');
      if (json) return reply.code(200).send({ ...userJson(result), async: asyncJson(result.async) });
      const landing = `${o.base}/login${redirectTo ? `?redirect_to=${encodeURIComponent(redirectTo)}` : ''}`;
      return seeOther(reply, landing);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (json) return sendError(reply, err);
      const retry = err.details?.['retryAfterSeconds'];
      if (typeof retry === 'number') void reply.header('retry-after', String(retry));
      return renderSignedOut(reply, err.httpStatus, {
        error: err.message,
        login: parsed.success ? parsed.data.login : '',
        redirectTo,
      });
    }
  };

  const signOut = async (req: FastifyRequest, reply: FastifyReply) => {
    const json = wantsJson(req);
    const who = await client(req);
    if (!sameOrigin(req)) {
      const error = refuseCrossOrigin(req, who.remoteIp);
      if (json) return sendError(reply, error);
      return renderSignedOut(reply, error.httpStatus, { error: error.message });
    }
    const parsed = outBody.safeParse(req.body ?? undefined);
    const redirectTo = parsed.success ? safeRedirect(parsed.data?.redirect_to) : null;
    const result = await o.auth.signOut(
      who,
      json ? { kind: 'urls', callbackUrl: null } : { kind: 'page', redirectTo },
    );
    void reply.header('set-cookie', result.setCookie).header('cache-control', 'no-store');
    if (json)
      return reply.code(200).send({ signedOut: result.user !== null, async: asyncJson(result.async) });
    const query = redirectTo ? `&redirect_to=${encodeURIComponent(redirectTo)}` : '';
    return seeOther(reply, `${o.base}/login?loggedout=1${query}`);
  };

  const session = async (req: FastifyRequest, reply: FastifyReply) => {
    const resolved = await o.sessions.resolve(req.headers.cookie);
    void reply.header('cache-control', 'no-store');
    return resolved ? { signedIn: true, ...userJson(resolved) } : { signedIn: false };
  };

  const asset = (type: string, body: string) => async (_req: FastifyRequest, reply: FastifyReply) =>
    reply
      .type(type)
      .header('cache-control', 'public, max-age=300')
      .header('x-content-type-options', 'nosniff')
      .send(body);

  await fastify.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: FORM_LIMIT },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    scope.setErrorHandler((error: { statusCode?: number; message?: string }, _req, reply) => {
      const status =
        error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500)
        o.log({
          type: 'alert',
          event: 'auth.error',
          message: 'Auth request failed - internal error',
          outcome: 'failed',
          cause: 'internal_error',
        });
      return reply.code(status).send({
        error: {
          code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_USER_INPUT',
          message: status === 500 ? 'Internal error' : 'The request could not be read.',
        },
      });
    });
    for (const p of o.prefixes) {
      // No automatic HEAD: a HEAD (a link checker, a prefetch) would take a step of the browser's flow.
      scope.get(`${p}/login`, { exposeHeadRoute: false }, loginPage);
      scope.post(`${p}/auth/login`, { bodyLimit: FORM_LIMIT }, signIn);
      scope.post(`${p}/auth/logout`, { bodyLimit: FORM_LIMIT }, signOut);
      scope.get(`${p}/auth/session`, session);
      scope.get(`${p}/auth/assets/login.css`, asset('text/css; charset=utf-8', LOGIN_CSS));
      scope.get(`${p}/auth/assets/login.js`, asset('text/javascript; charset=utf-8', LOGIN_JS));
    }
  });
}
