import type { Knex } from '@mikro-orm/knex';

/** Rows per INSERT statement: big enough to amortise round trips, within SQLite's 32,766 variables. */
export const USER_ROWS_PER_INSERT = 500;
export const META_ROWS_PER_INSERT = 1000;
/** Rows per bulk call (MariaDB's bulk protocol). */
const BULK_ROWS_PER_CALL = 8000;

export function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return JSON.stringify(value);
}

/** How values are written into SQL text: bound on SQLite, literal on MariaDB/MySQL. */
export type SqlDialect =
  | { readonly kind: 'sqlite' }
  | {
      readonly kind: 'mysql';
      readonly backslashEscapes: boolean;
      /** The transaction's connection when it can send rows in MariaDB's bulk protocol. */
      readonly bulk: BulkConnection | null;
    };

/** The `mariadb` connector's callback connection, as far as bulk inserts need it. */
interface BulkConnection {
  batch(sql: string, values: unknown[][], callback: (err: Error | null) => void): void;
  info?: { isMariaDB?: () => boolean };
}

/** The connection a knex transaction runs on (knex resolves it for the transaction's own client). */
async function connectionOf(trx: Knex.Transaction): Promise<unknown> {
  const client = trx.client as { acquireConnection?: () => Promise<unknown> };
  return client.acquireConnection ? client.acquireConnection() : null;
}

function asBulkConnection(conn: unknown): BulkConnection | null {
  const c = conn as Partial<BulkConnection> | null;
  return c && typeof c.batch === 'function' && c.info?.isMariaDB?.() === true ? (c as BulkConnection) : null;
}

/** The session's dialect: MariaDB/MySQL escape with backslashes unless NO_BACKSLASH_ESCAPES is set. */
export async function dialectOf(trx: Knex.Transaction, sqlite: boolean): Promise<SqlDialect> {
  if (sqlite) return { kind: 'sqlite' };
  const [mode] = await selectRows(trx, false, 'select @@session.sql_mode as m', []);
  return {
    kind: 'mysql',
    backslashEscapes: !cell(mode?.['m']).includes('NO_BACKSLASH_ESCAPES'),
    bulk: asBulkConnection(await connectionOf(trx)),
  };
}

/**
 * Rows whose IDs nobody needs back (meta rows). On MariaDB they go in the bulk protocol
 * (COM_STMT_BULK_EXECUTE: one prepared INSERT, the values sent as binary arrays): MariaDB neither
 * parses nor plans one statement per chunk, which is most of its cost beyond writing the rows.
 */
export async function insertValues(
  trx: Knex.Transaction,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly (string | number)[])[],
  perStatement: number,
  dialect: SqlDialect,
  /** Called once every row has been handed to the connection (before the database has written them). */
  sent: () => void = () => undefined,
): Promise<void> {
  if (rows.length === 0) return sent();
  if (dialect.kind === 'sqlite' || !dialect.bulk) {
    try {
      await insertRows(trx, table, columns, rows, perStatement, dialect);
    } finally {
      sent();
    }
    return;
  }
  const sql = `insert into ${quote(table)} (${columns.map(quote).join(',')}) values (${columns.map(() => '?').join(',')})`;
  const conn = dialect.bulk;
  // In slices: the connector encodes a whole call before sending it, which would double the rows'
  // memory. Two at a time: the next slice is encoded while the database writes the previous one.
  const pending: Promise<void>[] = [];
  try {
    for (let start = 0; start < rows.length; start += BULK_ROWS_PER_CALL) {
      const slice = rows.slice(start, start + BULK_ROWS_PER_CALL) as unknown[][];
      const written = new Promise<void>((resolve, reject) =>
        conn.batch(sql, slice, (err) => (err ? reject(err) : resolve())),
      );
      written.catch(() => undefined); // reported where it is awaited
      pending.push(written);
      if (pending.length >= 2) await pending.shift();
    }
  } finally {
    sent();
  }
  await Promise.all(pending);
}

// eslint-disable-next-line no-control-regex
const SPECIAL = /[\u0000'"\\\n\r\u001a]/;
// eslint-disable-next-line no-control-regex
const SPECIALS = /[\u0000'"\\\n\r\u001a]/g;
const ESCAPES: Record<string, string> = {
  '\u0000': '\\0',
  "'": "\\'",
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\u001a': '\\Z',
};

/**
 * A MariaDB/MySQL literal: numbers as they are, strings quoted with `mysql_real_escape_string`'s
 * escapes (or quotes doubled under NO_BACKSLASH_ESCAPES). The connection is utf8mb4, where no
 * multi-byte sequence can hide a quote.
 */
export function mysqlLiteral(value: string | number, backslashEscapes: boolean): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NULL';
  if (!SPECIAL.test(value)) return `'${value}'`;
  if (!backslashEscapes) return `'${value.replace(/'/g, "''")}'`;
  return `'${value.replace(SPECIALS, (c) => ESCAPES[c] ?? c)}'`;
}

/**
 * Multi-row `INSERT … VALUES (…), (…)` in chunks; returns the first ID of each chunk. On MariaDB/MySQL
 * the statements carry their values as literals (no binding pass) and are all sent at once: the
 * driver pipelines them on the connection, so the database never waits for the next one.
 */
export async function insertRows(
  trx: Knex.Transaction,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly (string | number)[])[],
  perStatement: number,
  dialect: SqlDialect,
): Promise<number[]> {
  const firstIds: number[] = [];
  const head = `insert into ${quote(table)} (${columns.map(quote).join(',')}) values `;
  if (dialect.kind === 'sqlite') {
    const tuple = `(${columns.map(() => '?').join(',')})`;
    for (let start = 0; start < rows.length; start += perStatement) {
      const chunk = rows.slice(start, start + perStatement);
      await trx.raw(head + Array(chunk.length).fill(tuple).join(','), chunk.flat());
      const [last] = await trx.raw<{ id: number }[]>('select last_insert_rowid() as id');
      firstIds.push(Number(last?.id ?? 0) - chunk.length + 1);
    }
    return firstIds;
  }
  const escapes = dialect.backslashEscapes;
  const pending: Promise<unknown>[] = [];
  for (let start = 0; start < rows.length; start += perStatement) {
    let sql = head;
    const end = Math.min(start + perStatement, rows.length);
    for (let i = start; i < end; i++) {
      const row = rows[i] ?? [];
      sql += i === start ? '(' : ',(';
      for (let c = 0; c < row.length; c++) sql += (c === 0 ? '' : ',') + mysqlLiteral(row[c] ?? '', escapes);
      sql += ')';
    }
    // knex queries start when awaited: start this one now, and let it reach the socket while the
    // next statement is built.
    const started = trx.raw(sql).then((result: unknown) => result);
    started.catch(() => undefined); // a failure is reported by Promise.all below, not as unhandled
    pending.push(started);
    await new Promise((resolve) => setImmediate(resolve));
  }
  for (const result of (await Promise.all(pending)) as [{ insertId: number | bigint }][])
    firstIds.push(Number(result[0].insertId));
  return firstIds;
}

/**
 * A row ID as a bound value: a number while it is exact (every real ID), so MariaDB reads it as an
 * integer instead of converting a string on every row.
 */
export function idValue(id: string): string | number {
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : id;
}

export function quote(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** Rows of a plain SELECT, on MariaDB/MySQL (`[rows, fields]`) and SQLite (rows) alike. */
export async function selectRows(
  trx: Knex.Transaction,
  sqlite: boolean,
  sql: string,
  bindings: unknown[],
): Promise<Record<string, unknown>[]> {
  const result = (await trx.raw(sql, bindings as Knex.RawBinding[])) as unknown;
  if (sqlite) return result as Record<string, unknown>[];
  return (result as [Record<string, unknown>[]])[0];
}

/** `column IN (…)` compared as WordPress's case-insensitive collation does (SQLite needs `lower()`). */
export function inList(
  sqlite: boolean,
  column: string,
  values: readonly string[],
): { sql: string; bindings: string[] } {
  const marks = values.map(() => '?').join(',');
  return sqlite
    ? { sql: `lower(${column}) in (${marks})`, bindings: values.map((v) => v.toLowerCase()) }
    : { sql: `${column} in (${marks})`, bindings: [...values] };
}
