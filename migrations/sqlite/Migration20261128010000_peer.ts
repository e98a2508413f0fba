import { Migration } from '@mikro-orm/migrations';
import { table } from '../support.js';

/** The SQLite rendering of the peer module's tables (see the MySQL migration of the same name). */
export class Migration20261128010000_peer extends Migration {
  override up(): void {
    const sites = table(this, 'Site');
    const nonce = table(this, 'Nonce');
    const logs = table(this, 'ActivityLogEntry');
    this.addSql(
      `CREATE TABLE \`${sites}\` (\`id\` integer NOT NULL PRIMARY KEY AUTOINCREMENT, \`url\` text NOT NULL, \`position\` integer NOT NULL DEFAULT 0, \`incoming_actions\` json NOT NULL, \`outgoing_actions\` json NOT NULL, \`incoming_meta\` json NOT NULL, \`outgoing_meta\` json NOT NULL, \`incoming_roles\` json NOT NULL, \`outgoing_roles\` json NOT NULL, \`incoming_roles_merge\` integer NOT NULL DEFAULT false, \`created_at\` datetime NOT NULL, \`updated_at\` datetime NOT NULL)`,
    );
    this.addSql(`CREATE INDEX \`${sites}_url\` ON \`${sites}\` (\`url\`)`);
    this.addSql(
      `CREATE TABLE \`${table(this, 'Setting')}\` (\`name\` text NOT NULL, \`value\` longtext NOT NULL, \`updated_at\` datetime NOT NULL, PRIMARY KEY (\`name\`))`,
    );
    this.addSql(
      `CREATE TABLE IF NOT EXISTS \`${nonce}\` (\`id\` integer NOT NULL PRIMARY KEY AUTOINCREMENT, \`nonce\` varchar(255) NOT NULL, \`expiry\` int(12) NOT NULL)`,
    );
    this.addSql(`CREATE INDEX IF NOT EXISTS \`${nonce}_nonce\` ON \`${nonce}\` (\`nonce\`)`);
    this.addSql(
      `CREATE TABLE \`${logs}\` (\`id\` integer NOT NULL PRIMARY KEY AUTOINCREMENT, \`timestamp\` int(12) NOT NULL, \`type\` varchar(10) NOT NULL, \`message\` text NOT NULL, \`data\` text NULL, \`logged_at_ms\` bigint NULL, \`event\` text NULL, \`site_id\` bigint NULL, \`action\` text NULL, \`direction\` text NULL, \`login\` text NULL, \`outcome\` text NULL, \`cause\` text NULL, \`latency_ms\` integer NULL, \`remote_ip\` text NULL)`,
    );
    for (const column of ['timestamp', 'event', 'login', 'cause']) {
      this.addSql(`CREATE INDEX \`${logs}_${column}\` ON \`${logs}\` (\`${column}\`)`);
    }
    this.addSql(`CREATE INDEX \`${logs}_site_action\` ON \`${logs}\` (\`site_id\`, \`action\`)`);
  }
}
