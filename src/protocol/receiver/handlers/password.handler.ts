import { describeIssue, passwordPayloadSchema } from '../payload-schemas.js';
import type { ActionHandler, HandlerContext } from '../types.js';

/** `password` (§6.4): a reset with the plaintext, hashed here with our configured scheme. */
export const passwordHandler: ActionHandler = {
  source: 'post',
  async handle({ data, site, deps, remoteIp }: HandlerContext): Promise<void> {
    const base = {
      event: 'incoming.action',
      siteId: site.id,
      action: 'password',
      direction: 'incoming' as const,
      remoteIp,
    };
    const parsed = passwordPayloadSchema.safeParse(data);
    if (!parsed.success) {
      deps.log({
        ...base,
        type: 'alert',
        message: 'Password action failed - received invalid data.',
        data: { problem: describeIssue(parsed.error) },
        outcome: 'refused',
        cause: 'invalid_payload',
      });
      return;
    }
    const login = parsed.data.username;
    const result = await deps.users.setPassword(
      { siteId: site.id, siteUrl: site.url },
      login,
      parsed.data.user_pass,
    );
    if (result === 'not_found') {
      deps.log({
        ...base,
        login,
        type: 'warning',
        message: `Password action failed - cannot reset, user "${login}" from ${site.url} does not exist locally.`,
        outcome: 'refused',
        cause: 'user_not_found',
      });
      return;
    }
    deps.log({
      ...base,
      login,
      type: 'success',
      message: `Password action - password successfully reset for user "${login}" from ${site.url}.`,
      outcome: 'applied',
    });
  },
};
