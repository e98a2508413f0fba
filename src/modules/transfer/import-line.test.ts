import { describe, expect, it } from 'vitest';
import { parseImportLine } from './import-line.js';

const rules = { protectedMetaKeys: new Set(['wp_capabilities', 'wp_user_level']) };

function parse(value: unknown) {
  return parseImportLine(typeof value === 'string' ? value : JSON.stringify(value), rules);
}

describe('reading one line of the plugin file', () => {
  it('applies wp_insert_user defaults to what the line leaves empty', () => {
    const r = parse({ user_login: 'John.Doe@x', rich_editing: '', comment_shortcuts: 'yes', use_ssl: 'x' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.record).toMatchObject({
      login: 'John.Doe@x',
      nicename: 'john-doex',
      displayName: 'John.Doe@x',
      email: '',
      registered: null,
      roles: [],
      metadata: [],
      passwordHash: null,
    });
    expect(r.record.meta).toMatchObject({
      nickname: 'John.Doe@x',
      rich_editing: 'true',
      comment_shortcuts: 'true',
      admin_color: 'fresh',
      use_ssl: '1',
      show_admin_bar_front: 'true',
    });
  });

  it('reads roles as a list or an object with numeric keys, and meta values as WordPress stores them', () => {
    const r = parse({
      user_login: 'a',
      roles: { '1': 'editor', '3': 'author' },
      metadata: { tags: ['red', 'blue'], prefs: [{ n: 3, ok: true }], none: [], wp_capabilities: ['x'] },
    });
    expect(r.ok && r.record.roles).toEqual(['editor', 'author']);
    expect(r.ok && r.record.metadata).toEqual([
      ['tags', ['red', 'blue']],
      ['prefs', ['a:2:{s:1:"n";i:3;s:2:"ok";b:1;}']],
    ]);
  });

  it.each([
    ['{', 'invalid_json'],
    ['   ', 'empty_line'],
    ['42', 'not_an_object'],
    [{ user_email: 'a@example.org' }, 'missing_user_login'],
    [{ user_login: 'a', first_name: true }, 'wrong_type'],
    [{ user_login: 'a b<c>' }, 'invalid_login'],
    [{ user_login: 'x'.repeat(61) }, 'login_too_long'],
    [{ user_login: 'a', user_email: 'nope' }, 'invalid_email'],
    [{ user_login: 'a', user_url: `https://e.org/${'x'.repeat(100)}` }, 'url_too_long'],
    [{ user_login: 'a', user_registered: '2026-11-28' }, 'invalid_registered'],
    [{ user_login: 'a', roles: ['Editor'] }, 'invalid_roles'],
    [{ user_login: 'a', metadata: { k: 'v' } }, 'invalid_metadata'],
    [{ user_login: 'a', metadata: ['v'] }, 'invalid_metadata'],
    [{ user_login: 'a', user_pass: 'plaintext' }, 'invalid_password_hash'],
  ])('refuses %j: %s', (line, cause) => {
    const r = parse(line);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.cause).toBe(cause);
  });

  it('accepts WordPress password hashes', () => {
    const hash = '$wp$2y$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234';
    const r = parse({ user_login: 'a', user_pass: hash });
    expect(r.ok && r.record.passwordHash).toBe(hash);
  });
});
