import { Migration } from '@mikro-orm/migrations';
import { table } from '../support.js';

/**
 * Indexes for claiming per site: pending rows of one site in id order (`pending_site`), and the
 * head-of-chain check per (site, login) that skips delivered history (`chain`).
 */
export class Migration20261128030000_outbox_claim extends Migration {
  override up(): void {
    this.addSql(`ALTER TABLE \`${table(this, 'Delivery')}\`
  DROP INDEX \`site_login\`,
  DROP INDEX \`due\`,
  ADD KEY \`chain\` (\`site_id\`, \`login\`, \`status\`, \`id\`),
  ADD KEY \`pending_site\` (\`status\`, \`site_id\`, \`id\`)`);
  }

  override down(): void {
    this.addSql(`ALTER TABLE \`${table(this, 'Delivery')}\`
  DROP INDEX \`chain\`,
  DROP INDEX \`pending_site\`,
  ADD KEY \`site_login\` (\`site_id\`, \`login\`, \`id\`),
  ADD KEY \`due\` (\`status\`, \`next_attempt_at\`)`);
  }
}
