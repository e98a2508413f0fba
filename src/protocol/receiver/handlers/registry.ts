import type { ActionKey } from '../../actions.js';
import type { ActionHandler } from '../types.js';
import { deleteHandler } from './delete.handler.js';
import { loginHandler } from './login.handler.js';
import { logoutHandler } from './logout.handler.js';
import { metaHandler } from './meta.handler.js';
import { passwordHandler } from './password.handler.js';
import { userUpsertHandler } from './user-upsert.handler.js';

/** `/wprus/role/` only answers pings: roles travel inside create/update (§6.5). */
const roleHandler: ActionHandler = { source: 'post', handle: () => Promise.resolve() };

export type HandlerRegistry = Readonly<Record<ActionKey, ActionHandler>>;

export function defaultHandlers(overrides: Partial<Record<ActionKey, ActionHandler>> = {}): HandlerRegistry {
  return {
    login: loginHandler,
    logout: logoutHandler,
    create: userUpsertHandler('create'),
    update: userUpsertHandler('update'),
    delete: deleteHandler,
    password: passwordHandler,
    role: roleHandler,
    meta: metaHandler,
    ...overrides,
  };
}
