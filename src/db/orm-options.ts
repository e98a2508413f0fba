import { defineConfig as defineLibSqlConfig, LibSqlDriver } from '@mikro-orm/libsql';
import { MariaDbDriver } from '@mikro-orm/mariadb';
import { MySqlDriver } from '@mikro-orm/mysql';
import { Migrator } from '@mikro-orm/migrations';
import type { Options } from '@mikro-orm/core';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseConfig } from '../config/config.js';
import { ENTITIES } from './entities.js';
import { migrationsFor } from './migrations.js';
import { prefixedTableName } from './table-names.js';

export interface OrmSettings {
  readonly database: DatabaseConfig;
  readonly tablePrefix: string;
  readonly debug?: boolean;
}

/** Builds MikroORM options for one of the supported databases. */
export function buildOrmOptions(settings: OrmSettings): Options {
  const { database, tablePrefix } = settings;
  const common = {
    entities: [...ENTITIES],
    debug: settings.debug ?? false,
    // WordPress stores user_registered in UTC.
    timezone: '+00:00',
    forceUtcTimezone: true,
    allowGlobalContext: false,
    discovery: {
      onMetadata: (meta: { className: string; tableName: string }) => {
        const name = prefixedTableName(tablePrefix, meta.className);
        if (name) meta.tableName = name;
      },
    },
    migrations: {
      tableName: `${tablePrefix}wprus_migrations`,
      migrationsList: migrationsFor(database.kind),
      transactional: database.kind === 'sqlite',
      allOrNothing: true,
      snapshot: false,
      path: `migrations/${database.kind === 'sqlite' ? 'sqlite' : 'mysql'}`,
      emit: 'ts' as const,
      silent: true,
    },
    extensions: [Migrator],
  };
  switch (database.kind) {
    case 'sqlite': {
      if (database.dbName !== ':memory:') mkdirSync(dirname(database.dbName), { recursive: true });
      return defineLibSqlConfig({ ...common, driver: LibSqlDriver, dbName: database.dbName });
    }
    case 'mariadb':
    case 'mysql':
      return {
        ...common,
        driver: database.kind === 'mariadb' ? MariaDbDriver : MySqlDriver,
        dbName: database.dbName,
        host: database.host,
        port: database.port,
        user: database.user,
        password: database.password,
        charset: 'utf8mb4',
        collate: 'utf8mb4_unicode_520_ci',
        pool: { min: 0, max: 10 },
      };
  }
}
