/**
 * Coalesces concurrent changes into batches: while batches are being committed, new items queue up
 * and go together in the next one. No timer: a lone item is applied at once, so latency only grows
 * under load, when batching pays (one commit and a few queries for many changes).
 *
 * Up to `maxInFlight` batches run at once (1 by default: bigger batches beat overlap here), but
 * never two items with the same key: an item whose key is in flight waits, so changes to one user keep
 * their arrival order. The items a batch hands back (`rest`) run one by one, in order, before its keys
 * are released.
 */
export class UpdateBatcher<T, R> {
  private queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private readonly busyKeys = new Set<string>();
  private inFlight = 0;

  constructor(
    private readonly handlers: {
      keyOf(item: T): string;
      applyBatch(items: readonly T[]): Promise<{ done: Map<T, R>; rest: T[] }>;
      applyOne(item: T): Promise<R>;
    },
    private readonly maxBatch = 200,
    private readonly maxInFlight = 1,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch: typeof this.queue = [];
      const keys = new Set<string>();
      const waiting: typeof this.queue = [];
      for (const entry of this.queue) {
        const key = this.handlers.keyOf(entry.item);
        // Later items of a busy or already-taken key wait behind it.
        if (batch.length >= this.maxBatch || this.busyKeys.has(key) || keys.has(key)) waiting.push(entry);
        else {
          keys.add(key);
          batch.push(entry);
        }
      }
      if (batch.length === 0) return;
      this.queue = waiting;
      for (const key of keys) this.busyKeys.add(key);
      this.inFlight++;
      void this.run(batch).finally(() => {
        for (const key of keys) this.busyKeys.delete(key);
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async run(batch: typeof this.queue): Promise<void> {
    const byItem = new Map(batch.map((entry) => [entry.item, entry]));
    let rest: T[];
    try {
      const result = await this.handlers.applyBatch(batch.map((b) => b.item));
      for (const [item, value] of result.done) byItem.get(item)?.resolve(value);
      rest = result.rest;
    } catch {
      // One bad item must not sink the others: redo the whole batch one by one.
      rest = batch.map((b) => b.item);
    }
    for (const item of rest) {
      const entry = byItem.get(item);
      if (entry) await this.handlers.applyOne(item).then(entry.resolve, entry.reject);
    }
  }
}
