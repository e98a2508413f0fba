import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** One named setting (JSON value): security, browser support and logging settings live here. */
@Entity({ tableName: 'wprus_settings' })
export class Setting {
  @PrimaryKey({ type: 'string', length: 191 })
  name!: string;

  @Property({ type: 'text', columnType: 'longtext' })
  value!: string;

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
