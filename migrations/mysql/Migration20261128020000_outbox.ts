import { Migration } from '@mikro-orm/migrations';
import { table } from '../support.js';

const TABLE_OPTIONS = 'DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci ENGINE = InnoDB';

/** The transactional outbox of outgoing actions and the record of each delivery attempt. */
export class Migration20261128020000_outbox extends Migration {
  override up(): void {
    this.addSql(`CREATE TABLE \`${table(this, 'Delivery')}\` (
  \`id\` bigint unsigned NOT NULL auto_increment PRIMARY KEY,
  \`site_id\` bigint NOT NULL,
  \`site_url\` varchar(255) NOT NULL,
  \`action\` varchar(20) NOT NULL,
  \`login\` varchar(60) NOT NULL,
  \`bundle\` longtext NOT NULL,
  \`status\` varchar(12) NOT NULL DEFAULT 'pending',
  \`attempts\` int NOT NULL DEFAULT 0,
  \`next_attempt_at\` datetime(3) NOT NULL,
  \`locked_until\` datetime(3) NULL,
  \`last_http_status\` int NULL,
  \`last_error\` varchar(255) NULL,
  \`created_at\` datetime(3) NOT NULL,
  \`delivered_at\` datetime(3) NULL,
  KEY \`site_login\` (\`site_id\`, \`login\`, \`id\`),
  KEY \`due\` (\`status\`, \`next_attempt_at\`)
) ${TABLE_OPTIONS}`);
    this.addSql(`CREATE TABLE \`${table(this, 'DeliveryAttempt')}\` (
  \`id\` bigint unsigned NOT NULL auto_increment PRIMARY KEY,
  \`delivery_id\` bigint NOT NULL,
  \`attempted_at\` datetime(3) NOT NULL,
  \`http_status\` int NULL,
  \`latency_ms\` int NOT NULL,
  \`outcome\` varchar(12) NOT NULL,
  \`error\` varchar(255) NULL,
  KEY \`delivery\` (\`delivery_id\`)
) ${TABLE_OPTIONS}`);
  }

  override down(): void {
    this.addSql(`DROP TABLE IF EXISTS \`${table(this, 'DeliveryAttempt')}\``);
    this.addSql(`DROP TABLE IF EXISTS \`${table(this, 'Delivery')}\``);
  }
}
