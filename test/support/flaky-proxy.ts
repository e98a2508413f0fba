import http from 'node:http';

/**
 * A reverse proxy in front of a real server that can misbehave on purpose: answer 500 to the next N
 * action requests, or drop every connection (a peer that is down). Token requests pass through unless
 * the proxy is down. Or pass requests on and swallow the answers.
 */
export class FlakyProxy {
  failNextActions = 0;
  down = false;
  /** Holds every action request this long before forwarding it (a slow peer). */
  delayMs = 0;
  /** Forwards action requests but never answers them (a peer whose answer is lost after it applied). */
  holdAnswers = false;
  /** Every action request passed on to the target, answered or not. */
  readonly forwarded: string[] = [];
  readonly seen: { path: string; status: number }[] = [];
  private server: http.Server | null = null;
  url = '';

  constructor(private readonly target: string) {}

  async start(host: string): Promise<string> {
    const target = new URL(this.target);
    this.server = http.createServer((req, res) => {
      if (this.down) {
        req.socket.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        if (!path.includes('/wprus/token') && this.failNextActions > 0) {
          this.failNextActions--;
          this.seen.push({ path, status: 500 });
          res.writeHead(500).end('Internal Server Error');
          return;
        }
        const send = (): void => {
          const isAction = !path.includes('/wprus/token');
          if (isAction) this.forwarded.push(path);
          const hold = isAction && this.holdAnswers;
          const forward = http.request(
            {
              host: target.hostname,
              port: target.port,
              path,
              method: req.method,
              headers: { ...req.headers, host: target.host },
            },
            (answer) => {
              if (hold) {
                answer.resume();
                return;
              }
              this.seen.push({ path, status: answer.statusCode ?? 0 });
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              answer.pipe(res);
            },
          );
          forward.on('error', () => res.writeHead(502).end());
          forward.end(Buffer.concat(chunks));
        };
        if (this.delayMs > 0 && !path.includes('/wprus/token')) setTimeout(send, this.delayMs);
        else send();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, host, resolve));
    const address = this.server.address();
    this.url = `http://${host}:${typeof address === 'object' && address ? address.port : 0}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
