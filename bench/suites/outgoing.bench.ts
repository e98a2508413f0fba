import { fork, type ChildProcess } from 'node:child_process';
import { WpUser } from '../../src/modules/users/user.entity.js';
import { Delivery } from '../../src/protocol/outbox/delivery.entity.js';
import { gql, startBenchApp } from '../lib/bench-app.js';
import { fmt, percentile, type SuiteResult } from '../lib/report.js';

const KEYS = { aesKey: 'bench-aes-key-0123456789abcdefghij', hmacKey: 'bench-hmac-key-0123456789abcdefghij' };
const FANOUT_PEERS = 50;
const FANOUT_UPDATES = Number(process.env['BENCH_FANOUT_UPDATES'] ?? 200);
const THROUGHPUT_PEERS = 10;
const THROUGHPUT_USERS = Number(process.env['BENCH_THROUGHPUT_USERS'] ?? 3000);

interface Arrival {
  readonly peer: number;
  readonly login: string;
  readonly at: number;
}

/** The peers' process: every accepted action arrives here with its arrival time. */
class PeerSink {
  private readonly child: ChildProcess;
  private listeners: ((arrivals: readonly Arrival[]) => void)[] = [];
  refused = 0;
  readonly port: Promise<number>;

  constructor() {
    this.child = fork(
      new URL('../lib/peer-sink.worker.ts', import.meta.url).pathname,
      [JSON.stringify(KEYS)],
      {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    this.port = new Promise((resolve) => {
      this.child.on(
        'message',
        (m: { type: string; port?: number; arrivals?: Arrival[]; refused?: number }) => {
          if (m.type === 'ready') resolve(m.port ?? 0);
          if (m.refused !== undefined) this.refused = m.refused;
          if (m.type === 'arrivals') for (const l of this.listeners) l(m.arrivals ?? []);
        },
      );
    });
  }

  /** Resolves with the arrivals once `count` of them have come in. */
  collect(count: number): Promise<Arrival[]> {
    const got: Arrival[] = [];
    return new Promise((resolve) => {
      const listener = (arrivals: readonly Arrival[]) => {
        got.push(...arrivals);
        if (got.length >= count) {
          this.listeners = this.listeners.filter((l) => l !== listener);
          resolve(got);
        }
      };
      this.listeners.push(listener);
    });
  }

  siteUrl(port: number, peer: number): string {
    return `http://127.0.0.1:${port}/p${peer}`;
  }

  stop(): void {
    this.child.kill();
  }
}

function now(): number {
  return performance.timeOrigin + performance.now();
}

async function configure(app: Awaited<ReturnType<typeof startBenchApp>>, urls: readonly string[]) {
  await gql(
    app,
    `mutation { updateSecuritySettings(input: { aesKey: "${KEYS.aesKey}", hmacKey: "${KEYS.hmacKey}" }) { warnings } }`,
  );
  for (const url of urls)
    await gql(
      app,
      `mutation($url: String!) { createSite(input: { url: $url, outgoingActions: [UPDATE] }) { site { id } } }`,
      { url },
    );
}

/** One user update fanned out to 50 peers, one at a time: time until the last peer has it. */
async function fanOut(sink: PeerSink): Promise<{ latencies: number[]; cpuMsPerDelivery: number }> {
  const port = await sink.port;
  const app = await startBenchApp({ PUBLIC_URL: 'http://127.0.0.1:8091' });
  try {
    await configure(
      app,
      Array.from({ length: FANOUT_PEERS }, (_, i) => sink.siteUrl(port, i)),
    );
    await gql(
      app,
      `mutation { createUser(input: { login: "fanout", email: "fanout@example.org", password: "Secret-123456" }) { user { id } } }`,
    );
    const update = async (i: number): Promise<number> => {
      const arrived = sink.collect(FANOUT_PEERS);
      const started = now();
      await gql(
        app,
        `mutation($n: String!) { updateUser(input: { login: "fanout", firstName: $n }) { user { id } } }`,
        {
          n: `First ${i}`,
        },
      );
      const arrivals = await arrived;
      return Math.max(...arrivals.map((a) => a.at)) - started;
    };
    for (let i = 0; i < 10; i++) await update(-i); // warm-up: tokens, connections, JIT
    const cpuBefore = process.cpuUsage();
    const latencies: number[] = [];
    for (let i = 0; i < FANOUT_UPDATES; i++) latencies.push(await update(i));
    const cpu = process.cpuUsage(cpuBefore);
    return {
      latencies: latencies.sort((a, b) => a - b),
      cpuMsPerDelivery: (cpu.user + cpu.system) / 1000 / (FANOUT_UPDATES * FANOUT_PEERS),
    };
  } finally {
    await app.dispose();
  }
}

/** A backlog of one `update` per user for each of 10 peers, drained by the relay. */
async function throughput(
  sink: PeerSink,
): Promise<{ rate: number; deliveries: number; cpuMsPerDelivery: number }> {
  const port = await sink.port;
  const app = await startBenchApp({ PUBLIC_URL: 'http://127.0.0.1:8092' });
  try {
    await configure(
      app,
      Array.from({ length: THROUGHPUT_PEERS }, (_, i) => sink.siteUrl(port, 100 + i)),
    );
    const em = app.orm.em.fork();
    await em.insertMany(
      WpUser,
      Array.from({ length: THROUGHPUT_USERS }, (_, i) => ({
        userLogin: `bench_out_${i}`,
        userEmail: `bench_out_${i}@example.org`,
        userNicename: `bench_out_${i}`,
        displayName: `bench_out_${i}`,
        userRegistered: new Date(),
      })),
    );
    await app.services.relay.stop();
    const { sites } = await gql<{ sites: { id: string }[] }>(app, '{ sites { id } }');
    for (const site of sites)
      await gql(app, `mutation($id: ID!) { resyncAllUsers(input: { siteId: $id }) { queued } }`, {
        id: site.id,
      });
    const deliveries = await app.orm.em.fork().count(Delivery, { status: 'pending' });
    const arrived = sink.collect(deliveries);
    const cpuBefore = process.cpuUsage();
    const started = now();
    app.services.relay.start();
    const arrivals = await arrived;
    const seconds = (Math.max(...arrivals.map((a) => a.at)) - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const settled = await app.orm.em.fork().count(Delivery, { status: 'delivered' });
    process.stdout.write(
      `  ${deliveries} deliveries queued, ${arrivals.length} arrived, ${settled} marked delivered\n`,
    );
    if (arrivals.length !== deliveries) throw new Error('outgoing bench: deliveries went missing');
    return {
      rate: deliveries / seconds,
      deliveries,
      cpuMsPerDelivery: (cpu.user + cpu.system) / 1000 / deliveries,
    };
  } finally {
    await app.dispose();
  }
}

/** The sender: a local change delivered to many remote peers through the outbox relay. */
export async function run(): Promise<SuiteResult> {
  const sink = new PeerSink();
  try {
    const fan = await fanOut(sink);
    process.stdout.write(
      `  fan-out: p50 ${fmt(percentile(fan.latencies, 50), 1)} ms, p99 ${fmt(percentile(fan.latencies, 99), 1)} ms\n`,
    );
    const tp = await throughput(sink);
    if (sink.refused > 0) throw new Error(`outgoing bench: peers refused ${sink.refused} requests`);
    const p99 = percentile(fan.latencies, 99);
    return {
      suite: 'outgoing',
      title: 'Outgoing deliveries (sender, MariaDB)',
      command: 'npm run bench outgoing',
      setup: `Sender on MariaDB 10.11; the remote peers are WPRUS receivers in one separate process (each decrypts and authenticates every bundle and checks its token, as the plugin does), at \`http://127.0.0.1:PORT/pN\` over loopback. Fan-out: ${FANOUT_UPDATES} \`updateUser\` mutations one after another, each measured from sending the mutation until the last of ${FANOUT_PEERS} peers has received the \`update\` (after 10 warm-up updates). Throughput: ${THROUGHPUT_USERS} users pushed to ${THROUGHPUT_PEERS} peers with \`resyncAllUsers\` while the relay is stopped, then the relay is started and the backlog drained (each delivery claimed, sent, and its attempt recorded in the database).`,
      figures: [
        {
          metric: `update delivered to ${FANOUT_PEERS} peers, p50`,
          value: `${fmt(percentile(fan.latencies, 50), 1)} ms`,
        },
        {
          metric: `update delivered to ${FANOUT_PEERS} peers, p99`,
          value: `${fmt(p99, 1)} ms`,
          target: '< 300 ms',
          met: p99 < 300,
        },
        { metric: 'sender CPU per delivery (fan-out)', value: `${fmt(fan.cpuMsPerDelivery, 2)} ms` },
        {
          metric: `deliveries/s to ${THROUGHPUT_PEERS} peers (${fmt(tp.deliveries)} drained)`,
          value: fmt(tp.rate),
          target: '≥ 2,000',
          met: tp.rate >= 2000,
        },
        { metric: 'sender CPU per delivery (throughput)', value: `${fmt(tp.cpuMsPerDelivery, 2)} ms` },
      ],
    };
  } finally {
    sink.stop();
  }
}
