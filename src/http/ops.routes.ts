import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../services.js';

/** Liveness, readiness and Prometheus metrics. These three are public by design. */
export function registerOpsRoutes(fastify: FastifyInstance, services: AppServices): void {
  fastify.get('/healthz', () => ({ status: 'ok' }));

  fastify.get('/readyz', async (_req, reply) => {
    try {
      await services.orm.em.fork().getConnection().execute('select 1');
      return { status: 'ready' };
    } catch (err) {
      services.logger.warn({ err }, 'readiness check failed: database unreachable');
      return reply.code(503).send({ status: 'unavailable', reason: 'database unreachable' });
    }
  });

  fastify.get('/metrics', async (_req, reply) => {
    const body = await services.metrics.registry.metrics();
    return reply.type(services.metrics.registry.contentType).send(body);
  });

  fastify.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    services.metrics.httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    services.metrics.httpDuration.observe({ method: req.method, route }, seconds);
    done();
  });
}
