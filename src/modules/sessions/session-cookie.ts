import type { SessionCookieConfig } from '../../config/config.js';

/** The values of a `Cookie` header by name (first occurrence wins, as browsers send the most specific first). */
export function parseCookieHeader(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

const SAME_SITE = { none: 'None', lax: 'Lax', strict: 'Strict' } as const;

/**
 * Builds the `Set-Cookie` values of this server's browser cookies: always HttpOnly, Secure and
 * SameSite as configured, scoped to the path of `PUBLIC_URL`.
 */
export class CookieJar {
  constructor(
    private readonly config: SessionCookieConfig,
    private readonly path: string,
  ) {}

  get sessionName(): string {
    return this.config.name;
  }

  /** The cookie that carries a pending login/logout flow between the steps of a redirect chain. */
  get flowName(): string {
    return `${this.config.name}_async`;
  }

  read(header: string | undefined, name: string): string | null {
    const value = parseCookieHeader(header).get(name);
    return value && /^[A-Za-z0-9_-]{20,128}$/.test(value) ? value : null;
  }

  /** `maxAgeSeconds` null: a browser-session cookie (no `Max-Age`/`Expires`). */
  set(name: string, value: string, maxAgeSeconds: number | null): string {
    const lifetime =
      maxAgeSeconds === null
        ? ''
        : `; Max-Age=${maxAgeSeconds}; Expires=${new Date(Date.now() + maxAgeSeconds * 1000).toUTCString()}`;
    return `${name}=${value}${lifetime}${this.attributes()}`;
  }

  clear(name: string): string {
    return `${name}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT${this.attributes()}`;
  }

  private attributes(): string {
    return `; Path=${this.path}; HttpOnly${this.config.secure ? '; Secure' : ''}; SameSite=${SAME_SITE[this.config.sameSite]}`;
  }
}
