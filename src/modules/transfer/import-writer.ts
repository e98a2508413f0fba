import type { Knex } from '@mikro-orm/knex';
import { randomBytes } from 'node:crypto';
import type { HashFormat } from '../../config/config.js';
import type { SqlOrm } from '../../db/types.js';
import type { ChangeOrigin, DomainEvents, MetaChange, UserEvent } from '../../shared/domain-events.js';
import { encodeCapabilities } from '../users/meta-codec.js';
import { hashPassword } from '../users/password-hasher.js';
import { toDatetime, updateColumnByKey } from '../users/sql-batch.js';
import { userLevelFromRoles } from '../users/wp-user-rules.js';
import type { ImportRecord, LineError } from './import-line.js';
import { META_LINE_FIELDS } from './plugin-format.js';

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

interface Planned {
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

/** Rows per INSERT statement: big enough to amortise round trips, within SQLite's 32,766 variables. */
const USER_ROWS_PER_INSERT = 500;
const META_ROWS_PER_INSERT = 1000;

/** `wp_generate_password(16)`. */
function randomPassword(): string {
  return randomBytes(12).toString('base64url').slice(0, 16);
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return JSON.stringify(value);
}

/** A multi-row `INSERT … VALUES (…), (…)` with bindings, in chunks. Returns the first ID of each chunk. */
async function insertRows(
  trx: Knex.Transaction,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  perStatement: number,
  sqlite: boolean,
): Promise<number[]> {
  const firstIds: number[] = [];
  const tuple = `(${columns.map(() => '?').join(',')})`;
  const head = `insert into ${quote(table)} (${columns.map(quote).join(',')}) values `;
  const pending: Promise<unknown>[] = [];
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const bindings: unknown[] = [];
    for (const row of chunk) for (const value of row) bindings.push(value);
    const sql = head + Array(chunk.length).fill(tuple).join(',');
    if (sqlite) {
      await trx.raw(sql, bindings as Knex.RawBinding[]);
      const [last] = await trx.raw<{ id: number }[]>('select last_insert_rowid() as id');
      firstIds.push(Number(last?.id ?? 0) - chunk.length + 1);
    } else {
      // Sent without waiting for the previous answer (the driver pipelines them on the connection),
      // so the database never waits for the next statement.
      pending.push(trx.raw(sql, bindings as Knex.RawBinding[]));
    }
  }
  for (const result of (await Promise.all(pending)) as [{ insertId: number | bigint }][])
    firstIds.push(Number(result[0].insertId));
  return firstIds;
}

function quote(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/**
 * Writes one batch of import lines in one transaction, in plain multi-row SQL: one query each for the
 * logins, e-mails and nicenames already taken, multi-row INSERTs for users and their meta, CASE
 * updates for existing users (UPSERT). Lines refused by a rule are returned; a database error rolls
 * the whole batch back and is thrown.
 */
export class ImportBatchWriter {
  private readonly capabilitiesKey: string;
  private readonly userLevelKey: string;

  constructor(private readonly o: ImportWriterOptions) {
    this.capabilitiesKey = `${o.tablePrefix}capabilities`;
    this.userLevelKey = `${o.tablePrefix}user_level`;
  }

  private async select(
    trx: Knex.Transaction,
    sql: string,
    bindings: unknown[],
  ): Promise<Record<string, unknown>[]> {
    const result = (await trx.raw(sql, bindings as Knex.RawBinding[])) as unknown;
    if (this.o.sqlite) return result as Record<string, unknown>[];
    return (result as [Record<string, unknown>[]])[0];
  }

  /** `column IN (…)` compared as WordPress's case-insensitive collation does (SQLite needs `lower()`). */
  private inList(column: string, values: readonly string[]): { sql: string; bindings: string[] } {
    const marks = values.map(() => '?').join(',');
    return this.o.sqlite
      ? { sql: `lower(${column}) in (${marks})`, bindings: values.map((v) => v.toLowerCase()) }
      : { sql: `${column} in (${marks})`, bindings: [...values] };
  }

  async write(items: readonly ImportItem[]): Promise<BatchOutcome> {
    const knex = this.o.orm.em.getConnection().getKnex();
    const events: UserEvent[] = [];
    const outcome = await knex.transaction(async (trx) => {
      const result = await this.writeIn(trx, items, events);
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
  ): Promise<BatchOutcome> {
    const users = quote(this.o.usersTable);
    const failures: LineFailure[] = [];
    const fail = (item: ImportItem, cause: string, message: string) =>
      failures.push({ line: item.line, login: item.record.login, cause, message });

    const logins = items.map((i) => i.record.login);
    const byLogin = new Map<string, ExistingUser>();
    if (logins.length) {
      const where = this.inList('user_login', logins);
      for (const row of await this.select(
        trx,
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
      const where = this.inList('user_email', emails);
      for (const row of await this.select(
        trx,
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
    await this.assignNicenames(trx, planned);

    const creates = planned.filter((p) => p.existing === null);
    const updates = planned.filter((p) => p.existing !== null);
    for (const p of creates) {
      if (p.item.record.passwordHash) p.pass = p.item.record.passwordHash;
      else if (this.o.generatePasswords) {
        p.plain = randomPassword();
        p.pass = await hashPassword(p.plain, this.o.hashFormat);
      }
    }
    await this.insertUsers(trx, creates);
    await this.insertCreatedMeta(trx, creates, events);
    await this.applyUpdates(trx, updates, events);
    return { created: creates.length, updated: updates.length, failures };
  }

  /** wp_insert_user's unique nicenames: `name`, else `name-2`, `name-3`… (also unique within the batch). */
  private async assignNicenames(trx: Knex.Transaction, planned: Planned[]): Promise<void> {
    const wanted = planned.filter((p) => p.nicename !== null);
    if (wanted.length === 0) return;
    const names = [...new Set(wanted.map((p) => p.nicename as string))];
    const takenBy = new Map<string, string>();
    const where = this.inList('user_nicename', names);
    for (const row of await this.select(
      trx,
      `select ID, user_nicename from ${quote(this.o.usersTable)} where ${where.sql}`,
      where.bindings,
    ))
      takenBy.set(cell(row['user_nicename']).toLowerCase(), cell(row['ID']));
    const used = new Set<string>();
    const free = async (name: string, ownId: string): Promise<boolean> => {
      const key = name.toLowerCase();
      if (used.has(key)) return false;
      if (takenBy.has(key)) return takenBy.get(key) === ownId;
      const w = this.inList('user_nicename', [name]);
      const rows = await this.select(
        trx,
        `select ID from ${quote(this.o.usersTable)} where ${w.sql} limit 1`,
        w.bindings,
      );
      return rows.length === 0 || cell(rows[0]?.['ID']) === ownId;
    };
    for (const p of wanted) {
      const base = p.nicename as string;
      let candidate: string;
      const ownId = p.existing?.id ?? '';
      if (
        !used.has(base.toLowerCase()) &&
        (!takenBy.has(base.toLowerCase()) || takenBy.get(base.toLowerCase()) === ownId)
      ) {
        candidate = base;
      } else {
        for (let suffix = 2; ; suffix++) {
          const tail = `-${suffix}`;
          candidate = `${base.slice(0, 50 - tail.length)}${tail}`;
          if (await free(candidate, ownId)) break;
        }
      }
      used.add(candidate.toLowerCase());
      p.nicename = candidate;
    }
  }

  private registeredValue(value: string | null): string | number {
    const text = value ?? toDatetime(new Date(Math.floor(Date.now() / 1000) * 1000));
    if (!this.o.sqlite) return text;
    // The ORM keeps SQLite datetimes as epoch milliseconds.
    const ms = Date.parse(`${text.replace(' ', 'T')}Z`);
    return Number.isNaN(ms) ? text : ms;
  }

  private async insertUsers(trx: Knex.Transaction, creates: Planned[]): Promise<void> {
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
      this.o.sqlite,
    );
    // One multi-row INSERT gets consecutive IDs (InnoDB lock modes 0 and 1, SQLite); checked, and
    // looked up by login where another writer interleaved.
    for (let chunk = 0; chunk < firstIds.length; chunk++) {
      const part = creates.slice(chunk * USER_ROWS_PER_INSERT, (chunk + 1) * USER_ROWS_PER_INSERT);
      const first = firstIds[chunk] ?? 0;
      const rowsBack = await this.select(
        trx,
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
      const where = this.inList(
        'user_login',
        part.map((p) => p.item.record.login),
      );
      const found = new Map<string, string>();
      for (const row of await this.select(
        trx,
        `select ID, user_login from ${quote(this.o.usersTable)} where ${where.sql} and ID >= ? order by ID`,
        [...where.bindings, first],
      ))
        found.set(cell(row['user_login']).toLowerCase(), cell(row['ID']));
      for (const p of part) p.id = found.get(p.item.record.login.toLowerCase()) ?? '';
    }
  }

  /** The rows wp_insert_user writes, then the roles, then the file's meta (one value: update; more: add). */
  private metaRowsOf(record: ImportRecord, roles: readonly string[]): [string, string][] {
    const rows: [string, string][] = META_LINE_FIELDS.map((key) => [key, record.meta[key]]);
    rows.push([this.capabilitiesKey, encodeCapabilities(roles)]);
    rows.push([this.userLevelKey, String(userLevelFromRoles(roles))]);
    for (const [key, values] of record.metadata) {
      if (values.length === 1) {
        const value = values[0] ?? '';
        let replaced = false;
        for (const row of rows) {
          if (row[0] === key) {
            row[1] = value;
            replaced = true;
          }
        }
        if (!replaced) rows.push([key, value]);
      } else {
        for (const value of values) rows.push([key, value]);
      }
    }
    return rows;
  }

  private async insertCreatedMeta(
    trx: Knex.Transaction,
    creates: Planned[],
    events: UserEvent[],
  ): Promise<void> {
    if (creates.length === 0) return;
    const rows: [string, string, string][] = [];
    const at = new Date();
    for (const p of creates) {
      const { record } = p.item;
      const roles = record.roles.length ? record.roles : ['subscriber'];
      for (const [key, value] of this.metaRowsOf(record, roles)) rows.push([p.id, key, value]);
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
    await insertRows(
      trx,
      this.o.metaTable,
      ['user_id', 'meta_key', 'meta_value'],
      rows,
      META_ROWS_PER_INSERT,
      this.o.sqlite,
    );
  }

  /**
   * UPSERT of existing users: the columns and meta keys the line carries are replaced (each meta key
   * then holds exactly the file's values); roles only when the line names some.
   */
  private async applyUpdates(trx: Knex.Transaction, updates: Planned[], events: UserEvent[]): Promise<void> {
    if (updates.length === 0) return;
    const columns = new Map<string, Map<string, string>>();
    const set = (column: string, id: string, value: string) => {
      let values = columns.get(column);
      if (!values) columns.set(column, (values = new Map<string, string>()));
      values.set(id, value);
    };
    const deletes = new Map<string, { ids: string[]; keys: string[] }>();
    const inserts: [string, string, string][] = [];
    const at = new Date();
    for (const p of updates) {
      const { record } = p.item;
      const id = p.id;
      if (record.present.has('user_email')) set('user_email', id, record.email);
      if (record.present.has('user_url')) set('user_url', id, record.url);
      if (record.present.has('display_name')) set('display_name', id, record.displayName);
      if (p.nicename !== null) set('user_nicename', id, p.nicename);
      if (record.registered !== null)
        set('user_registered', id, String(this.registeredValue(record.registered)));
      if (record.passwordHash) {
        set('user_pass', id, record.passwordHash);
        set('user_activation_key', id, '');
      }
      const rows: [string, string][] = META_LINE_FIELDS.filter((key) => record.present.has(key)).map(
        (key) => [key, record.meta[key]],
      );
      if (record.roles.length) {
        rows.push([this.capabilitiesKey, encodeCapabilities(record.roles)]);
        rows.push([this.userLevelKey, String(userLevelFromRoles(record.roles))]);
      }
      for (const [key, values] of record.metadata) for (const value of values) rows.push([key, value]);
      const keys = [...new Set(rows.map(([key]) => key))];
      if (keys.length) {
        const signature = keys.join('\u0000');
        const group = deletes.get(signature) ?? { ids: [], keys };
        group.ids.push(id);
        deletes.set(signature, group);
      }
      for (const [key, value] of rows) inserts.push([id, key, value]);
      if (this.o.events) {
        events.push({
          type: 'user.updated',
          userId: id,
          login: p.existing?.login ?? record.login,
          previousLogin: p.existing?.login ?? record.login,
          origin: this.o.origin,
          at,
          plainPassword: null,
        });
        if (record.metadata.length)
          events.push({
            type: 'user.meta_changed',
            userId: id,
            login: p.existing?.login ?? record.login,
            origin: this.o.origin,
            at,
            changes: record.metadata.flatMap(([key, values]) =>
              values.map((value) => ({ op: 'update' as const, key, value, previous: [] })),
            ),
          });
      }
    }
    for (const [column, values] of columns)
      await updateColumnByKey(trx, this.o.usersTable, 'ID', column, values);
    const meta = quote(this.o.metaTable);
    for (const { ids, keys } of deletes.values()) {
      await trx.raw(
        `delete from ${meta} where user_id in (${ids.map(() => '?').join(',')}) and meta_key in (${keys.map(() => '?').join(',')})`,
        [...ids, ...keys],
      );
    }
    await insertRows(
      trx,
      this.o.metaTable,
      ['user_id', 'meta_key', 'meta_value'],
      inserts,
      META_ROWS_PER_INSERT,
      this.o.sqlite,
    );
  }
}
