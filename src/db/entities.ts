import { ActivityLogEntry } from '../modules/activity-log/activity-log.entity.js';
import { AdminToken } from '../modules/admin-auth/admin-token.entity.js';
import { Setting } from '../modules/security/setting.entity.js';
import { AsyncFlow } from '../modules/sessions/async-flow.entity.js';
import { Session } from '../modules/sessions/session.entity.js';
import { Site } from '../modules/sites/site.entity.js';
import { WpUserMeta } from '../modules/users/user-meta.entity.js';
import { WpUser } from '../modules/users/user.entity.js';
import { Nonce } from '../protocol/nonce.entity.js';
import { DeliveryAttempt } from '../protocol/outbox/delivery-attempt.entity.js';
import { Delivery } from '../protocol/outbox/delivery.entity.js';
import { Receipt } from '../protocol/receiver/receipt.entity.js';
import { TransferError } from '../modules/transfer/transfer-error.entity.js';
import { TransferJob } from '../modules/transfer/transfer-job.entity.js';

/** Every entity of the server, in one list the ORM and the tests share. */
export const ENTITIES = [
  WpUser,
  WpUserMeta,
  AdminToken,
  Site,
  Setting,
  Nonce,
  ActivityLogEntry,
  Delivery,
  DeliveryAttempt,
  Receipt,
  Session,
  AsyncFlow,
  TransferJob,
  TransferError,
] as const;
