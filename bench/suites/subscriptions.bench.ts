import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { gql, startBenchApp } from '../lib/bench-app.js';
import { fmt, type SuiteResult } from '../lib/report.js';

const SUBSCRIBERS = Number(process.env['BENCH_SUBSCRIBERS'] ?? 1000);
const EVENTS_PER_SECOND = Number(process.env['BENCH_EVENTS_PER_SECOND'] ?? 500);
const SITES = 50;
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 15);

/**
 * 1,000 graphql-ws subscribers (in a separate process), each streaming `activityLogged` for one of
 * 50 sites, while the server stores and publishes 500 activity entries per second spread over those
 * sites: every entry reaches the 20 subscribers of its site, each filtered out for the other 980
 * before any GraphQL execution.
 */
export async function run(): Promise<SuiteResult> {
  const app = await startBenchApp({ PUBLIC_URL: 'http://127.0.0.1:8093' });
  try {
    const sites: string[] = [];
    for (let i = 0; i < SITES; i++) {
      const res = await gql<{ createSite: { site: { id: string } } }>(
        app,
        `mutation { createSite(input: { url: "https://site-${i}.example.org" }) { site { id } } }`,
      );
      sites.push(res.createSite.site.id);
    }
    const worker = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        new URL('../lib/subscribers.worker.ts', import.meta.url).pathname,
        JSON.stringify({
          url: app.url,
          token: 'bench-admin-token-0123456789abcdef',
          subscribers: SUBSCRIBERS,
          sites,
        }),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: worker.stdout });
    const messages: { type: string; [k: string]: unknown }[] = [];
    const waiters: (() => void)[] = [];
    lines.on('line', (line) => {
      if (!line.startsWith('{')) {
        process.stdout.write(`  subscribers: ${line}\n`);
        return;
      }
      messages.push(JSON.parse(line) as { type: string });
      for (const w of waiters.splice(0)) w();
    });
    const next = async (type: string): Promise<Record<string, unknown>> => {
      for (;;) {
        const found = messages.find((m) => m.type === type);
        if (found) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    };
    let sequence = 0;
    const produce = (count: number): void => {
      for (let i = 0; i < count; i++) {
        const site = sites[sequence % SITES] ?? null;
        app.services.activity.record({
          type: 'success',
          event: 'bench.event',
          message: `bench event ${sequence++}`,
          siteId: site,
          direction: 'incoming',
          action: 'update',
          login: `bench_${sequence % 1000}`,
        });
      }
    };
    // Until every subscriber has had an event: all subscriptions are live.
    const warm = setInterval(() => produce(SITES), 100);
    await next('ready');
    clearInterval(warm);
    // 500 per second: every 10 ms, whatever is due by the clock (a late timer catches up).
    const producingSince = performance.now();
    const firstSequence = sequence;
    const ticker = setInterval(() => {
      const due = Math.floor(((performance.now() - producingSince) / 1000) * EVENTS_PER_SECOND);
      produce(Math.max(0, due - (sequence - firstSequence)));
    }, 10);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const producedBefore = sequence;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    worker.stdin.write(`${JSON.stringify({ type: 'start' })}\n`);
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    worker.stdin.write(`${JSON.stringify({ type: 'stop' })}\n`);
    const elapsed = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const produced = sequence - producedBefore;
    clearInterval(ticker);
    const result = (await next('result')) as {
      count: number;
      p50: number;
      p90: number;
      p99: number;
      max: number;
      received: number;
      errors: number;
      cpuSeconds: number;
    };
    const p99 = result.p99;
    const serverCpu = ((cpu.user + cpu.system) / 1e6 / elapsed) * 100;
    process.stdout.write(
      `  ${produced} events produced, ${result.received} messages received (${fmt(result.received / elapsed)}/s), ${result.errors} errors\n`,
    );
    if (result.errors > 0 || result.count === 0)
      throw new Error('subscriptions bench: errors or nothing received');
    return {
      suite: 'subscriptions',
      title: 'Live activity stream (graphql-ws subscriptions)',
      command: 'npm run bench subscriptions',
      setup: `${SUBSCRIBERS} graphql-ws clients (each its own WebSocket, in a separate process) subscribed to \`activityLogged(filter: { siteId })\`, ${SUBSCRIBERS / SITES} per site for ${SITES} sites; the server stores ${EVENTS_PER_SECOND} activity entries per second in MariaDB (batched INSERTs), spread evenly over the sites, and publishes each after its INSERT commits, so each entry reaches ${SUBSCRIBERS / SITES} subscribers and is filtered out for the others before any GraphQL execution. Latency: from the moment the entry is recorded (its \`at\`) to its arrival at a subscriber, measured over ${SECONDS} s after a 2 s warm-up; it includes the activity log's batching delay (up to 20 ms) and the database write.`,
      figures: [
        { metric: 'events stored and published', value: `${fmt(produced / elapsed)}/s` },
        { metric: 'messages delivered to subscribers', value: `${fmt(result.received / elapsed)}/s` },
        { metric: 'delivery latency p50', value: `${fmt(result.p50)} ms` },
        { metric: 'delivery latency p90', value: `${fmt(result.p90)} ms` },
        { metric: 'delivery latency p99', value: `${fmt(p99)} ms`, target: '< 100 ms', met: p99 < 100 },
        { metric: 'server CPU', value: `${fmt(serverCpu)} % of one core` },
        { metric: 'subscribers process CPU (whole run)', value: `${fmt(result.cpuSeconds, 1)} s` },
      ],
    };
  } finally {
    await app.dispose();
  }
}
