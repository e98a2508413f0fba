import { Migration } from '@mikro-orm/migrations';
import { table } from '../support.js';

const TABLE_OPTIONS = 'DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci ENGINE = InnoDB';

/** Browser sessions (hashed cookie secrets) and the login/logout actions a browser still has to perform. */
export class Migration20261128050000_sessions extends Migration {
  override up(): void {
    this.addSql(`CREATE TABLE \`${table(this, 'Session')}\` (
  \`id\` bigint unsigned NOT NULL auto_increment PRIMARY KEY,
  \`token_hash\` varchar(64) NOT NULL,
  \`user_id\` bigint NOT NULL,
  \`login\` varchar(60) NOT NULL,
  \`password_fragment\` varchar(16) NOT NULL,
  \`remember\` tinyint(1) NOT NULL DEFAULT false,
  \`origin\` varchar(10) NOT NULL,
  \`origin_site_id\` bigint NULL,
  \`ip\` varchar(64) NULL,
  \`user_agent\` varchar(255) NULL,
  \`created_at\` datetime NOT NULL,
  \`last_seen_at\` datetime NOT NULL,
  \`expires_at\` datetime NOT NULL,
  KEY \`token_hash\` (\`token_hash\`),
  KEY \`user_id\` (\`user_id\`),
  KEY \`expires_at\` (\`expires_at\`)
) ${TABLE_OPTIONS}`);
    this.addSql(`CREATE TABLE \`${table(this, 'AsyncFlow')}\` (
  \`id\` bigint unsigned NOT NULL auto_increment PRIMARY KEY,
  \`flow_hash\` varchar(64) NOT NULL,
  \`action\` varchar(10) NOT NULL,
  \`mode\` varchar(10) NOT NULL,
  \`user_id\` bigint NOT NULL,
  \`login\` varchar(60) NOT NULL,
  \`remember\` tinyint(1) NOT NULL DEFAULT false,
  \`session_id\` bigint NULL,
  \`site_ids\` json NOT NULL,
  \`redirect_to\` varchar(2048) NULL,
  \`created_at\` datetime NOT NULL,
  \`expires_at\` datetime NOT NULL,
  KEY \`flow_hash\` (\`flow_hash\`),
  KEY \`expires_at\` (\`expires_at\`)
) ${TABLE_OPTIONS}`);
  }

  override down(): void {
    this.addSql(`DROP TABLE IF EXISTS \`${table(this, 'AsyncFlow')}\``);
    this.addSql(`DROP TABLE IF EXISTS \`${table(this, 'Session')}\``);
  }
}
