import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/modules/users/password-hasher.js';
import { WpUser } from '../../src/modules/users/user.entity.js';
import { Delivery } from '../../src/protocol/outbox/delivery.entity.js';
import { eventually } from '../support/eventually.js';
import { startPeerApp, type TestApp } from '../support/test-app.js';

const KEYS = 'aesKey: "two-servers-aes-key-0123456789", hmacKey: "two-servers-hmac-key-0123456789"';
const ALL = '[LOGIN, LOGOUT, CREATE, UPDATE, DELETE, PASSWORD, ROLE, META]';

async function connect(app: TestApp, other: TestApp): Promise<void> {
  const res = await app.gql(
    `mutation { updateSecuritySettings(input: { ${KEYS} }) { warnings }
      createSite(input: { url: "${other.services.config.publicUrl}", incomingActions: ${ALL}, outgoingActions: ${ALL},
        outgoingMeta: ["billing_phone", "lab_prefs"], outgoingRoles: ["administrator", "editor", "author", "contributor", "subscriber"] }) { site { id } } }`,
  );
  expect(res.errors).toBeUndefined();
}

type RemoteUser = {
  login: string;
  email: string;
  roles: string[];
  meta: { key: string; value: unknown }[];
} | null;

async function remoteUser(app: TestApp, login: string): Promise<RemoteUser> {
  const res = await app.gql<{ user: RemoteUser }>(
    `query($l: String) { user(login: $l) { login email roles meta(keys: ["billing_phone", "lab_prefs"]) { key value } } }`,
    { l: login },
  );
  return res.data?.user ?? null;
}

async function passwordOf(app: TestApp, login: string): Promise<string> {
  return (await app.orm.em.fork().findOneOrFail(WpUser, { userLogin: login })).userPass;
}

describe('two servers sync every action both ways over HTTP', () => {
  let x: TestApp;
  let y: TestApp;
  beforeAll(async () => {
    x = await startPeerApp('127.0.0.1');
    y = await startPeerApp('127.0.0.2');
    await connect(x, y);
    await connect(y, x);
  });
  afterAll(async () => {
    await x.destroy();
    await y.destroy();
  });

  it('create with roles, password and meta', async () => {
    const res = await x.gql(
      `mutation { createUser(input: { login: "sync_alice", email: "alice@example.org", password: "First-pass-1", roles: ["author"],
         meta: [{ key: "billing_phone", value: "+33 1 23" }, { key: "private_note", value: "not sent" }] }) { user { id } } }`,
    );
    expect(res.errors).toBeUndefined();
    const user = await eventually(async () => {
      const u = await remoteUser(y, 'sync_alice');
      expect(u?.meta).toEqual([{ key: 'billing_phone', value: '+33 1 23' }]);
      return u;
    });
    expect(user).toMatchObject({ login: 'sync_alice', email: 'alice@example.org', roles: ['author'] });
    expect(await verifyPassword('First-pass-1', await passwordOf(y, 'sync_alice'))).toBe(true);
    const remoteMeta = await y.gql<{ user: { meta: { key: string }[] } }>(
      `{ user(login: "sync_alice") { meta { key } } }`,
    );
    expect(remoteMeta.data!.user.meta.map((m) => m.key)).not.toContain('private_note');
  });

  it('update, roles, structured meta, password and delete', async () => {
    await x.gql(
      `mutation { updateUser(input: { login: "sync_alice", email: "alice+new@example.org" }) { user { id } } }`,
    );
    await x.gql(
      `mutation { setUserRoles(input: { login: "sync_alice", roles: ["editor", "subscriber"] }) { user { id } } }`,
    );
    await x.gql(
      `mutation { setUserMeta(input: { login: "sync_alice", key: "lab_prefs", value: { theme: "dark", n: [1, 2] } }) { user { id } } }`,
    );
    await eventually(async () => {
      const u = await remoteUser(y, 'sync_alice');
      expect(u).toMatchObject({ email: 'alice+new@example.org', roles: ['editor', 'subscriber'] });
      expect(u?.meta).toContainEqual({ key: 'lab_prefs', value: { theme: 'dark', n: [1, 2] } });
    });
    await x.gql(
      `mutation { setUserPassword(input: { login: "sync_alice", password: "Second-pass-2" }) { user { id } } }`,
    );
    await eventually(async () =>
      expect(await verifyPassword('Second-pass-2', await passwordOf(y, 'sync_alice'))).toBe(true),
    );
    await x.gql(`mutation { deleteUser(input: { login: "sync_alice" }) { login } }`);
    await eventually(async () => expect(await remoteUser(y, 'sync_alice')).toBeNull());
  });

  it('works the other way, and never echoes a received change back', async () => {
    await y.gql(
      `mutation { createUser(input: { login: "sync_bob", email: "bob@example.org", roles: ["subscriber"] }) { user { id } } }`,
    );
    await eventually(async () =>
      expect(await remoteUser(x, 'sync_bob')).toMatchObject({ login: 'sync_bob', roles: ['subscriber'] }),
    );
    await new Promise((r) => setTimeout(r, 300));
    const xRows = await x.orm.em.fork().find(Delivery, {});
    const yRows = await y.orm.em.fork().find(Delivery, {});
    expect(new Set(xRows.map((d) => d.login))).toEqual(new Set(['sync_alice']));
    expect(new Set(yRows.map((d) => d.login))).toEqual(new Set(['sync_bob']));
    expect([...xRows, ...yRows].every((d) => d.status === 'delivered')).toBe(true);
    expect(xRows.map((d) => d.action)).toEqual([
      'create',
      'meta',
      'update',
      'update',
      'meta',
      'password',
      'delete',
    ]);
  });
});
