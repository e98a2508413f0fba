import { z } from 'zod';

/** Password hash formats the server can write (verification accepts every WordPress format). */
export const HASH_FORMATS = ['wp-bcrypt', 'phpass'] as const;
export type HashFormat = (typeof HASH_FORMATS)[number];

export type DatabaseKind = 'sqlite' | 'mariadb' | 'mysql';

export type SameSite = 'none' | 'lax' | 'strict';

/** The browser session cookie (sign-in page, auth API, login/logout from remote sites). */
export interface SessionCookieConfig {
  readonly name: string;
  readonly secure: boolean;
  readonly sameSite: SameSite;
}

export interface LoginThrottleConfig {
  /** Failed sign-ins allowed per login within the window (any IP) before it is throttled. */
  readonly maxFailuresPerLogin: number;
  /** Failed sign-ins allowed per client IP within the window (any login). */
  readonly maxFailuresPerIp: number;
  readonly windowSeconds: number;
}

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
  readonly sessionCookie: SessionCookieConfig;
  /** Lifetime of a session without "remember me" (its cookie ends with the browser session). */
  readonly sessionTtlSeconds: number;
  /** Lifetime of a "remember me" session and its cookie. */
  readonly sessionRememberSeconds: number;
  readonly loginThrottle: LoginThrottleConfig;
  /** How long the sign-in/sign-out page waits for a remote site's token before skipping that site. */
  readonly asyncTokenTimeoutMs: number;
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
  SESSION_COOKIE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'only letters, digits, _ and -, at most 64 characters')
    .default('rus_session'),
  SESSION_COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  SESSION_COOKIE_SAMESITE: z.enum(['none', 'lax', 'strict']).optional(),
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(8760).default(48),
  SESSION_REMEMBER_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  LOGIN_MAX_FAILURES_PER_LOGIN: z.coerce.number().int().min(1).max(10_000).default(5),
  LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).max(100_000).default(20),
  LOGIN_THROTTLE_WINDOW_SECONDS: z.coerce.number().int().min(10).max(86_400).default(900),
  ASYNC_TOKEN_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(2000),
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

/**
 * Whether browsers treat pages of this URL as a secure context, where they accept `Secure` cookies:
 * https, and plain http on loopback names (`localhost`, `*.localhost`, 127.0.0.0/8, `[::1]`) in
 * Chromium and Firefox. Safari accepts `Secure` cookies over https only.
 */
export function isSecureContextUrl(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'https:') return true;
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    /^127(?:\.\d{1,3}){3}$/.test(hostname) ||
    hostname === '[::1]'
  );
}

function sessionCookie(
  e: { SESSION_COOKIE_NAME: string; SESSION_COOKIE_SECURE: string; SESSION_COOKIE_SAMESITE?: SameSite },
  publicUrl: string,
): SessionCookieConfig {
  const secure =
    e.SESSION_COOKIE_SECURE === 'auto' ? isSecureContextUrl(publicUrl) : e.SESSION_COOKIE_SECURE === 'true';
  if (!secure && e.SESSION_COOKIE_SAMESITE === 'none') {
    throw new ConfigError([
      'SESSION_COOKIE_SAMESITE: none needs a Secure cookie (browsers drop SameSite=None without Secure); serve PUBLIC_URL over https or choose lax',
    ]);
  }
  // SameSite=None lets the cookie work in the hidden iframes of other sites (login/logout sync); a
  // cookie that cannot be Secure falls back to Lax, where only the redirect mode works.
  return {
    name: e.SESSION_COOKIE_NAME,
    secure,
    sameSite: e.SESSION_COOKIE_SAMESITE ?? (secure ? 'none' : 'lax'),
  };
}

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
    sessionCookie: Object.freeze(sessionCookie(e, publicUrl)),
    sessionTtlSeconds: e.SESSION_TTL_HOURS * 3600,
    sessionRememberSeconds: e.SESSION_REMEMBER_DAYS * 86_400,
    loginThrottle: Object.freeze({
      maxFailuresPerLogin: e.LOGIN_MAX_FAILURES_PER_LOGIN,
      maxFailuresPerIp: e.LOGIN_MAX_FAILURES_PER_IP,
      windowSeconds: e.LOGIN_THROTTLE_WINDOW_SECONDS,
    }),
    asyncTokenTimeoutMs: e.ASYNC_TOKEN_TIMEOUT_MS,
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
