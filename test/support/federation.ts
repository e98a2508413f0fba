import { expect } from 'vitest';
import type { TestApp } from './test-app.js';

export const FEDERATION_KEYS = {
  aesKey: 'login-sync-aes-key-0123456789',
  hmacKey: 'login-sync-hmac-key-0123456789',
};

/** Gives `app` the federation keys and lists each of `others` as a site with the given actions. */
export async function federate(
  app: TestApp,
  others: readonly string[],
  actions: { incoming?: string; outgoing?: string } = {},
): Promise<string[]> {
  const keys = await app.gql(
    `mutation($i: UpdateSecuritySettingsInput!) { updateSecuritySettings(input: $i) { warnings } }`,
    {
      i: FEDERATION_KEYS,
    },
  );
  expect(keys.errors).toBeUndefined();
  const ids: string[] = [];
  for (const url of others) {
    const res = await app.gql<{ createSite: { site: { id: string } } }>(
      `mutation { createSite(input: { url: "${url}", incomingActions: ${actions.incoming ?? '[LOGIN, LOGOUT]'}, outgoingActions: ${actions.outgoing ?? '[LOGIN, LOGOUT]'} }) { site { id } } }`,
    );
    expect(res.errors).toBeUndefined();
    ids.push(res.data!.createSite.site.id);
  }
  return ids;
}

/** Creates the same user (login, e-mail, password) on every app. */
export async function createUserEverywhere(
  apps: readonly TestApp[],
  login: string,
  password: string,
  displayName = login,
): Promise<void> {
  for (const app of apps) {
    const res = await app.gql(`mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }`, {
      i: { login, email: `${login}@example.org`, password, displayName },
    });
    expect(res.errors).toBeUndefined();
  }
}

/** Sets the plugin's browser-support flags on an app. */
export async function setBrowserSupport(
  app: TestApp,
  flags: {
    forceLoginLogoutStrict?: boolean;
    forceDisableLoginLogoutStrict?: boolean;
    silentLoginLogoutStrict?: boolean;
  },
): Promise<void> {
  const res = await app.gql(
    `mutation($i: UpdateSecuritySettingsInput!) { updateSecuritySettings(input: $i) { warnings } }`,
    {
      i: {
        forceLoginLogoutStrict: false,
        forceDisableLoginLogoutStrict: false,
        silentLoginLogoutStrict: false,
        ...flags,
      },
    },
  );
  expect(res.errors).toBeUndefined();
}

/** The user's live sessions on an app (admin API). */
export async function sessionsOf(
  app: TestApp,
  login: string,
): Promise<{ id: string; origin: string; originSiteId: string | null; remember: boolean }[]> {
  const res = await app.gql<{
    userSessions: { id: string; origin: string; originSiteId: string | null; remember: boolean }[];
  }>(`query($l: String!) { userSessions(login: $l) { id origin originSiteId remember } }`, { l: login });
  expect(res.errors).toBeUndefined();
  return res.data!.userSessions;
}
