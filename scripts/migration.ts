import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/core';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadConfig } from '../src/config/config.js';
import { buildOrmOptions } from '../src/db/orm-options.js';
import type { SqlOrm } from '../src/db/types.js';

/**
 * `npm run migration:up` applies pending migrations to DATABASE_URL.
 * `npm run migration:create -- <name>` writes a migration with the difference between the entities and
 * DATABASE_URL's schema (MariaDB/MySQL → migrations/mysql, SQLite → migrations/sqlite), table
 * names following the configured prefix, and registers it in that folder's index.ts.
 */
const [command, name = 'change'] = process.argv.slice(2);
const config = loadConfig();
const orm = (await MikroORM.init(
  buildOrmOptions({ database: config.database, tablePrefix: config.tablePrefix }),
)) as unknown as SqlOrm;
try {
  if (command === 'up') {
    const applied = await orm.getMigrator().up();
    process.stdout.write(
      applied.length ? `applied ${applied.map((m) => m.name).join(', ')}\n` : 'no pending migration\n',
    );
  } else if (command === 'create') {
    await orm.getMigrator().up();
    const sql = await orm.schema.getUpdateSchemaSQL({ wrap: false, dropTables: false });
    const statements = sql
      .split(/;\s*\n/)
      .map((s) => s.trim())
      .filter((s) => s && !/^set names/i.test(s));
    if (statements.length === 0) {
      process.stdout.write('entities and database agree: nothing to migrate\n');
    } else {
      const dialect = config.database.kind === 'sqlite' ? 'sqlite' : 'mysql';
      const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
      const className = `Migration${stamp}_${name.replace(/\W/g, '_')}`;
      const prefixed = statements.map((s) =>
        s
          .replaceAll(`\`${config.tablePrefix}`, '`${p}')
          .replace(/`/g, '\\`')
          .replace(/\\`\$\{p\}/g, '\\`${p}'),
      );
      const body = [
        "import { Migration } from '@mikro-orm/migrations';",
        "import { prefix } from '../support.js';",
        '',
        `export class ${className} extends Migration {`,
        '  override up(): void {',
        '    const p = prefix(this);',
        ...prefixed.map((s) => `    this.addSql(\`${s}\`);`),
        '  }',
        '}',
        '',
      ].join('\n');
      const dir = new URL(`../migrations/${dialect}/`, import.meta.url);
      writeFileSync(new URL(`${className}.ts`, dir), body);
      const indexUrl = new URL('index.ts', dir);
      const index = readFileSync(indexUrl, 'utf8')
        .replace(/(\nexport const)/, `import { ${className} } from './${className}.js';\n$1`)
        .replace(/\n};\s*$/, `\n  ${className},\n};\n`);
      writeFileSync(indexUrl, index);
      process.stdout.write(
        `wrote migrations/${dialect}/${className}.ts (${statements.length} statements); review it, then run it against the other dialect too\n`,
      );
    }
  } else {
    process.stderr.write('usage: migration.ts up | create [name]\n');
    process.exitCode = 2;
  }
} finally {
  await orm.close(true);
}
