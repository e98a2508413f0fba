import type { Migration } from '@mikro-orm/migrations';

/** Every table we create, by entity name; the ORM's metadata holds the prefixed name. */
export type TableEntity =
  | 'WpUser'
  | 'WpUserMeta'
  | 'AdminToken'
  | 'Site'
  | 'Setting'
  | 'Nonce'
  | 'ActivityLogEntry'
  | 'Delivery'
  | 'DeliveryAttempt'
  | 'Receipt'
  | 'Session'
  | 'AsyncFlow'
  | 'TransferJob'
  | 'TransferError';

/**
 * The prefixed table name of an entity, read from the ORM's metadata so that migrations follow the
 * configured `TABLE_PREFIX`.
 */
export function table(migration: Migration, entity: TableEntity): string {
  const driver = (
    migration as unknown as {
      driver: { getMetadata(): { find(name: string): { tableName: string } | undefined } };
    }
  ).driver;
  const meta = driver.getMetadata().find(entity);
  if (!meta) throw new Error(`migration: unknown entity ${entity}`);
  return meta.tableName;
}

/** The configured table prefix (`wp_` by default). */
export function prefix(migration: Migration): string {
  return table(migration, 'WpUser').replace(/users$/, '');
}
