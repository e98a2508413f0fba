import { raw } from '@mikro-orm/core';
import type { SqlEntityManager as EntityManager } from '../../db/types.js';
import { WpUserMeta } from './user-meta.entity.js';
import { WpUser } from './user.entity.js';

export interface UserListQuery {
  readonly first: number;
  readonly afterId: string | null;
  readonly search: string | null;
  readonly role: string | null;
}

/**
 * Escapes `%`, `_` and the escape character itself for `LIKE … ESCAPE '!'` (`!` has the same meaning
 * in MySQL/MariaDB and SQLite string literals, unlike a backslash).
 */
function likeEscape(value: string): string {
  return value.replace(/[!%_]/g, (c) => `!${c}`);
}

/** A LIKE condition on one column that works the same on MariaDB, MySQL and SQLite. */
function like(column: string, pattern: string): Record<string, unknown> {
  return { [raw((alias) => `${alias}.${column} like ? escape '!'`, [pattern])]: [] };
}

/** Queries over WordPress's user tables. */
export class UserRepository {
  constructor(
    private readonly em: EntityManager,
    private readonly capabilitiesKey: string,
  ) {}

  findById(id: string): Promise<WpUser | null> {
    return this.em.findOne(WpUser, { id });
  }

  /**
   * Finds a user by login as WordPress does: the exact login first, then case-insensitively (WordPress
   * relies on its tables' case-insensitive collation; SQLite needs `lower()`).
   */
  async findByLogin(login: string): Promise<WpUser | null> {
    const rows = await this.em.find(WpUser, { userLogin: login }, { limit: 2, orderBy: { id: 'asc' } });
    const exact = rows.find((u) => u.userLogin === login) ?? rows[0];
    if (exact) return exact;
    return this.em.findOne(
      WpUser,
      { [raw((alias) => `lower(${alias}.user_login)`)]: login.toLowerCase() },
      { orderBy: { id: 'asc' } },
    );
  }

  async findByEmail(email: string): Promise<WpUser | null> {
    return this.em.findOne(
      WpUser,
      { [raw((alias) => `lower(${alias}.user_email)`)]: email.toLowerCase() },
      { orderBy: { id: 'asc' } },
    );
  }

  async nicenameTaken(nicename: string, exceptId?: string): Promise<boolean> {
    const where = exceptId ? { userNicename: nicename, id: { $ne: exceptId } } : { userNicename: nicename };
    return (await this.em.count(WpUser, where)) > 0;
  }

  private filter(query: Pick<UserListQuery, 'search' | 'role'>): Record<string, unknown> {
    const where: Record<string, unknown>[] = [];
    if (query.search) {
      const pattern = `%${likeEscape(query.search)}%`;
      where.push({
        $or: ['user_login', 'user_email', 'display_name', 'user_nicename'].map((column) =>
          like(column, pattern),
        ),
      });
    }
    if (query.role) {
      // WordPress's own role query: a LIKE on the serialized capabilities array.
      const ids = this.em
        .createQueryBuilder(WpUserMeta, 'm')
        .select('m.userId')
        .where({ metaKey: this.capabilitiesKey, ...like('meta_value', `%${likeEscape(`"${query.role}"`)}%`) })
        .getKnexQuery();
      where.push({ id: { $in: ids } });
    }
    return where.length ? { $and: where } : {};
  }

  async list(query: UserListQuery): Promise<{ users: WpUser[]; hasNextPage: boolean }> {
    const base = this.filter(query);
    const where = query.afterId ? { $and: [base, { id: { $gt: query.afterId } }] } : base;
    const rows = await this.em.find(WpUser, where, { orderBy: { id: 'asc' }, limit: query.first + 1 });
    return { users: rows.slice(0, query.first), hasNextPage: rows.length > query.first };
  }

  count(query: Pick<UserListQuery, 'search' | 'role'>): Promise<number> {
    return this.em.count(WpUser, this.filter(query));
  }

  /** All meta rows of the given users, in `umeta_id` order, in one statement. */
  metaOf(userIds: readonly string[]): Promise<WpUserMeta[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.em.find(WpUserMeta, { userId: { $in: [...userIds] } }, { orderBy: { id: 'asc' } });
  }

  metaRows(userId: string, key: string): Promise<WpUserMeta[]> {
    return this.em.find(WpUserMeta, { userId, metaKey: key }, { orderBy: { id: 'asc' } });
  }
}
