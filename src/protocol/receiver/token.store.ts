import type { SqlOrm } from '../../db/types.js';
import { Nonce } from '../nonce.entity.js';
import {
  checkToken,
  consumesToken,
  generateNonce,
  isWellFormedNonce,
  tokenWindow,
  type RequestMode,
  type TokenCheck,
} from '../token-window.js';

/** Seconds since the epoch. */
export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Tokens we issue, in the plugin's `{prefix}wprus_nonce` table. A GET-mode use consumes a token by
 * negating its expiry in one conditional UPDATE (atomic single use), which also lets a replay be told
 * apart from an unknown token until the cleanup removes the row.
 */
export class TokenStore {
  /** Valid POST tokens, cached: the hot path of incoming actions then needs no token query. */
  private readonly postCache = new Map<string, number>();

  constructor(private readonly orm: SqlOrm) {}

  async issue(lifetimeSeconds: number): Promise<{ nonce: string; expiry: number }> {
    const now = unixNow();
    const window = tokenWindow(lifetimeSeconds, now);
    const nonce = generateNonce();
    await this.orm.em.fork().insert(Nonce, { nonce, expiry: window.realExpiry });
    return { nonce, expiry: window.advertisedExpiry };
  }

  /**
   * Checks a presented token for a request of the given mode and, for GET, uses it up. Anything but
   * `'ok'` is a refusal with its precise cause.
   */
  async validate(token: string | null, mode: RequestMode): Promise<TokenCheck | 'missing'> {
    if (token === null || token === '' || token === '0') return 'missing';
    if (!isWellFormedNonce(token)) return 'unknown';
    const now = unixNow();
    if (mode === 'post') {
      const cached = this.postCache.get(token);
      if (cached !== undefined && cached >= now) return 'ok';
    }
    const em = this.orm.em.fork();
    const row = await em.findOne(Nonce, { nonce: token }, { orderBy: { id: 'desc' } });
    // The lookup may be case-insensitive (MySQL collation); only the exact value counts.
    const record =
      row && row.nonce === token
        ? { realExpiry: Math.abs(row.expiry), consumedAt: row.expiry < 0 ? now : null }
        : null;
    const result = checkToken(record, now, mode);
    if (result === 'expired' && row) await em.nativeDelete(Nonce, { id: row.id });
    if (result !== 'ok' || !row) return result;
    if (consumesToken(mode)) {
      const changed = await em.nativeUpdate(
        Nonce,
        { id: row.id, expiry: row.expiry },
        { expiry: -row.expiry },
      );
      if (changed !== 1) return 'replayed';
      this.postCache.delete(token);
    } else {
      this.postCache.set(token, row.expiry);
      if (this.postCache.size > 10_000) this.postCache.delete(this.postCache.keys().next().value as string);
    }
    return 'ok';
  }

  /** Removes rows past their expiry by more than the plugin's fixed 1800 s grace (§4.6). */
  async cleanup(): Promise<number> {
    const cutoff = unixNow() - 1800;
    for (const [nonce, expiry] of this.postCache) if (expiry < cutoff) this.postCache.delete(nonce);
    const em = this.orm.em.fork();
    return em.nativeDelete(Nonce, {
      $or: [{ expiry: { $gt: 0, $lt: cutoff } }, { expiry: { $lt: 0, $gt: -cutoff } }],
    });
  }
}
