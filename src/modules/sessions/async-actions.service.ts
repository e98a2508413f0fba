import { randomBytes } from 'node:crypto';
import type { SqlOrm } from '../../db/types.js';
import {
  asyncActionUrl,
  loginPayload,
  logoutPayload,
  type AsyncMode,
  type BrowserAction,
} from '../../protocol/browser-actions.js';
import { needsRedirect, type BrowserSupport } from '../../protocol/browser-support.js';
import { encodePayload, encryptBundle, type EnvelopeKeys } from '../../protocol/envelope.js';
import { PeerTransportError, type PeerClient } from '../../protocol/peer-client.js';
import type { ActivityInput } from '../activity-log/activity-log.service.js';
import { tokenHint } from '../activity-log/redact.js';
import type { SiteSnapshot } from '../sites/site.service.js';
import { AsyncFlow } from './async-flow.entity.js';
import type { CookieJar } from './session-cookie.js';
import { sha256Hex } from './session.service.js';

export interface AsyncActionDeps {
  readonly orm: SqlOrm;
  sites(): Promise<readonly SiteSnapshot[]>;
  keys(): Promise<EnvelopeKeys | null>;
  browserSupport(): Promise<BrowserSupport>;
  readonly peerClient: PeerClient;
  /** Our `base_url`, and the origin of `callback_url`. */
  readonly publicUrl: string;
  readonly tokenTimeoutMs: number;
  readonly cookies: CookieJar;
  log(entry: ActivityInput): void;
}

/** One remote site's action URL, ready for an iframe or a redirect. */
export interface AsyncUrl {
  readonly siteId: string;
  readonly siteUrl: string;
  readonly url: string;
}

export interface AsyncUser {
  readonly id: string;
  readonly login: string;
}

/** What the page the browser lands on has to do next. */
export type FlowStep =
  | { readonly kind: 'none'; readonly clearCookie: string | null }
  | {
      readonly kind: 'iframes';
      readonly action: BrowserAction;
      readonly urls: readonly AsyncUrl[];
      readonly redirectTo: string | null;
      readonly clearCookie: string;
    }
  | {
      readonly kind: 'redirect';
      readonly action: BrowserAction;
      readonly url: string;
      readonly silent: boolean;
      readonly remaining: number;
    }
  | {
      readonly kind: 'done';
      readonly action: BrowserAction;
      readonly redirectTo: string | null;
      readonly clearCookie: string;
    };

/** How long a browser has to perform its pending actions. */
const FLOW_LIFETIME_SECONDS = 600;
const LABEL = { login: 'Login', logout: 'Logout' } as const;

/**
 * The sending side of login and logout (§6.9): after a sign-in or sign-out here, the page the browser
 * lands on performs the action on every site that has it enabled outgoing — hidden iframes, or a chain
 * of redirects for browsers that refuse third-party cookies — each URL with a fresh single-use token
 * from that site. Tokens are requested side by side with a timeout; a site that does not answer is
 * skipped (and logged) instead of stranding the browser on its error page.
 */
export class AsyncActionService {
  constructor(private readonly deps: AsyncActionDeps) {}

  /** The plugin's `needs_redirect()` for this browser. Logout always uses iframes, as in the plugin. */
  async mode(action: BrowserAction, userAgent: string | undefined): Promise<AsyncMode> {
    if (action === 'logout') return 'iframe';
    return needsRedirect(await this.deps.browserSupport(), userAgent) ? 'redirect' : 'iframe';
  }

  /** Sites with the action enabled outgoing, in their configured order. */
  async targets(action: BrowserAction): Promise<SiteSnapshot[]> {
    return (await this.deps.sites()).filter((s) => s.outgoingActions.includes(action));
  }

  /** The page redirect chains come back to. */
  get callbackUrl(): string {
    return `${this.deps.publicUrl}/login`;
  }

  /**
   * Queues the action for the sites that want it, for this browser only; returns the flow cookie to
   * set, or null when no site wants it (or the keys are not configured).
   */
  async enqueue(params: {
    readonly action: BrowserAction;
    readonly user: AsyncUser;
    readonly remember: boolean;
    readonly sessionId: string | null;
    readonly userAgent: string | undefined;
    readonly redirectTo: string | null;
  }): Promise<string | null> {
    const sites = await this.targets(params.action);
    if (sites.length === 0 || !(await this.deps.keys())) return null;
    const mode = await this.mode(params.action, params.userAgent);
    const secret = randomBytes(32).toString('base64url');
    const em = this.deps.orm.em.fork();
    em.create(AsyncFlow, {
      flowHash: sha256Hex(secret),
      action: params.action,
      mode,
      userId: params.user.id,
      login: params.user.login,
      remember: params.remember,
      sessionId: params.sessionId,
      siteIds: sites.map((s) => s.id),
      redirectTo: params.redirectTo,
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + FLOW_LIFETIME_SECONDS * 1000),
    });
    await em.flush();
    this.deps.log({
      type: 'info',
      event: 'async.enqueued',
      message: `${LABEL[params.action]} action - enqueueing asynchronous actions for username "${params.user.login}"`,
      action: params.action,
      direction: 'outgoing',
      login: params.user.login,
      outcome: 'queued',
      data: { mode, sites: sites.map((s) => s.url) },
    });
    return this.deps.cookies.set(this.deps.cookies.flowName, secret, FLOW_LIFETIME_SECONDS);
  }

  /**
   * Every URL at once (iframe mode, and the JSON API for clients that render their own pages). In
   * redirect mode each URL carries `callback_url`; the client visits them one after the other.
   */
  async prepareAll(
    action: BrowserAction,
    user: AsyncUser,
    remember: boolean,
    mode: AsyncMode,
    callbackUrl: string | null = null,
    sites?: readonly SiteSnapshot[],
  ): Promise<AsyncUrl[]> {
    const keys = await this.deps.keys();
    if (!keys) return [];
    const targets = sites ?? (await this.targets(action));
    const callback = mode === 'redirect' ? (callbackUrl ?? this.callbackUrl) : null;
    const prepared = await Promise.all(
      targets.map((site) => this.prepare(action, site, user.login, remember, callback, keys, mode)),
    );
    return prepared.filter((p): p is AsyncUrl => p !== null);
  }

  /**
   * The next step of this browser's pending flow, if it has one: all iframes at once, or the next
   * redirect of the chain (the last queued site first, as in the plugin). Each redirect takes its site
   * off the flow before the browser leaves, so a chain ends however many sites it has.
   */
  async continue(cookieHeader: string | undefined, sessionId: string | null): Promise<FlowStep> {
    const cookies = this.deps.cookies;
    const secret = cookies.read(cookieHeader, cookies.flowName);
    if (!secret) return { kind: 'none', clearCookie: null };
    const clearCookie = cookies.clear(cookies.flowName);
    const em = this.deps.orm.em.fork();
    const flow = await em.findOne(AsyncFlow, { flowHash: sha256Hex(secret) });
    if (!flow || flow.expiresAt.getTime() < Date.now()) {
      if (flow) await em.nativeDelete(AsyncFlow, { id: flow.id });
      return { kind: 'none', clearCookie };
    }
    const base = { action: flow.action, direction: 'outgoing' as const, login: flow.login };
    if (flow.action === 'login' && flow.sessionId !== sessionId) {
      await em.nativeDelete(AsyncFlow, { id: flow.id });
      this.deps.log({
        ...base,
        type: 'warning',
        event: 'async.abandoned',
        message: `Login action - pending asynchronous actions for username "${flow.login}" dropped: the browser is no longer signed in with the session that queued them.`,
        outcome: 'dropped',
        cause: 'session_changed',
      });
      return { kind: 'none', clearCookie };
    }
    const keys = await this.deps.keys();
    const byId = new Map((await this.targets(flow.action)).map((s) => [s.id, s]));
    const remaining = flow.siteIds.flatMap((id) => {
      const site = byId.get(id);
      return site ? [site] : [];
    });
    const user = { id: flow.userId, login: flow.login };
    if (flow.mode === 'iframe' || !keys) {
      const urls = keys
        ? await this.prepareAll(flow.action, user, flow.remember, 'iframe', null, remaining)
        : [];
      await em.nativeDelete(AsyncFlow, { id: flow.id });
      return { kind: 'iframes', action: flow.action, urls, redirectTo: flow.redirectTo, clearCookie };
    }
    const silent = (await this.deps.browserSupport()).silentStrict;
    for (let site = remaining.pop(); site; site = remaining.pop()) {
      const next = await this.prepare(
        flow.action,
        site,
        flow.login,
        flow.remember,
        this.callbackUrl,
        keys,
        'redirect',
      );
      if (!next) continue;
      await em.nativeUpdate(AsyncFlow, { id: flow.id }, { siteIds: remaining.map((s) => s.id) });
      return { kind: 'redirect', action: flow.action, url: next.url, silent, remaining: remaining.length };
    }
    await em.nativeDelete(AsyncFlow, { id: flow.id });
    this.deps.log({
      ...base,
      type: 'info',
      event: 'async.done',
      message: `${LABEL[flow.action]} action - asynchronous actions done for username "${flow.login}"`,
      outcome: 'done',
    });
    return { kind: 'done', action: flow.action, redirectTo: flow.redirectTo, clearCookie };
  }

  /** One site's URL with a fresh GET token, or null (logged) when the site gave none in time. */
  private async prepare(
    action: BrowserAction,
    site: SiteSnapshot,
    login: string,
    remember: boolean,
    callbackUrl: string | null,
    keys: EnvelopeKeys,
    mode: AsyncMode,
  ): Promise<AsyncUrl | null> {
    const base = { action, direction: 'outgoing' as const, login, siteId: site.id };
    const skip = (cause: string, why: string, latencyMs: number): null => {
      this.deps.log({
        ...base,
        type: 'alert',
        event: 'async.skipped',
        message: `${LABEL[action]} action - skipped ${site.url} for username "${login}": ${why}`,
        outcome: 'skipped',
        cause,
        latencyMs,
      });
      return null;
    };
    let token: string;
    const started = performance.now();
    try {
      const answer = await this.deps.peerClient.requestToken(
        `${site.url.replace(/\/+$/, '')}/`,
        keys,
        action,
        'get',
        this.deps.tokenTimeoutMs,
      );
      if (!answer.token)
        return skip('token_refused', `no token (${answer.problem ?? 'refused'})`, answer.response.latencyMs);
      token = answer.token.nonce;
    } catch (err) {
      const latencyMs = Math.round(performance.now() - started);
      if (err instanceof PeerTransportError)
        return skip(
          err.kind === 'timeout' ? 'token_timeout' : 'site_unreachable',
          `no token (${err.message})`,
          latencyMs,
        );
      throw err;
    }
    const payload =
      action === 'login'
        ? loginPayload(login, remember, this.deps.publicUrl, callbackUrl)
        : logoutPayload(login, this.deps.publicUrl);
    const url = asyncActionUrl(site.url, action, encryptBundle(encodePayload(payload), keys), token);
    const endpoint = `${site.url.replace(/\/+$/, '')}/wprus/${action}/`;
    this.deps.log({
      ...base,
      type: 'info',
      event: 'async.url',
      // The plugin logs the whole URL; it is a bearer login link until used (Q22), so not here.
      message:
        mode === 'redirect'
          ? `Ready to redirect to ${endpoint} async URL (token ${tokenHint(token) ?? ''})`
          : `Added ${endpoint} async URL (token ${tokenHint(token) ?? ''})`,
      outcome: 'prepared',
      data: { mode },
    });
    return { siteId: site.id, siteUrl: site.url, url };
  }
}
