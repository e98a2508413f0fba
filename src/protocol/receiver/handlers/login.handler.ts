import { needsRedirect } from '../../browser-support.js';
import { describeIssue, loginPayloadSchema, phpTruthy } from '../payload-schemas.js';
import type { ActionHandler } from '../types.js';

/**
 * `GET /wprus/login/` (§6.7): signs the named user in in this browser — a session and its cookie —
 * whether the request is a hidden iframe or a step of a redirect chain. Where the browser goes next is
 * the receiver's business (it follows `callback_url` only to the sending site).
 */
export const loginHandler: ActionHandler = {
  source: 'get',
  async handle({ data, site, deps, remoteIp, request, settings }) {
    const base = {
      event: 'incoming.action',
      siteId: site.id,
      action: 'login',
      direction: 'incoming' as const,
      remoteIp,
    };
    const parsed = loginPayloadSchema.safeParse(data);
    const login = typeof data['username'] === 'string' ? data['username'] : null;
    if (!parsed.success) {
      deps.log({
        ...base,
        type: 'alert',
        message: 'Login action failed - received invalid data.',
        login,
        outcome: 'refused',
        cause: 'invalid_payload',
        data: { detail: describeIssue(parsed.error) },
      });
      return;
    }
    const user = await deps.sessions.userByLogin(parsed.data.username);
    if (!user) {
      deps.log({
        ...base,
        type: 'alert',
        message: 'Login action failed - received invalid data.',
        login,
        outcome: 'refused',
        cause: 'unknown_user',
        data: { detail: `no local user "${parsed.data.username}"` },
      });
      return;
    }
    if (parsed.data.callback_url === undefined && needsRedirect(settings.browserSupport, request.userAgent)) {
      // A WordPress receiver would refuse this login: its settings ask for a redirect chain here.
      deps.log({
        ...base,
        type: 'warning',
        message: `Login action from ${site.url} arrived without callback_url although this browser needs redirects here: check that the browser-support settings are the same on every site.`,
        login: user.login,
        outcome: 'noted',
        cause: 'browser_support_mismatch',
      });
    }
    const client = { cookieHeader: request.cookieHeader, userAgent: request.userAgent, remoteIp };
    const remember = phpTruthy(parsed.data.remember);
    const { setCookie } = await deps.sessions.signIn(
      { siteId: site.id, siteUrl: site.url },
      user,
      remember,
      client,
    );
    deps.log({
      ...base,
      type: 'success',
      message: `Login action - successfully logged in user "${user.login}" from ${site.url}.`,
      login: user.login,
      outcome: 'applied',
      data: { remember, mode: parsed.data.callback_url === undefined ? 'iframe' : 'redirect' },
    });
    return { setCookie };
  },
};
