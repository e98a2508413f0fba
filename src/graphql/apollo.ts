import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import type { FastifyInstance } from 'fastify';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { AppServices } from '../services.js';
import { AppError } from '../shared/app-error.js';
import type { GraphQLContext } from './context.js';

/** Maps every error to the closed set of codes; internal errors are logged and hidden. */
export function formatGraphQLError(services: AppServices) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof AppError) {
      return {
        message: original.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: original.code, ...(original.details ?? {}) },
      };
    }
    if (original instanceof GraphQLError && original.extensions['code']) {
      const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const code = formatted.extensions?.['code'];
    if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
      const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    services.logger.error({ err: original }, 'unexpected GraphQL error');
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

/**
 * Every refused operation leaves an activity entry naming the precise cause (code and field); the
 * variables are never logged (they may hold passwords).
 */
function recordRejections(
  services: AppServices,
  operationName: string | null,
  errors: readonly GraphQLError[],
): void {
  for (const error of errors) {
    const original = unwrapResolverError(error);
    const app = original instanceof AppError ? original : null;
    const code =
      app?.code ?? (typeof error.extensions['code'] === 'string' ? error.extensions['code'] : null);
    if (!code || code === 'INTERNAL_SERVER_ERROR') continue;
    const field = typeof app?.details?.['field'] === 'string' ? app.details['field'] : null;
    const path = error.path?.join('.') ?? null;
    services.activity.record({
      type: code === 'UNAUTHENTICATED' || code === 'FORBIDDEN' ? 'alert' : 'warning',
      event: 'admin.rejected',
      message: `${operationName ?? path ?? 'GraphQL operation'} refused: ${error.message}`,
      outcome: 'refused',
      cause: `${code.toLowerCase()}${field ? `:${field}` : ''}`.slice(0, 40),
      data: { operation: operationName, path, code },
    });
  }
}

function metricsPlugin(services: AppServices): ApolloServerPlugin<GraphQLContext> {
  return {
    requestDidStart() {
      const started = process.hrtime.bigint();
      let failed = false;
      return Promise.resolve({
        didEncounterErrors(rc) {
          failed = true;
          recordRejections(services, rc.operationName ?? null, rc.errors);
          return Promise.resolve();
        },
        willSendResponse(rc) {
          const type = rc.operation?.operation ?? 'unknown';
          const name = rc.operationName ?? 'anonymous';
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          services.metrics.graphqlOperations.inc({ type, name, outcome: failed ? 'error' : 'ok' });
          services.metrics.graphqlDuration.observe({ type, name }, seconds);
          return Promise.resolve();
        },
      });
    },
  };
}

export async function createApolloServer(
  fastify: FastifyInstance,
  schema: GraphQLSchema,
  services: AppServices,
  extraPlugins: ApolloServerPlugin<GraphQLContext>[],
): Promise<ApolloServer<GraphQLContext>> {
  const landing =
    services.config.playground === 'sandbox'
      ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })
      : ApolloServerPluginLandingPageDisabled();
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    // main.ts owns the signals and closes everything in order.
    stopOnTerminationSignals: false,
    formatError: formatGraphQLError(services),
    plugins: [fastifyApolloDrainPlugin(fastify), landing, metricsPlugin(services), ...extraPlugins],
  });
  await apollo.start();
  return apollo;
}
