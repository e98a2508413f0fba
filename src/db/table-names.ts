/**
 * Base names of every table, before the configured prefix (WordPress's `$table_prefix`).
 * WordPress core tables keep their core names; ours follow the plugin's `wprus_` naming.
 */
export const BASE_TABLE_NAMES = {
  WpUser: 'users',
  WpUserMeta: 'usermeta',
  AdminToken: 'wprus_admin_tokens',
  Site: 'wprus_sites',
  Setting: 'wprus_settings',
  Nonce: 'wprus_nonce',
  ActivityLogEntry: 'wprus_logs',
  Delivery: 'wprus_outbox',
  DeliveryAttempt: 'wprus_delivery_attempts',
  Receipt: 'wprus_receipts',
  Session: 'wprus_sessions',
  AsyncFlow: 'wprus_async_flows',
  TransferJob: 'wprus_transfer_jobs',
  TransferError: 'wprus_transfer_errors',
} as const satisfies Record<string, string>;

/** WordPress core tables: adopted when present, never dropped or altered. */
export const CORE_TABLES = new Set<string>(['users', 'usermeta']);

export function prefixedTableName(prefix: string, className: string): string | undefined {
  const base = (BASE_TABLE_NAMES as Record<string, string>)[className];
  return base === undefined ? undefined : prefix + base;
}
