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
  private readonly lookups = new GroupBatcher<string, boolean>((digests) => this.lookup(digests));
  private readonly inserts = new GroupBatcher<string, void>((digests) => this.insert(digests));

  constructor(private readonly orm: SqlOrm) {
    this.table = orm.getMetadata().get(Receipt.name).tableName;
  }

  private get knex(): Knex {
    return this.orm.em.getConnection().getKnex();
  }

  seen(digest: string): Promise<boolean> {
    return this.lookups.submit(digest);
  }

  remember(digest: string): Promise<void> {
    return this.inserts.submit(digest);
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
