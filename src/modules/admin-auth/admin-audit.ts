import type { ActivityLogService } from '../activity-log/activity-log.service.js';
import type { AdminIdentity } from './admin-auth.service.js';

/**
 * Admin token use in the activity log: every refused token, and each token's use at most once per
 * `quietMs` per instance (an audit trail without one entry per request). Secrets never appear.
 */
export class AdminAudit {
  private readonly lastSeen = new Map<string, number>();

  constructor(
    private readonly activity: ActivityLogService,
    private readonly quietMs = 10 * 60_000,
  ) {}

  noteAccess(
    admin: AdminIdentity | null,
    secretPresented: boolean,
    via: 'http' | 'websocket',
    remoteIp: string | null,
  ): void {
    if (!admin) {
      if (!secretPresented) return; // anonymous: refused per operation, logged there
      this.activity.record({
        type: 'alert',
        event: 'admin.auth_failed',
        message: `Admin API access refused over ${via}: unknown or revoked admin token`,
        outcome: 'refused',
        cause: 'invalid_admin_token',
        remoteIp,
      });
      return;
    }
    const now = Date.now();
    const last = this.lastSeen.get(admin.tokenId);
    if (last !== undefined && now - last < this.quietMs) return;
    this.lastSeen.set(admin.tokenId, now);
    this.activity.record({
      type: 'info',
      event: 'admin.token_used',
      message: `Admin token "${admin.name}" used over ${via}`,
      outcome: 'authorized',
      remoteIp,
      data: { token: admin.name },
    });
  }
}
