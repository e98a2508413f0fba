import type { AdminIdentity } from '../modules/admin-auth/admin-auth.service.js';
import { createUserLoaders } from '../modules/users/user.loaders.js';
import { UserService } from '../modules/users/user.service.js';
import type { AppServices } from '../services.js';
import type { GraphQLContext } from './context.js';

/** A fresh EntityManager, services and DataLoaders for one GraphQL operation. */
export function createRequestContext(services: AppServices, admin: AdminIdentity | null): GraphQLContext {
  const em = services.orm.em.fork();
  const users = new UserService({
    em,
    tablePrefix: services.config.tablePrefix,
    hashFormat: services.config.passwordHashFormat,
    events: services.events,
    locks: services.locks,
  });
  return { em, admin, app: services, users, loaders: createUserLoaders(users.repository) };
}
