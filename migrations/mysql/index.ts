import { Migration20261128000000_initial } from './Migration20261128000000_initial.js';
import { Migration20261128010000_peer } from './Migration20261128010000_peer.js';
import { Migration20261128020000_outbox } from './Migration20261128020000_outbox.js';
import { Migration20261128030000_outbox_claim } from './Migration20261128030000_outbox_claim.js';
import { Migration20261128031000_receipts } from './Migration20261128031000_receipts.js';
import { Migration20261128050000_sessions } from './Migration20261128050000_sessions.js';
import { Migration20261128040000_transfer } from './Migration20261128040000_transfer.js';

/** Applied in key order. `npm run migration:create` appends new migrations here. */
export const mysqlMigrations = {
  Migration20261128000000_initial,
  Migration20261128010000_peer,
  Migration20261128020000_outbox,
  Migration20261128030000_outbox_claim,
  Migration20261128031000_receipts,
  Migration20261128050000_sessions,
  Migration20261128040000_transfer,
};
