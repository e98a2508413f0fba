import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** A failure the CLI reports in one line (with the server's code when there is one). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface Progress {
  readonly jobId: string;
  readonly status: string;
  readonly processed: number;
  readonly created: number;
  readonly updated: number;
  readonly failed: number;
  readonly bytesDone: number;
  readonly bytesTotal: number | null;
  readonly ratePerSecond: number;
}

const PROGRESS_FIELDS = 'jobId status processed created updated failed bytesDone bytesTotal ratePerSecond';
const ENDED = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** The server's GraphQL API and its two transfer routes, as an admin. */
export class ApiClient {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, ...extra };
  }

  private async request(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(`${this.url}${path}`, init);
    } catch (err) {
      throw new CliError(
        `cannot reach ${this.url} (${(err as Error).cause ? String((err as { cause: unknown }).cause) : (err as Error).message})`,
      );
    }
  }

  async gql<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const res = await this.request('/graphql', {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json().catch(() => ({}))) as {
      data?: T;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
    const error = body.errors?.[0];
    if (error) throw new CliError(`${error.extensions?.code ?? 'ERROR'}: ${error.message}`);
    if (!res.ok || !body.data) throw new CliError(`the server answered HTTP ${res.status}`);
    return body.data;
  }

  /** Streams a file to `POST /transfers/uploads`; returns the upload ID. */
  async upload(path: string, onBytes: (sent: number, total: number) => void): Promise<string> {
    const total = statSync(path).size;
    let sent = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sent += chunk.length;
        onBytes(sent, total);
        done(null, chunk);
      },
    });
    const body = Readable.toWeb(createReadStream(path).pipe(counter));
    const res = await this.request('/transfers/uploads', {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/octet-stream' }),
      body,
      duplex: 'half',
    });
    const answer = (await res.json().catch(() => ({}))) as {
      upload?: string;
      error?: { code: string; message: string };
    };
    if (res.status !== 201 || !answer.upload)
      throw new CliError(
        `upload refused: ${answer.error ? `${answer.error.code}: ${answer.error.message}` : `HTTP ${res.status}`}`,
      );
    return answer.upload;
  }

  /** Downloads an export (the link works once) into `path`. */
  async download(downloadPath: string, path: string): Promise<number> {
    const res = await this.request(downloadPath, { headers: this.headers() });
    if (res.status !== 200 || !res.body) {
      const answer = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
      throw new CliError(
        `download refused: ${answer.error ? `${answer.error.code}: ${answer.error.message}` : `HTTP ${res.status}`}`,
      );
    }
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(res.body as never), counter, createWriteStream(path));
    return bytes;
  }

  /**
   * Follows a job until it ends: the `transferProgress` subscription over graphql-ws, or polling
   * `transferJob` when the WebSocket cannot be used.
   */
  async follow(jobId: string, onProgress: (p: Progress) => void): Promise<Progress> {
    try {
      return await this.subscribe(jobId, onProgress);
    } catch (err) {
      if (err instanceof CliError) throw err;
      return this.poll(jobId, onProgress);
    }
  }

  private subscribe(jobId: string, onProgress: (p: Progress) => void): Promise<Progress> {
    const client = createClient({
      url: this.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${this.token}` },
      retryAttempts: 0,
      lazy: true,
    });
    return new Promise<Progress>((resolve, reject) => {
      let last: Progress | null = null;
      client.subscribe<{ transferProgress: Progress }>(
        {
          query: `subscription($id: ID!) { transferProgress(jobId: $id) { ${PROGRESS_FIELDS} } }`,
          variables: { id: jobId },
        },
        {
          next: (result) => {
            if (result.errors?.length) {
              reject(new CliError(result.errors[0]?.message ?? 'subscription error'));
              return;
            }
            const p = result.data?.transferProgress;
            if (!p) return;
            last = p;
            onProgress(p);
          },
          error: (err: unknown) => reject(err instanceof Error ? err : new Error('subscription failed')),
          complete: () =>
            last && ENDED.has(last.status) ? resolve(last) : reject(new Error('subscription ended early')),
        },
      );
    }).finally(() => void client.dispose());
  }

  private async poll(jobId: string, onProgress: (p: Progress) => void): Promise<Progress> {
    for (;;) {
      const { transferJob } = await this.gql<{ transferJob: Omit<Progress, 'jobId'> & { id: string } }>(
        `query($id: ID!) { transferJob(id: $id) { id status processed created updated failed bytesDone bytesTotal ratePerSecond } }`,
        { id: jobId },
      );
      const p = { ...transferJob, jobId: transferJob.id };
      onProgress(p);
      if (ENDED.has(p.status)) return p;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
