/**
 * Action tokens ("nonces", protocol doc §4), as pure rules: minting, the expiry we advertise versus
 * the one we enforce, validation outcomes, and the sender-side cache policy. Storage lives elsewhere.
 * All times are unix seconds, like the wire's `expiry`.
 */
import { randomBytes } from 'node:crypto';

/** The plugin's default `token_expiry` (`HOUR_IN_SECONDS / 2`), also used for 0/empty settings. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 1800;

/**
 * How long a token stays valid after the expiry we advertise. WordPress senders reuse a cached POST
 * token until 30 s AFTER its advertised expiry (Q3); 60 s covers that plus 30 s of clock skew.
 */
export const TOKEN_GRACE_SECONDS = 60;

/** Our sender refreshes a cached token this long before its advertised expiry (§14 sending, 1). */
export const SENDER_REFRESH_MARGIN_SECONDS = 30;

export type RequestMode = 'get' | 'post';
export type TokenCheck = 'ok' | 'unknown' | 'expired' | 'replayed' | 'method_mismatch';

export interface TokenWindow {
  /** The `expiry` sent in the token response. */
  readonly advertisedExpiry: number;
  /** The expiry enforced on our side, `TOKEN_GRACE_SECONDS` later. */
  readonly realExpiry: number;
}

/** What the token store knows about a presented token. */
export interface TokenRecord {
  readonly realExpiry: number;
  /** When a GET-mode request used it up, if one did. */
  readonly consumedAt?: number | null;
  /**
   * The `method` named in the token request, if the store binds tokens to it. The plugin does not,
   * but binding is compatible: WordPress mints `get` tokens only for browser GET URLs and `post`
   * tokens only for POSTs (Q2). Leave unset for the plugin's exact behaviour.
   */
  readonly mintedFor?: RequestMode;
}

/**
 * A fresh nonce in the plugin's shape: 32 lowercase hex characters (the plugin's is an MD5 of a salt,
 * random bytes and the time; ours is 128 random bits, which WordPress senders echo back unchanged).
 */
export function generateNonce(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Whether a presented token can be one of ours. Rejecting anything else before the store lookup also
 * rejects `''` and `'0'` (the plugin's `empty()` rule) and avoids the plugin's case-insensitive
 * lookup, through which an upper-cased copy of a GET token burns the real one (Q6).
 */
export function isWellFormedNonce(value: string | null | undefined): value is string {
  return typeof value === 'string' && /^[0-9a-f]{32}$/.test(value);
}

/**
 * Expiries for a token minted at `now`. The configured lifetime is read like the plugin's
 * `absint(token_expiry)`, with 0 (or nonsense) meaning the 1800 s default; the advertised expiry is
 * `now + lifetime`, exactly what a WordPress receiver would answer, and the real one 60 s later.
 */
export function tokenWindow(lifetimeSeconds: number, now: number): TokenWindow {
  const lifetime = Math.floor(Math.abs(lifetimeSeconds));
  const effective = Number.isFinite(lifetime) && lifetime > 0 ? lifetime : DEFAULT_TOKEN_LIFETIME_SECONDS;
  const advertisedExpiry = now + effective;
  return { advertisedExpiry, realExpiry: advertisedExpiry + TOKEN_GRACE_SECONDS };
}

/**
 * Validates a token looked up by its exact value (`undefined`/`null`: not found). A POST-mode
 * request may reuse a token until it expires; a GET-mode request uses it up — the caller must then
 * record `consumedAt` (see {@link consumesToken}). A token is valid through the second of its real
 * expiry (the plugin rejects only when `expiry < now`). Beyond time, a token is bound only to the
 * request mode, and only when the record says what it was minted for.
 */
export function checkToken(
  record: TokenRecord | null | undefined,
  now: number,
  mode: RequestMode,
): TokenCheck {
  if (record === undefined || record === null) return 'unknown';
  if (record.consumedAt !== undefined && record.consumedAt !== null) return 'replayed';
  if (record.realExpiry < now) return 'expired';
  if (record.mintedFor !== undefined && record.mintedFor !== mode) return 'method_mismatch';
  return 'ok';
}

/** Whether a successful check in this request mode uses the token up (GET tokens are single-use). */
export function consumesToken(mode: RequestMode): boolean {
  return mode === 'get';
}

/**
 * Sender-side cache policy for POST tokens: refresh when there is no cached token or its advertised
 * expiry is at most 30 s away (WordPress instead waits until 30 s after it, Q3). GET-mode URLs
 * always get a fresh token and never use the cache.
 */
export function shouldRefresh(cachedExpiry: number | null | undefined, now: number): boolean {
  return (
    cachedExpiry === undefined || cachedExpiry === null || cachedExpiry - now <= SENDER_REFRESH_MARGIN_SECONDS
  );
}
