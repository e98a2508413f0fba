import type { Knex } from '@mikro-orm/knex';
import type { UserEvent } from '../../shared/domain-events.js';
import { encodeCapabilities } from '../users/meta-codec.js';
import { updateColumnByKey } from '../users/sql-batch.js';
import { userLevelFromRoles } from '../users/wp-user-rules.js';
import type { ImportWriterOptions, Planned } from './import-writer.js';
import { META_LINE_FIELDS } from './plugin-format.js';
import { idValue, insertValues, META_ROWS_PER_INSERT, quote, type SqlDialect } from './sql-rows.js';

/** What the UPSERT path needs from the batch writer. */
export interface UpdateContext {
  readonly o: ImportWriterOptions;
  readonly capabilitiesKey: string;
  readonly userLevelKey: string;
  registeredValue(value: string | null): string | number;
}

/**
 * UPSERT of existing users: the columns and meta keys the line carries are replaced (each meta key
 * then holds exactly the file's values); roles only when the line names some.
 */
export async function applyUpdates(
  trx: Knex.Transaction,
  dialect: SqlDialect,
  w: UpdateContext,
  updates: Planned[],
  events: UserEvent[],
): Promise<void> {
  if (updates.length === 0) return;
  const columns = new Map<string, Map<string, string>>();
  const set = (column: string, id: string, value: string) => {
    let values = columns.get(column);
    if (!values) columns.set(column, (values = new Map<string, string>()));
    values.set(id, value);
  };
  const deletes = new Map<string, { ids: string[]; keys: string[] }>();
  const inserts: [string | number, string, string][] = [];
  const at = new Date();
  for (const p of updates) {
    const { record } = p.item;
    const id = p.id;
    if (record.present.has('user_email')) set('user_email', id, record.email);
    if (record.present.has('user_url')) set('user_url', id, record.url);
    if (record.present.has('display_name')) set('display_name', id, record.displayName);
    if (p.nicename !== null) set('user_nicename', id, p.nicename);
    if (record.registered !== null) set('user_registered', id, String(w.registeredValue(record.registered)));
    if (record.passwordHash) {
      set('user_pass', id, record.passwordHash);
      set('user_activation_key', id, '');
    }
    const rows: [string, string][] = META_LINE_FIELDS.filter((key) => record.present.has(key)).map((key) => [
      key,
      record.meta[key],
    ]);
    if (record.roles.length) {
      rows.push([w.capabilitiesKey, encodeCapabilities(record.roles)]);
      rows.push([w.userLevelKey, String(userLevelFromRoles(record.roles))]);
    }
    for (const [key, values] of record.metadata) for (const value of values) rows.push([key, value]);
    const keys = [...new Set(rows.map(([key]) => key))];
    if (keys.length) {
      const signature = keys.join('\u0000');
      const group = deletes.get(signature) ?? { ids: [], keys };
      group.ids.push(id);
      deletes.set(signature, group);
    }
    const userId = idValue(id);
    for (const [key, value] of rows) inserts.push([userId, key, value]);
    if (w.o.events) {
      events.push({
        type: 'user.updated',
        userId: id,
        login: p.existing?.login ?? record.login,
        previousLogin: p.existing?.login ?? record.login,
        origin: w.o.origin,
        at,
        plainPassword: null,
      });
      if (record.metadata.length)
        events.push({
          type: 'user.meta_changed',
          userId: id,
          login: p.existing?.login ?? record.login,
          origin: w.o.origin,
          at,
          changes: record.metadata.flatMap(([key, values]) =>
            values.map((value) => ({ op: 'update' as const, key, value, previous: [] })),
          ),
        });
    }
  }
  for (const [column, values] of columns) await updateColumnByKey(trx, w.o.usersTable, 'ID', column, values);
  const meta = quote(w.o.metaTable);
  for (const { ids, keys } of deletes.values()) {
    await trx.raw(
      `delete from ${meta} where user_id in (${ids.map(() => '?').join(',')}) and meta_key in (${keys.map(() => '?').join(',')})`,
      [...ids, ...keys],
    );
  }
  await insertValues(
    trx,
    w.o.metaTable,
    ['user_id', 'meta_key', 'meta_value'],
    inserts,
    META_ROWS_PER_INSERT,
    dialect,
  );
}
