/** The plugin's endpoint keys, in the order its settings page lists them. */
export const ACTION_KEYS = [
  'login',
  'logout',
  'create',
  'update',
  'delete',
  'password',
  'role',
  'meta',
] as const;
export type ActionKey = (typeof ACTION_KEYS)[number];

/** Actions sent server to server (POST); login and logout travel through the browser (GET). */
export const SYNC_ACTION_KEYS = ['create', 'update', 'delete', 'password', 'role', 'meta'] as const;

export type Direction = 'incoming' | 'outgoing';

export function isActionKey(value: string): value is ActionKey {
  return (ACTION_KEYS as readonly string[]).includes(value);
}
