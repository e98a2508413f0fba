import type { Knex } from '@mikro-orm/knex';

/** Rows per INSERT statement: big enough to amortise round trips, within SQLite's 32,766 variables. */
export const USER_ROWS_PER_INSERT = 500;
export const META_ROWS_PER_INSERT = 1000;

export function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return JSON.stringify(value);
}

/** A multi-row `INSERT … VALUES (…), (…)` with bindings, in chunks. Returns the first ID of each chunk. */
export async function insertRows(
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
