import type { SqlEntityManager as EntityManager } from '../../db/types.js';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../shared/app-error.js';
import { AdminToken } from './admin-token.entity.js';

/** Who is calling the admin API. */
export interface AdminIdentity {
  /** Stored token ID, or `env` for the `ADMIN_TOKEN` from the environment. */
  readonly tokenId: string;
  readonly name: string;
}

const TOKEN_PREFIX = 'rus_';

function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Extracts the secret of an `Authorization: Bearer …` header value (or a bare token). */
export function bearerSecret(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/**
 * Admin API tokens. Secrets are random, shown once, and stored only as SHA-256 hashes; the optional
 * `ADMIN_TOKEN` from the environment is compared in constant time.
 */
export class AdminAuthService {
  private readonly envTokenHash: Buffer | null;

  constructor(envToken: string | undefined) {
    this.envTokenHash = envToken ? createHash('sha256').update(envToken, 'utf8').digest() : null;
  }

  async authenticate(em: EntityManager, secret: string | null): Promise<AdminIdentity | null> {
    if (!secret || secret.length > 512) return null;
    if (this.envTokenHash) {
      const candidate = createHash('sha256').update(secret, 'utf8').digest();
      if (timingSafeEqual(candidate, this.envTokenHash)) return { tokenId: 'env', name: 'ADMIN_TOKEN' };
    }
    if (!secret.startsWith(TOKEN_PREFIX)) return null;
    const token = await em.findOne(AdminToken, { tokenHash: sha256(secret), revokedAt: null });
    if (!token) return null;
    // Coarse last-use tracking: at most one write a minute per token.
    const now = new Date();
    if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > 60_000) {
      await em.nativeUpdate(AdminToken, { id: token.id }, { lastUsedAt: now });
    }
    return { tokenId: token.id, name: token.name };
  }

  async create(em: EntityManager, name: string): Promise<{ token: AdminToken; secret: string }> {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 100)
      throw AppError.badInput('name must have 1 to 100 characters', 'name');
    const secret = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const token = em.create(AdminToken, {
      name: trimmed,
      tokenHash: sha256(secret),
      prefix: secret.slice(0, 10),
      createdAt: new Date(),
      lastUsedAt: null,
      revokedAt: null,
    });
    await em.flush();
    return { token, secret };
  }

  async revoke(em: EntityManager, id: string): Promise<AdminToken> {
    if (!/^\d{1,20}$/.test(id)) throw AppError.badInput('id must be a numeric token ID', 'id');
    const token = await em.findOne(AdminToken, { id });
    if (!token) throw AppError.notFound(`admin token ${id}`);
    token.revokedAt ??= new Date();
    await em.flush();
    return token;
  }

  list(em: EntityManager): Promise<AdminToken[]> {
    return em.find(AdminToken, {}, { orderBy: { id: 'asc' } });
  }

  /**
   * On a first start with neither `ADMIN_TOKEN` nor any stored token, creates one and returns its
   * secret so it can be printed once.
   */
  async bootstrap(em: EntityManager): Promise<string | null> {
    if (this.envTokenHash) return null;
    if ((await em.count(AdminToken, {})) > 0) return null;
    const { secret } = await this.create(em, 'initial');
    return secret;
  }
}
