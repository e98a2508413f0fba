import type { SqlOrm } from '../../db/types.js';
import type { AsyncMode } from '../../protocol/browser-actions.js';
import type { BrowserClient } from '../../protocol/receiver/ports.js';
import { AppError } from '../../shared/app-error.js';
import type { ActivityInput } from '../activity-log/activity-log.service.js';
import { UserRepository } from '../users/user.repository.js';
import type { WpUser } from '../users/user.entity.js';
import type { AsyncActionService, AsyncUrl } from './async-actions.service.js';
import { checkCredentials } from './credentials.js';
import type { LoginThrottle } from './login-throttle.js';
import type { Session } from './session.entity.js';
import type { SessionService } from './session.service.js';

export interface SignInInput {
  readonly identifier: string;
  readonly password: string;
  readonly remember: boolean;
}

/**
 * `page`: the browser lands on our page, which performs the remote actions (a flow cookie is set).
 * `urls`: the caller renders its own page and gets the action URLs (JSON API).
 */
export type AsyncDelivery =
  | { readonly kind: 'page'; readonly redirectTo: string | null }
  | { readonly kind: 'urls'; readonly callbackUrl: string | null };

export interface AsyncSummary {
  readonly action: 'login' | 'logout';
  readonly mode: AsyncMode;
  readonly urls: readonly AsyncUrl[];
}

export interface SignInResult {
  readonly user: WpUser;
  readonly session: Session;
  readonly setCookie: string[];
  readonly async: AsyncSummary;
}

export interface SignOutResult {
  readonly user: { readonly id: string; readonly login: string } | null;
  readonly setCookie: string[];
  readonly async: AsyncSummary;
}

export interface AuthServiceDeps {
  readonly orm: SqlOrm;
  readonly tablePrefix: string;
  readonly sessions: SessionService;
  readonly async: AsyncActionService;
  readonly throttle: LoginThrottle;
  log(entry: ActivityInput): void;
}

/** One message for unknown logins and wrong passwords: the answer never tells which logins exist. */
export const BAD_CREDENTIALS = 'Unknown username or e-mail address, or wrong password.';

/** Local sign-in and sign-out, and the remote login/logout they start. */
export class AuthService {
  constructor(private readonly deps: AuthServiceDeps) {}

  async signIn(input: SignInInput, client: BrowserClient, delivery: AsyncDelivery): Promise<SignInResult> {
    const identifier = input.identifier.trim();
    const base = { event: 'auth.signin', login: identifier.slice(0, 60) || null, remoteIp: client.remoteIp };
    const refuse = (error: AppError, cause: string, message: string): never => {
      this.deps.log({ ...base, type: 'alert', message, outcome: 'refused', cause });
      throw error;
    };
    if (!identifier || !input.password)
      refuse(
        AppError.badInput(
          'Enter your username or e-mail address and your password.',
          identifier ? 'password' : 'login',
        ),
        'missing_credentials',
        'Sign-in refused - username or password missing',
      );
    const throttled = this.deps.throttle.check(identifier, client.remoteIp);
    if (!throttled.allowed)
      refuse(
        new AppError(
          'TOO_MANY_REQUESTS',
          `Too many failed sign-ins. Try again in ${throttled.retryAfterSeconds} seconds.`,
          {
            retryAfterSeconds: throttled.retryAfterSeconds,
          },
        ),
        throttled.scope === 'ip' ? 'throttled_ip' : 'throttled_login',
        `Sign-in refused for "${identifier}" - too many failed attempts from ${throttled.scope === 'ip' ? `IP ${client.remoteIp}` : 'this login'} (retry in ${throttled.retryAfterSeconds} s)`,
      );
    const users = new UserRepository(this.deps.orm.em.fork(), `${this.deps.tablePrefix}capabilities`);
    const check = await checkCredentials(users, identifier, input.password);
    if (!check.ok) {
      this.deps.throttle.fail(identifier, client.remoteIp);
      const why = {
        unknown_user: 'no user has this login or e-mail address',
        wrong_password: 'wrong password',
        no_password: 'the user has no password',
      }[check.cause];
      return refuse(
        new AppError('UNAUTHENTICATED', BAD_CREDENTIALS),
        check.cause,
        `Sign-in failed for "${identifier}" - ${why}`,
      );
    }
    const user = check.user;
    this.deps.throttle.succeed(identifier);
    const { session, setCookie } = await this.deps.sessions.open(user, {
      remember: input.remember,
      origin: 'local',
      originSiteId: null,
      client,
    });
    this.deps.log({
      ...base,
      login: user.userLogin,
      type: 'success',
      message: `User "${user.userLogin}" signed in${input.remember ? ' (remember me)' : ''}`,
      outcome: 'signed_in',
    });
    const cookies = [setCookie];
    const asyncUser = { id: user.id, login: user.userLogin };
    const mode = await this.deps.async.mode('login', client.userAgent);
    let urls: AsyncUrl[] = [];
    if (delivery.kind === 'urls') {
      urls = await this.deps.async.prepareAll('login', asyncUser, input.remember, mode, delivery.callbackUrl);
    } else {
      const flowCookie = await this.deps.async.enqueue({
        action: 'login',
        user: asyncUser,
        remember: input.remember,
        sessionId: session.id,
        userAgent: client.userAgent,
        redirectTo: delivery.redirectTo,
      });
      if (flowCookie) cookies.push(flowCookie);
    }
    return { user, session, setCookie: cookies, async: { action: 'login', mode, urls } };
  }

  async signOut(client: BrowserClient, delivery: AsyncDelivery): Promise<SignOutResult> {
    const { ended, setCookie } = await this.deps.sessions.close(client.cookieHeader);
    const cookies = [setCookie];
    const none: AsyncSummary = { action: 'logout', mode: 'iframe', urls: [] };
    if (!ended) return { user: null, setCookie: cookies, async: none };
    const user = { id: ended.userId, login: ended.login };
    this.deps.log({
      type: 'info',
      event: 'auth.signout',
      message: `User "${ended.login}" signed out`,
      login: ended.login,
      outcome: 'signed_out',
      remoteIp: client.remoteIp,
    });
    if (delivery.kind === 'urls') {
      const urls = await this.deps.async.prepareAll('logout', user, false, 'iframe');
      return { user, setCookie: cookies, async: { ...none, urls } };
    }
    const flowCookie = await this.deps.async.enqueue({
      action: 'logout',
      user,
      remember: false,
      sessionId: null,
      userAgent: client.userAgent,
      redirectTo: delivery.redirectTo,
    });
    if (flowCookie) cookies.push(flowCookie);
    return { user, setCookie: cookies, async: none };
  }
}
