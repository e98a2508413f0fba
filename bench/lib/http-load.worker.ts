import { readFileSync } from 'node:fs';
import http from 'node:http';

/**
 * A closed-loop HTTP load generator, run in its own process so that it does not share the server's
 * event loop. Input: a JSON file named by argv[2] (paths and bodies); output: one JSON line.
 */
interface LoadSpec {
  readonly host: string;
  readonly port: number;
  readonly requests: readonly { path: string; body: string }[];
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
    const request = spec.requests[next++ % spec.requests.length];
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
