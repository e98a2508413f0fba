import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppError } from '../../shared/app-error.js';

/**
 * HTTP details of the sign-in page and the auth API: where a browser may be sent, which posts are
 * accepted, the security headers of the pages, and the JSON error shape.
 */

/** JSON in, JSON out; a body-less POST asks for JSON with `Accept`. */
export function wantsJson(req: FastifyRequest): boolean {
  const type = req.headers['content-type'] ?? '';
  return (
    type.startsWith('application/json') || (!type && (req.headers.accept ?? '').includes('application/json'))
  );
}

/**
 * A path of this server to continue to, from a `redirect_to` value: same origin only, never `//host`
 * or `/\host` (no open redirect). Null when the value is not one.
 */
export function localRedirect(value: unknown, publicUrl: string): string | null {
  if (typeof value !== 'string' || value === '') return null;
  try {
    const url = new URL(value, publicUrl);
    if (url.origin !== new URL(publicUrl).origin || /^[/\\]{2}/.test(value.trim()) || /\p{Cc}/u.test(value))
      return null;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return null;
  }
}

/**
 * Browsers send `Origin` (or at least `Referer`) with every POST: a form posted from another site is
 * refused (CSRF). Clients that send neither are not browsers.
 */
export function isSameOrigin(req: FastifyRequest, publicUrl: string): boolean {
  const origin = req.headers.origin ?? req.headers.referer;
  if (!origin) return true;
  try {
    const url = new URL(origin);
    return url.host === req.headers.host || url.origin === new URL(publicUrl).origin;
  } catch {
    return false;
  }
}

/**
 * The headers of our HTML pages: never cached, no framing, scripts and styles from this server only,
 * iframes to the given origins only. `formTargets`: the sites a form's redirects may lead to (the
 * silent redirect chain leaves for them straight from the sign-in form).
 * (Returns nothing: a FastifyReply is thenable, never await it.)
 */
export function setPageHeaders(
  reply: FastifyReply,
  frameOrigins: readonly string[],
  formTargets: readonly string[],
): void {
  void reply
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header(
      'content-security-policy',
      [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        `frame-src ${frameOrigins.length ? frameOrigins.join(' ') : "'none'"}`,
        `form-action 'self' ${formTargets.join(' ')}`.trim(),
        "base-uri 'none'",
        "frame-ancestors 'none'",
      ].join('; '),
    );
}

/** `{error: {code, message}}` with the error's status (and `Retry-After` when throttled). */
export function sendAuthError(reply: FastifyReply, error: AppError): FastifyReply {
  const retry = error.details?.['retryAfterSeconds'];
  if (typeof retry === 'number') void reply.header('retry-after', String(retry));
  return reply
    .code(error.httpStatus)
    .header('cache-control', 'no-store')
    .send({ error: { code: error.code, message: error.message } });
}

/** A 303 that is never cached. */
export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('cache-control', 'no-store').header('location', location).send('');
}
