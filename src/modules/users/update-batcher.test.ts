import { describe, expect, it } from 'vitest';
import { UpdateBatcher } from './update-batcher.js';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('UpdateBatcher', () => {
  it('applies a lone item at once, then coalesces what arrives meanwhile', async () => {
    const batches: string[][] = [];
    const batcher = new UpdateBatcher<string, string>(
      {
        keyOf: (s) => s,
        applyBatch: async (items) => {
          batches.push([...items]);
          await tick();
          return { done: new Map(items.map((i) => [i, `ok ${i}`])), rest: [] };
        },
        applyOne: (i) => Promise.resolve(`one ${i}`),
      },
      200,
      1,
    );
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((x) => batcher.submit(x)));
    expect(results).toEqual(['ok a', 'ok b', 'ok c', 'ok d']);
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('keeps one key out of concurrent batches and runs handed-back items one by one, in order', async () => {
    const log: string[] = [];
    const batcher = new UpdateBatcher<string, string>({
      keyOf: (s) => s.split(':')[0] ?? s,
      applyBatch: async (items) => {
        log.push(`batch ${items.join(',')}`);
        await tick();
        return {
          done: new Map(items.filter((i) => !i.endsWith('!')).map((i) => [i, i])),
          rest: items.filter((i) => i.endsWith('!')),
        };
      },
      applyOne: async (i) => {
        log.push(`one ${i}`);
        await tick(1);
        return i;
      },
    });
    await Promise.all(['u1:1', 'u1:2!', 'u2:1', 'u1:3'].map((x) => batcher.submit(x)));
    expect(log.indexOf('batch u1:1')).toBeGreaterThanOrEqual(0);
    // Each u1 item waits for the previous one, wherever u2's item went.
    const order = log.filter((l) => l.includes('u1:')).map((l) => l.replace(/,?u2:1,?/, ''));
    expect(order).toEqual(['batch u1:1', 'batch u1:2!', 'one u1:2!', 'batch u1:3']);
  });

  it('falls back to one by one when a batch fails', async () => {
    const batcher = new UpdateBatcher<number, number>({
      keyOf: String,
      applyBatch: () => Promise.reject(new Error('deadlock')),
      applyOne: (n) => (n === 2 ? Promise.reject(new Error('bad item')) : Promise.resolve(n * 10)),
    });
    const results = await Promise.allSettled([1, 2, 3].map((n) => batcher.submit(n)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'rejected'))).toEqual([
      10,
      'rejected',
      30,
    ]);
  });
});
