import { readFileSync } from 'node:fs';
import http from 'node:http';
import { encodePayload, encryptBundle } from '../../src/protocol/envelope.js';
import { encodeWprusBody } from '../../src/protocol/form-body.js';
import { updatePayload } from '../suites/crypto.bench.js';

/**
 * A closed-loop HTTP load generator, run in its own process so that it does not share the server's
 * event loop. Input: a JSON file named by argv[2] (paths and bodies); output: one JSON line.
 */
interface LoadSpec {
  readonly host: string;
  readonly port: number;
  readonly requests: readonly { path: string; body: string }[];
  /** Build a fresh \`update\` per request instead (every bundle unique, as a real sender's are). */
  readonly generate?: {
    readonly path: string;
    readonly keys: { aesKey: string; hmacKey: string };
    readonly token: string;
    readonly logins: readonly string[];
  };
  readonly concurrency: number;
  readonly durationMs: number;
  readonly warmupMs: number;
}

const spec = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as LoadSpec;
const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency });

function send(path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: spec.host,
        port: spec.port,
        path,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A unique encrypted \`update\` changing 5 meta keys of one of the users. */
function generated(n: number): { path: string; body: string } | undefined {
  const g = spec.generate;
  if (!g) return undefined;
  const login = g.logins[n % g.logins.length] ?? '';
  return {
    path: g.path,
    body: encodeWprusBody({
      wprusdata: encryptBundle(encodePayload(updatePayload(login, n)), g.keys),
      token: g.token,
    }),
  };
}

let next = 0;
const latencies: number[] = [];
let errors = 0;
let measuring = false;
const stopAt = performance.now() + spec.warmupMs + spec.durationMs;
setTimeout(() => {
  measuring = true;
}, spec.warmupMs);

async function loop(): Promise<void> {
  while (performance.now() < stopAt) {
    const n = next++;
    const request = spec.generate ? generated(n) : spec.requests[n % spec.requests.length];
    if (!request) break;
    const started = performance.now();
    const status = await send(request.path, request.body).catch(() => 0);
    if (!measuring) continue;
    if (status !== 200) errors++;
    latencies.push(performance.now() - started);
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: spec.concurrency }, () => loop()));
const elapsed = performance.now() - started - spec.warmupMs;
latencies.sort((a, b) => a - b);
const cpu = process.cpuUsage();
process.stdout.write(
  `${JSON.stringify({ count: latencies.length, errors, seconds: elapsed / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, latencies: latencies.filter((_, i) => i % 10 === 0) })}\n`,
);
agent.destroy();
