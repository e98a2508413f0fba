/** What the plugin writes in place of a password in its logs. */
export const HIDDEN = '** HIDDEN **';

const SECRET_KEYS = new Set([
  'user_pass',
  'password',
  'pass',
  'pwd',
  'token',
  'nonce',
  'aes_key',
  'hmac_key',
  'aesKey',
  'hmacKey',
  'secret',
  'wprusdata',
]);

/** A deep copy with every secret-bearing field replaced by `** HIDDEN **`. */
export function redactSecrets<T>(value: T, depth = 0): T {
  if (depth > 32 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v: unknown) => redactSecrets(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    out[key] =
      SECRET_KEYS.has(key) && v !== null && v !== false && v !== '' ? HIDDEN : redactSecrets(v, depth + 1);
  }
  return out as T;
}

/** The first characters of a token, enough to correlate log lines, never enough to use it. */
export function tokenHint(token: string | null | undefined): string | null {
  if (!token) return null;
  return token.length <= 8 ? '…' : `${token.slice(0, 6)}…`;
}
