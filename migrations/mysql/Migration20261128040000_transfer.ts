import { Migration } from '@mikro-orm/migrations';
import { table } from '../support.js';

const TABLE_OPTIONS = 'DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci ENGINE = InnoDB';

/** User import/export jobs and the lines an import did not write. */
export class Migration20261128040000_transfer extends Migration {
  override up(): void {
    this.addSql(`CREATE TABLE \`${table(this, 'TransferJob')}\` (
  \`id\` bigint unsigned NOT NULL auto_increment PRIMARY KEY,
  \`kind\` varchar(10) NOT NULL,
  \`status\` varchar(12) NOT NULL DEFAULT 'queued',
  \`options\` text NOT NULL,
  \`created_by\` varchar(100) NOT NULL,
  \`created_at\` datetime(3) NOT NULL,
  \`started_at\` datetime(3) NULL,
  \`finished_at\` datetime(3) NULL,
  \`heartbeat_at\` datetime(3) NULL,
  \`cancel_requested\` tinyint(1) NOT NULL DEFAULT false,
  \`processed\` int NOT NULL DEFAULT 0,
  \`created\` int NOT NULL DEFAULT 0,
  \`updated\` int NOT NULL DEFAULT 0,
  \`failed\` int NOT NULL DEFAULT 0,
  \`bytes_done\` bigint NOT NULL DEFAULT 0,
  \`bytes_total\` bigint NULL,
  \`file_name\` varchar(100) NULL,
  \`download_name\` varchar(100) NULL,
  \`download_token_hash\` varchar(64) NULL,
  \`downloaded_at\` datetime(3) NULL,
  \`cause\` varchar(40) NULL,
  \`message\` varchar(255) NULL,
  KEY \`status\` (\`status\`)
) ${TABLE_OPTIONS}`);
    this.addSql(`CREATE TABLE \`${table(this, 'TransferError')}\` (
  \`id\` bigint unsigned NOT NULL auto_increment PRIMARY KEY,
  \`job_id\` bigint NOT NULL,
  \`line\` int NOT NULL,
  \`login\` varchar(60) NULL,
  \`cause\` varchar(40) NOT NULL,
  \`message\` varchar(500) NOT NULL,
  KEY \`job_line\` (\`job_id\`, \`line\`)
) ${TABLE_OPTIONS}`);
  }

  override down(): void {
    this.addSql(`DROP TABLE IF EXISTS \`${table(this, 'TransferError')}\``);
    this.addSql(`DROP TABLE IF EXISTS \`${table(this, 'TransferJob')}\``);
  }
}
