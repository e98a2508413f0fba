import http from 'node:http';
import https from 'node:https';
import type { ActionKey } from './actions.js';
import { encodePayload, encryptBundle, type EnvelopeKeys, type JsonValue } from './envelope.js';
import { encodeWprusBody } from './form-body.js';

/** `trailingslashit($url) . 'wprus/' . $endpoint . '/'`, as the plugin builds it. */
export function endpointUrl(remoteUrl: string, endpoint: ActionKey | 'token'): string {
  return `${remoteUrl.replace(/\/+$/, '')}/wprus/${endpoint}/`;
}

export interface PeerResponse {
  readonly status: number;
  readonly body: string;
  readonly latencyMs: number;
}

export class PeerTransportError extends Error {
  constructor(
    message: string,
    readonly latencyMs: number,
    readonly kind: 'timeout' | 'network',
  ) {
    super(message);
    this.name = 'PeerTransportError';
  }
}

export interface IssuedToken {
  readonly nonce: string;
  readonly expiry: number;
}

export interface PeerClientOptions {
  readonly publicUrl: string;
  readonly userAgent?: string;
}

/** Keep-alive connections shared by every peer request (one pool per origin inside each agent). */
const HTTP_AGENT = new http.Agent({ keepAlive: true, maxSockets: 32, scheduling: 'lifo' });
const HTTPS_AGENT = new https.Agent({ keepAlive: true, maxSockets: 32, scheduling: 'lifo' });
/** A peer's answer is a few bytes (actions) or a small JSON (tokens, pings). */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/** The HTTP side of talking to a WPRUS peer: token requests and encrypted action POSTs. */
export class PeerClient {
  private readonly userAgent: string;

  constructor(private readonly options: PeerClientOptions) {
    this.userAgent = options.userAgent ?? `remote-users-sync; ${options.publicUrl}`;
  }

  /**
   * POSTs a form over a keep-alive connection. A request that fails because the peer closed a reused
   * idle connection is sent again once (it never reached the peer); anything else is a transport error.
   */
  async post(url: string, body: string, timeoutMs: number): Promise<PeerResponse> {
    const started = performance.now();
    try {
      return await this.request(url, body, timeoutMs, started, true);
    } catch (err) {
      const latencyMs = Math.round(performance.now() - started);
      if (err instanceof PeerTransportError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      throw new PeerTransportError(
        `${err instanceof Error ? err.message : String(err)}${code && !String(err).includes(code) ? ` (${code})` : ''}`,
        latencyMs,
        'network',
      );
    }
  }

  private request(
    url: string,
    body: string,
    timeoutMs: number,
    started: number,
    retryStale: boolean,
  ): Promise<PeerResponse> {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const payload = Buffer.from(body, 'utf8');
    return new Promise<PeerResponse>((resolve, reject) => {
      const req = (secure ? https : http).request(
        target,
        {
          method: 'POST',
          agent: secure ? HTTPS_AGENT : HTTP_AGENT,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': payload.length,
            'user-agent': this.userAgent,
            accept: '*/*',
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              req.destroy(new Error(`answer larger than ${MAX_RESPONSE_BYTES} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => {
            clearTimeout(timer);
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              latencyMs: Math.round(performance.now() - started),
            });
          });
          res.on('error', fail);
        },
      );
      const timer = setTimeout(() => {
        req.destroy(
          new PeerTransportError(
            `no answer within ${timeoutMs} ms`,
            Math.round(performance.now() - started),
            'timeout',
          ),
        );
      }, timeoutMs);
      function fail(err: Error): void {
        clearTimeout(timer);
        if (retryStale && req.reusedSocket && (err as NodeJS.ErrnoException).code === 'ECONNRESET') {
          resolve(requestAgain());
          return;
        }
        reject(err);
      }
      const requestAgain = () => this.request(url, body, timeoutMs, started, false);
      req.on('error', fail);
      req.end(payload);
    });
  }

  /**
   * Asks a remote for a token (§4.1): the payload's `base_url` is the REMOTE's URL. Returns null with
   * the reason when the answer is not a token.
   */
  async requestToken(
    remoteUrl: string,
    keys: EnvelopeKeys,
    action: ActionKey,
    method: 'post' | 'get',
    timeoutMs: number,
  ): Promise<{ token: IssuedToken | null; response: PeerResponse; problem: string | null }> {
    const plaintext = encodePayload({ action, method, base_url: remoteUrl });
    const response = await this.post(
      endpointUrl(remoteUrl, 'token'),
      encodeWprusBody({ wprusdata: encryptBundle(plaintext, keys) }),
      timeoutMs,
    );
    if (response.status !== 200)
      return { token: null, response, problem: `token request answered HTTP ${response.status}` };
    if (!response.body)
      return {
        token: null,
        response,
        problem: 'token request refused (empty answer: the keys probably differ)',
      };
    try {
      const parsed = JSON.parse(response.body) as { nonce?: unknown; expiry?: unknown };
      if (
        typeof parsed.nonce === 'string' &&
        parsed.nonce !== '' &&
        (typeof parsed.expiry === 'number' || typeof parsed.expiry === 'string')
      ) {
        return { token: { nonce: parsed.nonce, expiry: Number(parsed.expiry) }, response, problem: null };
      }
    } catch {
      // fall through
    }
    return { token: null, response, problem: 'token answer is not {nonce, expiry} JSON' };
  }

  /** POSTs an encrypted action (`wprusdata` then `token`). */
  sendAction(
    remoteUrl: string,
    action: ActionKey,
    payload: JsonValue,
    token: string,
    keys: EnvelopeKeys,
    timeoutMs: number,
  ): Promise<PeerResponse> {
    const wprusdata = encryptBundle(encodePayload(payload), keys);
    return this.post(endpointUrl(remoteUrl, action), encodeWprusBody({ wprusdata, token }), timeoutMs);
  }
}
