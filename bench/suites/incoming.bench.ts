import { WpUserMeta } from '../../src/modules/users/user-meta.entity.js';
import { WpUser } from '../../src/modules/users/user.entity.js';
import { encodePayload, encryptBundle } from '../../src/protocol/envelope.js';
import { USER_META_FIELDS } from '../../src/protocol/receiver/ports.js';
import { encodeWprusBody } from '../../src/protocol/form-body.js';
import { gql, runLoad, startBenchApp } from '../lib/bench-app.js';
import { fmt, percentile, type SuiteResult } from '../lib/report.js';

const KEYS = { aesKey: 'bench-aes-key-0123456789abcdefghij', hmacKey: 'bench-hmac-key-0123456789abcdefghij' };
const SENDER = 'http://127.0.0.1:8081';
const USERS = 2000;
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 32);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 15);

/**
 * Incoming `update` actions, each changing 5 meta keys of an existing user, from one sender over
 * keep-alive HTTP, against MariaDB: the full receiver path (decrypt, token, site match, duplicate check, user
 * lookup, transaction, activity log).
 */
export async function run(): Promise<SuiteResult> {
  const app = await startBenchApp({ PUBLIC_URL: 'http://127.0.0.1:8082' });
  try {
    await gql(
      app,
      `mutation { updateSecuritySettings(input: { aesKey: "${KEYS.aesKey}", hmacKey: "${KEYS.hmacKey}" }) { warnings }
        createSite(input: { url: "${SENDER}", incomingActions: [UPDATE, ROLE] }) { site { id } } }`,
    );
    const prefix = app.services.config.tablePrefix;
    const em = app.orm.em.fork();
    const logins = Array.from({ length: USERS }, (_, i) => `bench_user_${i}`);
    await em.insertMany(
      WpUser,
      logins.map((login) => ({
        userLogin: login,
        userEmail: `${login}@example.org`,
        userNicename: login,
        displayName: login,
        userRegistered: new Date(),
      })),
    );
    const users = await em.find(WpUser, {}, { fields: ['id', 'userLogin'] });
    const keys = USER_META_FIELDS;
    await em.insertMany(
      WpUserMeta,
      users.flatMap((u) => [
        ...keys.map((metaKey) => ({ userId: u.id, metaKey, metaValue: '' })),
        { userId: u.id, metaKey: `${prefix}capabilities`, metaValue: 'a:1:{s:6:"author";b:1;}' },
        { userId: u.id, metaKey: `${prefix}user_level`, metaValue: '2' },
      ]),
    );
    const tokenRes = await fetch(`${app.url}/wprus/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: encodeWprusBody({
        wprusdata: encryptBundle(
          encodePayload({ action: 'update', method: 'post', base_url: 'http://127.0.0.1:8082' }),
          KEYS,
        ),
      }),
    });
    const { nonce } = (await tokenRes.json()) as { nonce: string };
    const url = new URL(app.url);
    let statements = 0;
    const knex = app.orm.em.getConnection().getKnex();
    const countStatement = (): void => {
      statements++;
    };
    knex.on('query', countStatement);
    const cpuBefore = process.cpuUsage();
    const result = await runLoad({
      host: url.hostname,
      port: Number(url.port),
      requests: [],
      // Every request a fresh bundle (the receiver ignores a resent one as a duplicate).
      generate: { path: '/wprus/update/', keys: KEYS, token: nonce, logins },
      concurrency: CONCURRENCY,
      durationMs: SECONDS * 1000,
      warmupMs: 2000,
    });
    const cpu = process.cpuUsage(cpuBefore);
    knex.off('query', countStatement);
    const serverCpu = (cpu.user + cpu.system) / 1e6;
    process.stdout.write(
      `  ${(statements / (result.count * (1 + 2 / SECONDS))).toFixed(2)} SQL statements per update\n`,
    );
    process.stdout.write(
      `  server CPU ${serverCpu.toFixed(1)} s, load generator CPU ${result.cpuSeconds.toFixed(1)} s\n`,
    );
    await app.services.activity.flush();
    const check = await app.orm.em
      .fork()
      .count(WpUserMeta, { metaKey: 'first_name', metaValue: { $like: 'First %' } });
    const rate = result.count / result.seconds;
    const sorted = result.latencies;
    process.stdout.write(
      `  ${result.count} updates in ${result.seconds.toFixed(1)} s, ${result.errors} errors, ${check} users updated\n`,
    );
    if (result.errors > 0 || check === 0)
      throw new Error('incoming bench: requests failed or nothing was written');
    return {
      suite: 'incoming',
      title: 'Incoming update actions (receiver, MariaDB)',
      command: 'npm run bench incoming',
      setup: `${USERS} users; one sender, ${CONCURRENCY} concurrent keep-alive connections from a separate process; each \`update\` is a real encrypted plugin payload changing 5 meta keys (plus roles) of one user; MariaDB 10.11 on the same 2-core machine; activity log on. ${SECONDS} s measured after a 2 s warm-up. (A WordPress site running the plugin handles about 55/s here.)`,
      figures: [
        { metric: 'incoming updates/s', value: fmt(rate), target: '≥ 2,000', met: rate >= 2000 },
        { metric: 'latency p50', value: `${fmt(percentile(sorted, 50), 1)} ms` },
        { metric: 'latency p99', value: `${fmt(percentile(sorted, 99), 1)} ms` },
        {
          metric: 'server CPU per update (all threads, incl. warm-up)',
          value: `${fmt((serverCpu * 1000) / (result.count * (1 + 2 / SECONDS)), 2)} ms`,
        },
      ],
    };
  } finally {
    await app.dispose();
  }
}
