import type { LoginThrottleConfig } from '../../config/config.js';

export type ThrottleDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly scope: 'ip' | 'login'; readonly retryAfterSeconds: number };

/**
 * Brute-force throttling of sign-ins: failures are counted in a sliding window per client IP (any
 * login) and per login (any IP, so spreading an attack over many addresses does not help). Over either
 * limit, attempts are refused before any password is checked until the oldest failure leaves the window.
 * A success clears its login's failures. Counts are per instance (in memory).
 */
export class LoginThrottle {
  private readonly byIp = new Map<string, number[]>();
  private readonly byLogin = new Map<string, number[]>();

  constructor(
    private readonly config: LoginThrottleConfig,
    private readonly now: () => number = () => Date.now(),
  ) {}

  check(login: string, ip: string): ThrottleDecision {
    const now = this.now();
    const ipBlock = this.blockedFor(this.byIp, ip, this.config.maxFailuresPerIp, now);
    if (ipBlock > 0) return { allowed: false, scope: 'ip', retryAfterSeconds: ipBlock };
    const loginBlock = this.blockedFor(this.byLogin, normalise(login), this.config.maxFailuresPerLogin, now);
    if (loginBlock > 0) return { allowed: false, scope: 'login', retryAfterSeconds: loginBlock };
    return { allowed: true };
  }

  fail(login: string, ip: string): void {
    const now = this.now();
    this.push(this.byIp, ip, now, this.config.maxFailuresPerIp);
    if (login) this.push(this.byLogin, normalise(login), now, this.config.maxFailuresPerLogin);
  }

  succeed(login: string): void {
    this.byLogin.delete(normalise(login));
  }

  /** Seconds until `key` may try again (0: not blocked). */
  private blockedFor(map: Map<string, number[]>, key: string, max: number, now: number): number {
    const recent = this.recent(map, key, now);
    if (recent.length < max) return 0;
    const oldest = recent[recent.length - max] ?? now;
    return Math.max(1, Math.ceil((oldest + this.config.windowSeconds * 1000 - now) / 1000));
  }

  private recent(map: Map<string, number[]>, key: string, now: number): number[] {
    const cutoff = now - this.config.windowSeconds * 1000;
    const kept = (map.get(key) ?? []).filter((t) => t > cutoff);
    if (kept.length) map.set(key, kept);
    else map.delete(key);
    return kept;
  }

  private push(map: Map<string, number[]>, key: string, now: number, max: number): void {
    const recent = this.recent(map, key, now);
    recent.push(now);
    map.set(key, recent.slice(-max));
    if (map.size > 50_000) this.prune(map, now);
  }

  private prune(map: Map<string, number[]>, now: number): void {
    for (const key of [...map.keys()]) this.recent(map, key, now);
  }
}

function normalise(login: string): string {
  return login.trim().toLowerCase();
}
