import { createPubSub } from '@graphql-yoga/subscription';
import type { PubSub } from 'type-graphql';

/** Typed topics of the admin API's subscriptions; payloads are published after their commit. */
export interface TopicPayloads {
  'user.changed': UserChangedPayload;
  'transfer.progress': TransferProgressPayload;
}

export interface UserChangedPayload {
  readonly type: string;
  readonly userId: string;
  readonly login: string;
  readonly originKind: string;
  readonly at: string;
}

/** A snapshot of an import or export job, published at each step and when it ends. */
export interface TransferProgressPayload {
  readonly jobId: string;
  readonly kind: string;
  readonly status: string;
  readonly processed: number;
  readonly created: number;
  readonly updated: number;
  readonly failed: number;
  readonly bytesDone: number;
  readonly bytesTotal: number | null;
  /** Lines (import) or users (export) per second since the job started. */
  readonly ratePerSecond: number;
  readonly at: string;
}

export type Topic = keyof TopicPayloads;

export interface AppPubSub extends PubSub {
  publishTyped<T extends Topic>(topic: T, payload: TopicPayloads[T]): void;
  close(): Promise<void>;
}

/** In-process pub/sub (one instance). */
export function createMemoryPubSub(): AppPubSub {
  const inner = createPubSub();
  return {
    publish: (topic: string, ...args: unknown[]) =>
      (inner.publish as (t: string, ...a: unknown[]) => void)(topic, ...args),
    subscribe: (topic: string) => inner.subscribe(topic as never),
    publishTyped(topic, payload) {
      (inner.publish as (t: string, p: unknown) => void)(topic, payload);
    },
    close: () => Promise.resolve(),
  };
}
