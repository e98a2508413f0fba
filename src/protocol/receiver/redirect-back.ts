import type { ActionKey } from '../actions.js';
import { callbackRedirect } from '../browser-actions.js';
import type { IncomingSite, PeerReply, ReceiverDeps, ReceiverSettings } from './types.js';

export interface RedirectBackParams {
  readonly action: ActionKey;
  /** The payload's `callback_url` (any JSON value: it is checked here). */
  readonly callback: unknown;
  /** The payload's `base_url`. */
  readonly origin: string;
  /** The configured site the request was matched to, if it got that far. */
  readonly matched: IncomingSite | null;
  readonly settings: ReceiverSettings;
  readonly login: string | null;
  readonly remoteIp: string;
  readonly setCookie?: readonly string[] | undefined;
}

/**
 * The 303 that sends a browser back along its redirect chain (§6.9): to `callback_url` when it belongs
 * to the sending site, else to that site's own URL — never elsewhere (the plugin's open redirect, Q26).
 * A sender that is not configured here still holds the federation's keys (the bundle's MAC proves it):
 * its own `base_url` then stands for the site (§14), so its chain goes on.
 */
export async function redirectBack(deps: ReceiverDeps, p: RedirectBackParams): Promise<PeerReply> {
  const site =
    p.matched ??
    (p.origin ? await deps.findSite(p.origin, null, 'incoming', p.settings.strictSiteMatching) : null);
  const base = {
    event: 'incoming.redirect',
    action: p.action,
    direction: 'incoming' as const,
    login: p.login,
    remoteIp: p.remoteIp,
    siteId: site?.id ?? null,
  };
  const siteUrl = site?.url ?? (/^https?:\/\//i.test(p.origin) ? p.origin : null);
  if (siteUrl === null) {
    deps.log({
      ...base,
      type: 'alert',
      message: `Not following callback_url of a ${p.action} request: the sender's base_url ${p.origin || '(none)'} is not a URL.`,
      outcome: 'refused',
      cause: 'callback_unknown_site',
    });
    return p.setCookie ? { kind: 'empty', setCookie: p.setCookie } : { kind: 'empty' };
  }
  const decision = callbackRedirect(p.callback, siteUrl);
  if (!decision.accepted) {
    deps.log({
      ...base,
      type: 'alert',
      message: `Refused to redirect to callback_url of a ${p.action} request from ${siteUrl} (${decision.reason}): sent the browser to the site instead.`,
      outcome: 'refused',
      cause: 'callback_refused',
      data: { callback_url: typeof p.callback === 'string' ? p.callback.slice(0, 300) : null },
    });
  } else if (decision.repairedPort) {
    deps.log({
      ...base,
      type: 'info',
      message: `callback_url of a ${p.action} request from ${siteUrl} had no port: used the site's port.`,
      outcome: 'repaired',
      cause: 'callback_port_repaired',
    });
  }
  return {
    kind: 'redirect',
    location: decision.location,
    ...(p.setCookie ? { setCookie: p.setCookie } : {}),
  };
}
