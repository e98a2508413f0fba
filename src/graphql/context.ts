import type { SqlEntityManager as EntityManager } from '../db/types.js';
import type { AdminIdentity } from '../modules/admin-auth/admin-auth.service.js';
import type { AppServices } from '../services.js';
import type { UserLoaders } from '../modules/users/user.loaders.js';
import type { UserService } from '../modules/users/user.service.js';

/** The typed context of every GraphQL operation: one EntityManager and one set of DataLoaders each. */
export interface GraphQLContext {
  readonly em: EntityManager;
  readonly admin: AdminIdentity | null;
  readonly app: AppServices;
  readonly users: UserService;
  readonly loaders: UserLoaders;
}
