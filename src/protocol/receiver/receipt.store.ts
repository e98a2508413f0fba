import { createHash } from 'node:crypto';
import type { Knex } from '@mikro-orm/knex';
import type { SqlOrm } from '../../db/types.js';
import { GroupBatcher } from '../../shared/group-batcher.js';
import { Receipt } from './receipt.entity.js';
import { unixNow } from './token.store.js';

/** How long an applied bundle is remembered: longer than any retry schedule, manual retries included. */
export const RECEIPT_RETENTION_SECONDS = 30 * 24 * 3600;

export function bundleDigest(bundle: string): string {
  return createHash('sha256').update(bundle).digest('hex');
}

/**
 * Remembers the bundles applied here, so a resent one is recognised (exactly-once effect for our
 * relay's at-least-once sending). Checked before applying and recorded after, so a crash in between
 * can only cause a repeat, never a loss.
 */
export class ReceiptStore {
  private readonly table: string;
  // Concurrent requests share one lookup and one INSERT (the hot path of every incoming POST).
  private readonly lookups = new GroupBatcher<string, boolean>((digests) => this.lookup(digests), 500, 1);
  private readonly inserts = new GroupBatcher<string, void>((digests) => this.insert(digests), 1000, 5);
  /** Applied here, not yet written: already "seen" for this instance. */
  private readonly unwritten = new Set<string>();

  constructor(private readonly orm: SqlOrm) {
    this.table = orm.getMetadata().get(Receipt.name).tableName;
  }

  private get knex(): Knex {
    return this.orm.em.getConnection().getKnex();
  }

  seen(digest: string): Promise<boolean> {
    if (this.unwritten.has(digest)) return Promise.resolve(true);
    return this.lookups.submit(digest);
  }

  /**
   * Records an applied bundle. Written within a few milliseconds, many per INSERT, without holding
   * up the answer: a crash in that window can only let a resend be applied again (at least once),
   * never lose a change.
   */
  remember(digest: string): Promise<void> {
    this.unwritten.add(digest);
    this.inserts
      .submit(digest)
      .catch(() => undefined) // kept in memory; the next cleanup or restart forgets it
      .finally(() => this.unwritten.delete(digest));
    return Promise.resolve();
  }

  /** Waits until every remembered digest is written (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.unwritten.size > 0) await new Promise((resolve) => setTimeout(resolve, 2));
  }

  private async lookup(digests: readonly string[]): Promise<boolean[]> {
    const rows = await this.knex<{ digest: string }>(this.table)
      .select('digest')
      .whereIn('digest', [...new Set(digests)]);
    const found = new Set(rows.map((r) => r.digest));
    return digests.map((d) => found.has(d));
  }

  private async insert(digests: readonly string[]): Promise<void[]> {
    const now = unixNow();
    await this.knex(this.table)
      .insert([...new Set(digests)].map((digest) => ({ digest, received_at: now })))
      .onConflict('digest')
      .ignore();
    return digests.map(() => undefined);
  }

  async cleanup(maxAgeSeconds = RECEIPT_RETENTION_SECONDS): Promise<number> {
    return this.orm.em.fork().nativeDelete(Receipt, { receivedAt: { $lt: unixNow() - maxAgeSeconds } });
  }
}
