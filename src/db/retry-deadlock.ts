import { DeadlockException, LockWaitTimeoutException } from '@mikro-orm/core';

/**
 * Runs a transaction again when the database chose it as a deadlock victim (InnoDB rolls the whole
 * transaction back, so running it again is safe), up to `attempts` times.
 */
export async function retryOnDeadlock<T>(work: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const retryable =
        err instanceof DeadlockException ||
        err instanceof LockWaitTimeoutException ||
        (err as { code?: string }).code === 'ER_LOCK_DEADLOCK';
      if (!retryable || attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}
