import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityLogEntry } from '../../src/modules/activity-log/activity-log.entity.js';
import { verifyPassword } from '../../src/modules/users/password-hasher.js';
import { WpUserMeta } from '../../src/modules/users/user-meta.entity.js';
import { WpUser } from '../../src/modules/users/user.entity.js';
import {
  loadFixture,
  type CapturedStep,
  type SyncedSide,
  type SyncedUserRows,
  type WireCaptures,
  type WprusSettingsFixture,
} from '../support/fixtures.js';
import { getUrl, importWprusSettings, postForm, withToken } from '../support/peer.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const captures = loadFixture<WireCaptures>('wire-captures.json');
const settings = loadFixture<WprusSettingsFixture>('wprus-settings.json');
const rows = loadFixture<SyncedUserRows>('synced-user-rows.json');
const step = (id: string): CapturedStep => {
  const found = captures.steps.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id}`);
  return found;
};

/**
 * Replays the real plugin's requests to one of our servers standing in for the receiving site. Tokens
 * are minted by our own token endpoint (each captured token maps to one of ours); bundles are sent
 * exactly as captured.
 */
class Replayer {
  private readonly tokens = new Map<string, string>();
  constructor(private readonly app: TestApp) {}

  async replay(s: CapturedStep, to: 'A' | 'B'): Promise<void> {
    for (const exchange of s.exchanges.filter((e) => e.to === to)) {
      const { request, response } = exchange;
      if (exchange.endpoint === 'token') {
        const res = await postForm(this.app, request.path, request.raw_body);
        expect(res.status).toBe(200);
        const ours = JSON.parse(res.body) as { nonce: string; expiry: number };
        const theirs = JSON.parse(response.body) as { nonce: string };
        this.tokens.set(theirs.nonce, ours.nonce);
        continue;
      }
      const token = exchange.token ? this.tokens.get(exchange.token) : undefined;
      if (!token) throw new Error(`${s.id}: no token minted for ${exchange.token}`);
      const res =
        request.method === 'GET'
          ? await getUrl(this.app, `${request.path}?${withToken(request.query, token)}`)
          : await postForm(this.app, request.path, withToken(request.raw_body, token));
      expect(res.status, `${s.id} ${exchange.endpoint}`).toBe(response.status);
      expect(res.body, `${s.id} ${exchange.endpoint}`).toBe(response.body);
    }
    await this.app.services.activity.flush();
  }
}

async function snapshotOf(
  app: TestApp,
  login: string,
): Promise<{ user: WpUser; meta: [string, string][]; roles: string[] } | null> {
  const em = app.orm.em.fork();
  const user = await em.findOne(WpUser, { userLogin: login });
  if (!user) return null;
  const meta = await em.find(WpUserMeta, { userId: user.id }, { orderBy: { id: 'asc' } });
  const res = await app.gql<{ user: { roles: string[] } }>(
    `query($l: String) { user(login: $l) { roles } }`,
    { l: login },
  );
  return {
    user,
    meta: meta.map((m) => [m.metaKey ?? '', m.metaValue ?? '']),
    roles: res.data?.user.roles ?? [],
  };
}

/** Compares our rows with the rows the real plugin produced on its receiving site. */
async function expectSameRows(app: TestApp, expected: SyncedSide): Promise<void> {
  const prefix = app.services.config.tablePrefix;
  const ours = await snapshotOf(app, expected.wp_users.user_login);
  expect(ours).not.toBeNull();
  const u = expected.wp_users;
  expect({
    user_login: ours!.user.userLogin,
    user_nicename: ours!.user.userNicename,
    user_email: ours!.user.userEmail,
    user_url: ours!.user.userUrl,
    user_registered: ours!.user.userRegistered.toISOString().replace('T', ' ').slice(0, 19),
    user_activation_key: ours!.user.userActivationKey,
    user_status: String(ours!.user.userStatus),
    display_name: ours!.user.displayName,
  }).toEqual({
    user_login: u.user_login,
    user_nicename: u.user_nicename,
    user_email: u.user_email,
    user_url: u.user_url,
    user_registered: u.user_registered,
    user_activation_key: u.user_activation_key,
    user_status: u.user_status,
    display_name: u.display_name,
  });
  const theirs = expected.wp_usermeta
    .filter((m) => m.meta_key !== 'wprus_api_tokens')
    .map((m) => [m.meta_key.replace(/^wp_(capabilities|user_level)$/, `${prefix}$1`), m.meta_value]);
  expect(ours!.meta).toEqual(theirs);
  expect(ours!.roles).toEqual(expected.roles);
}

describe('replaying the real plugin traffic against our receiver', () => {
  let b: TestApp;
  let a: TestApp;
  let toB: Replayer;

  beforeAll(async () => {
    b = await startTestApp({ PUBLIC_URL: captures.sites.B.url });
    a = await startTestApp({ PUBLIC_URL: captures.sites.A.url });
    await importWprusSettings(b, settings.B);
    await importWprusSettings(a, settings.A);
    // The lab's WordPress sites both had an `admin` user (the reassignment target of step 15).
    const admin = await b.gql(
      `mutation { createUser(input: { login: "admin", email: "admin@example.org", roles: ["administrator"] }) { user { id } } }`,
    );
    expect(admin.errors).toBeUndefined();
    toB = new Replayer(b);
  });
  afterAll(async () => {
    await b.destroy();
    await a.destroy();
  });

  it('01: create (+ update + meta) produces the rows the plugin produced', async () => {
    await toB.replay(step('01-create'), 'B');
    await expectSameRows(b, rows.snapshots['01-create']!.B);
    const created = step('01-create').exchanges.find((e) => e.endpoint === 'create')!;
    const plain = (created.decrypted['post.wprusdata']!.json as { user_pass: string }).user_pass;
    const { user } = (await snapshotOf(b, 'wire_alice'))!;
    expect(user.userPass).toMatch(/^\$wp\$2y\$10\$/);
    expect(await verifyPassword(plain, user.userPass)).toBe(true);
  });

  it('02–10: update, password, reset, roles and meta produce the rows the plugin produced', async () => {
    for (const id of [
      '02-update',
      '03-password-update',
      '04-password-reset',
      '05-role-set',
      '06-role-add',
      '07-meta-update',
      '08-meta-add',
      '09-meta-array',
      '10-meta-delete',
    ]) {
      await toB.replay(step(id), 'B');
    }
    await expectSameRows(b, rows.snapshots['10-meta-delete']!.B);
    const reset = step('04-password-reset').exchanges[0]!;
    const plain = (reset.decrypted['post.wprusdata']!.json as { user_pass: string }).user_pass;
    const { user } = (await snapshotOf(b, 'wire_alice'))!;
    expect(await verifyPassword(plain, user.userPass)).toBe(true);
  });

  it('11–12: answers the admin Test pings exactly as the plugin did', async () => {
    await toB.replay(step('11-ping-create-outgoing'), 'B');
    await toB.replay(step('12-ping-login-incoming'), 'B');
  });

  it('13–16: creates bob, accepts the browser login/logout, then deletes both users', async () => {
    for (const id of ['13-create-bob', '14-login-logout']) await toB.replay(step(id), 'B');
    expect(await snapshotOf(b, 'wire_bob')).not.toBeNull();
    for (const id of ['15-delete-reassign', '16-delete']) await toB.replay(step(id), 'B');
    expect(await snapshotOf(b, 'wire_alice')).toBeNull();
    expect(await snapshotOf(b, 'wire_bob')).toBeNull();
    const em = b.orm.em.fork();
    expect(
      await em.count(WpUserMeta, { userId: { $nin: (await em.find(WpUser, {})).map((u) => u.id) } }),
    ).toBe(0);
  });

  it('17–18: the reverse direction (B → A) works with our server as site A', async () => {
    const toA = new Replayer(a);
    await toA.replay(step('17-reverse-create'), 'A');
    await expectSameRows(a, rows.snapshots['17-reverse-create']!.A);
    await toA.replay(step('18-reverse-delete'), 'A');
    expect(await snapshotOf(a, 'wire_carol')).toBeNull();
  });

  it('logs what the plugin logged on its receiving site', async () => {
    const em = b.orm.em.fork();
    const ours = (await em.find(ActivityLogEntry, {}, { orderBy: { id: 'asc' } })).map(
      (e) => `${e.type}: ${e.message}`,
    );
    for (const id of [
      '01-create',
      '02-update',
      '05-role-set',
      '10-meta-delete',
      '14-login-logout',
      '15-delete-reassign',
      '16-delete',
    ]) {
      for (const entry of step(id).wprus_logs.B) {
        if (entry.type === 'info') continue;
        expect(ours, `${id}: ${entry.message}`).toContain(`${entry.type}: ${entry.message}`);
      }
    }
  });
});
