import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const ROOT = new URL('../../', import.meta.url).pathname;
const BUILD = `${ROOT}.bench-build`;

/** Compiles the server as `npm run build` does (into .bench-build/), so the bench runs what production runs. */
export function buildServer(): void {
  execFileSync(
    process.execPath,
    [`${ROOT}node_modules/typescript/bin/tsc`, '-p', `${ROOT}tsconfig.build.json`, '--outDir', BUILD],
    { cwd: ROOT, stdio: 'inherit' },
  );
  writeFileSync(`${BUILD}/main.js`, "import './src/main.js';\n");
}

/**
 * The built server in a child process (`node .bench-build/main.js`), so that its memory and CPU are its
 * own: RSS is read from /proc, never mixed with the benchmark's. BENCH_NODE_FLAGS adds node flags
 * (e.g. `--cpu-prof`).
 */
export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  /** Peak resident set size (VmHWM) since start or the last `resetPeak`, in bytes. */
  peakRss(): number;
  /** Resets the kernel's peak RSS counter (Linux `clear_refs` 5). */
  resetPeak(): void;
  /** User + system CPU seconds used so far. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const flags = (process.env['BENCH_NODE_FLAGS'] ?? '').split(' ').filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...flags, `${BUILD}/main.js`], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const echo = process.env['BENCH_SERVER_OUTPUT'] === '1';
  child.stdout?.on('data', (d: Buffer) => (echo ? process.stderr.write(d) : (output += d.toString())));
  child.stderr?.on('data', (d: Buffer) => (echo ? process.stderr.write(d) : (output += d.toString())));
  const url = `http://${env['HOST'] ?? '127.0.0.1'}:${env['PORT']}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      // not yet listening
    }
    if (i > 300) throw new Error(`server did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid ?? 0;
  const status = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return Number(match?.[1] ?? 0) * 1024;
  };
  return {
    url,
    pid,
    peakRss: () => status('VmHWM'),
    resetPeak: () => {
      try {
        // Writing 5 to clear_refs resets VmHWM to the current RSS.
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {
        // not permitted: the peak then covers the whole run
      }
    },
    cpuSeconds: () => {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
