import { Migration } from '@mikro-orm/migrations';
import { table } from '../support.js';

/** The SQLite rendering of the outbox tables (see the MySQL migration of the same name). */
export class Migration20261128020000_outbox extends Migration {
  override up(): void {
    const outbox = table(this, 'Delivery');
    const attempts = table(this, 'DeliveryAttempt');
    this.addSql(
      `CREATE TABLE \`${outbox}\` (\`id\` integer NOT NULL PRIMARY KEY AUTOINCREMENT, \`site_id\` bigint NOT NULL, \`site_url\` text NOT NULL, \`action\` text NOT NULL, \`login\` text NOT NULL, \`bundle\` longtext NOT NULL, \`status\` text NOT NULL DEFAULT 'pending', \`attempts\` integer NOT NULL DEFAULT 0, \`next_attempt_at\` datetime(3) NOT NULL, \`locked_until\` datetime(3) NULL, \`last_http_status\` integer NULL, \`last_error\` text NULL, \`created_at\` datetime(3) NOT NULL, \`delivered_at\` datetime(3) NULL)`,
    );
    this.addSql(`CREATE INDEX \`${outbox}_site_login\` ON \`${outbox}\` (\`site_id\`, \`login\`, \`id\`)`);
    this.addSql(`CREATE INDEX \`${outbox}_due\` ON \`${outbox}\` (\`status\`, \`next_attempt_at\`)`);
    this.addSql(
      `CREATE TABLE \`${attempts}\` (\`id\` integer NOT NULL PRIMARY KEY AUTOINCREMENT, \`delivery_id\` bigint NOT NULL, \`attempted_at\` datetime(3) NOT NULL, \`http_status\` integer NULL, \`latency_ms\` integer NOT NULL, \`outcome\` text NOT NULL, \`error\` text NULL)`,
    );
    this.addSql(`CREATE INDEX \`${attempts}_delivery\` ON \`${attempts}\` (\`delivery_id\`)`);
  }
}
