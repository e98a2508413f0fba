import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/core';
import { buildOrmOptions } from './src/db/orm-options.js';
import { parseDatabaseUrl } from './src/config/config.js';
import { WpUser } from './src/modules/users/user.entity.js';
for (const url of ['sqlite::memory:', 'mariadb://root@127.0.0.1:3306/test']) {
  const orm = await MikroORM.init(buildOrmOptions({ database: parseDatabaseUrl(url), tablePrefix: 'zq_' }));
  await orm.getMigrator().up();
  const em = orm.em.fork();
  em.create(WpUser, { userLogin: 'a', userRegistered: new Date('2026-11-28T01:02:03Z') });
  await em.flush();
  const knex = orm.em.getConnection().getKnex();
  await knex.raw("insert into zq_users (user_login, user_registered) values ('b', '2026-01-02 03:04:05'), ('c', '0000-00-00 00:00:00')");
  console.log(url, await knex('zq_users').select('ID', 'user_login', 'user_registered'));
  console.log(await knex.raw("select ID, cast(user_registered as char) as r from zq_users"));
  const r = await knex('zq_users').insert([{ user_login: 'd' }, { user_login: 'e' }]);
  console.log('insert result', r);
  console.log((await orm.em.fork().find(WpUser, {})).map((u) => [u.userLogin, u.userRegistered]));
  if (url.startsWith('mariadb')) {
    const c = orm.em.getConnection();
    const rows = await c.execute<{ name: string }[]>("select table_name as name from information_schema.tables where table_schema = database() and table_name like 'zq\\_%'");
    for (const r of rows) await c.execute(`drop table \`${r.name}\``);
  }
  await orm.close(true);
}
