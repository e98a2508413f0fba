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

/** The HTTP side of talking to a WPRUS peer: token requests and encrypted action POSTs. */
export class PeerClient {
  private readonly userAgent: string;

  constructor(private readonly options: PeerClientOptions) {
    this.userAgent = options.userAgent ?? `remote-users-sync; ${options.publicUrl}`;
  }

  async post(url: string, body: string, timeoutMs: number): Promise<PeerResponse> {
    const started = performance.now();
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'user-agent': this.userAgent,
          accept: '*/*',
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      return { status: res.status, body: text, latencyMs: Math.round(performance.now() - started) };
    } catch (err) {
      const latencyMs = Math.round(performance.now() - started);
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      throw new PeerTransportError(
        timedOut
          ? `no answer within ${timeoutMs} ms`
          : `${err instanceof Error ? err.message : String(err)}${cause}`,
        latencyMs,
        timedOut ? 'timeout' : 'network',
      );
    }
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
