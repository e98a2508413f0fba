import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A row of WordPress's `{prefix}usermeta`. `user_id` is a plain indexed column, as in WordPress:
 * there is no foreign key, and values are stored with WordPress's serialization rules.
 */
@Entity({ tableName: 'usermeta' })
@Index({ name: 'user_id', properties: ['userId'] })
@Index({ name: 'meta_key', properties: ['metaKey'] })
export class WpUserMeta {
  @PrimaryKey({
    fieldName: 'umeta_id',
    type: new BigIntType('string'),
    columnType: 'bigint(20)',
    unsigned: true,
    autoincrement: true,
  })
  id!: string;

  @Property({
    fieldName: 'user_id',
    type: new BigIntType('string'),
    columnType: 'bigint(20)',
    unsigned: true,
    default: 0,
  })
  userId!: string;

  @Property({
    fieldName: 'meta_key',
    type: 'string',
    columnType: 'varchar(255)',
    length: 255,
    nullable: true,
    default: null,
  })
  metaKey!: string | null;

  @Property({ fieldName: 'meta_value', type: 'text', columnType: 'longtext', nullable: true, lazy: false })
  metaValue!: string | null;
}
