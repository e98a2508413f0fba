import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Redis } from 'ioredis';
import type { PubSub } from 'type-graphql';

/** Typed topics of the admin API's subscriptions; payloads are published after their commit. */
export interface TopicPayloads {
  'user.changed': UserChangedPayload;
  'activity.logged': ActivityLoggedPayload;
  'delivery.updated': DeliveryUpdatedPayload;
  'transfer.progress': TransferProgressPayload;
}

export interface UserChangedPayload {
  readonly type: string;
  readonly userId: string;
  readonly login: string;
  readonly originKind: string;
  readonly at: string;
}

/** One stored activity entry (secrets already redacted), as subscribers receive it. */
export interface ActivityLoggedPayload {
  readonly id: number;
  readonly loggedAtMs: number;
  readonly type: string;
  readonly message: string;
  /** PHP-serialized, as stored. */
  readonly data: string | null;
  readonly event: string | null;
  readonly siteId: string | null;
  readonly action: string | null;
  readonly direction: string | null;
  readonly login: string | null;
  readonly outcome: string | null;
  readonly cause: string | null;
  readonly latencyMs: number | null;
  readonly remoteIp: string | null;
}

/** A delivery's state after an attempt was recorded or an admin re-queued it. */
export interface DeliveryUpdatedPayload {
  readonly id: string;
  readonly siteId: string;
  readonly siteUrl: string;
  readonly action: string;
  readonly login: string;
  readonly status: string;
  readonly attempts: number;
  readonly lastHttpStatus: number | null;
  readonly lastError: string | null;
  /** ISO time of the change. */
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
  /**
   * The payloads of a topic that `accepts` lets through. The predicate runs synchronously as each
   * payload is dispatched, so a payload a subscriber does not want costs one function call: no
   * queueing, no promise, no GraphQL execution.
   */
  subscribeWhere<T extends Topic>(
    topic: T,
    accepts: (payload: TopicPayloads[T]) => boolean,
  ): AsyncIterableIterator<TopicPayloads[T]>;
  close(): Promise<void>;
}

/** Payloads a subscriber has not consumed yet, at most; the oldest are dropped beyond (a stalled client). */
const MAX_QUEUED = 10_000;

interface Listener {
  accepts(payload: unknown): boolean;
  push(payload: unknown): void;
}

/** This instance's subscribers, per topic: dispatch filters each payload once per subscriber. */
class TopicHub {
  private readonly listeners = new Map<string, Set<Listener>>();

  dispatch(topic: string, payload: unknown): void {
    const set = this.listeners.get(topic);
    if (!set) return;
    for (const listener of set) if (listener.accepts(payload)) listener.push(payload);
  }

  iterate<T>(topic: string, accepts: (payload: T) => boolean): AsyncIterableIterator<T> {
    const queue: T[] = [];
    let waiting: ((result: IteratorResult<T>) => void) | null = null;
    let done = false;
    const set = this.listeners.get(topic) ?? new Set<Listener>();
    this.listeners.set(topic, set);
    const listener: Listener = {
      accepts: accepts,
      push: (payload) => {
        if (waiting) {
          const resolve = waiting;
          waiting = null;
          resolve({ value: payload as T, done: false });
          return;
        }
        queue.push(payload as T);
        if (queue.length > MAX_QUEUED) queue.shift();
      },
    };
    set.add(listener);
    const finish = (): Promise<IteratorResult<T>> => {
      done = true;
      set.delete(listener);
      queue.length = 0;
      waiting?.({ value: undefined, done: true });
      waiting = null;
      return Promise.resolve({ value: undefined, done: true });
    };
    const iterator: AsyncIterableIterator<T> = {
      next: () => {
        if (done) return Promise.resolve({ value: undefined, done: true });
        const value = queue.shift();
        if (value !== undefined) return Promise.resolve({ value, done: false });
        return new Promise((resolve) => (waiting = resolve));
      },
      return: finish,
      throw: (err: unknown) => {
        void finish();
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}

/** In-process pub/sub (one instance). */
export function createMemoryPubSub(): AppPubSub {
  const hub = new TopicHub();
  return {
    publish: (topic: string, ...args: unknown[]) => hub.dispatch(topic, args[0]),
    subscribe: (topic: string) => hub.iterate(topic, () => true),
    publishTyped: (topic, payload) => hub.dispatch(topic, payload),
    subscribeWhere: (topic, accepts) => hub.iterate(topic, accepts),
    close: () => Promise.resolve(),
  };
}

/**
 * Pub/sub over Redis, so that an event on one instance reaches subscribers on every instance: one
 * Redis subscription per topic and instance, fanned out to the local subscribers by the hub.
 * Channels are namespaced (database and table prefix), so separate deployments sharing one Redis
 * never see each other's events. Every payload is plain JSON.
 */
export function createRedisPubSub(url: string, namespace: string, onError: (err: Error) => void): AppPubSub {
  const options = { maxRetriesPerRequest: null };
  const publisher = new Redis(url, options);
  const subscriber = new Redis(url, options);
  publisher.on('error', onError);
  subscriber.on('error', onError);
  const redis = new RedisPubSub({ publisher, subscriber });
  const hub = new TopicHub();
  const channel = (topic: string): string => `${namespace}:${topic}`;
  const joined = new Map<string, Promise<number>>();
  const join = (topic: string): void => {
    if (joined.has(topic)) return;
    const subscription = redis.subscribe(channel(topic), (payload: unknown) => hub.dispatch(topic, payload));
    subscription.catch((err: unknown) => {
      joined.delete(topic);
      onError(err instanceof Error ? err : new Error(String(err)));
    });
    joined.set(topic, subscription);
  };
  const publish = (topic: string, payload: unknown): void => {
    redis.publish(channel(topic), payload).catch(onError);
  };
  return {
    publish: (topic: string, ...args: unknown[]) => publish(topic, args[0]),
    subscribe: (topic: string) => {
      join(topic);
      return hub.iterate(topic, () => true);
    },
    publishTyped: (topic, payload) => publish(topic, payload),
    subscribeWhere: (topic, accepts) => {
      join(topic);
      return hub.iterate(topic, accepts);
    },
    async close() {
      await redis.close();
    },
  };
}
