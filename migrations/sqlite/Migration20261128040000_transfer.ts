import { Migration } from '@mikro-orm/migrations';
import { table } from '../support.js';

/** The SQLite rendering of the transfer tables (see the MySQL migration of the same name). */
export class Migration20261128040000_transfer extends Migration {
  override up(): void {
    const jobs = table(this, 'TransferJob');
    const errors = table(this, 'TransferError');
    this.addSql(
      `CREATE TABLE \`${jobs}\` (\`id\` integer NOT NULL PRIMARY KEY AUTOINCREMENT, \`kind\` text NOT NULL, \`status\` text NOT NULL DEFAULT 'queued', \`options\` text NOT NULL, \`created_by\` text NOT NULL, \`created_at\` datetime(3) NOT NULL, \`started_at\` datetime(3) NULL, \`finished_at\` datetime(3) NULL, \`heartbeat_at\` datetime(3) NULL, \`cancel_requested\` integer NOT NULL DEFAULT false, \`processed\` integer NOT NULL DEFAULT 0, \`created\` integer NOT NULL DEFAULT 0, \`updated\` integer NOT NULL DEFAULT 0, \`failed\` integer NOT NULL DEFAULT 0, \`bytes_done\` bigint NOT NULL DEFAULT 0, \`bytes_total\` bigint NULL, \`file_name\` text NULL, \`download_name\` text NULL, \`download_token_hash\` text NULL, \`downloaded_at\` datetime(3) NULL, \`cause\` text NULL, \`message\` text NULL)`,
    );
    this.addSql(`CREATE INDEX \`${jobs}_status\` ON \`${jobs}\` (\`status\`)`);
    this.addSql(
      `CREATE TABLE \`${errors}\` (\`id\` integer NOT NULL PRIMARY KEY AUTOINCREMENT, \`job_id\` bigint NOT NULL, \`line\` integer NOT NULL, \`login\` text NULL, \`cause\` text NOT NULL, \`message\` text NOT NULL)`,
    );
    this.addSql(`CREATE INDEX \`${errors}_job_line\` ON \`${errors}\` (\`job_id\`, \`line\`)`);
  }
}
