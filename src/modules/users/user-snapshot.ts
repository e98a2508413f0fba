import type { SqlEntityManager as EntityManager } from '../../db/types.js';
import type { UserSnapshot } from '../../protocol/outbox/outgoing-payloads.js';
import { USER_META_FIELDS } from '../../protocol/receiver/ports.js';
import { decodeCapabilities } from './meta-codec.js';
import { WpUserMeta } from './user-meta.entity.js';
import { WpUser } from './user.entity.js';

/** What the sender puts in create/update payloads, read as WordPress would (first value per key). */
export async function loadUserSnapshot(
  em: EntityManager,
  tablePrefix: string,
  userId: string,
): Promise<UserSnapshot | null> {
  const user = await em.findOne(WpUser, { id: userId });
  if (!user) return null;
  const capabilitiesKey = `${tablePrefix}capabilities`;
  const rows = await em.find(
    WpUserMeta,
    { userId, metaKey: { $in: [...USER_META_FIELDS, capabilitiesKey] } },
    { orderBy: { id: 'asc' } },
  );
  const meta: Record<string, string> = {};
  for (const row of rows)
    if (row.metaKey !== null && !(row.metaKey in meta)) meta[row.metaKey] = row.metaValue ?? '';
  return {
    login: user.userLogin,
    nicename: user.userNicename,
    url: user.userUrl,
    email: user.userEmail,
    displayName: user.displayName,
    registered: user.userRegistered.toISOString().slice(0, 19).replace('T', ' '),
    activationKey: user.userActivationKey,
    meta,
    roles: decodeCapabilities(meta[capabilitiesKey] ?? null),
  };
}
