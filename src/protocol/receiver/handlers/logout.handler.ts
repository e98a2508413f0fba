import { needsRedirect } from '../../browser-support.js';
import type { ActionHandler, HandlerContext } from '../types.js';

/**
 * `/wprus/logout/` (§6.8), merged GET+POST data. From a browser (GET): the session of this browser
 * ends and its cookie is cleared; in strict mode (the plugin's "Logout Everywhere", also used when the
 * browser sent no cookie because third-party cookies are blocked) every session of the user ends.
 * Server to server (POST, the plugin's "Log Out Everywhere" button) every session ends too — a
 * WordPress receiver only does that in strict mode (Q25).
 */
export const logoutHandler: ActionHandler = {
  source: 'merged',
  async handle(ctx) {
    const { data, site, deps, remoteIp, request, settings, mode } = ctx;
    const username = typeof data['username'] === 'string' ? data['username'] : '';
    const user = await deps.sessions.userByLogin(username);
    if (!user) {
      log(
        ctx,
        'alert',
        'Logout action failed - received invalid data.',
        username,
        'refused',
        'unknown_user',
        {
          detail: `no local user "${username}"`,
        },
      );
      return;
    }
    const success = `Logout action - successfully logged out user "${user.login}" from ${site.url}.`;
    if (mode === 'post') {
      const ended = await deps.sessions.signOutAll(user.userId);
      log(ctx, 'success', success, user.login, 'applied', 'logout_everywhere', { sessions: ended });
      return;
    }
    const client = { cookieHeader: request.cookieHeader, userAgent: request.userAgent, remoteIp };
    const strict = needsRedirect(settings.browserSupport, request.userAgent);
    const current = await deps.sessions.current(client);
    if (!current) {
      if (strict) {
        const ended = await deps.sessions.signOutAll(user.userId);
        log(ctx, 'success', success, user.login, 'applied', 'logout_everywhere', { sessions: ended });
        return;
      }
      // No cookie reached us (third-party cookies blocked, or an expired session). The plugin stops
      // here; the sessions that this site's own login requests opened are certainly the user's wish.
      const ended = await deps.sessions.signOutOpenedBy(user.userId, site.id);
      if (ended > 0) {
        log(ctx, 'success', success, user.login, 'applied', 'no_session_cookie', {
          sessions: ended,
          detail: 'no session cookie came with the request: ended the sessions opened by this site',
        });
      } else {
        log(
          ctx,
          'warning',
          'Logout action failed - the user is already logged out.',
          user.login,
          'ignored',
          'already_logged_out',
        );
      }
      return;
    }
    if (current.userId !== user.userId) {
      log(
        ctx,
        'warning',
        `Logout action aborted - user "${user.login}" from ${site.url} was not logged in.`,
        user.login,
        'ignored',
        'other_user_signed_in',
      );
      return;
    }
    const { setCookie } = await deps.sessions.signOutCurrent(client);
    const ended = strict ? 1 + (await deps.sessions.signOutAll(user.userId)) : 1;
    log(ctx, 'success', success, user.login, 'applied', strict ? 'logout_everywhere' : null, {
      sessions: ended,
    });
    return { setCookie };
  },
};

function log(
  { site, deps, remoteIp }: HandlerContext,
  type: 'success' | 'warning' | 'alert',
  message: string,
  login: string,
  outcome: string,
  cause: string | null,
  data?: Record<string, unknown>,
): void {
  deps.log({
    type,
    event: 'incoming.action',
    message,
    siteId: site.id,
    action: 'logout',
    direction: 'incoming',
    login,
    outcome,
    cause,
    remoteIp,
    data: data ?? null,
  });
}
