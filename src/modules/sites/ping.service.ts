import type { ActionKey, Direction } from '../../protocol/actions.js';
import { PeerTransportError, type PeerClient } from '../../protocol/peer-client.js';
import { AppError } from '../../shared/app-error.js';
import type { ActivityLogService } from '../activity-log/activity-log.service.js';
import { keysConfigured } from '../security/security.settings.js';
import type { SecurityService } from '../security/security.service.js';
import type { SiteSnapshot } from './site.service.js';

export interface PingResult {
  readonly success: boolean;
  readonly message: string;
  readonly httpStatus: number | null;
  readonly latencyMs: number;
}

const PING_TIMEOUT_MS = 5000;

/**
 * The plugin's "Test" button (§7): a blocking ping POST to the remote's action endpoint. Pressing Test
 * in the outgoing column asks the remote about its incoming setting for us, and vice versa.
 */
export class PingService {
  constructor(
    private readonly client: PeerClient,
    private readonly security: SecurityService,
    private readonly activity: ActivityLogService,
    private readonly publicUrl: string,
  ) {}

  async ping(
    site: SiteSnapshot,
    action: ActionKey,
    column: Direction,
    adminLogin: string,
  ): Promise<PingResult> {
    const settings = await this.security.get();
    if (!keysConfigured(settings))
      throw new AppError('BAD_USER_INPUT', 'set the AES and HMAC keys first (updateSecuritySettings)');
    const keys = { aesKey: settings.aesKey, hmacKey: settings.hmacKey };
    const direction: Direction = column === 'outgoing' ? 'incoming' : 'outgoing';
    const started = performance.now();
    const result = await this.exchange(site, action, direction, adminLogin, keys).catch((err: unknown) => {
      if (err instanceof PeerTransportError) {
        return {
          success: false,
          message: `Error contacting the remote site: ${err.message}`,
          httpStatus: null,
        };
      }
      throw err;
    });
    const latencyMs = Math.round(performance.now() - started);
    this.activity.record({
      type: result.success ? 'success' : 'alert',
      event: 'ping.sent',
      message: `Ping ${result.success ? 'success' : 'failure'} for action "${action}" to ${site.url} (${column}): ${result.message}`,
      siteId: site.id,
      action,
      direction: 'outgoing',
      outcome: result.success ? 'succeeded' : 'failed',
      cause: result.success ? null : 'ping_failed',
      latencyMs,
    });
    return { ...result, latencyMs };
  }

  private async exchange(
    site: SiteSnapshot,
    action: ActionKey,
    direction: Direction,
    username: string,
    keys: { aesKey: string; hmacKey: string },
  ): Promise<Omit<PingResult, 'latencyMs'>> {
    const {
      token,
      problem,
      response: tokenResponse,
    } = await this.client.requestToken(site.url, keys, action, 'post', PING_TIMEOUT_MS);
    if (!token)
      return {
        success: false,
        message: `Could not get a token from the remote site: ${problem ?? 'unknown'}`,
        httpStatus: tokenResponse.status,
      };
    const payload = { ping: 1, direction, username, base_url: this.publicUrl };
    const response = await this.client.sendAction(
      site.url,
      action,
      payload,
      token.nonce,
      keys,
      PING_TIMEOUT_MS,
    );
    if (response.status !== 200) {
      const hint =
        response.status === 404
          ? ' (is the plugin active, with pretty permalinks, and the action enabled?)'
          : '';
      return {
        success: false,
        message: `Error contacting the remote site: HTTP ${response.status}${hint}`,
        httpStatus: response.status,
      };
    }
    try {
      const body = JSON.parse(response.body) as { success?: unknown; data?: unknown };
      return {
        success: body.success === true,
        message: typeof body.data === 'string' ? body.data : JSON.stringify(body.data ?? null),
        httpStatus: 200,
      };
    } catch {
      return {
        success: false,
        message: 'Error contacting the remote site: Payload error - the answer is not JSON',
        httpStatus: 200,
      };
    }
  }
}
