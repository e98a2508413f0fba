import { describe, expect, it } from 'vitest';
import { KeyedMutex } from './keyed-mutex.js';

describe('KeyedMutex', () => {
  it('runs work for one key one at a time, in arrival order', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const task = (name: string, ms: number) =>
      mutex.run('k', async () => {
        log.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`end ${name}`);
      });
    await Promise.all([task('a', 20), task('b', 1), task('c', 5)]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('lets different keys run concurrently and survives failures', async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    const slow = mutex.run('x', async () => {
      await new Promise((r) => setTimeout(r, 20));
      order.push('x');
    });
    await mutex.run('y', async () => {
      order.push('y');
    });
    await slow;
    expect(order).toEqual(['y', 'x']);
    await expect(mutex.run('x', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await mutex.run('x', async () => 'after')).toBe('after');
  });
});
