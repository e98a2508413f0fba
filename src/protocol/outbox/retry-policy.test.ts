import { describe, expect, it } from 'vitest';
import { isRetryable, nextDelayMs } from './retry-policy.js';

describe('retry policy', () => {
  const policy = { baseMs: 100, capMs: 1000, maxAttempts: 5 };
  it('grows exponentially up to the cap, with full jitter', () => {
    expect([1, 2, 3, 4].map((a) => nextDelayMs(policy, a, () => 0.999999))).toEqual([99, 199, 399, 799]);
    expect(nextDelayMs({ ...policy, maxAttempts: 10 }, 8, () => 0.999999)).toBe(999);
    expect(nextDelayMs(policy, 3, () => 0)).toBe(0);
  });
  it('stops after the last attempt', () => {
    expect(nextDelayMs(policy, 5)).toBeNull();
  });
  it('retries transport errors, 5xx, 408 and 429 only', () => {
    expect([null, 500, 503, 429, 408].map(isRetryable)).toEqual([true, true, true, true, true]);
    expect([200, 400, 403, 404].map(isRetryable)).toEqual([false, false, false, false]);
  });
});
