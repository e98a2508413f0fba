import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDatabaseUrl, redactConfig } from './config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      publicUrl: 'http://127.0.0.1:4000',
      databaseUrl: 'sqlite:./data/remote-users-sync.db',
      database: { kind: 'sqlite', dbName: './data/remote-users-sync.db' },
      tablePrefix: 'wp_',
      adminToken: undefined,
      redisUrl: undefined,
      logLevel: 'info',
      migrateOnStart: true,
      passwordHashFormat: 'wp-bcrypt',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'abc',
        TABLE_PREFIX: 'bad-prefix!',
        ADMIN_TOKEN: 'short',
        LOG_LEVEL: 'loud',
        PUBLIC_URL: 'ftp://x',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'TABLE_PREFIX', 'ADMIN_TOKEN', 'LOG_LEVEL', 'PUBLIC_URL'])
      expect(problems).toContain(name);
    expect(problems).not.toContain('short');
  });

  it('parses MariaDB and MySQL URLs', () => {
    expect(parseDatabaseUrl('mariadb://root@127.0.0.1:3306/test')).toEqual({
      kind: 'mariadb',
      dbName: 'test',
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      password: '',
    });
    expect(parseDatabaseUrl('mysql://wp:p%40ss@db/wordpress')).toMatchObject({
      kind: 'mysql',
      user: 'wp',
      password: 'p@ss',
      port: 3306,
    });
    expect(() => parseDatabaseUrl('postgres://x/y')).toThrow(ConfigError);
    expect(() => parseDatabaseUrl('mariadb://127.0.0.1:3306/')).toThrow(/database name/);
  });

  it('never exposes secrets when logged', () => {
    const config = loadConfig({
      ADMIN_TOKEN: 'a-very-secret-admin-token-123456',
      DATABASE_URL: 'mariadb://wp:hunter2@db:3306/wp',
    });
    const logged = JSON.stringify(redactConfig(config));
    expect(logged).not.toContain('a-very-secret-admin-token-123456');
    expect(logged).not.toContain('hunter2');
  });

  it('makes the session cookie Secure and SameSite=None where browsers allow it', () => {
    expect(loadConfig({}).sessionCookie).toEqual({ name: 'rus_session', secure: true, sameSite: 'none' });
    expect(loadConfig({ PUBLIC_URL: 'https://sync.example.com' }).sessionCookie.secure).toBe(true);
    expect(loadConfig({ PUBLIC_URL: 'http://localhost:4000' }).sessionCookie.secure).toBe(true);
    // Plain http elsewhere: no Secure cookie, so no SameSite=None either (only the redirect mode works).
    expect(loadConfig({ PUBLIC_URL: 'http://sync.internal:4000' }).sessionCookie).toEqual({
      name: 'rus_session',
      secure: false,
      sameSite: 'lax',
    });
    expect(
      loadConfig({ PUBLIC_URL: 'http://sync.internal', SESSION_COOKIE_SECURE: 'true' }).sessionCookie,
    ).toMatchObject({ secure: true, sameSite: 'none' });
    expect(() => loadConfig({ SESSION_COOKIE_SECURE: 'false', SESSION_COOKIE_SAMESITE: 'none' })).toThrow(
      /SESSION_COOKIE_SAMESITE/,
    );
    expect(loadConfig({ SESSION_COOKIE_SAMESITE: 'strict' }).sessionCookie.sameSite).toBe('strict');
  });

  it('reads the session lifetimes and the sign-in throttle', () => {
    const config = loadConfig({ SESSION_TTL_HOURS: '2', LOGIN_MAX_FAILURES_PER_LOGIN: '7' });
    expect(config.sessionTtlSeconds).toBe(7200);
    expect(config.sessionRememberSeconds).toBe(14 * 86_400);
    expect(config.loginThrottle).toEqual({
      maxFailuresPerLogin: 7,
      maxFailuresPerIp: 20,
      windowSeconds: 900,
    });
    expect(() => loadConfig({ SESSION_COOKIE_NAME: 'bad name;' })).toThrow(/SESSION_COOKIE_NAME/);
  });
});
