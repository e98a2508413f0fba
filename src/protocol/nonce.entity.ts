import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A token this server issued: the plugin's `{prefix}wprus_nonce` table, column for column.
 * `expiry` is the real expiry; the advertised one is earlier (token-window.ts).
 */
@Entity({ tableName: 'wprus_nonce' })
export class Nonce {
  @PrimaryKey({ type: 'integer', columnType: 'int(12)', unsigned: false, autoincrement: true })
  id!: number;

  @Index({ name: 'nonce' })
  @Property({ type: 'string', columnType: 'varchar(255)', length: 255 })
  nonce!: string;

  @Property({ type: 'integer', columnType: 'int(12)' })
  expiry!: number;
}
