import type { AppConfig } from './config/config.js';
import type { SqlOrm } from './db/types.js';
import type { ActivityLogPolicy } from './modules/activity-log/activity-log.policy.js';
import type { ActivityLogRepository } from './modules/activity-log/activity-log.repository.js';
import type { ActivityLogService } from './modules/activity-log/activity-log.service.js';
import type { AdminAudit } from './modules/admin-auth/admin-audit.js';
import type { AdminAuthService } from './modules/admin-auth/admin-auth.service.js';
import type { SecurityService } from './modules/security/security.service.js';
import type { SettingsStore } from './modules/security/settings.store.js';
import type { SessionService } from './modules/sessions/session.service.js';
import type { PingService } from './modules/sites/ping.service.js';
import type { SiteService } from './modules/sites/site.service.js';
import type { TransferService } from './modules/transfer/transfer.service.js';
import type { OutboxRelay } from './protocol/outbox/outbox-relay.js';
import type { OutboxWriter } from './protocol/outbox/outbox-writer.js';
import type { PeerClient } from './protocol/peer-client.js';
import type { TokenStore } from './protocol/receiver/token.store.js';
import type { KeyedMutex } from './shared/keyed-mutex.js';
import type { DomainEvents } from './shared/domain-events.js';
import type { Logger } from './shared/logger.js';
import type { AppMetrics } from './shared/metrics.js';
import type { AppPubSub } from './shared/pubsub.js';

/** The long-lived services of one app instance, shared by every request. */
export interface AppServices {
  readonly config: AppConfig;
  readonly orm: SqlOrm;
  readonly logger: Logger;
  readonly metrics: AppMetrics;
  readonly events: DomainEvents;
  readonly pubsub: AppPubSub;
  readonly adminAuth: AdminAuthService;
  readonly adminAudit: AdminAudit;
  readonly activity: ActivityLogService;
  readonly activityLog: ActivityLogRepository;
  readonly logPolicy: ActivityLogPolicy;
  readonly settings: SettingsStore;
  readonly security: SecurityService;
  readonly sites: SiteService;
  readonly peerClient: PeerClient;
  readonly ping: PingService;
  /** Serialises changes per login within this instance. */
  readonly locks: KeyedMutex;
  readonly tokens: TokenStore;
  readonly outbox: OutboxWriter;
  readonly relay: OutboxRelay;
  /** Browser sessions (sign-in page, auth API, login/logout from remote sites). */
  readonly sessions: SessionService;
  /** User import/export jobs. */
  readonly transfers: TransferService;
}
