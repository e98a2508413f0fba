import type { ActionKey } from '../actions.js';
import {
  decodePayload,
  decryptBundle,
  encodePayload,
  type EnvelopeKeys,
  type JsonObject,
} from '../envelope.js';
import { readWprusFields } from '../form-body.js';
import { clientIp, isAllowed } from '../ip-allowlist.js';
import type { HandlerRegistry } from './handlers/registry.js';
import { bundleDigest } from './receipt.store.js';
import { tokenRequestSchema } from './payload-schemas.js';
import { handlePing } from './ping.js';
import { redirectBack } from './redirect-back.js';
import type { IncomingSite, PeerReply, PeerRequest, ReceiverDeps, ReceiverSettings } from './types.js';

const EMPTY: PeerReply = { kind: 'empty' };

type Decoded = { ok: true; data: JsonObject | null } | { ok: false; cause: string; detail: string };

/** Decrypts one half of a request (MAC first, in constant time) and parses its JSON object. */
function open(bundle: string | null, keys: EnvelopeKeys): Decoded {
  if (bundle === null) return { ok: true, data: null };
  const decrypted = decryptBundle(bundle, keys);
  if (!decrypted.ok) return { ok: false, cause: 'decrypt_failed', detail: decrypted.cause };
  const decoded = decodePayload(decrypted.plaintext);
  if (!decoded.ok)
    return {
      ok: false,
      cause: decoded.cause === 'empty' ? 'decrypt_failed' : 'invalid_payload',
      detail: decoded.cause,
    };
  const value = decoded.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, cause: 'invalid_payload', detail: 'not a JSON object' };
  return { ok: true, data: value as JsonObject };
}

const TOKEN_CAUSE = {
  missing: 'missing_token',
  unknown: 'unknown_token',
  expired: 'expired_token',
  replayed: 'replayed_token',
  method_mismatch: 'unknown_token',
} as const;

/**
 * The receiving side of the WPRUS protocol, independent of HTTP frameworks and GraphQL. Refusals are
 * checked in a fixed order — bundle MAC and decryption, token, IP allow-list, site and action — each
 * writing nothing but an activity entry with its precise cause, and answered as the plugin answers.
 */
export class PeerReceiver {
  constructor(
    private readonly deps: ReceiverDeps,
    private readonly handlers: HandlerRegistry,
  ) {}

  /** `POST /wprus/token/` (§4.1). */
  async token(req: PeerRequest): Promise<PeerReply> {
    const settings = await this.deps.settings();
    if (!settings.keys) return { kind: 'not_found' };
    const remoteIp = this.remoteIp(req, settings);
    const fields = readWprusFields(req.query, req.method === 'POST' ? req.body : null);
    const opened = open(fields.postBundle, settings.keys);
    const parsed = opened.ok && opened.data ? tokenRequestSchema.safeParse(opened.data) : null;
    if (!opened.ok || !parsed?.success) {
      this.deps.log({
        type: 'alert',
        event: 'token.refused',
        message: 'Failed to create token - invalid payload',
        data: { detail: opened.ok ? (opened.data ? 'method missing' : 'no POST wprusdata') : opened.detail },
        outcome: 'refused',
        cause: opened.ok ? 'invalid_payload' : opened.cause,
        remoteIp,
      });
      return EMPTY;
    }
    const issued = await this.deps.tokens.issue(settings.tokenExpiry);
    this.deps.log({
      type: 'info',
      event: 'token.issued',
      message: `Token created: site ${parsed.data.base_url ?? ''} - action "${parsed.data.action ?? ''}"`,
      action: parsed.data.action ?? null,
      outcome: 'issued',
      remoteIp,
    });
    return {
      kind: 'json',
      body: encodePayload({ nonce: issued.nonce, expiry: issued.expiry }, { escapeUnicode: true }),
    };
  }

  /** `GET|POST /wprus/{action}/` (§5, §6, §7). */
  async action(action: ActionKey, req: PeerRequest): Promise<PeerReply> {
    const settings = await this.deps.settings();
    if (!settings.keys) return { kind: 'not_found' };
    const remoteIp = this.remoteIp(req, settings);
    const handler = this.handlers[action];
    const fields = readWprusFields(req.query, req.method === 'POST' ? req.body : null);
    const base = {
      event: 'incoming.refused',
      action,
      direction: 'incoming' as const,
      outcome: 'refused',
      remoteIp,
    };

    const get = open(fields.getBundle, settings.keys);
    const post = open(fields.postBundle, settings.keys);
    const failure = !post.ok ? post : !get.ok ? get : null;
    if (failure && !failure.ok) {
      this.deps.log({
        ...base,
        type: 'alert',
        message: `Unauthorized access (${failure.cause === 'decrypt_failed' ? 'the data could not be decrypted' : 'invalid payload'}) - ${action}`,
        data: { detail: failure.detail },
        cause: failure.cause,
      });
      return EMPTY;
    }
    const getData = get.ok ? get.data : null;
    const postData = post.ok ? post.data : null;
    if (!getData && !postData) {
      this.deps.log({
        ...base,
        type: 'alert',
        message: `Unauthorized access (no data) - ${action}`,
        cause: 'invalid_payload',
        data: { detail: 'no wprusdata' },
      });
      return EMPTY;
    }
    const merged: JsonObject = { ...(getData ?? {}), ...(postData ?? {}) };
    const origin = typeof merged['base_url'] === 'string' ? merged['base_url'] : '';
    const login = typeof merged['username'] === 'string' ? merged['username'] : null;
    const isPing = merged['ping'] !== undefined && merged['ping'] !== null;
    const data = handler.source === 'post' ? postData : handler.source === 'get' ? getData : merged;
    // A browser in a redirect chain (§6.9) must be sent on, whatever happens here.
    const callback =
      (action === 'login' || action === 'logout') && fields.mode === 'get' && !isPing && data
        ? data['callback_url']
        : undefined;
    const exit = (site: IncomingSite | null, setCookie?: readonly string[]): Promise<PeerReply> =>
      callback === undefined
        ? Promise.resolve(setCookie ? { kind: 'empty', setCookie } : EMPTY)
        : redirectBack(this.deps, {
            action,
            callback,
            origin,
            matched: site,
            settings,
            login,
            remoteIp,
            setCookie,
          });
    const refuse = async (reason: string, cause: string): Promise<PeerReply> => {
      const message = `${reason}${origin ? ` - ${origin}` : ''}`;
      this.deps.log({ ...base, type: 'alert', message, login, cause });
      if (isPing)
        return {
          kind: 'json',
          body: encodePayload(
            { success: false, data: `The remote website encountered the following error: ${message}` },
            { escapeUnicode: true },
          ),
        };
      return exit(null);
    };

    const tokenCheck = await this.deps.tokens.validate(fields.token, fields.mode);
    if (tokenCheck !== 'ok') return refuse('Unauthorized access (invalid token)', TOKEN_CAUSE[tokenCheck]);
    if (fields.mode === 'post' && settings.whitelist.length > 0 && !isAllowed(settings.whitelist, remoteIp)) {
      return refuse(`Unauthorized access (invalid remote IP address ${remoteIp})`, 'ip_not_allowed');
    }
    this.deps.log({
      type: 'success',
      event: 'incoming.authorized',
      message: `Access granted${origin ? ` - ${origin}` : ''}`,
      action,
      direction: 'incoming',
      login,
      outcome: 'authorized',
      remoteIp,
    });

    if (isPing) return handlePing(this.deps, settings, action, postData, remoteIp);

    if (
      !data ||
      typeof data['username'] !== 'string' ||
      data['username'] === '' ||
      typeof data['base_url'] !== 'string' ||
      data['base_url'] === ''
    ) {
      this.deps.log({
        ...base,
        type: 'alert',
        message: `${action} action failed - received invalid data.`,
        login,
        cause: 'invalid_payload',
        data: { detail: 'username and base_url are required' },
      });
      return exit(null);
    }
    const site = await this.deps.findSite(data['base_url'], action, 'incoming', settings.strictSiteMatching);
    if (!site) {
      const known = await this.deps.findSite(data['base_url'], null, 'incoming', settings.strictSiteMatching);
      this.deps.log({
        ...base,
        type: 'alert',
        message: `${action[0]?.toUpperCase()}${action.slice(1)} action failed - incoming ${action} action not enabled for ${data['base_url']}`,
        login,
        siteId: known?.id ?? null,
        cause: known ? 'action_disabled' : 'unknown_site',
      });
      return exit(known);
    }
    let payload: JsonObject | null = data;
    if (this.deps.hooks?.incomingData) payload = await this.deps.hooks.incomingData(action, data, site);
    if (!payload) {
      this.deps.log({
        ...base,
        type: 'info',
        message: `${action} action dropped by an incoming-data filter`,
        login,
        siteId: site.id,
        outcome: 'dropped',
        cause: 'filtered',
      });
      return exit(site);
    }
    // GET tokens are single-use, so only a POST bundle can arrive twice.
    const digest = fields.mode === 'post' && fields.postBundle ? bundleDigest(fields.postBundle) : null;
    if (digest && this.deps.receipts && (await this.deps.receipts.seen(digest))) {
      this.deps.log({
        ...base,
        type: 'info',
        event: 'incoming.duplicate',
        message: `${action} action for "${login ?? ''}" already applied - duplicate delivery ignored`,
        login,
        siteId: site.id,
        outcome: 'duplicate',
        cause: 'duplicate',
      });
      return EMPTY;
    }
    await this.deps.hooks?.beforeHandle?.(action, payload, site);
    const result = await handler.handle({
      action,
      data: payload,
      site,
      remoteIp,
      deps: this.deps,
      mode: fields.mode,
      request: req,
      settings,
    });
    if (digest) await this.deps.receipts?.remember(digest);
    await this.deps.hooks?.afterHandle?.(action, payload, site, 'handled');
    return exit(site, result?.setCookie);
  }

  private remoteIp(req: PeerRequest, settings: ReceiverSettings): string {
    return clientIp(req.socketAddress, req.forwardedFor, settings.trustedProxies) ?? 'unknown';
  }
}
