import { raw } from '@mikro-orm/core';
import { randomBytes } from 'node:crypto';
import type { HashFormat } from '../../config/config.js';
import { retryOnDeadlock } from '../../db/retry-deadlock.js';
import type { SqlEntityManager as EntityManager, SqlOrm } from '../../db/types.js';
import type { RoleDecision } from '../../protocol/receiver/incoming-roles.js';
import type {
  MetaOperation,
  MetaOperationResult,
  PasswordInstruction,
  PeerOrigin,
  PeerUserWriter,
  SyncedUserFields,
  UpsertRequest,
  UpsertResult,
} from '../../protocol/receiver/ports.js';
import { USER_META_FIELDS } from '../../protocol/receiver/ports.js';
import type { ChangeOrigin, DomainEvents, MetaChange, UserEvent } from '../../shared/domain-events.js';
import type { KeyedMutex } from '../../shared/keyed-mutex.js';
import { decodeCapabilities, encodeCapabilities, encodeMetaValue } from './meta-codec.js';
import { hashPassword } from './password-hasher.js';
import { WpUserMeta } from './user-meta.entity.js';
import { WpUser } from './user.entity.js';
import { toDatetime, updateColumnByKey } from './sql-batch.js';
import { replaceMetaValue } from './meta-rows.js';
import { UpdateBatcher } from './update-batcher.js';
import { UserRepository } from './user.repository.js';
import { uniqueNicename } from './user.validation.js';
import { isEmail, sanitizeUserLogin, userLevelFromRoles, userNicenameFrom } from './wp-user-rules.js';

const META_DEFAULTS: Record<(typeof USER_META_FIELDS)[number], string> = {
  nickname: '',
  first_name: '',
  last_name: '',
  description: '',
  rich_editing: 'true',
  syntax_highlighting: 'true',
  comment_shortcuts: 'false',
  admin_color: 'fresh',
  use_ssl: '0',
  show_admin_bar_front: 'true',
  locale: '',
};

/** `wp_generate_password(16)`: what a user created without a usable password gets. */
function randomPassword(): string {
  return randomBytes(12).toString('base64url').slice(0, 16);
}

function parseRegistered(value: string | undefined): Date | null {
  if (!value || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value)) return null;
  const date = new Date(`${value.replace(' ', 'T')}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A value read by plain SQL, as the string WordPress would see. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  if (value instanceof Date) return toDatetime(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return JSON.stringify(value);
}

/** What an update changes on a user: the entity, or a plain row on the SQL fast path. */
export interface UserRecord {
  readonly id: string;
  readonly userLogin: string;
  userEmail: string;
  userUrl: string;
  displayName: string;
  userRegistered: Date;
  userActivationKey: string;
  userPass: string;
}

export interface MetaRecord {
  readonly metaKey: string | null;
  metaValue: string | null;
}

/** An update waiting for its batch, its new password already hashed. */
interface PendingUpsert {
  readonly peer: PeerOrigin;
  readonly request: UpsertRequest;
  readonly updateHash: string | null;
}

function failed(cause: string, message: string): UpsertResult {
  return { outcome: 'failed', cause, message };
}

/**
 * Applies changes received from remote sites the way WordPress's `wp_insert_user`, `wp_delete_user`,
 * `wp_set_password` and metadata API would, one transaction per change, with domain events whose
 * origin is the sending site (so they are never sent back out).
 */
export class UserSyncService implements PeerUserWriter {
  private readonly capabilitiesKey: string;
  private readonly userLevelKey: string;
  private readonly batcher = new UpdateBatcher<PendingUpsert, UpsertResult>({
    keyOf: (item) => item.request.login.toLowerCase(),
    applyBatch: (items) => (this.deps.sqlBatches ? this.applyBatchSql(items) : this.applyBatch(items)),
    applyOne: (item) => this.upsertOne(item),
  });

  constructor(
    private readonly deps: {
      readonly orm: SqlOrm;
      readonly tablePrefix: string;
      readonly hashFormat: HashFormat;
      readonly events: DomainEvents;
      readonly locks: KeyedMutex;
      /** Apply batched updates in plain SQL (MariaDB/MySQL); SQLite uses the ORM. */
      readonly sqlBatches: boolean;
    },
  ) {
    this.capabilitiesKey = `${deps.tablePrefix}capabilities`;
    this.userLevelKey = `${deps.tablePrefix}user_level`;
  }

  private origin(origin: PeerOrigin): ChangeOrigin {
    return { kind: 'peer', siteId: origin.siteId, siteUrl: origin.siteUrl };
  }

  private async transaction<T>(
    login: string,
    work: (em: EntityManager, repo: UserRepository, events: UserEvent[]) => Promise<T>,
  ): Promise<T> {
    return this.deps.locks.run(login.toLowerCase(), async () => {
      let events: UserEvent[] = [];
      const result = await retryOnDeadlock(() => {
        events = [];
        return this.deps.orm.em.fork().transactional(async (em) => {
          const value = await work(em, new UserRepository(em, this.capabilitiesKey), events);
          await em.flush();
          await this.deps.events.record(em, events);
          return value;
        });
      });
      this.deps.events.publish(events);
      return result;
    });
  }

  private async passwordHash(instruction: PasswordInstruction): Promise<string | null> {
    switch (instruction.kind) {
      case 'plain':
        return hashPassword(instruction.value, this.deps.hashFormat);
      case 'random':
        return hashPassword(randomPassword(), this.deps.hashFormat);
      case 'keep':
        return null;
    }
  }

  private async writeRoles(em: EntityManager, userId: string, roles: readonly string[]): Promise<void> {
    await replaceMetaValue(em, userId, this.capabilitiesKey, encodeCapabilities(roles));
    await replaceMetaValue(em, userId, this.userLevelKey, String(userLevelFromRoles(roles)));
  }

  async upsert(peer: PeerOrigin, request: UpsertRequest): Promise<UpsertResult> {
    const { fields } = request;
    if (fields.user_email !== undefined && fields.user_email !== '' && !isEmail(fields.user_email)) {
      return failed('invalid_email', 'Sorry, that email address is not valid.');
    }
    // Hashing costs tens of milliseconds: a new password is hashed before the transaction; a created
    // user's (rare) is hashed inside it, so the common update path costs no hashing and no extra query.
    const updateHash = await this.passwordHash(request.password);
    if (request.mode === 'create') return this.upsertOne({ peer, request, updateHash });
    return this.batcher.submit({ peer, request, updateHash });
  }

  /** One change in its own transaction: creates, and updates the batch could not take. */
  private upsertOne(item: PendingUpsert): Promise<UpsertResult> {
    const { peer, request } = item;
    const { login, fields } = request;
    const createInstruction: PasswordInstruction =
      request.passwordForCreate.kind === 'keep' ? { kind: 'random' } : request.passwordForCreate;
    return this.transaction(login, async (em, repo, events) => {
      const origin = this.origin(peer);
      const existing = await repo.findByLogin(login);
      if (!existing) {
        if (request.mode === 'update') return { outcome: 'not_found' };
        const hash = (await this.passwordHash(createInstruction)) ?? '';
        return this.create(em, repo, events, origin, login, fields, hash, request);
      }
      if (request.mode === 'create')
        return failed('existing_user_login', 'Sorry, that username already exists!');
      if (
        fields.user_email !== undefined &&
        fields.user_email.toLowerCase() !== existing.userEmail.toLowerCase() &&
        fields.user_email !== ''
      ) {
        const other = await repo.findByEmail(fields.user_email);
        if (other && other.id !== existing.id)
          return failed('existing_user_email', 'Sorry, that email address is already used!');
      }
      if (fields.user_nicename !== undefined) {
        const nicename = userNicenameFrom(fields.user_nicename) || existing.userNicename;
        if (nicename !== existing.userNicename) existing.userNicename = await uniqueNicename(repo, nicename);
      }
      const rows = await em.find(
        WpUserMeta,
        { userId: existing.id, metaKey: { $in: this.metaKeysOf(request) } },
        { orderBy: { id: 'asc' } },
      );
      const newRow = (key: string, value: string) =>
        em.create(WpUserMeta, { userId: existing.id, metaKey: key, metaValue: value });
      return this.applyUpdate(existing, item, rows, newRow, events);
    });
  }

  /** The meta keys an update reads and writes. */
  private metaKeysOf(request: UpsertRequest): string[] {
    return [
      ...USER_META_FIELDS.filter((key) => request.fields[key] !== undefined),
      this.capabilitiesKey,
      this.userLevelKey,
    ];
  }

  /**
   * Applies an update to a loaded user and its loaded meta rows (no query: the batch path loads the
   * rows of many users at once). Email uniqueness and nicename changes are settled by the caller.
   */
  private applyUpdate(
    user: UserRecord,
    item: PendingUpsert,
    rows: MetaRecord[],
    newRow: (key: string, value: string) => MetaRecord,
    events: UserEvent[],
  ): UpsertResult {
    const { request, updateHash } = item;
    const { fields } = request;
    const origin = this.origin(item.peer);
    if (fields.user_email !== undefined) user.userEmail = fields.user_email;
    if (fields.user_url !== undefined) user.userUrl = fields.user_url.slice(0, 100);
    if (fields.display_name !== undefined) user.displayName = fields.display_name.slice(0, 250);
    const registered = parseRegistered(fields.user_registered);
    if (registered) user.userRegistered = registered;
    if (fields.user_activation_key !== undefined)
      user.userActivationKey = fields.user_activation_key.slice(0, 255);
    if (updateHash) {
      user.userPass = updateHash;
      user.userActivationKey = '';
    }
    const setValue = (key: string, value: string): void => {
      const existing = rows.filter((r) => r.metaKey === key);
      if (existing.length === 0) rows.push(newRow(key, value));
      for (const row of existing) if (row.metaValue !== value) row.metaValue = value;
    };
    for (const key of USER_META_FIELDS) {
      const value = fields[key];
      if (value !== undefined) setValue(key, value);
    }
    events.push({
      type: 'user.updated',
      userId: user.id,
      login: user.userLogin,
      previousLogin: user.userLogin,
      origin,
      at: new Date(),
      plainPassword: request.password.kind === 'plain' ? request.password.value : null,
    });
    if (!request.roles) return { outcome: 'updated', userId: user.id, rolesRejected: [], roles: null };
    const current = decodeCapabilities(
      rows.find((r) => r.metaKey === this.capabilitiesKey)?.metaValue ?? null,
    );
    const { changed, decision } = this.decideRoles(user, request.roles, current, origin, events);
    if (changed) {
      setValue(this.capabilitiesKey, encodeCapabilities(changed));
      setValue(this.userLevelKey, String(userLevelFromRoles(changed)));
    }
    return { outcome: 'updated', userId: user.id, rolesRejected: decision.rejected, roles: decision.roles };
  }

  /**
   * Applies many updates in one transaction: one query for the users, one for their meta rows, one for
   * e-mail owners, batched writes and one commit. Items it cannot settle alone (missing user — maybe a
   * create —, nicename change, a login twice) are returned to run one by one afterwards.
   */
  /**
   * The batch on MariaDB/MySQL, in plain SQL: the same rules as `applyBatch`, without the ORM's unit of
   * work (which costs more CPU than everything else an incoming update does).
   */
  private async applyBatchSql(
    items: readonly PendingUpsert[],
  ): Promise<{ done: Map<PendingUpsert, UpsertResult>; rest: PendingUpsert[] }> {
    const done = new Map<PendingUpsert, UpsertResult>();
    const rest: PendingUpsert[] = [];
    const events: UserEvent[] = [];
    const metadata = this.deps.orm.getMetadata();
    const usersTable = metadata.get(WpUser.name).tableName;
    const metaTable = metadata.get(WpUserMeta.name).tableName;
    const knex = this.deps.orm.em.getConnection().getKnex();
    await knex.transaction(async (trx) => {
      const logins = [...new Set(items.map((i) => i.request.login))];
      const userRows = (await trx(usersTable)
        .select(
          'ID',
          'user_login',
          'user_email',
          'user_nicename',
          'user_url',
          'display_name',
          'user_registered',
          'user_activation_key',
          'user_pass',
        )
        .whereIn('user_login', logins)
        .orderBy('ID')) as Record<string, unknown>[];
      const byLogin = new Map<
        string,
        { record: UserRecord; nicename: string; original: Record<string, string> }
      >();
      for (const row of userRows) {
        const login = cell(row['user_login']);
        if (byLogin.has(login)) continue;
        const registered =
          row['user_registered'] instanceof Date
            ? row['user_registered']
            : new Date(`${cell(row['user_registered']).replace(' ', 'T')}Z`);
        const record: UserRecord = {
          id: cell(row['ID']),
          userLogin: login,
          userEmail: cell(row['user_email']),
          userUrl: cell(row['user_url']),
          displayName: cell(row['display_name']),
          userRegistered: registered,
          userActivationKey: cell(row['user_activation_key']),
          userPass: cell(row['user_pass']),
        };
        byLogin.set(login, {
          record,
          nicename: cell(row['user_nicename']),
          original: this.userColumns(record),
        });
      }
      const emails = [
        ...new Set(
          items.map((i) => i.request.fields.user_email?.toLowerCase()).filter((e): e is string => !!e),
        ),
      ];
      const owners: Record<string, unknown>[] = emails.length
        ? await trx(usersTable)
            .select('ID', 'user_email')
            .whereRaw(`lower(user_email) in (${emails.map(() => '?').join(', ')})`, emails)
        : [];
      const ownerOf = new Map(owners.map((o) => [cell(o['user_email']).toLowerCase(), cell(o['ID'])]));
      const ready: { item: PendingUpsert; user: { record: UserRecord; original: Record<string, string> } }[] =
        [];
      const seen = new Set<string>();
      for (const item of items) {
        const { login, fields } = item.request;
        const user = byLogin.get(login);
        const nicenameChanges =
          fields.user_nicename !== undefined &&
          user !== undefined &&
          (userNicenameFrom(fields.user_nicename) || user.nicename) !== user.nicename;
        if (!user || seen.has(user.record.id) || nicenameChanges) {
          rest.push(item);
          continue;
        }
        seen.add(user.record.id);
        const email = fields.user_email?.toLowerCase();
        if (
          email &&
          email !== user.record.userEmail.toLowerCase() &&
          (ownerOf.get(email) ?? user.record.id) !== user.record.id
        ) {
          done.set(item, failed('existing_user_email', 'Sorry, that email address is already used!'));
          continue;
        }
        ready.push({ item, user });
      }
      if (ready.length === 0) return;
      const keys = [...new Set(ready.flatMap(({ item }) => this.metaKeysOf(item.request)))];
      const metaRows = (await trx(metaTable)
        .select('umeta_id', 'user_id', 'meta_key', 'meta_value')
        .whereIn(
          'user_id',
          ready.map((r) => r.user.record.id),
        )
        .whereIn('meta_key', keys)
        .orderBy('umeta_id')) as Record<string, unknown>[];
      const changedMeta = new Map<string, string>();
      const inserts: { user_id: string; meta_key: string; meta_value: string }[] = [];
      const userChanges = new Map<string, Map<string, string>>();
      for (const { item, user } of ready) {
        const wanted = new Set(this.metaKeysOf(item.request));
        const own = metaRows
          .filter((r) => cell(r['user_id']) === user.record.id && wanted.has(cell(r['meta_key'])))
          .map((r) => ({
            id: cell(r['umeta_id']),
            metaKey: cell(r['meta_key']),
            metaValue: r['meta_value'] === null ? null : cell(r['meta_value']),
            before: r['meta_value'],
          }));
        const added: MetaRecord[] = [];
        const newRow = (key: string, value: string): MetaRecord => {
          const row = { metaKey: key, metaValue: value };
          added.push(row);
          return row;
        };
        done.set(item, this.applyUpdate(user.record, item, own, newRow, events));
        for (const row of own)
          if (row.metaValue !== row.before && row.metaValue !== null) changedMeta.set(row.id, row.metaValue);
        for (const row of added)
          inserts.push({
            user_id: user.record.id,
            meta_key: row.metaKey ?? '',
            meta_value: row.metaValue ?? '',
          });
        const now = this.userColumns(user.record);
        for (const [column, value] of Object.entries(now)) {
          if (value === user.original[column]) continue;
          const perColumn = userChanges.get(column) ?? new Map<string, string>();
          perColumn.set(user.record.id, value);
          userChanges.set(column, perColumn);
        }
      }
      for (const [column, values] of userChanges)
        await updateColumnByKey(trx, usersTable, 'ID', column, values);
      await updateColumnByKey(trx, metaTable, 'umeta_id', 'meta_value', changedMeta);
      if (inserts.length) await trx(metaTable).insert(inserts);
      // Outbox rows and other in-transaction listeners see the same transaction through an EntityManager.
      if (events.length) {
        const em = this.deps.orm.em.fork();
        em.setTransactionContext(trx);
        await this.deps.events.record(em, events);
      }
    });
    this.deps.events.publish(events);
    return { done, rest };
  }

  /** The users-table columns an update may change, as DATETIME-ready strings. */
  private userColumns(user: UserRecord): Record<string, string> {
    return {
      user_email: user.userEmail,
      user_url: user.userUrl,
      display_name: user.displayName,
      user_registered: toDatetime(user.userRegistered),
      user_activation_key: user.userActivationKey,
      user_pass: user.userPass,
    };
  }

  private async applyBatch(
    items: readonly PendingUpsert[],
  ): Promise<{ done: Map<PendingUpsert, UpsertResult>; rest: PendingUpsert[] }> {
    const done = new Map<PendingUpsert, UpsertResult>();
    const rest: PendingUpsert[] = [];
    const events: UserEvent[] = [];
    await this.deps.orm.em.fork().transactional(async (em) => {
      const logins = [...new Set(items.map((i) => i.request.login))];
      const users = await em.find(WpUser, { userLogin: { $in: logins } }, { orderBy: { id: 'asc' } });
      const byLogin = new Map<string, WpUser>();
      for (const u of users) if (!byLogin.has(u.userLogin)) byLogin.set(u.userLogin, u);
      const emails = [
        ...new Set(
          items.map((i) => i.request.fields.user_email?.toLowerCase()).filter((e): e is string => !!e),
        ),
      ];
      const owners = emails.length
        ? await em.find(
            WpUser,
            { [raw((alias) => `lower(${alias}.user_email)`)]: { $in: emails } },
            { fields: ['id', 'userEmail'] },
          )
        : [];
      const ownerOf = new Map(owners.map((o) => [o.userEmail.toLowerCase(), o.id]));
      const ready: { item: PendingUpsert; user: WpUser }[] = [];
      const seen = new Set<string>();
      for (const item of items) {
        const { login, fields } = item.request;
        const user = byLogin.get(login);
        const nicenameChanges =
          fields.user_nicename !== undefined &&
          (userNicenameFrom(fields.user_nicename) || user?.userNicename) !== user?.userNicename;
        if (!user || seen.has(user.id) || nicenameChanges) {
          rest.push(item);
          continue;
        }
        seen.add(user.id);
        const email = fields.user_email?.toLowerCase();
        if (email && email !== user.userEmail.toLowerCase() && (ownerOf.get(email) ?? user.id) !== user.id) {
          done.set(item, failed('existing_user_email', 'Sorry, that email address is already used!'));
          continue;
        }
        ready.push({ item, user });
      }
      const keys = [...new Set(ready.flatMap(({ item }) => this.metaKeysOf(item.request)))];
      const rows = ready.length
        ? await em.find(
            WpUserMeta,
            { userId: { $in: ready.map((r) => r.user.id) }, metaKey: { $in: keys } },
            { orderBy: { id: 'asc' } },
          )
        : [];
      for (const { item, user } of ready) {
        const wanted = new Set(this.metaKeysOf(item.request));
        const own = rows.filter((r) => r.userId === user.id && r.metaKey !== null && wanted.has(r.metaKey));
        const newRow = (key: string, value: string) =>
          em.create(WpUserMeta, { userId: user.id, metaKey: key, metaValue: value });
        done.set(item, this.applyUpdate(user, item, own, newRow, events));
      }
      await em.flush();
      await this.deps.events.record(em, events);
    });
    this.deps.events.publish(events);
    return { done, rest };
  }

  private async create(
    em: EntityManager,
    repo: UserRepository,
    events: UserEvent[],
    origin: ChangeOrigin,
    login: string,
    fields: SyncedUserFields,
    userPass: string,
    request: UpsertRequest,
  ): Promise<UpsertResult> {
    if (sanitizeUserLogin(login) !== login || [...login].length > 60) {
      return failed('invalid_login', 'Sorry, that username is not allowed (WordPress sanitize_user).');
    }
    const email = fields.user_email ?? '';
    if (email !== '' && (await repo.findByEmail(email)))
      return failed('existing_user_email', 'Sorry, that email address is already used!');
    const user = em.create(WpUser, {
      userLogin: login,
      userPass,
      userEmail: email,
      userUrl: (fields.user_url ?? '').slice(0, 100),
      userNicename: await uniqueNicename(repo, fields.user_nicename || login),
      displayName: (fields.display_name || login).slice(0, 250),
      userRegistered:
        parseRegistered(fields.user_registered) ?? new Date(Math.floor(Date.now() / 1000) * 1000),
      userActivationKey: '',
      userStatus: 0,
    });
    await em.flush();
    for (const key of USER_META_FIELDS) {
      const value = fields[key] ?? (key === 'nickname' ? login : META_DEFAULTS[key]);
      em.create(WpUserMeta, { userId: user.id, metaKey: key, metaValue: value });
    }
    // wp_insert_user gives the default role first; an accepted `roles` then overrides it.
    em.create(WpUserMeta, {
      userId: user.id,
      metaKey: this.capabilitiesKey,
      metaValue: encodeCapabilities(['subscriber']),
    });
    em.create(WpUserMeta, { userId: user.id, metaKey: this.userLevelKey, metaValue: '0' });
    await em.flush();
    events.push({
      type: 'user.created',
      userId: user.id,
      login,
      origin,
      at: new Date(),
      plainPassword: request.passwordForCreate.kind === 'plain' ? request.passwordForCreate.value : null,
    });
    const roleResult = await this.applyRoles(em, user, request, events, origin);
    return { outcome: 'created', userId: user.id, ...roleResult };
  }

  /** Roles of a new user: WordPress gave it the default role, which an accepted `roles` overrides. */
  private async applyRoles(
    em: EntityManager,
    user: WpUser,
    request: UpsertRequest,
    events: UserEvent[],
    origin: ChangeOrigin,
  ): Promise<{ rolesRejected: readonly string[]; roles: readonly string[] | null }> {
    if (!request.roles) return { rolesRejected: [], roles: null };
    const { changed, decision } = this.decideRoles(user, request.roles, ['subscriber'], origin, events);
    if (changed) await this.writeRoles(em, user.id, changed);
    return { rolesRejected: decision.rejected, roles: decision.roles };
  }

  /** The site's role decision, and the roles to write (with their event) when they differ from `current`. */
  private decideRoles(
    user: UserRecord,
    decide: NonNullable<UpsertRequest['roles']>,
    current: string[],
    origin: ChangeOrigin,
    events: UserEvent[],
  ): { changed: string[] | null; decision: RoleDecision } {
    const decision = decide(current);
    if (!decision.roles || JSON.stringify(decision.roles) === JSON.stringify(current))
      return { changed: null, decision };
    events.push({
      type: 'user.roles_changed',
      userId: user.id,
      login: user.userLogin,
      origin,
      at: new Date(),
      roles: decision.roles,
      previousRoles: current,
    });
    return { changed: decision.roles, decision };
  }

  async delete(peer: PeerOrigin, login: string, reassignTo: string | null) {
    return this.transaction(login, async (em, repo, events) => {
      const user = await repo.findByLogin(login);
      if (!user) return { outcome: 'not_found' as const };
      const target = reassignTo ? await repo.findByLogin(reassignTo) : null;
      const id = user.id;
      await em.nativeDelete(WpUserMeta, { userId: id });
      em.remove(user);
      events.push({
        type: 'user.deleted',
        userId: id,
        login: user.userLogin,
        origin: this.origin(peer),
        at: new Date(),
        reassignToLogin: target && target.id !== id ? target.userLogin : null,
      });
      return { outcome: 'deleted' as const, reassigned: target !== null && target.id !== id };
    });
  }

  async setPassword(peer: PeerOrigin, login: string, plain: string): Promise<'updated' | 'not_found'> {
    const hash = await hashPassword(plain, this.deps.hashFormat);
    return this.transaction(login, async (_em, repo, events) => {
      const user = await repo.findByLogin(login);
      if (!user) return 'not_found';
      user.userPass = hash;
      user.userActivationKey = '';
      events.push({
        type: 'user.password_changed',
        userId: user.id,
        login: user.userLogin,
        origin: this.origin(peer),
        at: new Date(),
        plainPassword: plain,
      });
      return 'updated';
    });
  }

  /** WordPress processes the groups add → update → delete, whatever the payload order (§6.6). */
  async applyMeta(
    peer: PeerOrigin,
    login: string,
    operations: readonly MetaOperation[],
  ): Promise<readonly MetaOperationResult[] | 'not_found'> {
    const ordered = (['add', 'update', 'delete'] as const).flatMap((op) =>
      operations.filter((o) => o.op === op),
    );
    return this.transaction(login, async (em, repo, events) => {
      const user = await repo.findByLogin(login);
      if (!user) return 'not_found';
      const results: MetaOperationResult[] = [];
      const changes: MetaChange[] = [];
      for (const operation of ordered) {
        if (operation.key === this.capabilitiesKey || operation.key === this.userLevelKey) {
          results.push({ operation, applied: false });
          continue;
        }
        const rows = await em.find(
          WpUserMeta,
          { userId: user.id, metaKey: operation.key },
          { orderBy: { id: 'asc' } },
        );
        const value = encodeMetaValue(operation.value);
        switch (operation.op) {
          case 'add': {
            const applied = !(operation.unique && rows.length > 0);
            if (applied) {
              em.create(WpUserMeta, { userId: user.id, metaKey: operation.key, metaValue: value });
              changes.push({ op: 'add', key: operation.key, value });
            }
            results.push({ operation, applied });
            break;
          }
          case 'update': {
            const prev =
              operation.prevValue === '' || operation.prevValue === null
                ? null
                : encodeMetaValue(operation.prevValue);
            if (rows.length === 0) {
              em.create(WpUserMeta, { userId: user.id, metaKey: operation.key, metaValue: value });
              changes.push({ op: 'add', key: operation.key, value });
              results.push({ operation, applied: true });
              break;
            }
            const targets = rows.filter(
              (r) => (prev === null || r.metaValue === prev) && r.metaValue !== value,
            );
            for (const row of targets) row.metaValue = value;
            if (targets.length)
              changes.push({
                op: 'update',
                key: operation.key,
                value,
                previous: targets.map((r) => r.metaValue ?? ''),
              });
            results.push({ operation, applied: targets.length > 0 });
            break;
          }
          case 'delete': {
            // `delete_all` would delete the key for EVERY user in WordPress; a peer only reaches this user.
            const match = operation.value === '' || operation.value === null ? null : value;
            const targets = rows.filter((r) => match === null || r.metaValue === match);
            for (const row of targets) em.remove(row);
            if (targets.length) changes.push({ op: 'delete', key: operation.key, value: match });
            results.push({ operation, applied: targets.length > 0 });
            break;
          }
        }
        await em.flush();
      }
      if (changes.length)
        events.push({
          type: 'user.meta_changed',
          userId: user.id,
          login: user.userLogin,
          origin: this.origin(peer),
          at: new Date(),
          changes,
        });
      return results;
    });
  }
}
