import { createHash, randomBytes } from 'node:crypto';
import type { SqlEntityManager as EntityManager, SqlOrm } from '../../db/types.js';
import type {
  BrowserClient,
  BrowserSessionPort,
  PeerOrigin,
  SessionUser,
} from '../../protocol/receiver/ports.js';
import { UserRepository } from '../users/user.repository.js';
import { WpUser } from '../users/user.entity.js';
import { AsyncFlow } from './async-flow.entity.js';
import type { CookieJar } from './session-cookie.js';
import { Session, type SessionOrigin } from './session.entity.js';

export interface SessionServiceOptions {
  readonly orm: SqlOrm;
  readonly tablePrefix: string;
  readonly cookies: CookieJar;
  /** Lifetime without "remember me" (the cookie itself ends with the browser session). */
  readonly ttlSeconds: number;
  readonly rememberSeconds: number;
}

export interface OpenSessionOptions {
  readonly remember: boolean;
  readonly origin: SessionOrigin;
  readonly originSiteId: string | null;
  readonly client: BrowserClient;
}

export interface ResolvedSession {
  readonly session: Session;
  readonly user: WpUser;
}

export const sha256Hex = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

/** A digest of the stored password hash: a session outlives neither its user nor a password change. */
export function passwordFragment(userPass: string): string {
  return sha256Hex(`session-password:${userPass}`).slice(0, 16);
}

/** Writes to `lastSeenAt` at most this often per session. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Server-side browser sessions. The cookie carries 256 random bits; the table keeps only their
 * SHA-256, so neither the database nor the logs hold anything that signs a browser in.
 */
export class SessionService implements BrowserSessionPort {
  constructor(private readonly options: SessionServiceOptions) {}

  get cookies(): CookieJar {
    return this.options.cookies;
  }

  private users(em: EntityManager): UserRepository {
    return new UserRepository(em, `${this.options.tablePrefix}capabilities`);
  }

  /** Opens a session for `user` in this browser, ending the session it had; returns the cookie to set. */
  async open(user: WpUser, options: OpenSessionOptions): Promise<{ session: Session; setCookie: string }> {
    const em = this.options.orm.em.fork();
    const cookies = this.options.cookies;
    const previous = cookies.read(options.client.cookieHeader, cookies.sessionName);
    if (previous) await em.nativeDelete(Session, { tokenHash: sha256Hex(previous) });
    const secret = randomBytes(32).toString('base64url');
    const now = new Date();
    const lifetime = options.remember ? this.options.rememberSeconds : this.options.ttlSeconds;
    const session = em.create(Session, {
      tokenHash: sha256Hex(secret),
      userId: user.id,
      login: user.userLogin,
      passwordFragment: passwordFragment(user.userPass),
      remember: options.remember,
      origin: options.origin,
      originSiteId: options.originSiteId,
      ip: options.client.remoteIp.slice(0, 64),
      userAgent: options.client.userAgent?.slice(0, 255) ?? null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + lifetime * 1000),
    });
    await em.flush();
    return {
      session,
      setCookie: cookies.set(cookies.sessionName, secret, options.remember ? lifetime : null),
    };
  }

  /** The valid session of this browser and its user; an expired or stale session is removed. */
  async resolve(cookieHeader: string | undefined): Promise<ResolvedSession | null> {
    const secret = this.options.cookies.read(cookieHeader, this.options.cookies.sessionName);
    if (!secret) return null;
    const em = this.options.orm.em.fork();
    const session = await em.findOne(Session, { tokenHash: sha256Hex(secret) });
    if (!session) return null;
    const now = Date.now();
    const user = session.expiresAt.getTime() > now ? await em.findOne(WpUser, { id: session.userId }) : null;
    if (!user || passwordFragment(user.userPass) !== session.passwordFragment) {
      await em.nativeDelete(Session, { id: session.id });
      return null;
    }
    if (now - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
      session.lastSeenAt = new Date(now);
      await em.nativeUpdate(Session, { id: session.id }, { lastSeenAt: session.lastSeenAt });
    }
    return { session, user };
  }

  /** Ends this browser's session; returns the `Set-Cookie` value that clears its cookie. */
  async close(cookieHeader: string | undefined): Promise<{ ended: Session | null; setCookie: string }> {
    const cookies = this.options.cookies;
    const secret = cookies.read(cookieHeader, cookies.sessionName);
    let ended: Session | null = null;
    if (secret) {
      const em = this.options.orm.em.fork();
      ended = await em.findOne(Session, { tokenHash: sha256Hex(secret) });
      if (ended) await em.nativeDelete(Session, { id: ended.id });
    }
    return { ended, setCookie: cookies.clear(cookies.sessionName) };
  }

  /** A user's live sessions, newest first. */
  list(em: EntityManager, userId: string): Promise<Session[]> {
    return em.find(Session, { userId, expiresAt: { $gt: new Date() } }, { orderBy: { id: 'desc' } });
  }

  /** Ends every session of a user and drops the browser actions still pending for them. */
  async destroyAll(em: EntityManager, userId: string): Promise<number> {
    await em.nativeDelete(AsyncFlow, { userId, action: 'login' });
    return em.nativeDelete(Session, { userId });
  }

  /** Removes expired sessions and flows. */
  async cleanup(): Promise<number> {
    const em = this.options.orm.em.fork();
    const now = new Date();
    await em.nativeDelete(AsyncFlow, { expiresAt: { $lt: now } });
    return em.nativeDelete(Session, { expiresAt: { $lt: now } });
  }

  // BrowserSessionPort: what the login and logout handlers of the receiver use.

  async current(client: BrowserClient): Promise<SessionUser | null> {
    const resolved = await this.resolve(client.cookieHeader);
    return resolved ? { userId: resolved.user.id, login: resolved.user.userLogin } : null;
  }

  async userByLogin(login: string): Promise<SessionUser | null> {
    if (!login) return null;
    const user = await this.users(this.options.orm.em.fork()).findByLogin(login);
    return user ? { userId: user.id, login: user.userLogin } : null;
  }

  async signIn(
    origin: PeerOrigin,
    user: SessionUser,
    remember: boolean,
    client: BrowserClient,
  ): Promise<{ readonly setCookie: readonly string[] }> {
    const row = await this.options.orm.em.fork().findOne(WpUser, { id: user.userId });
    if (!row) return { setCookie: [] };
    const { setCookie } = await this.open(row, {
      remember,
      origin: 'peer',
      originSiteId: origin.siteId,
      client,
    });
    return { setCookie: [setCookie] };
  }

  async signOutCurrent(client: BrowserClient): Promise<{ readonly setCookie: readonly string[] }> {
    const { setCookie } = await this.close(client.cookieHeader);
    return { setCookie: [setCookie] };
  }

  signOutAll(userId: string): Promise<number> {
    return this.destroyAll(this.options.orm.em.fork(), userId);
  }

  signOutOpenedBy(userId: string, siteId: string): Promise<number> {
    return this.options.orm.em.fork().nativeDelete(Session, { userId, originSiteId: siteId });
  }
}
