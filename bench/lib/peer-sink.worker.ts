import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { decodePayload, decryptBundle, type EnvelopeKeys } from '../../src/protocol/envelope.js';
import { parsePhpForm } from '../../src/protocol/form-body.js';

/**
 * Many WPRUS peers in one process: site N is `http://127.0.0.1:PORT/pN`. Each answers token requests
 * and actions as the plugin does (decrypts and authenticates every bundle, checks the token) and reports
 * every accepted action to the parent as `{peer, login, at}` (wall-clock ms, high resolution), batched.
 * Runs in its own process so the peers do not share the sender's event loop.
 */
const keys = JSON.parse(process.argv[2] ?? '{}') as EnvelopeKeys;
const tokens = new Set<string>();
let pending: { peer: number; login: string; at: number }[] = [];
let refused = 0;

function now(): number {
  return performance.timeOrigin + performance.now();
}

function flush(): void {
  if (pending.length === 0) return;
  process.send?.({ type: 'arrivals', arrivals: pending, refused });
  pending = [];
}
setInterval(flush, 5).unref();

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = now();
    const match = /^\/p(\d+)\/wprus\/([a-z]+)\/$/.exec(req.url ?? '');
    const form = parsePhpForm(Buffer.concat(chunks).toString('latin1'));
    const decrypted = decryptBundle(form.get('wprusdata') ?? '', keys);
    const payload = decrypted.ok ? decodePayload(decrypted.plaintext) : null;
    if (!match || !payload?.ok || typeof payload.value !== 'object' || payload.value === null) {
      refused++;
      res.writeHead(200).end();
      return;
    }
    const data = payload.value as Record<string, unknown>;
    if (match[2] === 'token') {
      const nonce = randomBytes(16).toString('hex');
      tokens.add(nonce);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ nonce, expiry: Math.floor(Date.now() / 1000) + 3600 }));
      return;
    }
    if (!tokens.has(form.get('token') ?? '')) {
      refused++;
      res.writeHead(200).end();
      return;
    }
    const login = typeof data['username'] === 'string' ? data['username'] : '';
    pending.push({ peer: Number(match[1]), login, at });
    res.writeHead(200).end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('message', (message: { type: string }) => {
  if (message.type === 'flush') {
    flush();
    process.send?.({ type: 'flushed', refused });
  }
});
process.on('disconnect', () => process.exit(0));
