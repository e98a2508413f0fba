import type { JsonValue } from '../../envelope.js';
import { describeIssue, metaPayloadSchema, phpTruthy } from '../payload-schemas.js';
import type { MetaOperation } from '../ports.js';
import type { ActionHandler, HandlerContext } from '../types.js';

const VERB = { add: ['added', 'add'], update: ['updated', 'update'], delete: ['deleted', 'delete'] } as const;

/**
 * `meta` (§6.6): add/update/delete groups filtered by the site's incoming meta list (empty = all);
 * applied in WordPress's fixed order add → update → delete.
 */
export const metaHandler: ActionHandler = {
  source: 'merged',
  async handle({ data, site, deps, remoteIp }: HandlerContext): Promise<void> {
    const base = {
      event: 'incoming.action',
      siteId: site.id,
      action: 'meta',
      direction: 'incoming' as const,
      remoteIp,
    };
    const parsed = metaPayloadSchema.safeParse(data);
    if (!parsed.success) {
      deps.log({
        ...base,
        type: 'alert',
        message: 'Metadata action failed - received invalid data.',
        data: { problem: describeIssue(parsed.error) },
        outcome: 'refused',
        cause: 'invalid_payload',
      });
      return;
    }
    const { username: login } = parsed.data;
    const accepts = (key: string): boolean =>
      site.incomingMeta.length === 0 || site.incomingMeta.includes(key);
    const operations: MetaOperation[] = [];
    const groups = {
      add: Array.isArray(parsed.data.add) ? {} : (parsed.data.add ?? {}),
      update: Array.isArray(parsed.data.update) ? {} : (parsed.data.update ?? {}),
      delete: Array.isArray(parsed.data.delete) ? {} : (parsed.data.delete ?? {}),
    };
    for (const op of ['add', 'update', 'delete'] as const) {
      for (const [key, values] of Object.entries(groups[op])) {
        if (!accepts(key)) {
          deps.log({
            ...base,
            login,
            type: 'warning',
            message: `Metadata action aborted - metadata ${key} for user "${login}" from ${site.url} not accepted`,
            outcome: 'refused',
            cause: 'meta_not_accepted',
          });
          continue;
        }
        for (const item of values as {
          meta_value?: JsonValue;
          unique?: unknown;
          prev_value?: JsonValue;
          delete_all?: unknown;
        }[]) {
          const value = item.meta_value ?? '';
          if (op === 'add') operations.push({ op, key, value, unique: phpTruthy(item.unique) });
          else if (op === 'update') operations.push({ op, key, value, prevValue: item.prev_value ?? '' });
          else operations.push({ op, key, value, deleteAll: phpTruthy(item.delete_all) });
        }
      }
    }
    if (operations.length === 0) return;
    const results = await deps.users.applyMeta({ siteId: site.id, siteUrl: site.url }, login, operations);
    if (results === 'not_found') {
      deps.log({
        ...base,
        login,
        type: 'alert',
        message: `Metadata action failed - user "${login}" from ${site.url} does not exist locally.`,
        outcome: 'refused',
        cause: 'user_not_found',
      });
      return;
    }
    for (const { operation, applied } of results) {
      const [done, verb] = VERB[operation.op];
      deps.log({
        ...base,
        login,
        type: applied ? 'success' : 'alert',
        message: applied
          ? `Metadata action - ${done} metadata ${operation.key} for user "${login}" from ${site.url}`
          : `Metadata action - failed to ${verb} metadata ${operation.key} for user "${login}" from ${site.url}`,
        outcome: applied ? 'applied' : 'failed',
        cause: applied ? null : 'meta_not_changed',
      });
    }
  },
};
