import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * Many graphql-ws subscribers in their own process. argv[2]: JSON spec. Reports on stdout (one JSON
 * line each): `ready` once every subscription is acknowledged by a first event, then, on `stop` from
 * the parent, the latencies (receive time − the entry's `at`) of events received in the window.
 */
interface Spec {
  readonly url: string;
  readonly token: string;
  readonly subscribers: number;
  readonly sites: readonly string[];
}

const spec = JSON.parse(process.argv[2] ?? '{}') as Spec;
const latencies: number[] = [];
let measuring = false;
let received = 0;
let errors = 0;
const ready = new Set<number>();

const clients = Array.from({ length: spec.subscribers }, () =>
  createClient({
    url: spec.url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${spec.token}` },
    retryAttempts: 0,
    lazy: true,
  }),
);

for (const [i, client] of clients.entries()) {
  const siteId = spec.sites[i % spec.sites.length];
  client.subscribe<{ activityLogged: { at: string; siteId: string | null } }>(
    {
      query: 'subscription($s: ID) { activityLogged(filter: { siteId: $s }) { id at siteId message } }',
      variables: { s: siteId },
    },
    {
      next: (value) => {
        const at = value.data?.activityLogged.at;
        if (!at) return;
        ready.add(i);
        received++;
        if (measuring) latencies.push(Date.now() - Date.parse(at));
      },
      error: () => errors++,
      complete: () => undefined,
    },
  );
  // Connect in small waves.
  if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 20));
}

const readyTimer = setInterval(() => {
  if (ready.size === spec.subscribers) {
    clearInterval(readyTimer);
    process.stdout.write(`${JSON.stringify({ type: 'ready' })}\n`);
  }
}, 50);

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  for (const line of chunk.split('\n').filter(Boolean)) {
    const command = JSON.parse(line) as { type: string };
    if (command.type === 'start') {
      measuring = true;
      received = 0;
    }
    if (command.type === 'stop') {
      measuring = false;
      const cpu = process.cpuUsage();
      const sorted = latencies.sort((a, b) => a - b);
      const at = (p: number): number =>
        sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
      const line = JSON.stringify({
        type: 'result',
        count: sorted.length,
        p50: at(50),
        p90: at(90),
        p99: at(99),
        max: sorted.at(-1) ?? NaN,
        received,
        errors,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
      });
      process.stdout.write(`${line}\n`, () => {
        void Promise.all(clients.map(async (c) => c.dispose())).then(() => process.exit(0));
      });
    }
  }
});
