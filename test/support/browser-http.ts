import { request } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** The `Set-Cookie` values. */
  readonly cookies: string[];
}

/**
 * One HTTP request from a chosen loopback address (`from`), as a browser on another machine would
 * make it; redirects are not followed. Used to test per-IP behaviour with real sockets.
 */
export function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; from?: string } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ...(options.from ? { localAddress: options.from } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          const setCookie = res.headers['set-cookie'];
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, cookies: setCookie ?? [] });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A browser's cookie jar for one host, fed by `Set-Cookie` headers. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(setCookie: readonly string[]): this {
    for (const line of setCookie) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1).trim());
    }
    return this;
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }

  get header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** Form-encodes fields. */
export const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
