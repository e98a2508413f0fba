/**
 * Login and logout through the browser (protocol doc §6.7–6.9), the parts both sides share: the
 * payloads the plugin encrypts, the GET URLs it prints into iframes or redirects to, and where a
 * receiver may send the browser back to.
 */
import type { JsonObject } from './envelope.js';
import { encodeWprusQuery } from './form-body.js';

export const BROWSER_ACTIONS = ['login', 'logout'] as const;
export type BrowserAction = (typeof BROWSER_ACTIONS)[number];

/** How the browser performs the actions: hidden iframes, or a chain of top-level redirects. */
export type AsyncMode = 'iframe' | 'redirect';

/**
 * The login payload, keys in the plugin's order: `{username, remember, base_url[, callback_url]}`
 * (`remember` a number, 0 or 1: WordPress receivers reject booleans).
 */
export function loginPayload(
  username: string,
  remember: boolean,
  baseUrl: string,
  callbackUrl: string | null,
): JsonObject {
  const payload: Record<string, string | number> = {
    username,
    remember: remember ? 1 : 0,
    base_url: baseUrl,
  };
  if (callbackUrl !== null) payload['callback_url'] = callbackUrl;
  return payload;
}

/** The logout payload, `{username, base_url}`. */
export function logoutPayload(username: string, baseUrl: string): JsonObject {
  return { username, base_url: baseUrl };
}

/**
 * `trailingslashit(url) . 'wprus/' . action . '/?wprusdata=…&token=…'`, each value rawurlencoded, as
 * the plugin builds it (`add_query_arg` does not encode again).
 */
export function asyncActionUrl(
  siteUrl: string,
  action: BrowserAction,
  bundle: string,
  token: string,
): string {
  return `${siteUrl.replace(/\/+$/, '')}/wprus/${action}/?${encodeWprusQuery({ wprusdata: bundle, token })}`;
}

export type CallbackDecision =
  | { readonly accepted: true; readonly location: string; readonly repairedPort: boolean }
  | { readonly accepted: false; readonly location: string; readonly reason: string };

function parseHttpUrl(value: string): URL | null {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/**
 * Where a receiver sends the browser back to at the end of a redirect-chain step. The plugin redirects
 * to any `callback_url` (Q26, an open redirect); we follow it only when it belongs to the sending
 * site: same host as the site's configured URL, under its path, on its port. Otherwise the browser goes
 * to the site's own URL, so the user is never stranded nor sent elsewhere.
 *
 * The plugin builds `callback_url` from its home's scheme and host without the port (§6.9), which
 * breaks every chain on a site with an explicit port; a callback without a port on such a site's host
 * gets the site's port back.
 */
export function callbackRedirect(callbackUrl: unknown, siteUrl: string): CallbackDecision {
  const site = parseHttpUrl(siteUrl);
  const fallback = site?.href ?? siteUrl;
  if (typeof callbackUrl !== 'string' || callbackUrl === '')
    return { accepted: false, location: fallback, reason: 'no callback_url' };
  const callback = parseHttpUrl(callbackUrl);
  if (!callback || !site)
    return { accepted: false, location: fallback, reason: 'callback_url is not an http(s) URL' };
  if (callback.username || callback.password)
    return { accepted: false, location: fallback, reason: 'callback_url carries credentials' };
  if (callback.hostname.toLowerCase() !== site.hostname.toLowerCase())
    return {
      accepted: false,
      location: fallback,
      reason: `callback_url host ${callback.hostname} is not the site's`,
    };
  let repairedPort = false;
  if (callback.port === '' && site.port !== '' && callback.protocol === site.protocol) {
    callback.port = site.port;
    repairedPort = true;
  }
  // Same scheme: same port. An http/https switch (a site configured as http whose home is https) is
  // allowed on the default ports only.
  const samePort =
    callback.protocol === site.protocol
      ? callback.port === site.port
      : callback.port === '' && site.port === '';
  if (!samePort)
    return {
      accepted: false,
      location: fallback,
      reason: `callback_url port ${callback.port || 'default'} is not the site's`,
    };
  const sitePath = site.pathname.replace(/\/+$/, '');
  if (sitePath !== '' && callback.pathname !== sitePath && !callback.pathname.startsWith(`${sitePath}/`))
    return {
      accepted: false,
      location: fallback,
      reason: `callback_url is outside the site's path ${sitePath}`,
    };
  return { accepted: true, location: callback.href, repairedPort };
}
