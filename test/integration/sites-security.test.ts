import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityLogEntry } from '../../src/modules/activity-log/activity-log.entity.js';
import { loadFixture, type WprusSettingsFixture } from '../support/fixtures.js';
import { startPeerApp, startTestApp, type TestApp } from '../support/test-app.js';

const settings = loadFixture<WprusSettingsFixture>('wprus-settings.json');
const SITE_FIELDS =
  'id url position incomingActions outgoingActions incomingMeta outgoingMeta incomingRoles outgoingRoles incomingRolesMerge';

describe('sites and security settings', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.destroy();
  });

  it('creates a site with the plugin’s defaults, warns about overlapping sites, toggles and deletes', async () => {
    const created = await app.gql<{
      createSite: { site: Record<string, unknown> & { id: string }; warnings: string[] };
    }>(
      `mutation { createSite(input: { url: "https://shop.example.com/" }) { site { ${SITE_FIELDS} } warnings } }`,
    );
    expect(created.errors).toBeUndefined();
    expect(created.data!.createSite).toEqual({
      site: {
        id: created.data!.createSite.site.id,
        url: 'https://shop.example.com',
        position: 1,
        incomingActions: [],
        outgoingActions: [],
        incomingMeta: [],
        outgoingMeta: [],
        incomingRoles: [],
        outgoingRoles: [],
        incomingRolesMerge: false,
      },
      warnings: [],
    });
    const id = created.data!.createSite.site.id;
    const twin = await app.gql<{ createSite: { warnings: string[] } }>(
      `mutation { createSite(input: { url: "http://shop.example.com:8080" }) { warnings } }`,
    );
    expect(twin.data!.createSite.warnings.join()).toMatch(/same host and path/);
    const nested = await app.gql<{ createSite: { site: { id: string }; warnings: string[] } }>(
      `mutation { createSite(input: { url: "https://shop.example.com/blog" }) { site { id } warnings } }`,
    );
    expect(nested.data!.createSite.warnings.join()).toMatch(/prefix/);

    const toggled = await app.gql<{
      setAllSiteActions: { site: { incomingActions: string[]; outgoingActions: string[] } };
    }>(
      `mutation($id: ID!) { setAllSiteActions(input: { siteId: $id, direction: INCOMING, enabled: true }) { site { incomingActions outgoingActions } } }`,
      { id },
    );
    expect(toggled.data!.setAllSiteActions.site).toEqual({
      incomingActions: ['LOGIN', 'LOGOUT', 'CREATE', 'UPDATE', 'DELETE', 'PASSWORD', 'ROLE', 'META'],
      outgoingActions: [],
    });
    const updated = await app.gql<{ updateSite: { site: Record<string, unknown> } }>(
      `mutation($id: ID!) { updateSite(input: { id: $id, outgoingActions: [META, CREATE], outgoingMeta: ["billing_phone", " billing_phone "], incomingRolesMerge: true }) { site { outgoingActions outgoingMeta incomingRolesMerge } } }`,
      { id },
    );
    expect(updated.data!.updateSite.site).toEqual({
      outgoingActions: ['CREATE', 'META'],
      outgoingMeta: ['billing_phone'],
      incomingRolesMerge: true,
    });

    const deleted = await app.gql(
      `mutation($id: ID!) { deleteSite(input: { id: $id }) { deletedSiteId url } }`,
      { id },
    );
    expect(deleted.data).toEqual({ deleteSite: { deletedSiteId: id, url: 'https://shop.example.com' } });
    const missing = await app.gql(`mutation($id: ID!) { deleteSite(input: { id: $id }) { url } }`, { id });
    expect(missing.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect((await app.gql(`query($id: ID!) { site(id: $id) { id } }`, { id })).data).toEqual({ site: null });
    for (const url of [
      'ftp://x.example',
      'not a url',
      'https://user:pw@x.example',
      'https://x.example/?q=1',
    ]) {
      const bad = await app.gql(
        `mutation($url: String!) { createSite(input: { url: $url }) { site { id } } }`,
        { url },
      );
      expect(bad.errors?.[0]?.extensions?.['code'], url).toBe('BAD_USER_INPUT');
    }
  });

  it('masks keys, returns generated keys once, and validates address lists', async () => {
    const generated = await app.gql<{
      updateSecuritySettings: {
        generatedKeys: { aesKey: string; hmacKey: string };
        securitySettings: { aesKey: string; ready: boolean };
      };
    }>(
      `mutation { updateSecuritySettings(input: { generateKeys: true }) { generatedKeys { aesKey hmacKey } securitySettings { aesKey hmacKey ready } } }`,
    );
    expect(generated.errors).toBeUndefined();
    const { aesKey, hmacKey } = generated.data!.updateSecuritySettings.generatedKeys;
    expect(aesKey).toMatch(/^[A-Za-z0-9_-]{48}$/);
    expect(aesKey).not.toBe(hmacKey);
    const read = await app.gql(
      `{ securitySettings { aesKey hmacKey ready tokenExpiry ipWhitelist trustedProxies strictSiteMatching } }`,
    );
    const text = JSON.stringify(read.data);
    expect(text).not.toContain(aesKey);
    expect(text).not.toContain(hmacKey);
    expect(read.data).toMatchObject({
      securitySettings: { ready: true, tokenExpiry: 1800, ipWhitelist: [], strictSiteMatching: false },
    });

    const bad = await app.gql(
      `mutation { updateSecuritySettings(input: { ipWhitelist: ["10.0.0.0/8", "300.1.1.1", "2001:db8::/129"] }) { warnings } }`,
    );
    expect(bad.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.message).toMatch(/line 2 \(300\.1\.1\.1\)/);
    expect(bad.errors?.[0]?.message).toMatch(/line 3/);
    const good = await app.gql<{ updateSecuritySettings: { securitySettings: { ipWhitelist: string[] } } }>(
      `mutation { updateSecuritySettings(input: { ipWhitelist: ["10.0.0.0/8", "2001:db8::/32", "::1"], tokenExpiry: 600 }) { securitySettings { ipWhitelist tokenExpiry } } }`,
    );
    expect(good.data!.updateSecuritySettings.securitySettings).toEqual({
      ipWhitelist: ['10.0.0.0/8', '2001:db8::/32', '::1'],
      tokenExpiry: 600,
    });
    const tooShort = await app.gql(
      `mutation { updateSecuritySettings(input: { tokenExpiry: 5 }) { warnings } }`,
    );
    expect(tooShort.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    await app.services.activity.flush();
    const logged = await app.orm.em.fork().find(ActivityLogEntry, { event: 'settings.security' });
    expect(logged.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(logged)).not.toContain(aesKey);
  });

  it('imports the plugin’s own settings JSON', async () => {
    const fresh = await startTestApp();
    try {
      const res = await fresh.gql<{
        importWprusSettings: {
          sitesCreated: number;
          sites: Record<string, unknown>[];
          securitySettings: { ready: boolean; hmacKey: string };
        };
      }>(
        `mutation($json: String!) { importWprusSettings(input: { json: $json }) { sitesCreated sitesUpdated warnings securitySettings { ready hmacKey tokenExpiry } sites { ${SITE_FIELDS} } } }`,
        { json: JSON.stringify({ wprus: settings.A }) },
      );
      expect(res.errors).toBeUndefined();
      const payload = res.data!.importWprusSettings;
      expect(payload.sitesCreated).toBe(1);
      expect(payload.securitySettings.ready).toBe(true);
      expect(payload.securitySettings.hmacKey).not.toContain('lab-hmac');
      expect(payload.sites[0]).toMatchObject({
        url: 'http://127.0.0.1:8082',
        incomingActions: ['LOGIN', 'LOGOUT', 'CREATE', 'UPDATE', 'DELETE', 'PASSWORD', 'ROLE', 'META'],
        outgoingMeta: ['billing_phone', 'lab_city', 'lab_color', 'lab_prefs'],
        outgoingRoles: ['administrator', 'editor', 'author', 'contributor', 'subscriber'],
        incomingMeta: [],
        incomingRolesMerge: false,
      });
      const again = await fresh.gql<{ importWprusSettings: { sitesCreated: number; sitesUpdated: number } }>(
        `mutation($json: String!) { importWprusSettings(input: { json: $json }) { sitesCreated sitesUpdated } }`,
        { json: JSON.stringify(settings.A) },
      );
      expect(again.data!.importWprusSettings).toEqual({ sitesCreated: 0, sitesUpdated: 1 });
      // The plugin's Browser Support checkboxes come along.
      await fresh.gql(
        `mutation($json: String!) { importWprusSettings(input: { json: $json }) { sitesCreated } }`,
        {
          json: JSON.stringify({
            ...settings.A,
            browser_support: {
              force_login_logout_strict: 'on',
              force_disable_login_logout_strict: false,
              silent_login_logout_strict: 'on',
            },
          }),
        },
      );
      const browser = await fresh.gql<{ securitySettings: { browserSupport: Record<string, boolean> } }>(
        '{ securitySettings { browserSupport { forceLoginLogoutStrict forceDisableLoginLogoutStrict silentLoginLogoutStrict } } }',
      );
      expect(browser.data!.securitySettings.browserSupport).toEqual({
        forceLoginLogoutStrict: true,
        forceDisableLoginLogoutStrict: false,
        silentLoginLogoutStrict: true,
      });
      const broken = await fresh.gql(
        `mutation { importWprusSettings(input: { json: "{nope" }) { sitesCreated } }`,
      );
      expect(broken.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      const wrongShape = await fresh.gql(
        `mutation { importWprusSettings(input: { json: "{\\"sites\\": 5}" }) { sitesCreated } }`,
      );
      expect(wrongShape.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    } finally {
      await fresh.destroy();
    }
  });
});

describe('pingSite: the plugin’s Test button between two servers', () => {
  let x: TestApp;
  let y: TestApp;
  let yOnX: string;
  beforeAll(async () => {
    x = await startPeerApp('127.0.0.1');
    y = await startPeerApp('127.0.0.2');
    const keys = `aesKey: "shared-aes-key-for-the-ping-test", hmacKey: "shared-hmac-key-for-the-ping-test"`;
    const onX = await x.gql<{ createSite: { site: { id: string } } }>(
      `mutation { updateSecuritySettings(input: { ${keys} }) { warnings } createSite(input: { url: "${y.services.config.publicUrl}", outgoingActions: [CREATE] }) { site { id } } }`,
    );
    yOnX = onX.data!.createSite.site.id;
    const onY = await y.gql(
      `mutation { updateSecuritySettings(input: { ${keys} }) { warnings } createSite(input: { url: "${x.services.config.publicUrl}", incomingActions: [CREATE] }) { site { id } } }`,
    );
    expect(onY.errors).toBeUndefined();
  });
  afterAll(async () => {
    await x.destroy();
    await y.destroy();
  });

  const ping = (action: string, direction: string) =>
    x.gql<{ pingSite: { success: boolean; message: string; httpStatus: number | null } }>(
      `mutation($id: ID!) { pingSite(input: { siteId: $id, action: ${action}, direction: ${direction} }) { success message httpStatus latencyMs } }`,
      { id: yOnX },
    );

  it('reports an enabled action as the plugin does', async () => {
    const res = await ping('CREATE', 'OUTGOING');
    expect(res.errors).toBeUndefined();
    expect(res.data!.pingSite).toMatchObject({
      success: true,
      httpStatus: 200,
      message: `Ping success for action "create" from ${y.services.config.publicUrl} with remote IP 127.0.0.1 (incoming)`,
    });
  });

  it('reports a disabled action', async () => {
    const res = await ping('LOGIN', 'OUTGOING');
    expect(res.data!.pingSite).toMatchObject({
      success: false,
      message: `"login" action is not activated on ${y.services.config.publicUrl} with remote IP 127.0.0.1 (incoming).`,
    });
  });

  it('reports an unreachable site', async () => {
    const dead = await x.gql<{ createSite: { site: { id: string } } }>(
      `mutation { createSite(input: { url: "http://127.0.0.3:9" }) { site { id } } }`,
    );
    const res = await x.gql<{ pingSite: { success: boolean; message: string } }>(
      `mutation($id: ID!) { pingSite(input: { siteId: $id, action: CREATE, direction: OUTGOING }) { success message } }`,
      { id: dead.data!.createSite.site.id },
    );
    expect(res.data!.pingSite.success).toBe(false);
    expect(res.data!.pingSite.message).toMatch(/^Error contacting the remote site: /);
  });
});
