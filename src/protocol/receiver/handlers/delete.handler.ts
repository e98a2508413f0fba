import { deletePayloadSchema, describeIssue } from '../payload-schemas.js';
import type { ActionHandler, HandlerContext } from '../types.js';

/** `delete` (§6.3): by login, with the optional reassignment target. */
export const deleteHandler: ActionHandler = {
  source: 'post',
  async handle({ data, site, deps, remoteIp }: HandlerContext): Promise<void> {
    const base = {
      event: 'incoming.action',
      siteId: site.id,
      action: 'delete',
      direction: 'incoming' as const,
      remoteIp,
    };
    const parsed = deletePayloadSchema.safeParse(data);
    if (!parsed.success) {
      deps.log({
        ...base,
        type: 'alert',
        message: 'Delete action failed - received invalid data.',
        data: { problem: describeIssue(parsed.error) },
        outcome: 'refused',
        cause: 'invalid_payload',
      });
      return;
    }
    const login = parsed.data.username;
    const reassign =
      typeof parsed.data.reassign_username === 'string' && parsed.data.reassign_username !== ''
        ? parsed.data.reassign_username
        : null;
    const result = await deps.users.delete({ siteId: site.id, siteUrl: site.url }, login, reassign);
    if (result.outcome === 'not_found') {
      deps.log({
        ...base,
        login,
        type: 'alert',
        message: `Delete action failed - user "${login}" from ${site.url} was not found locally.`,
        outcome: 'refused',
        cause: 'user_not_found',
      });
      return;
    }
    if (reassign && !result.reassigned) {
      deps.log({
        ...base,
        login,
        type: 'warning',
        message: `Delete action - deleted user "${login}" from ${site.url} but failed to reassign content to ${reassign}.`,
        outcome: 'applied',
        cause: 'reassign_user_not_found',
      });
      return;
    }
    const reassigned = reassign ? ` and reassigned content to ${reassign}` : '';
    deps.log({
      ...base,
      login,
      type: 'success',
      message: `Delete action - successfully deleted user "${login}" from ${site.url}${reassigned}.`,
      outcome: 'applied',
    });
  },
};
