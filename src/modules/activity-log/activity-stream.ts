import type { Settlement } from '../../protocol/outbox/outbox.store.js';
import type { ActivityLoggedPayload, AppPubSub } from '../../shared/pubsub.js';
import type { ActivityLogEntry } from './activity-log.entity.js';

/** A stored entry as subscribers (and the API) see it. */
export function activityPayload(e: ActivityLogEntry): ActivityLoggedPayload {
  return {
    id: e.id,
    loggedAtMs: Number(e.loggedAtMs ?? e.timestamp * 1000),
    type: e.type,
    message: e.message,
    data: e.data,
    event: e.event,
    siteId: e.siteId,
    action: e.action,
    direction: e.direction,
    login: e.login,
    outcome: e.outcome,
    cause: e.cause,
    latencyMs: e.latencyMs,
    remoteIp: e.remoteIp,
  };
}

/** Publishes stored entries (called once their INSERT has committed). */
export function publishActivity(pubsub: AppPubSub, entries: readonly ActivityLogEntry[]): void {
  for (const e of entries) pubsub.publishTyped('activity.logged', activityPayload(e));
}

/** Publishes a delivery's new state once its attempt is recorded. */
export function publishDelivery(pubsub: AppPubSub, s: Settlement): void {
  pubsub.publishTyped('delivery.updated', {
    id: s.delivery.id,
    siteId: s.delivery.siteId,
    siteUrl: s.delivery.siteUrl,
    action: s.delivery.action,
    login: s.delivery.login,
    status: s.result === 'retry' ? 'pending' : s.result,
    attempts: s.delivery.attempts + 1,
    lastHttpStatus: s.httpStatus,
    lastError: s.error,
    at: s.attemptedAt.toISOString(),
  });
}
