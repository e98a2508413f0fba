/**
 * Which configured remote site sent a request? (protocol doc §2.7, Q29)
 *
 * Plugin rules (`Wprus_Settings::get_site`): trailing `/` and `\` are stripped from both URLs; the
 * hosts must be identical strings (case-sensitive, `www` significant); scheme, port, user info,
 * query and fragment are ignored; the configured path must be a plain string prefix of the sender's
 * path (`/blog` matches `/blog2`); the longest prefix wins and on a tie the LATER entry wins.
 * `strict` mode instead requires scheme, host, port and path to be equal after WHATWG URL
 * normalisation (lower-case scheme/host, default port dropped, trailing slashes ignored).
 */

export interface SiteWithUrl {
  readonly url: string;
}

export interface SiteMatchResult<T extends SiteWithUrl> {
  /** The site the plugin would pick, or null. */
  readonly site: T | null;
  /** Every matching site, best first (the order the plugin would prefer them). */
  readonly matches: readonly T[];
  /** True when another site matched as well as the chosen one; the plugin picks silently. */
  readonly ambiguous: boolean;
}

export interface SiteOverlap<T extends SiteWithUrl> {
  /** `same`: equal host and path, the earlier site is shadowed; `nested`: one path prefixes the other. */
  readonly kind: 'same' | 'nested';
  readonly first: T;
  readonly second: T;
}

/**
 * Finds the configured site(s) matching a sender's `base_url`. As in the plugin, pass the candidate
 * sites already filtered (e.g. by their incoming flag for the action): filtering after matching
 * would reject senders the plugin accepts through a shorter-prefix site.
 */
export function findSiteForSender<T extends SiteWithUrl>(
  sites: readonly T[],
  baseUrl: string,
  options: { readonly strict?: boolean } = {},
): SiteMatchResult<T> {
  return options.strict === true ? strictMatch(sites, baseUrl) : pluginMatch(sites, baseUrl);
}

/** Pairs of configured sites that some sender URL would match both of under the plugin's rules. */
export function overlappingSites<T extends SiteWithUrl>(sites: readonly T[]): SiteOverlap<T>[] {
  const parsed = sites.map((site) => ({ site, key: hostAndPath(site.url) }));
  const overlaps: SiteOverlap<T>[] = [];
  parsed.forEach((a, i) => {
    for (const b of parsed.slice(i + 1)) {
      if (a.key === null || b.key === null || a.key.host !== b.key.host) continue;
      if (a.key.path === b.key.path) overlaps.push({ kind: 'same', first: a.site, second: b.site });
      else if (a.key.path.startsWith(b.key.path) || b.key.path.startsWith(a.key.path)) {
        overlaps.push({ kind: 'nested', first: a.site, second: b.site });
      }
    }
  });
  return overlaps;
}

function pluginMatch<T extends SiteWithUrl>(sites: readonly T[], baseUrl: string): SiteMatchResult<T> {
  const sender = hostAndPath(baseUrl);
  const scored: { site: T; length: number; index: number }[] = [];
  if (sender !== null) {
    sites.forEach((site, index) => {
      const key = hostAndPath(site.url);
      if (key !== null && key.host === sender.host && sender.path.startsWith(key.path)) {
        scored.push({ site, length: key.path.length, index });
      }
    });
  }
  scored.sort((a, b) => b.length - a.length || b.index - a.index);
  const [best, second] = scored;
  return {
    site: best?.site ?? null,
    matches: scored.map((s) => s.site),
    ambiguous: best !== undefined && second !== undefined && second.length === best.length,
  };
}

function strictMatch<T extends SiteWithUrl>(sites: readonly T[], baseUrl: string): SiteMatchResult<T> {
  const sender = normalisedOrigin(baseUrl);
  const matches =
    sender === null ? [] : sites.filter((site) => normalisedOrigin(site.url) === sender).reverse();
  return { site: matches[0] ?? null, matches, ambiguous: matches.length > 1 };
}

function normalisedOrigin(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
}

/** `untrailingslashit` then `wp_parse_url`, keeping host and (untrailingslashed) path. */
function hostAndPath(url: string): { host: string; path: string } | null {
  const parts = phpParseUrl(url.replace(/[/\\]+$/, ''));
  if (parts === null || parts.host === '') return null;
  return { host: parts.host, path: parts.path.replace(/[/\\]+$/, '') };
}

/**
 * The host and path PHP's `parse_url` would extract, for the shapes a `home` URL can take:
 * `scheme://[user@]host[:port][/path][?q][#f]`, `//host…`, and scheme-less `host:port[/path]`.
 * Returns null where PHP fails (bad port) and an empty host where PHP finds only a path.
 */
function phpParseUrl(url: string): { host: string; path: string } | null {
  // eslint-disable-next-line no-control-regex -- PHP replaces control characters in URL parts
  const clean = url.replace(/[\u0000-\u001f\u007f]/g, '_'); // php_replace_controlchars
  let rest: string;
  const scheme = /^[A-Za-z0-9+.-]+:/.exec(clean);
  if (scheme !== null && clean.startsWith('//', scheme[0].length)) {
    rest = clean.slice(scheme[0].length + 2);
  } else if (clean.startsWith('//')) {
    rest = clean.slice(2);
  } else if (/^[^:/?#]+:\d{1,5}(?:\/|$)/.test(clean)) {
    rest = clean; // "a.com:80" / "127.0.0.1:8081/x": PHP reads a host and port, not a scheme
  } else {
    return { host: '', path: '' };
  }
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const tail = authorityEnd === -1 ? '' : rest.slice(authorityEnd);
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  let host = hostPort;
  if (!(hostPort.startsWith('[') && hostPort.endsWith(']'))) {
    const colon = hostPort.lastIndexOf(':');
    if (colon !== -1) {
      const port = hostPort.slice(colon + 1);
      if (port.length > 5 || (port !== '' && !/^\d/.test(port)) || Number.parseInt(port || '0', 10) > 65535)
        return null;
      host = hostPort.slice(0, colon);
    }
  }
  if (host === '') return null;
  return { host, path: tail.split('#')[0]?.split('?')[0] ?? '' };
}
