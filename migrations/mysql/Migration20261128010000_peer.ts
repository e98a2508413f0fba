import { Migration } from '@mikro-orm/migrations';
import { table } from '../support.js';

const TABLE_OPTIONS = 'DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci ENGINE = InnoDB';

/**
 * The peer module's tables: remote sites, named settings, issued tokens (the plugin's `wprus_nonce`
 * shape) and the activity log (the plugin's `wprus_logs` columns plus structured ones).
 */
export class Migration20261128010000_peer extends Migration {
  override up(): void {
    this.addSql(`CREATE TABLE \`${table(this, 'Site')}\` (
  \`id\` bigint unsigned NOT NULL auto_increment PRIMARY KEY,
  \`url\` varchar(255) NOT NULL,
  \`position\` int NOT NULL DEFAULT 0,
  \`incoming_actions\` json NOT NULL,
  \`outgoing_actions\` json NOT NULL,
  \`incoming_meta\` json NOT NULL,
  \`outgoing_meta\` json NOT NULL,
  \`incoming_roles\` json NOT NULL,
  \`outgoing_roles\` json NOT NULL,
  \`incoming_roles_merge\` tinyint(1) NOT NULL DEFAULT false,
  \`created_at\` datetime NOT NULL,
  \`updated_at\` datetime NOT NULL,
  KEY \`url\` (\`url\`)
) ${TABLE_OPTIONS}`);
    this.addSql(`CREATE TABLE \`${table(this, 'Setting')}\` (
  \`name\` varchar(191) NOT NULL,
  \`value\` longtext NOT NULL,
  \`updated_at\` datetime NOT NULL,
  PRIMARY KEY (\`name\`)
) ${TABLE_OPTIONS}`);
    this.addSql(`CREATE TABLE IF NOT EXISTS \`${table(this, 'Nonce')}\` (
  \`id\` int(12) NOT NULL auto_increment,
  \`nonce\` varchar(255) NOT NULL,
  \`expiry\` int(12) NOT NULL,
  PRIMARY KEY (\`id\`),
  KEY \`nonce\` (\`nonce\`)
) ${TABLE_OPTIONS}`);
    this.addSql(`CREATE TABLE \`${table(this, 'ActivityLogEntry')}\` (
  \`id\` int(12) NOT NULL auto_increment,
  \`timestamp\` int(12) NOT NULL,
  \`type\` varchar(10) NOT NULL,
  \`message\` text NOT NULL,
  \`data\` text NULL,
  \`logged_at_ms\` bigint NULL,
  \`event\` varchar(40) NULL,
  \`site_id\` bigint NULL,
  \`action\` varchar(20) NULL,
  \`direction\` varchar(10) NULL,
  \`login\` varchar(60) NULL,
  \`outcome\` varchar(20) NULL,
  \`cause\` varchar(40) NULL,
  \`latency_ms\` int NULL,
  \`remote_ip\` varchar(64) NULL,
  PRIMARY KEY (\`id\`),
  KEY \`timestamp\` (\`timestamp\`),
  KEY \`event\` (\`event\`),
  KEY \`login\` (\`login\`),
  KEY \`cause\` (\`cause\`),
  KEY \`site_action\` (\`site_id\`, \`action\`)
) ${TABLE_OPTIONS}`);
  }

  override down(): void {
    for (const entity of ['Site', 'Setting', 'Nonce', 'ActivityLogEntry'] as const) {
      this.addSql(`DROP TABLE IF EXISTS \`${table(this, entity)}\``);
    }
  }
}
