import DataLoader from 'dataloader';
import type { WpUserMeta } from './user-meta.entity.js';
import type { UserRepository } from './user.repository.js';

export interface UserLoaders {
  /** Every meta row of a user, loaded for all users of a request in one statement. */
  readonly metaByUser: DataLoader<string, WpUserMeta[]>;
}

export function createUserLoaders(repo: UserRepository): UserLoaders {
  return {
    metaByUser: new DataLoader<string, WpUserMeta[]>(async (ids) => {
      const rows = await repo.metaOf(ids);
      const byUser = new Map<string, WpUserMeta[]>();
      for (const row of rows) {
        const list = byUser.get(row.userId);
        if (list) list.push(row);
        else byUser.set(row.userId, [row]);
      }
      return ids.map((id) => byUser.get(id) ?? []);
    }),
  };
}
