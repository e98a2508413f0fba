import 'reflect-metadata';
import { writeReport, type SuiteResult } from './lib/report.js';

/**
 * `npm run bench [suite…]`: runs the benchmark suites one after another, prints their figures and
 * writes them to docs/PERFORMANCE.md. Needs MariaDB at BENCH_DATABASE_URL (default the test database).
 */
const SUITES: Record<string, () => Promise<{ run(): Promise<SuiteResult> }>> = {
  crypto: () => import('./suites/crypto.bench.js'),
  incoming: () => import('./suites/incoming.bench.js'),
  outgoing: () => import('./suites/outgoing.bench.js'),
  subscriptions: () => import('./suites/subscriptions.bench.js'),
  login: () => import('./suites/login.bench.js'),
  transfer: () => import('./suites/transfer.bench.js'),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : Object.keys(SUITES);
const results: SuiteResult[] = [];
for (const name of names) {
  const load = SUITES[name];
  if (!load) {
    process.stderr.write(`unknown suite ${name}; known: ${Object.keys(SUITES).join(', ')}\n`);
    process.exit(2);
  }
  process.stdout.write(`\n== ${name}\n`);
  const result = await (await load()).run();
  for (const f of result.figures)
    process.stdout.write(
      `  ${f.metric}: ${f.value}${f.target ? ` (target ${f.target}: ${f.met ? 'met' : 'MISSED'})` : ''}\n`,
    );
  results.push(result);
}
writeReport(results);
process.stdout.write('\nwrote docs/PERFORMANCE.md\n');
process.exit(0);
