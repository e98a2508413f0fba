import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { TEST_ADMIN_TOKEN } from './test-app.js';

export function wsClient(
  url: string,
  connectionParams: Record<string, unknown> | null = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
): Client {
  return createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: connectionParams ?? undefined,
    retryAttempts: 0,
    lazy: true,
  });
}

export interface Subscription<T> {
  /** Every value received so far. */
  readonly values: T[];
  /** Set when the server ended the subscription with an error or closed the socket. */
  failure: unknown;
  stop(): void;
}

/** Subscribes and keeps every value (`data`) the server sends. */
export function collect<T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
): Subscription<T> {
  const sub: Subscription<T> = {
    values: [],
    failure: undefined,
    stop: () => undefined,
  };
  sub.stop = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        if (value.data) sub.values.push(value.data);
        else sub.failure = value.errors;
      },
      error: (err) => (sub.failure = err),
      complete: () => undefined,
    },
  );
  return sub;
}
