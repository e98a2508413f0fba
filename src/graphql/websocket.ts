import type { ApolloServerPlugin } from '@apollo/server';
import type { FastifyInstance } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { bearerSecret, type AdminIdentity } from '../modules/admin-auth/admin-auth.service.js';
import type { AppServices } from '../services.js';
import type { GraphQLContext } from './context.js';
import { createRequestContext } from './request-context.js';

interface SocketExtra extends Record<PropertyKey, unknown> {
  admin?: AdminIdentity;
}

/** The credentials a client may put in `connectionParams`. */
function secretFrom(params: Readonly<Record<string, unknown>> | undefined): string | null {
  if (!params) return null;
  const auth = params['authorization'] ?? params['Authorization'];
  if (typeof auth === 'string') return bearerSecret(auth) ?? auth;
  const token = params['token'];
  return typeof token === 'string' ? token : null;
}

/**
 * graphql-ws on the same port and path as HTTP GraphQL. Sockets without credentials are closed with
 * 4401, sockets with wrong credentials with 4403.
 */
export function attachGraphQLWebSocket(
  fastify: FastifyInstance,
  schema: GraphQLSchema,
  services: AppServices,
): { plugin: ApolloServerPlugin<GraphQLContext>; close(): Promise<void> } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  fastify.server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/graphql') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  const cleanup = useServer<Record<string, unknown>, SocketExtra>(
    {
      schema,
      connectionInitWaitTimeout: 10_000,
      onConnect: async (ctx) => {
        const secret = secretFrom(ctx.connectionParams);
        if (!secret) {
          ctx.extra.socket.close(CloseCode.Unauthorized, 'Unauthorized');
          return false;
        }
        const em = services.orm.em.fork();
        const admin = await services.adminAuth.authenticate(em, secret);
        services.adminAudit.noteAccess(
          admin,
          true,
          'websocket',
          ctx.extra.request.socket.remoteAddress ?? null,
        );
        if (!admin) return false; // graphql-ws closes with 4403 Forbidden
        (ctx.extra as SocketExtra).admin = admin;
        return true;
      },
      context: (ctx) => createRequestContext(services, (ctx.extra as SocketExtra).admin ?? null),
    },
    wss,
  );
  const close = async (): Promise<void> => {
    await cleanup.dispose();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  };
  return {
    close,
    plugin: {
      serverWillStart() {
        return Promise.resolve({ drainServer: close });
      },
    },
  };
}
