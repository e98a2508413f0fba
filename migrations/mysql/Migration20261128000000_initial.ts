import { Migration } from '@mikro-orm/migrations';
import { table } from '../support.js';

/**
 * WordPress's own `users` and `usermeta` DDL (wp-admin/includes/schema.php), created only when absent so
 * an existing WordPress database is adopted untouched, and our admin token table.
 */
export class Migration20261128000000_initial extends Migration {
  override async up(): Promise<void> {
    const users = table(this, 'WpUser');
    const usermeta = table(this, 'WpUserMeta');
    const tokens = table(this, 'AdminToken');
    // MySQL 8's default NO_ZERO_DATE would refuse WordPress's own column default.
    await this.execute(
      "SET SESSION sql_mode = REPLACE(REPLACE(REPLACE(@@SESSION.sql_mode, 'NO_ZERO_IN_DATE', ''), 'NO_ZERO_DATE', ''), 'TRADITIONAL', '')",
    );
    this.addSql(`CREATE TABLE IF NOT EXISTS \`${users}\` (
  \`ID\` bigint(20) unsigned NOT NULL auto_increment,
  \`user_login\` varchar(60) NOT NULL default '',
  \`user_pass\` varchar(255) NOT NULL default '',
  \`user_nicename\` varchar(50) NOT NULL default '',
  \`user_email\` varchar(100) NOT NULL default '',
  \`user_url\` varchar(100) NOT NULL default '',
  \`user_registered\` datetime NOT NULL default '0000-00-00 00:00:00',
  \`user_activation_key\` varchar(255) NOT NULL default '',
  \`user_status\` int(11) NOT NULL default '0',
  \`display_name\` varchar(250) NOT NULL default '',
  PRIMARY KEY  (\`ID\`),
  KEY \`user_login_key\` (\`user_login\`),
  KEY \`user_nicename\` (\`user_nicename\`),
  KEY \`user_email\` (\`user_email\`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci`);
    this.addSql(`CREATE TABLE IF NOT EXISTS \`${usermeta}\` (
  \`umeta_id\` bigint(20) unsigned NOT NULL auto_increment,
  \`user_id\` bigint(20) unsigned NOT NULL default '0',
  \`meta_key\` varchar(255) default NULL,
  \`meta_value\` longtext,
  PRIMARY KEY  (\`umeta_id\`),
  KEY \`user_id\` (\`user_id\`),
  KEY \`meta_key\` (\`meta_key\`(191))
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci`);
    this.addSql(`CREATE TABLE \`${tokens}\` (
  \`id\` bigint unsigned NOT NULL auto_increment PRIMARY KEY,
  \`name\` varchar(100) NOT NULL,
  \`token_hash\` varchar(64) NOT NULL,
  \`prefix\` varchar(12) NOT NULL,
  \`created_at\` datetime NOT NULL,
  \`last_used_at\` datetime NULL,
  \`revoked_at\` datetime NULL,
  KEY \`token_hash\` (\`token_hash\`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci ENGINE = InnoDB`);
  }

  override down(): void {
    // WordPress core tables are never dropped.
    this.addSql(`DROP TABLE IF EXISTS \`${table(this, 'AdminToken')}\``);
  }
}
