import type { SqlEntityManager as EntityManager } from '../../db/types.js';
import { WpUserMeta } from './user-meta.entity.js';

/**
 * `update_user_meta` without a previous value: every row of the key gets `value`, or one row is added
 * when there is none. Returns the values it replaced.
 */
export async function replaceMetaValue(
  em: EntityManager,
  userId: string,
  key: string,
  value: string,
): Promise<string[]> {
  const rows = await em.find(WpUserMeta, { userId, metaKey: key }, { orderBy: { id: 'asc' } });
  if (rows.length === 0) {
    em.create(WpUserMeta, { userId, metaKey: key, metaValue: value });
    return [];
  }
  const previous = rows.map((r) => r.metaValue ?? '');
  for (const row of rows) row.metaValue = value;
  return previous;
}
