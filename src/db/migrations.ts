import type { Constructor } from '@mikro-orm/core';
import type { Migration } from '@mikro-orm/migrations';
import type { DatabaseKind } from '../config/config.js';
import { mysqlMigrations } from '../../migrations/mysql/index.js';
import { sqliteMigrations } from '../../migrations/sqlite/index.js';

/** The migrations of a database kind, passed to MikroORM as classes (no file-system loading). */
export function migrationsFor(kind: DatabaseKind): { name: string; class: Constructor<Migration> }[] {
  const list = kind === 'sqlite' ? sqliteMigrations : mysqlMigrations;
  return Object.entries(list).map(([name, cls]) => ({ name, class: cls }));
}
