import { Migration } from '@mikro-orm/migrations';
import { table } from '../support.js';

const TABLE_OPTIONS = 'DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci ENGINE = InnoDB';

/** Digests of applied incoming bundles: a resent or replayed bundle is not applied twice. */
export class Migration20261128031000_receipts extends Migration {
  override up(): void {
    this.addSql(`CREATE TABLE \`${table(this, 'Receipt')}\` (
  \`digest\` char(64) NOT NULL PRIMARY KEY,
  \`received_at\` int NOT NULL,
  KEY \`received_at\` (\`received_at\`)
) ${TABLE_OPTIONS}`);
  }

  override down(): void {
    this.addSql(`DROP TABLE IF EXISTS \`${table(this, 'Receipt')}\``);
  }
}
