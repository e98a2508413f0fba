import { describe, expect, it } from 'vitest';
import { GroupBatcher } from './group-batcher.js';

describe('GroupBatcher', () => {
  it('runs a lone item at once and groups the items that arrive meanwhile', async () => {
    const batches: number[][] = [];
    const batcher = new GroupBatcher<number, number>(async (items) => {
      batches.push([...items]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return items.map((n) => n * 2);
    });
    const first = batcher.submit(1);
    const rest = [2, 3, 4].map((n) => batcher.submit(n));
    expect(await Promise.all([first, ...rest])).toEqual([2, 4, 6, 8]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('rejects every item of a failed batch, and goes on with the next', async () => {
    const batcher = new GroupBatcher<number, number>((items) =>
      items.includes(13) ? Promise.reject(new Error('unlucky')) : Promise.resolve(items),
    );
    await expect(batcher.submit(13)).rejects.toThrow('unlucky');
    expect(await batcher.submit(7)).toBe(7);
  });
});
