import { z } from 'zod';

/** Password hash formats the server can write (verification accepts every WordPress format). */
export const HASH_FORMATS = ['wp-bcrypt', 'phpass'] as const;
export type HashFormat = (typeof HASH_FORMATS)[number];

export type DatabaseKind = 'sqlite' | 'mariadb' | 'mysql';

export interface DatabaseConfig {
  readonly kind: DatabaseKind;
  /** File path or `:memory:` for SQLite; database name for MariaDB/MySQL. */
  readonly dbName: string;
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
}

export interface AppConfig {
  readonly port: number;
  readonly host: string;
  readonly publicUrl: string;
  readonly databaseUrl: string;
  readonly database: DatabaseConfig;
  readonly tablePrefix: string;
  /** Secret. Never logged. */
  readonly adminToken: string | undefined;
  readonly redisUrl: string | undefined;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly migrateOnStart: boolean;
  readonly passwordHashFormat: HashFormat;
  readonly playground: 'offline' | 'sandbox' | 'none';
  readonly bodyLimitBytes: number;
  /** How long a relay holds a claimed delivery before another may take it (crash recovery). */
  readonly outboxLeaseSeconds: number;
  /** Where import uploads and export files are kept (never served except by a one-time download). */
  readonly transferDir: string;
  /** Longest accepted line of an import file, in bytes. */
  readonly transferMaxLineBytes: number;
  /** Largest accepted import upload, in bytes. */
  readonly transferMaxUploadBytes: number;
  /** Export files not downloaded and uploads not imported are deleted after this long. */
  readonly transferRetentionHours: number;
}

const booleanish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  DATABASE_URL: z.string().min(1).default('sqlite:./data/remote-users-sync.db'),
  TABLE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,20}$/, 'only letters, digits and underscores, at most 20 characters')
    .default('wp_'),
  ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MIGRATE_ON_START: booleanish.default(true),
  PASSWORD_HASH_FORMAT: z.enum(HASH_FORMATS).default('wp-bcrypt'),
  PLAYGROUND: z.enum(['offline', 'sandbox', 'none']).default('offline'),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(256 * 1024),
  OUTBOX_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  TRANSFER_DIR: z.string().min(1).default('./data/transfers'),
  TRANSFER_MAX_LINE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  TRANSFER_MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 ** 3),
  TRANSFER_RETENTION_HOURS: z.coerce
    .number()
    .min(0.01)
    .max(24 * 365)
    .default(24),
});

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses a `DATABASE_URL` (`sqlite:path`, `mariadb://…`, `mysql://…`). */
export function parseDatabaseUrl(raw: string): DatabaseConfig {
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!path) throw new ConfigError(['DATABASE_URL: sqlite: needs a file path or :memory:']);
    return { kind: 'sqlite', dbName: path };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(['DATABASE_URL: not a URL (expected sqlite:PATH, mariadb://… or mysql://…)']);
  }
  const kind = url.protocol.replace(/:$/, '');
  if (kind !== 'mariadb' && kind !== 'mysql') {
    throw new ConfigError([`DATABASE_URL: unsupported scheme "${kind}" (use sqlite, mariadb or mysql)`]);
  }
  const dbName = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!dbName) throw new ConfigError(['DATABASE_URL: the database name is missing']);
  return {
    kind,
    dbName,
    host: url.hostname || '127.0.0.1',
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
  };
}

/** Reads and validates the whole configuration, listing every problem at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const database = parseDatabaseUrl(e.DATABASE_URL);
  const publicUrl = (
    e.PUBLIC_URL ?? `http://${e.HOST === '0.0.0.0' ? 'localhost' : e.HOST}:${e.PORT}`
  ).replace(/\/+$/, '');
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    databaseUrl: e.DATABASE_URL,
    database,
    tablePrefix: e.TABLE_PREFIX,
    adminToken: e.ADMIN_TOKEN,
    redisUrl: e.REDIS_URL,
    logLevel: e.LOG_LEVEL,
    migrateOnStart: e.MIGRATE_ON_START,
    passwordHashFormat: e.PASSWORD_HASH_FORMAT,
    playground: e.PLAYGROUND,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    outboxLeaseSeconds: e.OUTBOX_LEASE_SECONDS,
    transferDir: e.TRANSFER_DIR,
    transferMaxLineBytes: e.TRANSFER_MAX_LINE_BYTES,
    transferMaxUploadBytes: e.TRANSFER_MAX_UPLOAD_BYTES,
    transferRetentionHours: e.TRANSFER_RETENTION_HOURS,
  });
}

/** A copy safe to log: secrets and credentials replaced. */
export function redactConfig(config: AppConfig): Record<string, unknown> {
  return {
    ...config,
    adminToken: config.adminToken ? '** HIDDEN **' : undefined,
    databaseUrl: config.databaseUrl.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:** HIDDEN **@'),
    database: { ...config.database, password: config.database.password ? '** HIDDEN **' : undefined },
    redisUrl: config.redisUrl?.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:** HIDDEN **@'),
  };
}
