import { Migration } from '@mikro-orm/migrations';
import { table } from '../support.js';

/** The SQLite rendering of the outbox claim indexes (see the MySQL migration of the same name). */
export class Migration20261128030000_outbox_claim extends Migration {
  override up(): void {
    const outbox = table(this, 'Delivery');
    this.addSql(`DROP INDEX IF EXISTS \`${outbox}_site_login\``);
    this.addSql(`DROP INDEX IF EXISTS \`${outbox}_due\``);
    this.addSql(
      `CREATE INDEX \`${outbox}_chain\` ON \`${outbox}\` (\`site_id\`, \`login\`, \`status\`, \`id\`)`,
    );
    this.addSql(`CREATE INDEX \`${outbox}_pending_site\` ON \`${outbox}\` (\`status\`, \`site_id\`, \`id\`)`);
  }
}
