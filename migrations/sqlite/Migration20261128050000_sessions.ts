import { Migration } from '@mikro-orm/migrations';
import { table } from '../support.js';

/** The SQLite rendering of the session tables (see the MySQL migration of the same name). */
export class Migration20261128050000_sessions extends Migration {
  override up(): void {
    const sessions = table(this, 'Session');
    const flows = table(this, 'AsyncFlow');
    this.addSql(
      `CREATE TABLE \`${sessions}\` (\`id\` integer NOT NULL PRIMARY KEY AUTOINCREMENT, \`token_hash\` text NOT NULL, \`user_id\` bigint NOT NULL, \`login\` text NOT NULL, \`password_fragment\` text NOT NULL, \`remember\` integer NOT NULL DEFAULT false, \`origin\` text NOT NULL, \`origin_site_id\` bigint NULL, \`ip\` text NULL, \`user_agent\` text NULL, \`created_at\` datetime NOT NULL, \`last_seen_at\` datetime NOT NULL, \`expires_at\` datetime NOT NULL)`,
    );
    for (const column of ['token_hash', 'user_id', 'expires_at']) {
      this.addSql(`CREATE INDEX \`${sessions}_${column}\` ON \`${sessions}\` (\`${column}\`)`);
    }
    this.addSql(
      `CREATE TABLE \`${flows}\` (\`id\` integer NOT NULL PRIMARY KEY AUTOINCREMENT, \`flow_hash\` text NOT NULL, \`action\` text NOT NULL, \`mode\` text NOT NULL, \`user_id\` bigint NOT NULL, \`login\` text NOT NULL, \`remember\` integer NOT NULL DEFAULT false, \`session_id\` bigint NULL, \`site_ids\` json NOT NULL, \`redirect_to\` text NULL, \`created_at\` datetime NOT NULL, \`expires_at\` datetime NOT NULL)`,
    );
    for (const column of ['flow_hash', 'expires_at']) {
      this.addSql(`CREATE INDEX \`${flows}_${column}\` ON \`${flows}\` (\`${column}\`)`);
    }
  }
}
