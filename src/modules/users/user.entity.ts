import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A row of WordPress's `{prefix}users`, column for column as WordPress core creates it
 * (wp-admin/includes/schema.php). The table name comes from the naming strategy (table prefix).
 */
@Entity({ tableName: 'users' })
@Index({ name: 'user_login_key', properties: ['userLogin'] })
@Index({ name: 'user_nicename', properties: ['userNicename'] })
@Index({ name: 'user_email', properties: ['userEmail'] })
export class WpUser {
  @PrimaryKey({
    fieldName: 'ID',
    type: new BigIntType('string'),
    columnType: 'bigint(20)',
    unsigned: true,
    autoincrement: true,
  })
  id!: string;

  @Property({ fieldName: 'user_login', type: 'string', columnType: 'varchar(60)', length: 60, default: '' })
  userLogin!: string;

  @Property({
    fieldName: 'user_pass',
    type: 'string',
    columnType: 'varchar(255)',
    length: 255,
    default: '',
    hidden: true,
  })
  userPass = '';

  @Property({
    fieldName: 'user_nicename',
    type: 'string',
    columnType: 'varchar(50)',
    length: 50,
    default: '',
  })
  userNicename = '';

  @Property({ fieldName: 'user_email', type: 'string', columnType: 'varchar(100)', length: 100, default: '' })
  userEmail = '';

  @Property({ fieldName: 'user_url', type: 'string', columnType: 'varchar(100)', length: 100, default: '' })
  userUrl = '';

  /** UTC, as WordPress stores it (`gmdate('Y-m-d H:i:s')`). */
  @Property({
    fieldName: 'user_registered',
    type: 'datetime',
    columnType: 'datetime',
    defaultRaw: `'0000-00-00 00:00:00'`,
  })
  userRegistered: Date = new Date();

  @Property({
    fieldName: 'user_activation_key',
    type: 'string',
    columnType: 'varchar(255)',
    length: 255,
    default: '',
    hidden: true,
  })
  userActivationKey = '';

  @Property({ fieldName: 'user_status', type: 'integer', columnType: 'int(11)', default: 0 })
  userStatus = 0;

  @Property({
    fieldName: 'display_name',
    type: 'string',
    columnType: 'varchar(250)',
    length: 250,
    default: '',
  })
  displayName = '';
}
