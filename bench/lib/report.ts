import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

export interface Figure {
  readonly metric: string;
  readonly value: string;
  readonly target?: string;
  readonly met?: boolean;
}

export interface SuiteResult {
  readonly suite: string;
  readonly title: string;
  readonly command: string;
  readonly setup: string;
  readonly figures: readonly Figure[];
}

const PATH = new URL('../../docs/PERFORMANCE.md', import.meta.url);

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

function render(result: SuiteResult): string {
  const rows = result.figures.map(
    (f) =>
      `| ${f.metric} | ${f.value} | ${f.target ?? ''} | ${f.met === undefined ? '' : f.met ? 'met' : '**missed**'} |`,
  );
  return [
    `<!-- bench:${result.suite}:start -->`,
    `## ${result.title}`,
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine()} with \`${result.command}\`.`,
    '',
    result.setup,
    '',
    '| metric | value | target | |',
    '|---|---|---|---|',
    ...rows,
    `<!-- bench:${result.suite}:end -->`,
  ].join('\n');
}

/** Replaces (or appends) the section of each suite in docs/PERFORMANCE.md. */
export function writeReport(results: readonly SuiteResult[]): void {
  let text = existsSync(PATH)
    ? readFileSync(PATH, 'utf8')
    : '# Performance\n\nFigures written by `npm run bench` (never by the tests). Each section is replaced when its suite runs again.\n';
  for (const result of results) {
    const section = render(result);
    const pattern = new RegExp(
      `<!-- bench:${result.suite}:start -->[\\s\\S]*?<!-- bench:${result.suite}:end -->`,
    );
    text = pattern.test(text) ? text.replace(pattern, section) : `${text.trimEnd()}\n\n${section}\n`;
  }
  writeFileSync(PATH, text.endsWith('\n') ? text : `${text}\n`);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? NaN;
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
