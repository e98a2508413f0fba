import { describe, expect, it } from 'vitest';
import { GroupBatcher } from './group-batcher.js';

describe('GroupBatcher', () => {
  it('groups the items of one event-loop turn, and those that arrive while a batch runs', async () => {
    const batches: number[][] = [];
    const batcher = new GroupBatcher<number, number>(async (items) => {
      batches.push([...items]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return items.map((n) => n * 2);
    });
    const first = [1, 2].map((n) => batcher.submit(n));
    await new Promise((resolve) => setTimeout(resolve, 1)); // the first batch is running
    const rest = [3, 4, 5].map((n) => batcher.submit(n));
    expect(await Promise.all([...first, ...rest])).toEqual([2, 4, 6, 8, 10]);
    expect(batches).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it('rejects every item of a failed batch, and goes on with the next', async () => {
    const batcher = new GroupBatcher<number, number>((items) =>
      items.includes(13) ? Promise.reject(new Error('unlucky')) : Promise.resolve(items),
    );
    await expect(batcher.submit(13)).rejects.toThrow('unlucky');
    expect(await batcher.submit(7)).toBe(7);
  });
});
