import type { MikroORM } from '@mikro-orm/core';
import type { AbstractSqlDriver, EntityManager } from '@mikro-orm/knex';

/** The ORM over one of our SQL drivers (libSQL, MariaDB, MySQL). */
export type SqlOrm = MikroORM<AbstractSqlDriver>;
export type SqlEntityManager = EntityManager;
