/**
 * A one-line progress bar on stderr, redrawn in place on a terminal; elsewhere (pipes, CI logs) a plain
 * line at most every few seconds.
 */
export class ProgressBar {
  private lastPlain = 0;
  private drawn = false;
  private pending: string | null = null;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly enabled = true,
  ) {}

  update(label: string, done: number, total: number | null, detail: string): void {
    if (!this.enabled) return;
    const ratio = total && total > 0 ? Math.min(done / total, 1) : null;
    const percent = ratio === null ? '' : `${(ratio * 100).toFixed(0).padStart(3)}% `;
    if (this.stream.isTTY) {
      const width = 30;
      const filled = ratio === null ? 0 : Math.round(ratio * width);
      const bar = ratio === null ? '' : `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] `;
      this.stream.write(`\r\x1b[2K${label} ${bar}${percent}${detail}`);
      this.drawn = true;
      return;
    }
    const text = `${label} ${percent}${detail}\n`;
    const now = Date.now();
    if (now - this.lastPlain < 2000) {
      this.pending = text;
      return;
    }
    this.lastPlain = now;
    this.pending = null;
    this.stream.write(text);
  }

  /** Ends the bar; off a terminal, the last state is printed if it was held back. */
  done(): void {
    if (this.drawn && this.stream.isTTY) this.stream.write('\n');
    if (this.pending) this.stream.write(this.pending);
    this.pending = null;
    this.lastPlain = 0;
    this.drawn = false;
  }
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
