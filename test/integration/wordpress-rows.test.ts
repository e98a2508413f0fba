import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maybeSerialize, maybeUnserialize } from '../../src/lib/wp-serialize.js';
import { WpUserMeta } from '../../src/modules/users/user-meta.entity.js';
import { WpUser } from '../../src/modules/users/user.entity.js';
import { loadFixture, type SyncedUserRows, type WpUserRow } from '../support/fixtures.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const fixture = loadFixture<SyncedUserRows>('synced-user-rows.json');
const sides = Object.entries(fixture.snapshots).flatMap(([step, bySite]) =>
  (['A', 'B'] as const).map((side) => ({ step, side, data: bySite[side] })),
);

function formatUtc(date: Date): string {
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, '');
}

function toRow(user: WpUser): WpUserRow {
  return {
    ID: user.id,
    user_login: user.userLogin,
    user_pass: user.userPass,
    user_nicename: user.userNicename,
    user_email: user.userEmail,
    user_url: user.userUrl,
    user_registered: formatUtc(user.userRegistered),
    user_activation_key: user.userActivationKey,
    user_status: String(user.userStatus),
    display_name: user.displayName,
  };
}

describe('rows written by the real WordPress + plugin', () => {
  let app: TestApp;
  let prefix: string;
  beforeAll(async () => {
    app = await startTestApp();
    prefix = app.services.config.tablePrefix;
  });
  afterAll(async () => {
    await app.destroy();
  });

  /** Fixture rows use the `wp_` prefix; role keys follow the configured one, as WordPress does. */
  const mapKey = (key: string): string => key.replace(/^wp_(capabilities|user_level)$/, `${prefix}$1`);

  it.each(sides)('$step on site $side loads and round-trips unchanged', async ({ data }) => {
    const em = app.orm.em.fork();
    await em.nativeDelete(WpUserMeta, {});
    await em.nativeDelete(WpUser, {});
    const u = data.wp_users;
    em.create(WpUser, {
      id: u.ID,
      userLogin: u.user_login,
      userPass: u.user_pass,
      userNicename: u.user_nicename,
      userEmail: u.user_email,
      userUrl: u.user_url,
      userRegistered: new Date(`${u.user_registered.replace(' ', 'T')}Z`),
      userActivationKey: u.user_activation_key,
      userStatus: Number(u.user_status),
      displayName: u.display_name,
    });
    for (const m of data.wp_usermeta) {
      em.create(WpUserMeta, {
        id: m.umeta_id,
        userId: m.user_id,
        metaKey: mapKey(m.meta_key),
        metaValue: m.meta_value,
      });
    }
    await em.flush();

    const read = app.orm.em.fork();
    const user = await read.findOneOrFail(WpUser, { id: u.ID });
    expect(toRow(user)).toEqual(u);
    const meta = await read.find(WpUserMeta, { userId: u.ID }, { orderBy: { id: 'asc' } });
    expect(
      meta.map((m) => ({ umeta_id: m.id, user_id: m.userId, meta_key: m.metaKey, meta_value: m.metaValue })),
    ).toEqual(data.wp_usermeta.map((m) => ({ ...m, meta_key: mapKey(m.meta_key) })));
    // Every value survives WordPress's read (maybe_unserialize) and write (maybe_serialize) unchanged.
    for (const m of data.wp_usermeta)
      expect(maybeSerialize(maybeUnserialize(m.meta_value))).toBe(m.meta_value);

    const res = await app.gql<{
      user: { roles: string[]; login: string; email: string; displayName: string };
    }>(`query($login: String) { user(login: $login) { login email displayName roles } }`, {
      login: u.user_login,
    });
    expect(res.data?.user).toEqual({
      login: u.user_login,
      email: u.user_email,
      displayName: u.display_name,
      roles: data.roles,
    });
  });
});
