import type { ActionKey } from '../../actions.js';
import type { ActionHandler } from '../types.js';
import { deleteHandler } from './delete.handler.js';
import { metaHandler } from './meta.handler.js';
import { passwordHandler } from './password.handler.js';
import { userUpsertHandler } from './user-upsert.handler.js';

/** `/wprus/role/` only answers pings: roles travel inside create/update (§6.5). */
const roleHandler: ActionHandler = { source: 'post', handle: () => Promise.resolve() };

/** Browser actions; the sessions module replaces these (login/logout through the browser, §6.7–6.8). */
const browserPlaceholder = (action: 'login' | 'logout'): ActionHandler => ({
  source: action === 'login' ? 'get' : 'merged',
  handle: ({ deps, site, remoteIp, data }) => {
    deps.log({
      type: 'info',
      event: 'incoming.action',
      message: `${action === 'login' ? 'Login' : 'Logout'} action received for "${typeof data['username'] === 'string' ? data['username'] : ''}" from ${site.url}: browser sessions are not enabled on this server.`,
      siteId: site.id,
      action,
      direction: 'incoming',
      outcome: 'ignored',
      remoteIp,
    });
    return Promise.resolve();
  },
});

export type HandlerRegistry = Readonly<Record<ActionKey, ActionHandler>>;

export function defaultHandlers(overrides: Partial<Record<ActionKey, ActionHandler>> = {}): HandlerRegistry {
  return {
    login: browserPlaceholder('login'),
    logout: browserPlaceholder('logout'),
    create: userUpsertHandler('create'),
    update: userUpsertHandler('update'),
    delete: deleteHandler,
    password: passwordHandler,
    role: roleHandler,
    meta: metaHandler,
    ...overrides,
  };
}
