import { createPubSub } from '@graphql-yoga/subscription';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Redis } from 'ioredis';
import type { PubSub } from 'type-graphql';

/** Typed topics of the admin API's subscriptions; payloads are published after their commit. */
export interface TopicPayloads {
  'user.changed': UserChangedPayload;
  'activity.logged': ActivityLoggedPayload;
  'delivery.updated': DeliveryUpdatedPayload;
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

/**
 * Pub/sub over Redis, so that an event on one instance reaches subscribers on every instance.
 * Channels are namespaced (by table prefix and database) so that separate deployments sharing one
 * Redis never see each other's events. Every payload is plain JSON.
 */
export function createRedisPubSub(url: string, namespace: string, onError: (err: Error) => void): AppPubSub {
  const options = { maxRetriesPerRequest: null, lazyConnect: false };
  const publisher = new Redis(url, options);
  const subscriber = new Redis(url, options);
  publisher.on('error', onError);
  subscriber.on('error', onError);
  const redis = new RedisPubSub({ publisher, subscriber });
  // The library's triggerTransform applies to subscribing only, so channels are named here.
  const channel = (topic: string): string => `${namespace}:${topic}`;
  const publish = (topic: string, payload: unknown): void => {
    redis.publish(channel(topic), payload).catch(onError);
  };
  return {
    publish: (topic: string, ...args: unknown[]) => publish(topic, args[0]),
    subscribe: (topic: string) =>
      redis.asyncIterableIterator<unknown>(channel(topic)) as AsyncIterableIterator<unknown>,
    publishTyped(topic, payload) {
      publish(topic, payload);
    },
    async close() {
      await redis.close();
    },
  };
}
