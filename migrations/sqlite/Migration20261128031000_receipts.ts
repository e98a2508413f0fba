import { Migration } from '@mikro-orm/migrations';
import { table } from '../support.js';

/** The SQLite rendering of the receipts table (see the MySQL migration of the same name). */
export class Migration20261128031000_receipts extends Migration {
  override up(): void {
    const receipts = table(this, 'Receipt');
    this.addSql(
      `CREATE TABLE \`${receipts}\` (\`digest\` char(64) NOT NULL PRIMARY KEY, \`received_at\` integer NOT NULL)`,
    );
    this.addSql(`CREATE INDEX \`${receipts}_received_at\` ON \`${receipts}\` (\`received_at\`)`);
  }
}
