import type { ActionKey, Direction } from '../actions.js';
import type { BrowserSupport } from '../browser-support.js';
import type { EnvelopeKeys, JsonObject } from '../envelope.js';
import type { IpRange } from '../ip-allowlist.js';
import type { BrowserSessionPort, PeerUserWriter } from './ports.js';

/** What a receiver answers; the HTTP layer renders it. `setCookie`: browser actions only. */
export type PeerReply =
  | { readonly kind: 'empty'; readonly setCookie?: readonly string[] }
  | { readonly kind: 'json'; readonly body: string }
  | { readonly kind: 'redirect'; readonly location: string; readonly setCookie?: readonly string[] }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'too_many_requests' };

/** The raw request, as the HTTP layer hands it over. */
export interface PeerRequest {
  readonly method: 'GET' | 'POST';
  /** Raw query string, without `?`. */
  readonly query: string;
  /** Raw form body, or null when the request has no form body. */
  readonly body: string | null;
  readonly socketAddress: string | undefined;
  readonly forwardedFor: string | readonly string[] | undefined;
  /** The browser's `Cookie` header (login/logout arrive from browsers). */
  readonly cookieHeader?: string | undefined;
  readonly userAgent?: string | undefined;
}

/** A remote site as the receiver needs it. */
export interface IncomingSite {
  readonly id: string;
  readonly url: string;
  readonly incomingActions: readonly ActionKey[];
  readonly incomingMeta: readonly string[];
  readonly incomingRoles: readonly string[];
  readonly incomingRolesMerge: boolean;
}

export interface ReceiverSettings {
  /** Null while the keys are not configured: the peer routes then answer 404, like the plugin. */
  readonly keys: EnvelopeKeys | null;
  readonly tokenExpiry: number;
  readonly whitelist: readonly IpRange[];
  readonly trustedProxies: readonly IpRange[];
  readonly strictSiteMatching: boolean;
  /** The plugin's browser-support flags (login/logout, §6.7–6.9). */
  readonly browserSupport: BrowserSupport;
}

/** One activity entry of the receiver (structurally the activity log's input). */
export interface ReceiverLogEntry {
  readonly type: 'info' | 'success' | 'warning' | 'alert';
  readonly message: string;
  readonly event: string;
  readonly data?: Record<string, unknown> | null;
  readonly siteId?: string | null;
  readonly action?: string | null;
  readonly direction?: Direction | null;
  readonly login?: string | null;
  readonly outcome?: string | null;
  readonly cause?: string | null;
  readonly latencyMs?: number | null;
  readonly remoteIp?: string | null;
}

/** Typed extension points, the equivalents of the plugin's `wprus_*` receiver hooks. */
export interface ReceiverHooks {
  /** `wprus_before_handle_action_notification`-like filter: return a changed payload, or null to drop it. */
  readonly incomingData?: (
    action: ActionKey,
    data: JsonObject,
    site: IncomingSite,
  ) => JsonObject | null | Promise<JsonObject | null>;
  readonly beforeHandle?: (action: ActionKey, data: JsonObject, site: IncomingSite) => void | Promise<void>;
  readonly afterHandle?: (
    action: ActionKey,
    data: JsonObject,
    site: IncomingSite,
    outcome: string,
  ) => void | Promise<void>;
}

export interface ReceiverDeps {
  settings(): Promise<ReceiverSettings>;
  /** Sites with `action` enabled in `direction` (all sites when `action` is null), matched by §2.7. */
  findSite(
    baseUrl: string,
    action: ActionKey | null,
    direction: Direction,
    strict: boolean,
  ): Promise<IncomingSite | null>;
  readonly tokens: {
    issue(lifetimeSeconds: number): Promise<{ nonce: string; expiry: number }>;
    validate(
      token: string | null,
      mode: 'get' | 'post',
    ): Promise<'ok' | 'missing' | 'unknown' | 'expired' | 'replayed' | 'method_mismatch'>;
  };
  readonly users: PeerUserWriter;
  /** Applied POST bundles, by digest: a resent bundle is answered but not applied again. */
  readonly receipts?: {
    seen(digest: string): Promise<boolean>;
    remember(digest: string): Promise<void>;
  };
  /** Browser sessions, for the login and logout actions. */
  readonly sessions: BrowserSessionPort;
  log(entry: ReceiverLogEntry): void;
  /** Our home URL, as remote sites know it. */
  readonly publicUrl: string;
  readonly hooks?: ReceiverHooks;
}

/** Everything a handler needs about one authorised request. */
export interface HandlerContext {
  readonly action: ActionKey;
  readonly data: JsonObject;
  readonly site: IncomingSite;
  readonly remoteIp: string;
  readonly deps: ReceiverDeps;
  /** `get` when the request carries no POST `wprusdata` (a browser), else `post` (§2.2). */
  readonly mode: 'get' | 'post';
  readonly request: PeerRequest;
  readonly settings: ReceiverSettings;
}

/** What a handler adds to the answer (browser actions set or clear the session cookie). */
export interface HandlerResult {
  readonly setCookie?: readonly string[];
}

export interface ActionHandler {
  /** Which half of the request the plugin reads for this action (§2.3). */
  readonly source: 'post' | 'get' | 'merged';
  handle(ctx: HandlerContext): Promise<HandlerResult | void>;
}
