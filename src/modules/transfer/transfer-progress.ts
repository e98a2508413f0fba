import type { GraphQLContext } from '../../graphql/context.js';
import { AppError } from '../../shared/app-error.js';
import type { TransferProgressPayload } from '../../shared/pubsub.js';

export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);

/**
 * The `transferProgress` stream: listens first (so no step is missed), then yields the job's current
 * state, then its published steps, and ends after the step that ends the job.
 */
export async function* progressOf(
  context: GraphQLContext,
  jobId: string,
): AsyncGenerator<TransferProgressPayload> {
  if (!context.admin) throw new AppError('UNAUTHENTICATED', 'admin authentication required');
  const events = context.app.pubsub.subscribe('transfer.progress')[Symbol.asyncIterator]();
  try {
    const job = await context.app.transfers.get(jobId);
    const current = context.app.transfers.runner.snapshot(job);
    yield current;
    if (TERMINAL_STATUSES.has(current.status)) return;
    for (;;) {
      const next = await events.next();
      if (next.done) return;
      const payload = next.value as TransferProgressPayload;
      if (payload.jobId !== jobId) continue;
      yield payload;
      if (TERMINAL_STATUSES.has(payload.status)) return;
    }
  } finally {
    await events.return?.();
  }
}
