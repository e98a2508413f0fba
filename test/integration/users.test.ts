import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WpUserMeta } from '../../src/modules/users/user-meta.entity.js';
import { WpUser } from '../../src/modules/users/user.entity.js';
import { verifyPassword } from '../../src/modules/users/password-hasher.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const USER_FIELDS = `id login nicename email url registered status displayName roles meta { key value raw }`;

describe('users admin API', () => {
  let app: TestApp;
  let prefix: string;

  beforeAll(async () => {
    app = await startTestApp();
    prefix = app.services.config.tablePrefix;
  });
  afterAll(async () => {
    await app.destroy();
  });

  async function rows(login: string): Promise<{ user: WpUser | null; meta: WpUserMeta[] }> {
    const em = app.orm.em.fork();
    const user = await em.findOne(WpUser, { userLogin: login });
    const meta = user ? await em.find(WpUserMeta, { userId: user.id }, { orderBy: { id: 'asc' } }) : [];
    return { user, meta };
  }

  async function counts(): Promise<[number, number]> {
    const em = app.orm.em.fork();
    return [await em.count(WpUser, {}), await em.count(WpUserMeta, {})];
  }

  it('creates a user with roles and meta exactly as WordPress writes it', async () => {
    const res = await app.gql<{ createUser: { user: Record<string, unknown> } }>(
      `mutation($input: CreateUserInput!) { createUser(input: $input) { user { ${USER_FIELDS} } } }`,
      {
        input: {
          login: 'wire_alice',
          email: 'wire_alice@example.org',
          password: 'Simple-pass-1',
          url: 'https://example.org/~wire_alice',
          displayName: 'Zoë "wire_alice" 東京',
          nickname: 'wire_alice-nick',
          firstName: 'Zoë',
          lastName: '東京 🚀',
          locale: 'fr_FR',
          roles: ['author'],
          meta: [
            { key: 'lab_color', value: 'red' },
            { key: 'favourites', value: ['a', 'b/c'] },
          ],
        },
      },
    );
    expect(res.errors).toBeUndefined();
    const user = res.data!.createUser.user;
    expect(user).toMatchObject({ login: 'wire_alice', nicename: 'wire_alice', roles: ['author'] });
    expect(JSON.stringify(user)).not.toContain('$wp$');

    const { user: row, meta } = await rows('wire_alice');
    expect(row!.userPass).toMatch(/^\$wp\$2y\$10\$/);
    expect(await verifyPassword('Simple-pass-1', row!.userPass)).toBe(true);
    expect(meta.map((m) => [m.metaKey, m.metaValue])).toEqual([
      ['nickname', 'wire_alice-nick'],
      ['first_name', 'Zoë'],
      ['last_name', '東京 🚀'],
      ['description', ''],
      ['rich_editing', 'true'],
      ['syntax_highlighting', 'true'],
      ['comment_shortcuts', 'false'],
      ['admin_color', 'fresh'],
      ['use_ssl', '0'],
      ['show_admin_bar_front', 'true'],
      ['locale', 'fr_FR'],
      [`${prefix}capabilities`, 'a:1:{s:6:"author";b:1;}'],
      [`${prefix}user_level`, '2'],
      ['lab_color', 'red'],
      ['favourites', 'a:2:{i:0;s:1:"a";i:1;s:3:"b/c";}'],
    ]);
    const favourites = (user['meta'] as { key: string; value: unknown }[]).find(
      (m) => m.key === 'favourites',
    );
    expect(favourites?.value).toEqual(['a', 'b/c']);
  });

  it('refuses invalid input with BAD_USER_INPUT or CONFLICT and writes nothing', async () => {
    const before = await counts();
    const cases: [Record<string, unknown>, string][] = [
      [{ login: 'x'.repeat(61), email: 'long@example.org' }, 'BAD_USER_INPUT'],
      [{ login: 'bad<login>', email: 'tags@example.org' }, 'BAD_USER_INPUT'],
      [{ login: '', email: 'empty@example.org' }, 'BAD_USER_INPUT'],
      [{ login: 'bob', email: 'not-an-email' }, 'BAD_USER_INPUT'],
      [{ login: 'wire_alice', email: 'other@example.org' }, 'CONFLICT'],
      [{ login: 'WIRE_ALICE', email: 'other2@example.org' }, 'CONFLICT'],
      [{ login: 'bob', email: 'wire_alice@example.org' }, 'CONFLICT'],
      [{ login: 'bob', email: 'bob@example.org', roles: ['Not A Role'] }, 'BAD_USER_INPUT'],
      [
        { login: 'bob', email: 'bob@example.org', meta: [{ key: `${prefix}capabilities`, value: 'x' }] },
        'BAD_USER_INPUT',
      ],
      [{ login: 'bob', email: 'bob@example.org', url: 'javascript:alert(1)' }, 'BAD_USER_INPUT'],
    ];
    for (const [input, code] of cases) {
      const res = await app.gql(
        `mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } } }`,
        { input },
      );
      expect(res.errors?.[0]?.extensions?.['code'], JSON.stringify(input)).toBe(code);
      expect(res.data ?? null).toBeNull();
    }
    expect(await counts()).toEqual(before);
  });

  it('updates fields, password, roles and meta', async () => {
    let res = await app.gql(
      `mutation { updateUser(input: { login: "wire_alice", email: "wire_alice+updated@example.org", url: "https://example.com/updated/wire_alice", firstName: "Zoé" }) { user { email url } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      updateUser: {
        user: { email: 'wire_alice+updated@example.org', url: 'https://example.com/updated/wire_alice' },
      },
    });

    res = await app.gql(
      `mutation { setUserPassword(input: { login: "wire_alice", password: "  spaced  " }) { user { login } } }`,
    );
    expect(res.errors).toBeUndefined();
    const { user } = await rows('wire_alice');
    expect(await verifyPassword('  spaced  ', user!.userPass)).toBe(true);
    expect(await verifyPassword('Simple-pass-1', user!.userPass)).toBe(false);

    res = await app.gql(
      `mutation { setUserRoles(input: { login: "wire_alice", roles: ["editor", "author"] }) { user { roles } } }`,
    );
    expect(res.data).toEqual({ setUserRoles: { user: { roles: ['editor', 'author'] } } });
    const { meta } = await rows('wire_alice');
    expect(meta.find((m) => m.metaKey === `${prefix}capabilities`)?.metaValue).toBe(
      'a:2:{s:6:"editor";b:1;s:6:"author";b:1;}',
    );
    expect(meta.find((m) => m.metaKey === `${prefix}user_level`)?.metaValue).toBe('7');

    res = await app.gql(
      `mutation { setUserMeta(input: { login: "wire_alice", key: "lab_color", value: "blue" }) { user { meta(keys: ["lab_color"]) { value } } } }`,
    );
    expect(res.data).toEqual({ setUserMeta: { user: { meta: [{ value: 'blue' }] } } });
    res = await app.gql(
      `mutation { setUserMeta(input: { login: "wire_alice", key: "tag", value: "one", mode: ADD }) { user { id } } }`,
    );
    expect(res.errors).toBeUndefined();
    res = await app.gql(
      `mutation { setUserMeta(input: { login: "wire_alice", key: "tag", value: "two", mode: ADD }) { user { meta(keys: ["tag"]) { value } } } }`,
    );
    expect(res.data).toEqual({ setUserMeta: { user: { meta: [{ value: 'one' }, { value: 'two' }] } } });
    res = await app.gql(
      `mutation { deleteUserMeta(input: { login: "wire_alice", key: "tag", value: "one" }) { deletedCount user { meta(keys: ["tag"]) { value } } } }`,
    );
    expect(res.data).toEqual({ deleteUserMeta: { deletedCount: 1, user: { meta: [{ value: 'two' }] } } });

    res = await app.gql(
      `mutation { setUserMeta(input: { login: "wire_alice", key: "${prefix}user_level", value: "10" }) { user { id } } }`,
    );
    expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    res = await app.gql(`mutation { setUserRoles(input: { login: "nobody", roles: [] }) { user { id } } }`);
    expect(res.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
  });

  it('lists users as a Relay connection with search, role filter and cursors', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await app.gql(
        `mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } } }`,
        {
          input: {
            login: `page_user_${i}`,
            email: `page${i}@example.org`,
            roles: [i % 2 ? 'editor' : 'subscriber'],
          },
        },
      );
      expect(res.errors).toBeUndefined();
    }
    const page1 = await app.gql<{
      users: {
        totalCount: number;
        edges: { cursor: string; node: { login: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    }>(
      `{ users(first: 2, search: "page_user") { totalCount edges { cursor node { login } } pageInfo { hasNextPage endCursor } } }`,
    );
    expect(page1.data!.users.totalCount).toBe(5);
    expect(page1.data!.users.edges.map((e) => e.node.login)).toEqual(['page_user_0', 'page_user_1']);
    expect(page1.data!.users.pageInfo.hasNextPage).toBe(true);
    const page2 = await app.gql<{ users: { edges: { node: { login: string } }[] } }>(
      `query($after: String) { users(first: 10, search: "page_user", after: $after) { edges { node { login } } } }`,
      { after: page1.data!.users.pageInfo.endCursor },
    );
    expect(page2.data!.users.edges.map((e) => e.node.login)).toEqual([
      'page_user_2',
      'page_user_3',
      'page_user_4',
    ]);
    const editors = await app.gql<{
      users: { totalCount: number; edges: { node: { login: string; roles: string[] } }[] };
    }>(`{ users(first: 50, role: "editor") { totalCount edges { node { login roles } } } }`);
    expect(editors.data!.users.edges.map((e) => e.node.login)).toEqual([
      'wire_alice',
      'page_user_1',
      'page_user_3',
    ]);
    const bad = await app.gql(`{ users(first: 10, after: "nonsense") { totalCount } }`);
    expect(bad.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });

  it('deletes a user with its meta, reassigning to another', async () => {
    const res = await app.gql(
      `mutation { deleteUser(input: { login: "page_user_0", reassignTo: "wire_alice" }) { deletedUserId login reassignedTo { login } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toMatchObject({
      deleteUser: { login: 'page_user_0', reassignedTo: { login: 'wire_alice' } },
    });
    const id = (res.data as { deleteUser: { deletedUserId: string } }).deleteUser.deletedUserId;
    const em = app.orm.em.fork();
    expect(await em.count(WpUserMeta, { userId: id })).toBe(0);
    const again = await app.gql(`mutation { deleteUser(input: { login: "page_user_0" }) { login } }`);
    expect(again.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    const missingTarget = await app.gql(
      `mutation { deleteUser(input: { login: "page_user_1", reassignTo: "ghost" }) { login } }`,
    );
    expect(missingTarget.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect((await rows('page_user_1')).user).not.toBeNull();
  });

  it('loads roles and meta of 50 users in a constant number of SQL statements', async () => {
    for (let i = 0; i < 45; i++) {
      await app.gql(`mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } } }`, {
        input: { login: `bulk_${i}`, email: `bulk${i}@example.org`, meta: [{ key: 'k', value: i }] },
      });
    }
    const knex = app.orm.em.getConnection().getKnex();
    const statements: string[] = [];
    const listener = (q: { sql: string }): void => {
      statements.push(q.sql);
    };
    knex.on('query', listener);
    const res = await app.gql<{ users: { edges: unknown[] } }>(
      `{ users(first: 50) { edges { node { login roles meta(keys: ["k", "nickname"]) { key value } } } } }`,
    );
    knex.off('query', listener);
    expect(res.data!.users.edges).toHaveLength(50);
    // users page + total count + one batched usermeta query (the admin token is from the environment).
    // Only the statements of this request: the outbox relay polls its own table meanwhile.
    expect(statements.filter((s) => /^\s*select/i.test(s) && !s.includes('wprus_'))).toHaveLength(3);
  });
});
