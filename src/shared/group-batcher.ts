/**
 * Group commit for independent lookups or writes: a lone item runs at once; items arriving while a
 * batch is running go together in the next one (one statement for many requests under load).
 */
export class GroupBatcher<I, O> {
  private pending: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private running = false;

  constructor(
    private readonly run: (items: readonly I[]) => Promise<readonly O[]>,
    private readonly maxBatch = 500,
    /** How long the first item of a batch waits for others (0: the rest of this event-loop turn). */
    private readonly gatherMs = 0,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    // Let the requests that arrived in this turn of the event loop join the first batch too.
    await new Promise((resolve) =>
      this.gatherMs > 0 ? setTimeout(resolve, this.gatherMs) : setImmediate(resolve),
    );
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        const out = await this.run(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(out[i] as O));
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    this.running = false;
  }
}
