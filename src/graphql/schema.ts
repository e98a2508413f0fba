import type { GraphQLSchema } from 'graphql';
import { buildSchema, type AuthChecker } from 'type-graphql';
import { ActivityLogResolver } from '../modules/activity-log/activity-log.resolver.js';
import { AdminAuthResolver } from '../modules/admin-auth/admin-auth.resolver.js';
import { DeliveryResolver } from '../modules/deliveries/delivery.resolver.js';
import { SecurityResolver } from '../modules/security/security.resolver.js';
import { SessionResolver } from '../modules/sessions/session.resolver.js';
import { SiteResolver } from '../modules/sites/site.resolver.js';
import { TransferResolver } from '../modules/transfer/transfer.resolver.js';
import { UserEventsResolver } from '../modules/users/user-events.resolver.js';
import { UserResolver } from '../modules/users/user.resolver.js';
import type { AppPubSub } from '../shared/pubsub.js';
import type { GraphQLContext } from './context.js';

export const RESOLVERS = [
  UserResolver,
  UserEventsResolver,
  AdminAuthResolver,
  SiteResolver,
  SecurityResolver,
  DeliveryResolver,
  ActivityLogResolver,
  SessionResolver,
  TransferResolver,
] as const;

/** Every operation needs an authenticated admin unless its resolver is explicitly public. */
export const adminAuthChecker: AuthChecker<GraphQLContext> = ({ context }) => context.admin !== null;

export function buildAppSchema(
  pubSub: AppPubSub | undefined,
  emitSchemaFile?: string,
): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [...RESOLVERS],
    authChecker: adminAuthChecker,
    authMode: 'error',
    pubSub,
    validate: false,
    emitSchemaFile: emitSchemaFile ? { path: emitSchemaFile, sortedSchema: true } : false,
  });
}
