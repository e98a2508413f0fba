import { retryOnDeadlock } from '../../db/retry-deadlock.js';
import { USER_META_FIELDS } from '../../protocol/receiver/ports.js';
import type { SqlEntityManager as EntityManager } from '../../db/types.js';
import type { HashFormat } from '../../config/config.js';
import { AppError } from '../../shared/app-error.js';
import type { ChangeOrigin, DomainEvents, MetaChange, UserEvent } from '../../shared/domain-events.js';
import type { KeyedMutex } from '../../shared/keyed-mutex.js';
import { replaceMetaValue } from './meta-rows.js';
import { decodeCapabilities, encodeCapabilities, encodeMetaValue, metaValuesEqual } from './meta-codec.js';
import { hashPassword } from './password-hasher.js';
import { WpUserMeta } from './user-meta.entity.js';
import type { CreateUserData, JsonValue, UpdateUserData, UserRef } from './user.inputs.js';
import { WpUser } from './user.entity.js';
import { UserRepository } from './user.repository.js';
import { checkUserFields, defaultDisplayName, uniqueNicename, validateLogin } from './user.validation.js';
import { userLevelFromRoles } from './wp-user-rules.js';

export interface UserServiceDeps {
  readonly em: EntityManager;
  readonly tablePrefix: string;
  readonly hashFormat: HashFormat;
  readonly events: DomainEvents;
  readonly locks: KeyedMutex;
}

export type MetaWrite =
  | {
      readonly mode: 'update';
      readonly key: string;
      readonly value: JsonValue;
      readonly prevValue?: JsonValue;
    }
  | { readonly mode: 'add'; readonly key: string; readonly value: JsonValue; readonly unique?: boolean };

/** Default meta WordPress's `wp_insert_user` writes for a new user, in its order. */
const DEFAULT_META_ORDER = USER_META_FIELDS;

/**
 * Business rules of user changes, written the way WordPress core writes them. Every change runs in one
 * transaction and emits its domain events after the commit.
 */
export class UserService {
  private readonly repo: UserRepository;
  readonly capabilitiesKey: string;
  readonly userLevelKey: string;

  constructor(private readonly deps: UserServiceDeps) {
    this.capabilitiesKey = `${deps.tablePrefix}capabilities`;
    this.userLevelKey = `${deps.tablePrefix}user_level`;
    this.repo = new UserRepository(deps.em, this.capabilitiesKey);
  }

  get repository(): UserRepository {
    return this.repo;
  }

  /** Meta keys that only role changes may write. */
  isProtectedMetaKey(key: string): boolean {
    return key === this.capabilitiesKey || key === this.userLevelKey;
  }

  async resolve(ref: UserRef, em: EntityManager = this.deps.em): Promise<WpUser> {
    const repo = em === this.deps.em ? this.repo : new UserRepository(em, this.capabilitiesKey);
    if (ref.id != null && ref.login != null)
      throw AppError.badInput('give either id or login, not both', 'id');
    if (ref.id != null) {
      if (!/^\d{1,20}$/.test(ref.id)) throw AppError.badInput('id must be a numeric user ID', 'id');
      const user = await repo.findById(ref.id);
      if (!user) throw AppError.notFound(`user ${ref.id}`);
      return user;
    }
    if (ref.login != null) {
      const user = await repo.findByLogin(ref.login);
      if (!user) throw AppError.notFound(`user "${ref.login}"`);
      return user;
    }
    throw AppError.badInput('give the user id or login', 'id');
  }

  async rolesOf(userId: string, em: EntityManager = this.deps.em): Promise<string[]> {
    const row = await em.findOne(
      WpUserMeta,
      { userId, metaKey: this.capabilitiesKey },
      { orderBy: { id: 'asc' } },
    );
    return decodeCapabilities(row?.metaValue ?? null);
  }

  private async inTransaction<T>(work: (em: EntityManager, events: UserEvent[]) => Promise<T>): Promise<T> {
    let events: UserEvent[] = [];
    const result = await retryOnDeadlock(() => {
      events = [];
      return this.deps.em.fork().transactional(async (em) => {
        const value = await work(em, events);
        await em.flush();
        await this.deps.events.record(em, events);
        return value;
      });
    });
    this.deps.events.publish(events);
    return result;
  }

  async create(origin: ChangeOrigin, data: CreateUserData): Promise<WpUser> {
    const login = validateLogin(data.login);
    const fields = checkUserFields(data);
    const roles = [...new Set(data.roles ?? ['subscriber'])];
    for (const m of data.meta ?? []) {
      if (this.isProtectedMetaKey(m.key))
        throw AppError.badInput(`meta key ${m.key} is written through roles`, 'meta');
    }
    const userPass = data.password ? await hashPassword(data.password, this.deps.hashFormat) : '';
    return this.deps.locks.run(login.toLowerCase(), () =>
      this.createLocked(origin, data, login, fields, roles, userPass),
    );
  }

  private createLocked(
    origin: ChangeOrigin,
    data: CreateUserData,
    login: string,
    fields: ReturnType<typeof checkUserFields> & { email: string },
    roles: string[],
    userPass: string,
  ): Promise<WpUser> {
    return this.inTransaction(async (em, events) => {
      const repo = new UserRepository(em, this.capabilitiesKey);
      if (await repo.findByLogin(login))
        throw AppError.conflict(`the login "${login}" is already used`, 'login');
      if (await repo.findByEmail(fields.email))
        throw AppError.conflict('the e-mail is already used', 'email');
      const user = em.create(WpUser, {
        userLogin: login,
        userPass,
        userEmail: fields.email,
        userUrl: fields.url ?? '',
        userNicename: await uniqueNicename(repo, fields.nicename ?? login),
        displayName: fields.displayName ?? defaultDisplayName(login, data.firstName, data.lastName),
        userRegistered: data.registered ?? new Date(Math.floor(Date.now() / 1000) * 1000),
        userActivationKey: '',
        userStatus: 0,
      });
      await em.flush();
      const defaults: Record<(typeof DEFAULT_META_ORDER)[number], string> = {
        nickname: data.nickname ?? login,
        first_name: data.firstName ?? '',
        last_name: data.lastName ?? '',
        description: data.description ?? '',
        rich_editing: 'true',
        syntax_highlighting: 'true',
        comment_shortcuts: 'false',
        admin_color: 'fresh',
        use_ssl: '0',
        show_admin_bar_front: 'true',
        locale: data.locale ?? '',
      };
      for (const key of DEFAULT_META_ORDER)
        em.create(WpUserMeta, { userId: user.id, metaKey: key, metaValue: defaults[key] });
      this.writeRoles(em, user.id, roles);
      const initialMeta: MetaChange[] = [];
      for (const m of data.meta ?? []) {
        const value = encodeMetaValue(m.value);
        em.create(WpUserMeta, { userId: user.id, metaKey: m.key, metaValue: value });
        initialMeta.push({ op: 'add', key: m.key, value });
      }
      events.push({
        type: 'user.created',
        userId: user.id,
        login,
        origin,
        at: new Date(),
        plainPassword: data.password ?? null,
      });
      // As on WordPress, meta written with a new user travels in a meta action after the create.
      if (initialMeta.length) {
        events.push({
          type: 'user.meta_changed',
          userId: user.id,
          login,
          origin,
          at: new Date(),
          changes: initialMeta,
        });
      }
      return user;
    });
  }

  private writeRoles(em: EntityManager, userId: string, roles: readonly string[]): void {
    em.create(WpUserMeta, { userId, metaKey: this.capabilitiesKey, metaValue: encodeCapabilities(roles) });
    em.create(WpUserMeta, {
      userId,
      metaKey: this.userLevelKey,
      metaValue: String(userLevelFromRoles(roles)),
    });
  }

  async update(origin: ChangeOrigin, data: UpdateUserData): Promise<WpUser> {
    const fields = checkUserFields({ ...data, email: data.email ?? undefined });
    const userPass = data.password ? await hashPassword(data.password, this.deps.hashFormat) : null;
    return this.inTransaction(async (em, events) => {
      const repo = new UserRepository(em, this.capabilitiesKey);
      const user = await this.resolve(data.user, em);
      if (fields.email !== undefined && fields.email.toLowerCase() !== user.userEmail.toLowerCase()) {
        const other = await repo.findByEmail(fields.email);
        if (other && other.id !== user.id) throw AppError.conflict('the e-mail is already used', 'email');
        user.userEmail = fields.email;
      }
      if (fields.url != null) user.userUrl = fields.url;
      if (fields.displayName != null) user.displayName = fields.displayName;
      if (fields.nicename != null && fields.nicename !== user.userNicename) {
        if (await repo.nicenameTaken(fields.nicename, user.id)) {
          throw AppError.conflict('the nicename is already used', 'nicename');
        }
        user.userNicename = fields.nicename;
      }
      if (userPass) {
        user.userPass = userPass;
        user.userActivationKey = '';
      }
      const metaFields: [string, string | null | undefined][] = [
        ['nickname', data.nickname],
        ['first_name', data.firstName],
        ['last_name', data.lastName],
        ['description', data.description],
        ['locale', data.locale],
      ];
      for (const [key, value] of metaFields) {
        if (value != null) await replaceMetaValue(em, user.id, key, value);
      }
      events.push({
        type: 'user.updated',
        userId: user.id,
        login: user.userLogin,
        previousLogin: user.userLogin,
        origin,
        at: new Date(),
        plainPassword: data.password ?? null,
      });
      return user;
    });
  }

  async delete(
    origin: ChangeOrigin,
    ref: UserRef,
    reassignTo: UserRef | null,
  ): Promise<{ id: string; login: string; reassignedTo: WpUser | null }> {
    return this.inTransaction(async (em, events) => {
      const user = await this.resolve(ref, em);
      const target = reassignTo ? await this.resolve(reassignTo, em) : null;
      if (target && target.id === user.id)
        throw AppError.badInput('cannot reassign to the deleted user', 'reassignTo');
      const id = user.id;
      const login = user.userLogin;
      await em.nativeDelete(WpUserMeta, { userId: id });
      em.remove(user);
      events.push({
        type: 'user.deleted',
        userId: id,
        login,
        origin,
        at: new Date(),
        reassignToLogin: target?.userLogin ?? null,
      });
      return { id, login, reassignedTo: target };
    });
  }

  async setPassword(origin: ChangeOrigin, ref: UserRef, password: string): Promise<WpUser> {
    const hash = await hashPassword(password, this.deps.hashFormat);
    return this.inTransaction(async (em, events) => {
      const user = await this.resolve(ref, em);
      user.userPass = hash;
      user.userActivationKey = '';
      events.push({
        type: 'user.password_changed',
        userId: user.id,
        login: user.userLogin,
        origin,
        at: new Date(),
        plainPassword: password,
      });
      return user;
    });
  }

  async setRoles(origin: ChangeOrigin, ref: UserRef, roles: readonly string[]): Promise<WpUser> {
    const unique = [...new Set(roles)];
    return this.inTransaction(async (em, events) => {
      const user = await this.resolve(ref, em);
      const previousRoles = await this.rolesOf(user.id, em);
      await replaceMetaValue(em, user.id, this.capabilitiesKey, encodeCapabilities(unique));
      await replaceMetaValue(em, user.id, this.userLevelKey, String(userLevelFromRoles(unique)));
      events.push({
        type: 'user.roles_changed',
        userId: user.id,
        login: user.userLogin,
        origin,
        at: new Date(),
        roles: unique,
        previousRoles,
      });
      return user;
    });
  }

  async setMeta(origin: ChangeOrigin, ref: UserRef, writes: readonly MetaWrite[]): Promise<WpUser> {
    for (const w of writes) {
      if (this.isProtectedMetaKey(w.key))
        throw AppError.badInput(`meta key ${w.key} is written through setUserRoles`, 'key');
    }
    return this.inTransaction(async (em, events) => {
      const user = await this.resolve(ref, em);
      const changes: MetaChange[] = [];
      for (const w of writes) {
        const value = encodeMetaValue(w.value);
        const rows = await em.find(
          WpUserMeta,
          { userId: user.id, metaKey: w.key },
          { orderBy: { id: 'asc' } },
        );
        if (w.mode === 'add') {
          if (w.unique && rows.length > 0)
            throw AppError.conflict(`meta key ${w.key} already has a value (unique)`, 'key');
          em.create(WpUserMeta, { userId: user.id, metaKey: w.key, metaValue: value });
          changes.push({ op: 'add', key: w.key, value });
          continue;
        }
        const targets =
          w.prevValue === undefined
            ? rows
            : rows.filter((r) => metaValuesEqual(r.metaValue, w.prevValue as JsonValue));
        if (rows.length === 0) {
          em.create(WpUserMeta, { userId: user.id, metaKey: w.key, metaValue: value });
        } else if (targets.length === 0 || targets.every((r) => r.metaValue === value)) {
          continue; // WordPress: nothing to update
        }
        for (const row of targets) row.metaValue = value;
        changes.push({ op: 'update', key: w.key, value, previous: targets.map((r) => r.metaValue ?? '') });
      }
      if (changes.length > 0) {
        events.push({
          type: 'user.meta_changed',
          userId: user.id,
          login: user.userLogin,
          origin,
          at: new Date(),
          changes,
        });
      }
      return user;
    });
  }

  async deleteMeta(
    origin: ChangeOrigin,
    ref: UserRef,
    key: string,
    value?: JsonValue,
  ): Promise<{ user: WpUser; deleted: number }> {
    if (this.isProtectedMetaKey(key))
      throw AppError.badInput(`meta key ${key} is written through setUserRoles`, 'key');
    return this.inTransaction(async (em, events) => {
      const user = await this.resolve(ref, em);
      const rows = await em.find(WpUserMeta, { userId: user.id, metaKey: key }, { orderBy: { id: 'asc' } });
      const targets = value === undefined ? rows : rows.filter((r) => metaValuesEqual(r.metaValue, value));
      for (const row of targets) em.remove(row);
      if (targets.length > 0) {
        events.push({
          type: 'user.meta_changed',
          userId: user.id,
          login: user.userLogin,
          origin,
          at: new Date(),
          changes: [{ op: 'delete', key, value: value === undefined ? null : encodeMetaValue(value) }],
        });
      }
      return { user, deleted: targets.length };
    });
  }
}
