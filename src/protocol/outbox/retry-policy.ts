/**
 * When to try a failed delivery again: exponential backoff with full jitter (a uniformly random delay
 * between 0 and min(cap, base × 2^attempt)), and a last attempt after which the delivery is dead.
 */
export interface RetryPolicy {
  readonly baseMs: number;
  readonly capMs: number;
  readonly maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 1000, capMs: 5 * 60_000, maxAttempts: 10 };

/** The delay before attempt `attempts + 1`, or null when `attempts` was the last one. */
export function nextDelayMs(
  policy: RetryPolicy,
  attempts: number,
  random: () => number = Math.random,
): number | null {
  if (attempts >= policy.maxAttempts) return null;
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.floor(random() * ceiling);
}

/** Whether an answer means "try again": transport errors, 5xx, 429 and a refused token. */
export function isRetryable(httpStatus: number | null): boolean {
  return httpStatus === null || httpStatus >= 500 || httpStatus === 429 || httpStatus === 408;
}
