import { createReadStream } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppServices } from '../../services.js';
import { AppError } from '../../shared/app-error.js';
import { bearerSecret, type AdminIdentity } from '../admin-auth/admin-auth.service.js';

function sendError(reply: FastifyReply, error: AppError): FastifyReply {
  return reply
    .code(error.httpStatus)
    .type('application/json; charset=utf-8')
    .send({ error: { code: error.code, message: error.message, ...(error.details ?? {}) } });
}

/**
 * The two REST edges of transfers: `POST /transfers/uploads` stores a file to import (the request
 * body, streamed to disk), `GET /transfers/:id/download?token=…` hands out a finished export once.
 * Both need the admin `Authorization: Bearer` header; nothing else ever serves TRANSFER_DIR.
 */
export async function registerTransferRoutes(fastify: FastifyInstance, services: AppServices): Promise<void> {
  const admins = new WeakMap<FastifyRequest, AdminIdentity>();
  await fastify.register((instance, _opts, done) => {
    // Bodies are streamed by the handler (any content type), never buffered.
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', (_req, payload, next) => next(null, payload));
    instance.addHook('onRequest', async (req, reply) => {
      const admin = await services.adminAuth.authenticate(
        services.orm.em.fork(),
        bearerSecret(req.headers.authorization),
      );
      if (!admin) {
        services.activity.record({
          type: 'warning',
          event: 'transfer.refused',
          message: `${req.method} ${req.routeOptions.url ?? req.url} refused: no valid admin token`,
          outcome: 'refused',
          cause: req.headers.authorization ? 'bad_admin_token' : 'unauthenticated',
          remoteIp: req.ip,
        });
        return sendError(reply, new AppError('UNAUTHENTICATED', 'an admin bearer token is required'));
      }
      admins.set(req, admin);
      return undefined;
    });

    instance.post('/transfers/uploads', async (req, reply) => {
      const actor = admins.get(req)?.name ?? 'admin';
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (Number.isFinite(declared) && declared > services.config.transferMaxUploadBytes) {
        req.raw.resume();
        return sendError(
          reply,
          new AppError('BAD_USER_INPUT', 'the file is larger than TRANSFER_MAX_UPLOAD_BYTES', {
            limit: services.config.transferMaxUploadBytes,
          }),
        );
      }
      try {
        const saved = await services.transfers.exchange.saveUpload(req.raw, actor, req.ip);
        return reply.code(201).send(saved);
      } catch (err) {
        if (err instanceof AppError) return sendError(reply, err);
        throw err;
      }
    });

    instance.get<{ Params: { id: string }; Querystring: { token?: string } }>(
      '/transfers/:id/download',
      async (req, reply) => {
        let opened;
        try {
          opened = await services.transfers.exchange.openDownload(
            req.params.id,
            String(req.query.token ?? ''),
            req.ip,
          );
        } catch (err) {
          if (err instanceof AppError) return sendError(reply, err);
          throw err;
        }
        const stream = createReadStream(opened.path);
        reply.raw.once('close', () => {
          void services.transfers.exchange
            .downloaded(opened.job)
            .catch((err: unknown) => services.logger.warn({ err }, 'could not delete a downloaded export'));
        });
        return reply
          .code(200)
          .headers({
            'content-type': 'application/octet-stream',
            'content-length': String(opened.size),
            'content-disposition': `attachment; filename="${opened.name}"`,
            'cache-control': 'no-store',
            'x-content-type-options': 'nosniff',
          })
          .send(stream);
      },
    );
    done();
  });
}
