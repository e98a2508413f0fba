import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isActionKey } from '../actions.js';
import { isFormContentType } from '../form-body.js';
import type { PeerReceiver } from './peer-receiver.js';
import type { RateLimiter } from './rate-limiter.js';
import type { PeerReply, PeerRequest, ReceiverLogEntry } from './types.js';

export interface PeerRoutesOptions {
  readonly receiver: PeerReceiver;
  readonly tokenLimiter: RateLimiter;
  readonly bodyLimit: number;
  /** Path prefixes to serve under ('' and, when PUBLIC_URL has a path, that path). */
  readonly prefixes: readonly string[];
  log(entry: ReceiverLogEntry): void;
}

function toPeerRequest(req: FastifyRequest): PeerRequest {
  const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
  const body =
    req.method === 'POST' && typeof req.body === 'string' && isFormContentType(req.headers['content-type'])
      ? req.body
      : null;
  return {
    method: req.method === 'POST' ? 'POST' : 'GET',
    query,
    body,
    socketAddress: req.socket.remoteAddress,
    forwardedFor: req.headers['x-forwarded-for'],
    cookieHeader: req.headers.cookie,
    userAgent: req.headers['user-agent'],
  };
}

/** Browser answers that set or clear the session cookie are never cached. */
function withCookies(reply: FastifyReply, setCookie: readonly string[] | undefined): void {
  if (!setCookie?.length) return;
  void reply.header('set-cookie', [...setCookie]).header('cache-control', 'no-store');
}

function send(reply: FastifyReply, answer: PeerReply): FastifyReply {
  switch (answer.kind) {
    case 'empty':
      withCookies(reply, answer.setCookie);
      return reply.code(200).type('text/html; charset=UTF-8').send('');
    case 'json':
      return reply.code(200).type('application/json; charset=UTF-8').send(answer.body);
    case 'redirect':
      withCookies(reply, answer.setCookie);
      return reply.code(303).header('location', answer.location).send('');
    case 'not_found':
      return reply.code(404).type('text/plain; charset=UTF-8').send('Not Found');
    case 'too_many_requests':
      return reply
        .code(429)
        .header('retry-after', '1')
        .type('text/plain; charset=UTF-8')
        .send('Too Many Requests');
  }
}

/**
 * The plugin's URLs: `/wprus/token/` and `/wprus/{action}/`, with and without the trailing slash, as
 * plain HTTP routes separate from GraphQL. Bodies are kept raw (PHP's own form decoding applies).
 */
export async function registerPeerRoutes(
  fastify: FastifyInstance,
  options: PeerRoutesOptions,
): Promise<void> {
  await fastify.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: options.bodyLimit }, (_req, body, done) =>
      done(null, body),
    );
    scope.setErrorHandler((error: { statusCode?: number; code?: string }, req, reply) => {
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        options.log({
          type: 'alert',
          event: 'incoming.refused',
          message: `Request refused - body larger than ${options.bodyLimit} bytes (${req.url.split('?')[0] ?? ''})`,
          outcome: 'refused',
          cause: 'body_too_large',
          remoteIp: req.socket.remoteAddress ?? null,
        });
        return reply.code(413).type('text/plain; charset=UTF-8').send('Payload Too Large');
      }
      options.log({
        type: 'alert',
        event: 'incoming.error',
        message: 'Request failed - internal error',
        outcome: 'failed',
        cause: 'internal_error',
      });
      return reply.code(error.statusCode && error.statusCode < 500 ? error.statusCode : 500).send('');
    });
    const rateLimited = new Map<string, number>();
    const tokenRoute = async (req: FastifyRequest, reply: FastifyReply) => {
      const ip = req.socket.remoteAddress ?? 'unknown';
      if (!options.tokenLimiter.take(ip)) {
        const last = rateLimited.get(ip) ?? 0;
        if (Date.now() - last > 10_000) {
          rateLimited.set(ip, Date.now());
          options.log({
            type: 'warning',
            event: 'token.refused',
            message: `Token requests from ${ip} are over the rate limit`,
            outcome: 'refused',
            cause: 'rate_limited',
            remoteIp: ip,
          });
        }
        return send(reply, { kind: 'too_many_requests' });
      }
      return send(reply, await options.receiver.token(toPeerRequest(req)));
    };
    const actionRoute = async (req: FastifyRequest<{ Params: { action: string } }>, reply: FastifyReply) => {
      const { action } = req.params;
      if (!isActionKey(action)) {
        options.log({
          type: 'warning',
          event: 'incoming.refused',
          message: `Unknown endpoint /wprus/${action.slice(0, 40)}/`,
          outcome: 'refused',
          cause: 'unknown_action',
          remoteIp: req.socket.remoteAddress ?? null,
        });
        return send(reply, { kind: 'not_found' });
      }
      return send(reply, await options.receiver.action(action, toPeerRequest(req)));
    };
    for (const prefix of options.prefixes) {
      for (const slash of ['', '/']) {
        scope.route({ method: ['GET', 'POST'], url: `${prefix}/wprus/token${slash}`, handler: tokenRoute });
        scope.route<{ Params: { action: string } }>({
          method: ['GET', 'POST'],
          url: `${prefix}/wprus/:action${slash}`,
          handler: actionRoute,
        });
      }
    }
  });
}
