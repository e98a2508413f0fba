import type { TestApp } from './test-app.js';

/** POSTs a raw form body to one of the app's peer routes, as WordPress does. */
export async function postForm(
  app: TestApp,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
    redirect: 'manual',
  });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

export async function getUrl(
  app: TestApp,
  pathAndQuery: string,
): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(`${app.url}${pathAndQuery}`, { redirect: 'manual' });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

/** Replaces the `token` field of a raw form body or query string. */
export function withToken(raw: string, token: string): string {
  return raw.replace(/(^|&)token=[^&]*/, `$1token=${token}`);
}

/** Imports the plugin's option JSON through the admin API. */
export async function importWprusSettings(app: TestApp, option: unknown): Promise<void> {
  const res = await app.gql(
    `mutation($json: String!) { importWprusSettings(input: { json: $json }) { sitesCreated warnings } }`,
    {
      json: JSON.stringify(option),
    },
  );
  if (res.errors) throw new Error(`importWprusSettings failed: ${JSON.stringify(res.errors)}`);
}
