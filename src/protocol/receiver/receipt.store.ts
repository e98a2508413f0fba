import { createHash } from 'node:crypto';
import type { SqlOrm } from '../../db/types.js';
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
  constructor(private readonly orm: SqlOrm) {}

  async seen(digest: string): Promise<boolean> {
    const count = await this.orm.em.fork().count(Receipt, { digest });
    return count > 0;
  }

  async remember(digest: string): Promise<void> {
    await this.orm.em
      .fork()
      .getConnection()
      .getKnex()(this.orm.getMetadata().get(Receipt.name).tableName)
      .insert({ digest, received_at: unixNow() })
      .onConflict('digest')
      .ignore();
  }

  async cleanup(maxAgeSeconds = RECEIPT_RETENTION_SECONDS): Promise<number> {
    return this.orm.em.fork().nativeDelete(Receipt, { receivedAt: { $lt: unixNow() - maxAgeSeconds } });
  }
}
