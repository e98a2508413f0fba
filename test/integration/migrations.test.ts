import { MikroORM } from '@mikro-orm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/config/config.js';
import { buildOrmOptions } from '../../src/db/orm-options.js';
import type { SqlOrm } from '../../src/db/types.js';
import { startTestApp, TEST_DATABASE_URL, uniquePrefix, type TestApp } from '../support/test-app.js';

const database = parseDatabaseUrl(
  TEST_DATABASE_URL.startsWith('sqlite:') ? 'sqlite::memory:' : TEST_DATABASE_URL,
);
const isMysql = database.kind !== 'sqlite';

async function openOrm(tablePrefix: string): Promise<SqlOrm> {
  return (await MikroORM.init(buildOrmOptions({ database, tablePrefix }))) as unknown as SqlOrm;
}

/** WordPress 6.x's own DDL for the user tables (wp-admin/includes/schema.php). */
function wordpressUserTablesDdl(p: string): string[] {
  return [
    `CREATE TABLE ${p}users (
  ID bigint(20) unsigned NOT NULL auto_increment,
  user_login varchar(60) NOT NULL default '',
  user_pass varchar(255) NOT NULL default '',
  user_nicename varchar(50) NOT NULL default '',
  user_email varchar(100) NOT NULL default '',
  user_url varchar(100) NOT NULL default '',
  user_registered datetime NOT NULL default '0000-00-00 00:00:00',
  user_activation_key varchar(255) NOT NULL default '',
  user_status int(11) NOT NULL default '0',
  display_name varchar(250) NOT NULL default '',
  PRIMARY KEY  (ID),
  KEY user_login_key (user_login),
  KEY user_nicename (user_nicename),
  KEY user_email (user_email)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci`,
    `CREATE TABLE ${p}usermeta (
  umeta_id bigint(20) unsigned NOT NULL auto_increment,
  user_id bigint(20) unsigned NOT NULL default '0',
  meta_key varchar(255) default NULL,
  meta_value longtext,
  PRIMARY KEY  (umeta_id),
  KEY user_id (user_id),
  KEY meta_key (meta_key(191))
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci`,
  ];
}

describe('migrations', () => {
  const opened: TestApp[] = [];
  afterAll(async () => {
    for (const app of opened) await app.destroy();
  });

  it('leave no difference between the entities and the database', async () => {
    const app = await startTestApp();
    opened.push(app);
    const pending = await app.orm.getMigrator().getPendingMigrations();
    expect(pending).toEqual([]);
    if (isMysql) {
      expect(await app.orm.schema.getUpdateSchemaSQL({ wrap: false, dropTables: false })).toBe('');
    } else {
      // MikroORM 6's SQLite comparator reports spurious table rebuilds; compare the structure instead.
      const conn = app.orm.em.getConnection();
      for (const meta of Object.values(app.orm.getMetadata().getAll())) {
        const columns = await conn.execute<{ name: string }[]>(`pragma table_info(\`${meta.tableName}\`)`);
        const expected = meta.props.flatMap((p) => p.fieldNames ?? []);
        expect(columns.map((c) => c.name).sort(), meta.tableName).toEqual([...expected].sort());
      }
    }
  });

  it.runIf(isMysql)('creates the user tables exactly as WordPress core does', async () => {
    const app = await startTestApp();
    opened.push(app);
    const p = app.services.config.tablePrefix;
    const conn = app.orm.em.getConnection();
    const reference = uniquePrefix();
    try {
      for (const ddl of wordpressUserTablesDdl(reference)) await conn.execute(ddl);
      for (const table of ['users', 'usermeta']) {
        const ours = await conn.execute<Record<string, string>[]>(`show create table \`${p}${table}\``);
        const wp = await conn.execute<Record<string, string>[]>(`show create table \`${reference}${table}\``);
        const normalise = (sql: string, prefix: string) =>
          sql.replace(new RegExp(`\`${prefix}`, 'g'), '`').replace(/ AUTO_INCREMENT=\d+/, '');
        expect(normalise(ours[0]!['Create Table']!, p)).toBe(normalise(wp[0]!['Create Table']!, reference));
      }
    } finally {
      await conn.execute(`drop table if exists \`${reference}users\`, \`${reference}usermeta\``);
    }
  });

  it.runIf(isMysql)('adopts existing WordPress user tables without altering them', async () => {
    const prefix = uniquePrefix();
    const orm = await openOrm(prefix);
    const conn = orm.em.getConnection();
    for (const ddl of wordpressUserTablesDdl(prefix)) await conn.execute(ddl);
    await conn.execute(
      `insert into \`${prefix}users\` (user_login, user_pass, user_nicename, user_email, user_registered, display_name) values ('existing', '$P$Bi7XSQ/v9dLFITxvOapG8w9q5C.NLn/', 'existing', 'existing@example.org', '2020-01-02 03:04:05', 'Existing')`,
    );
    const before = await conn.execute<Record<string, string>[]>(`show create table \`${prefix}users\``);
    await orm.close(true);

    const app = await startTestApp({ TABLE_PREFIX: prefix });
    opened.push(app);
    const after = await app.orm.em
      .getConnection()
      .execute<Record<string, string>[]>(`show create table \`${prefix}users\``);
    expect(after[0]!['Create Table']).toBe(before[0]!['Create Table']);
    const res = await app.gql<{ user: { login: string; registered: string } }>(
      `{ user(login: "existing") { login registered } }`,
    );
    expect(res.data).toEqual({ user: { login: 'existing', registered: '2020-01-02T03:04:05.000Z' } });
  });

  it('can be switched off at start', async () => {
    const prefix = uniquePrefix();
    const app = await startTestApp({ TABLE_PREFIX: prefix, MIGRATE_ON_START: 'false' });
    opened.push(app);
    const pending = await app.orm.getMigrator().getPendingMigrations();
    expect(pending.length).toBeGreaterThan(0);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
  });
});
