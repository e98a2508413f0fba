import { Migration } from '@mikro-orm/migrations';
import { table } from '../support.js';

/** The SQLite rendering of the WordPress user tables and our admin token table. */
export class Migration20261128000000_initial extends Migration {
  override up(): void {
    const users = table(this, 'WpUser');
    const usermeta = table(this, 'WpUserMeta');
    const tokens = table(this, 'AdminToken');
    this.addSql(
      `CREATE TABLE IF NOT EXISTS \`${users}\` (\`ID\` integer NOT NULL PRIMARY KEY AUTOINCREMENT, \`user_login\` varchar(60) NOT NULL DEFAULT '', \`user_pass\` varchar(255) NOT NULL DEFAULT '', \`user_nicename\` varchar(50) NOT NULL DEFAULT '', \`user_email\` varchar(100) NOT NULL DEFAULT '', \`user_url\` varchar(100) NOT NULL DEFAULT '', \`user_registered\` datetime NOT NULL DEFAULT '0000-00-00 00:00:00', \`user_activation_key\` varchar(255) NOT NULL DEFAULT '', \`user_status\` int(11) NOT NULL DEFAULT 0, \`display_name\` varchar(250) NOT NULL DEFAULT '')`,
    );
    this.addSql(`CREATE INDEX IF NOT EXISTS \`${users}_user_login_key\` ON \`${users}\` (\`user_login\`)`);
    this.addSql(`CREATE INDEX IF NOT EXISTS \`${users}_user_nicename\` ON \`${users}\` (\`user_nicename\`)`);
    this.addSql(`CREATE INDEX IF NOT EXISTS \`${users}_user_email\` ON \`${users}\` (\`user_email\`)`);
    this.addSql(
      `CREATE TABLE IF NOT EXISTS \`${usermeta}\` (\`umeta_id\` integer NOT NULL PRIMARY KEY AUTOINCREMENT, \`user_id\` bigint(20) NOT NULL DEFAULT 0, \`meta_key\` varchar(255) NULL DEFAULT NULL, \`meta_value\` longtext NULL)`,
    );
    this.addSql(`CREATE INDEX IF NOT EXISTS \`${usermeta}_user_id\` ON \`${usermeta}\` (\`user_id\`)`);
    this.addSql(`CREATE INDEX IF NOT EXISTS \`${usermeta}_meta_key\` ON \`${usermeta}\` (\`meta_key\`)`);
    this.addSql(
      `CREATE TABLE \`${tokens}\` (\`id\` integer NOT NULL PRIMARY KEY AUTOINCREMENT, \`name\` text NOT NULL, \`token_hash\` text NOT NULL, \`prefix\` text NOT NULL, \`created_at\` datetime NOT NULL, \`last_used_at\` datetime NULL, \`revoked_at\` datetime NULL)`,
    );
    this.addSql(`CREATE INDEX \`${tokens}_token_hash\` ON \`${tokens}\` (\`token_hash\`)`);
  }
}
