/**
 * The plugin's browser-support settings and its `needs_redirect()` formula (protocol doc §6.7–6.9):
 * whether login/logout run through a redirect chain ("strict" mode, for browsers that refuse
 * third-party cookies) instead of hidden iframes.
 */

/** The plugin's `browser_support` option, federation-wide (all sites should agree, Q24). */
export interface BrowserSupport {
  /** "Force Login Redirects & Logout Everywhere" (`force_login_logout_strict`). */
  readonly forceStrict: boolean;
  /** "Force Disable Login Redirects & Logout Everywhere"; wins over `forceStrict`. */
  readonly forceDisableStrict: boolean;
  /** "Use Silent Redirection": the chain uses HTTP 303s instead of a "Processing..." page. */
  readonly silentStrict: boolean;
}

export const BROWSER_SUPPORT_DEFAULTS: BrowserSupport = {
  forceStrict: false,
  forceDisableStrict: false,
  silentStrict: false,
};

/**
 * WordPress core's `$is_safari` (wp-includes/vars.php): the user agent names Safari and did not match
 * an earlier branch of core's sniffing (Lynx, Edge, Opera, Chrome). Chrome and Firefox on iOS
 * (`CriOS`, `FxiOS`) carry no `Chrome` token, so they count as Safari, as they do for the plugin.
 */
export function isSafariUserAgent(userAgent: string | undefined): boolean {
  if (!userAgent) return false;
  if (userAgent.includes('Lynx') || userAgent.includes('Edg')) return false;
  if (userAgent.includes('Opera') || userAgent.includes('OPR/')) return false;
  const lower = userAgent.toLowerCase();
  if (lower.includes('chrome')) return false;
  return lower.includes('safari');
}

/**
 * `needs_redirect()`: `(force strict || Safari || iPhone/iPad) && !force disable`, evaluated against
 * the current request's user agent and this site's settings, on the sending and receiving side alike.
 */
export function needsRedirect(settings: BrowserSupport, userAgent: string | undefined): boolean {
  const strictBrowser = isSafariUserAgent(userAgent) || /iPhone|iPad/.test(userAgent ?? '');
  return (settings.forceStrict || strictBrowser) && !settings.forceDisableStrict;
}
