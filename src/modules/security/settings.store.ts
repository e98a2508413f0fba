import type { z } from 'zod';
import type { SqlEntityManager as EntityManager } from '../../db/types.js';
import type { SqlOrm } from '../../db/types.js';
import { Setting } from './setting.entity.js';

interface CacheEntry {
  readonly value: unknown;
  readonly loadedAt: number;
}

/**
 * Named JSON settings with a short in-memory cache: the peer routes read them on every request, and
 * other instances sharing the database see a change within `ttlMs`.
 */
export class SettingsStore {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly orm: SqlOrm,
    private readonly ttlMs = 1000,
  ) {}

  async get<T>(name: string, schema: z.ZodType<T>, defaults: T, em?: EntityManager): Promise<T> {
    const cached = this.cache.get(name);
    if (!em && cached && Date.now() - cached.loadedAt < this.ttlMs) return cached.value as T;
    const row = await (em ?? this.orm.em.fork()).findOne(Setting, { name });
    let value = defaults;
    if (row) {
      const parsed = schema.safeParse({ ...(defaults as object), ...(JSON.parse(row.value) as object) });
      if (parsed.success) value = parsed.data;
    }
    this.cache.set(name, { value, loadedAt: Date.now() });
    return value;
  }

  /** Writes a setting inside the caller's transaction (flushed by the caller). */
  async set(em: EntityManager, name: string, value: unknown): Promise<void> {
    const json = JSON.stringify(value);
    const row = await em.findOne(Setting, { name });
    if (row) row.value = json;
    else em.create(Setting, { name, value: json, updatedAt: new Date() });
    this.cache.delete(name);
  }

  invalidate(name?: string): void {
    if (name) this.cache.delete(name);
    else this.cache.clear();
  }
}
