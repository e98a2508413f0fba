import type { Knex } from '@mikro-orm/knex';
import { randomBytes } from 'node:crypto';
import type { HashFormat } from '../../config/config.js';
import type { SqlOrm } from '../../db/types.js';
import type { ChangeOrigin, DomainEvents, MetaChange, UserEvent } from '../../shared/domain-events.js';
import { encodeCapabilities } from '../users/meta-codec.js';
import { hashPassword } from '../users/password-hasher.js';
import { toDatetime } from '../users/sql-batch.js';
import { userLevelFromRoles } from '../users/wp-user-rules.js';
import type { ImportRecord, LineError } from './import-line.js';
import { META_LINE_FIELDS } from './plugin-format.js';
import { applyUpdates } from './import-updates.js';
import { assignNicenames } from './nicenames.js';
import {
  cell,
  inList,
  insertRows,
  insertValues,
  META_ROWS_PER_INSERT,
  quote,
  selectRows,
  USER_ROWS_PER_INSERT,
  dialectOf,
  idValue,
  type SqlDialect,
} from './sql-rows.js';

export type ImportMode = 'CREATE_ONLY' | 'UPSERT';

export interface ImportItem {
  readonly line: number;
  readonly record: ImportRecord;
}

export interface LineFailure extends LineError {
  readonly line: number;
  readonly login: string | null;
}

export interface BatchOutcome {
  readonly created: number;
  readonly updated: number;
  readonly failures: LineFailure[];
}

export interface ImportWriterOptions {
  readonly orm: SqlOrm;
  readonly usersTable: string;
  readonly metaTable: string;
  readonly tablePrefix: string;
  readonly sqlite: boolean;
  readonly mode: ImportMode;
  readonly generatePasswords: boolean;
  readonly hashFormat: HashFormat;
  /** Set when imported users go to remote sites through the outbox, like local changes. */
  readonly events: DomainEvents | null;
  readonly origin: ChangeOrigin;
}

interface ExistingUser {
  readonly id: string;
  readonly login: string;
  readonly email: string;
  readonly nicename: string;
}

export interface Planned {
  readonly item: ImportItem;
  readonly existing: ExistingUser | null;
  nicename: string | null;
  pass: string;
  plain: string | null;
  id: string;
}

const USER_COLUMNS = [
  'user_login',
  'user_pass',
  'user_nicename',
  'user_email',
  'user_url',
  'user_registered',
  'user_activation_key',
  'user_status',
  'display_name',
] as const;

/** `wp_generate_password(16)`. */
function randomPassword(): string {
  return randomBytes(12).toString('base64url').slice(0, 16);
}

/**
 * Writes one batch of import lines in one transaction, in plain multi-row SQL: one query each for the
 * logins, e-mails and nicenames already taken, multi-row INSERTs for users and their meta, CASE
 * updates for existing users (UPSERT). Lines refused by a rule are returned; a database error rolls
 * the whole batch back and is thrown.
 */
export class ImportBatchWriter {
  readonly capabilitiesKey: string;
  readonly userLevelKey: string;
  private readonly capabilities = new Map<string, string>();

  constructor(readonly o: ImportWriterOptions) {
    this.capabilitiesKey = `${o.tablePrefix}capabilities`;
    this.userLevelKey = `${o.tablePrefix}user_level`;
  }

  /**
   * `overlap`, when an earlier batch is still being written: that batch's nicenames (lowercase),
   * known once it has planned, which this one must not consider (see {@link NicenameInFlight}).
   * `onPlanned` gets this batch's nicenames once they are chosen.
   */
  async write(
    items: readonly ImportItem[],
    overlap: Promise<ReadonlySet<string>> | null = null,
    onPlanned: (nicenames: ReadonlySet<string>) => void = () => undefined,
  ): Promise<BatchOutcome> {
    const knex = this.o.orm.em.getConnection().getKnex();
    const events: UserEvent[] = [];
    const outcome = await knex.transaction(async (trx) => {
      const result = await this.writeIn(trx, items, events, overlap, onPlanned);
      if (this.o.events && events.length) {
        const em = this.o.orm.em.fork();
        em.setTransactionContext(trx);
        await this.o.events.record(em, events);
      }
      return result;
    });
    if (this.o.events) this.o.events.publish(events);
    return outcome;
  }

  private async writeIn(
    trx: Knex.Transaction,
    items: readonly ImportItem[],
    events: UserEvent[],
    overlap: Promise<ReadonlySet<string>> | null,
    onPlanned: (nicenames: ReadonlySet<string>) => void,
  ): Promise<BatchOutcome> {
    // Each batch's own: it names the batch's connection, and two batches can be written at once.
    const dialect = await dialectOf(trx, this.o.sqlite);
    const users = quote(this.o.usersTable);
    const failures: LineFailure[] = [];
    const fail = (item: ImportItem, cause: string, message: string) =>
      failures.push({ line: item.line, login: item.record.login, cause, message });

    const logins = items.map((i) => i.record.login);
    const byLogin = new Map<string, ExistingUser>();
    if (logins.length) {
      const where = inList(this.o.sqlite, 'user_login', logins);
      for (const row of await selectRows(
        trx,
        this.o.sqlite,
        `select ID, user_login, user_email, user_nicename from ${users} where ${where.sql} order by ID`,
        where.bindings,
      )) {
        const key = cell(row['user_login']).toLowerCase();
        if (!byLogin.has(key))
          byLogin.set(key, {
            id: cell(row['ID']),
            login: cell(row['user_login']),
            email: cell(row['user_email']),
            nicename: cell(row['user_nicename']),
          });
      }
    }
    const emails = [...new Set(items.map((i) => i.record.email.toLowerCase()).filter((e) => e !== ''))];
    const ownerOf = new Map<string, string>();
    if (emails.length) {
      const where = inList(this.o.sqlite, 'user_email', emails);
      for (const row of await selectRows(
        trx,
        this.o.sqlite,
        `select ID, user_email from ${users} where ${where.sql} order by ID`,
        where.bindings,
      )) {
        const key = cell(row['user_email']).toLowerCase();
        if (!ownerOf.has(key)) ownerOf.set(key, cell(row['ID']));
      }
    }

    const planned: Planned[] = [];
    for (const item of items) {
      const { record } = item;
      const existing = byLogin.get(record.login.toLowerCase()) ?? null;
      if (existing && this.o.mode === 'CREATE_ONLY') {
        fail(item, 'existing_user_login', 'Sorry, that username already exists!');
        continue;
      }
      const emailChanges =
        record.email !== '' &&
        (existing === null ||
          (record.present.has('user_email') && record.email.toLowerCase() !== existing.email.toLowerCase()));
      const owner = emailChanges ? ownerOf.get(record.email.toLowerCase()) : undefined;
      if (owner !== undefined && owner !== existing?.id) {
        fail(item, 'existing_user_email', 'Sorry, that email address is already used!');
        continue;
      }
      const nicename =
        existing === null
          ? record.nicename
          : record.present.has('user_nicename') && record.nicename !== existing.nicename
            ? record.nicename
            : null;
      planned.push({ item, existing, nicename, pass: '', plain: null, id: existing?.id ?? '' });
    }
    await assignNicenames(trx, this.o, planned, overlap ? await overlap : null);
    onPlanned(new Set(planned.flatMap((p) => (p.nicename === null ? [] : [p.nicename.toLowerCase()]))));

    const creates = planned.filter((p) => p.existing === null);
    const updates = planned.filter((p) => p.existing !== null);
    for (const p of creates) {
      if (p.item.record.passwordHash) p.pass = p.item.record.passwordHash;
      else if (this.o.generatePasswords) {
        p.plain = randomPassword();
        p.pass = await hashPassword(p.plain, this.o.hashFormat);
      }
    }
    await this.insertUsers(trx, dialect, creates);
    await this.insertCreatedMeta(trx, dialect, creates, events);
    await applyUpdates(trx, dialect, this, updates, events);
    return { created: creates.length, updated: updates.length, failures };
  }

  /** `user_registered` as the column holds it (the ORM keeps SQLite datetimes as epoch milliseconds). */
  registeredValue(value: string | null): string | number {
    const text = value ?? toDatetime(new Date(Math.floor(Date.now() / 1000) * 1000));
    if (!this.o.sqlite) return text;
    // The ORM keeps SQLite datetimes as epoch milliseconds.
    const ms = Date.parse(`${text.replace(' ', 'T')}Z`);
    return Number.isNaN(ms) ? text : ms;
  }

  private async insertUsers(trx: Knex.Transaction, dialect: SqlDialect, creates: Planned[]): Promise<void> {
    if (creates.length === 0) return;
    const rows = creates.map(({ item: { record }, nicename, pass }) => [
      record.login,
      pass,
      nicename ?? record.nicename,
      record.email,
      record.url,
      this.registeredValue(record.registered),
      '',
      0,
      record.displayName,
    ]);
    const firstIds = await insertRows(
      trx,
      this.o.usersTable,
      USER_COLUMNS,
      rows,
      USER_ROWS_PER_INSERT,
      dialect,
    );
    // One multi-row INSERT gets consecutive IDs (InnoDB lock modes 0 and 1, SQLite); checked, and
    // looked up by login where another writer interleaved.
    for (let chunk = 0; chunk < firstIds.length; chunk++) {
      const part = creates.slice(chunk * USER_ROWS_PER_INSERT, (chunk + 1) * USER_ROWS_PER_INSERT);
      const first = firstIds[chunk] ?? 0;
      const rowsBack = await selectRows(
        trx,
        this.o.sqlite,
        `select ID, user_login from ${quote(this.o.usersTable)} where ID between ? and ? order by ID`,
        [first, first + part.length - 1],
      );
      const consecutive =
        rowsBack.length === part.length &&
        rowsBack.every((r, i) => cell(r['user_login']) === part[i]?.item.record.login);
      if (consecutive) {
        part.forEach((p, i) => (p.id = cell(rowsBack[i]?.['ID'])));
        continue;
      }
      const where = inList(
        this.o.sqlite,
        'user_login',
        part.map((p) => p.item.record.login),
      );
      const found = new Map<string, string>();
      for (const row of await selectRows(
        trx,
        this.o.sqlite,
        `select ID, user_login from ${quote(this.o.usersTable)} where ${where.sql} and ID >= ? order by ID`,
        [...where.bindings, first],
      ))
        found.set(cell(row['user_login']).toLowerCase(), cell(row['ID']));
      for (const p of part) p.id = found.get(p.item.record.login.toLowerCase()) ?? '';
    }
  }

  /**
   * Appends the rows wp_insert_user writes, then the roles, then the file's meta (one value replaces
   * a default row, as update_user_meta would; several are each added).
   */
  private pushMetaRows(
    rows: (string | number)[][],
    userId: string | number,
    record: ImportRecord,
    roles: readonly string[],
  ): void {
    const first = rows.length;
    for (const key of META_LINE_FIELDS) rows.push([userId, key, record.meta[key]]);
    rows.push([userId, this.capabilitiesKey, this.capabilitiesOf(roles)]);
    rows.push([userId, this.userLevelKey, String(userLevelFromRoles(roles))]);
    for (const [key, values] of record.metadata) {
      const at = values.length === 1 ? this.defaultRowOf(key) : -1;
      if (at >= 0) (rows[first + at] as (string | number)[])[2] = values[0] ?? '';
      else for (const value of values) rows.push([userId, key, value]);
    }
  }

  /** Where `key` is among the rows every user gets (-1: not one of them). */
  private defaultRowOf(key: string): number {
    const at = (META_LINE_FIELDS as readonly string[]).indexOf(key);
    if (at >= 0) return at;
    if (key === this.capabilitiesKey) return META_LINE_FIELDS.length;
    if (key === this.userLevelKey) return META_LINE_FIELDS.length + 1;
    return -1;
  }

  /** `{prefix}capabilities` for a list of roles (the same few lists recur in every file). */
  private capabilitiesOf(roles: readonly string[]): string {
    const key = roles.join(',');
    let value = this.capabilities.get(key);
    if (value === undefined) {
      value = encodeCapabilities(roles);
      if (this.capabilities.size < 1000) this.capabilities.set(key, value);
    }
    return value;
  }

  private async insertCreatedMeta(
    trx: Knex.Transaction,
    dialect: SqlDialect,
    creates: Planned[],
    events: UserEvent[],
  ): Promise<void> {
    if (creates.length === 0) return;
    const rows: (string | number)[][] = [];
    const at = new Date();
    for (const p of creates) {
      const { record } = p.item;
      const roles = record.roles.length ? record.roles : ['subscriber'];
      this.pushMetaRows(rows, idValue(p.id), record, roles);
      if (this.o.events) {
        events.push({
          type: 'user.created',
          userId: p.id,
          login: record.login,
          origin: this.o.origin,
          at,
          plainPassword: p.plain,
        });
        const changes: MetaChange[] = record.metadata.flatMap(([key, values]) =>
          values.map((value) => ({ op: 'add' as const, key, value })),
        );
        if (changes.length)
          events.push({
            type: 'user.meta_changed',
            userId: p.id,
            login: record.login,
            origin: this.o.origin,
            at,
            changes,
          });
      }
    }
    // One batch's meta rows at a time: two connections inserting into the same AUTO_INCREMENT table
    // at once spend about a quarter of MariaDB's CPU waiting on each other (measured: 31-35 CPU
    // seconds per 100,000 users at once, 24-25 one after the other). The next batch may start once
    // this one's rows are all sent, while the database still writes the last of them.
    const turn = await this.metaTurn();
    try {
      await insertValues(
        trx,
        this.o.metaTable,
        ['user_id', 'meta_key', 'meta_value'],
        rows,
        META_ROWS_PER_INSERT,
        dialect,
        turn.done,
      );
    } finally {
      turn.done();
    }
  }

  /** Batches waiting to send their meta rows, in the order they asked. */
  private metaQueue: Promise<void> = Promise.resolve();

  /** Waits for this batch's turn to send meta rows; `done` (idempotent) lets the next one go. */
  private async metaTurn(): Promise<{ done: () => void }> {
    let release = (): void => undefined;
    const before = this.metaQueue;
    this.metaQueue = new Promise<void>((resolve) => (release = resolve));
    await before;
    return { done: release };
  }
}
