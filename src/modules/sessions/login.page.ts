import type { BrowserAction } from '../../protocol/browser-actions.js';
import type { AsyncUrl } from './async-actions.service.js';

/** Escapes text and attribute values for HTML. */
export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** The hidden iframes that perform login/logout on remote sites from this page. */
export interface IframeBlock {
  readonly action: BrowserAction;
  readonly urls: readonly AsyncUrl[];
  readonly redirectTo: string | null;
}

interface Layout {
  readonly base: string;
  readonly title: string;
  readonly body: string;
  readonly script?: boolean;
}

function layout({ base, title, body, script }: Layout): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${base}/auth/assets/login.css">
</head>
<body>
<main aria-labelledby="title">
${body}
</main>
${script ? `<script src="${base}/auth/assets/login.js"></script>\n` : ''}</body>
</html>
`;
}

function host(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function iframes(block: IframeBlock | null | undefined): string {
  if (!block || block.urls.length === 0) return '';
  const verb = block.action === 'login' ? 'Signing you in on' : 'Signing you out of';
  const done = block.action === 'login' ? 'Signed in on' : 'Signed out of';
  const count = `${block.urls.length} other site${block.urls.length === 1 ? '' : 's'}`;
  const frame = (u: AsyncUrl, attr: 'src' | 'data-src') =>
    `<iframe ${attr}="${escapeHtml(u.url)}" hidden tabindex="-1" aria-hidden="true" title="${escapeHtml(`${verb} ${host(u.siteUrl)}`)}"></iframe>`;
  return `<p class="sync" id="wprus-status" role="status" data-done="${escapeHtml(`${done} ${count}.`)}">${escapeHtml(`${verb} ${count}…`)}</p>
<div id="wprus-async" hidden${block.redirectTo ? ` data-redirect-to="${escapeHtml(block.redirectTo)}"` : ''}>
${block.urls.map((u) => frame(u, 'data-src')).join('\n')}
<noscript>${block.urls.map((u) => frame(u, 'src')).join('')}</noscript>
</div>`;
}

export interface SignInPageOptions {
  readonly base: string;
  readonly error?: string | null;
  readonly notice?: string | null;
  readonly login?: string;
  readonly redirectTo?: string | null;
  readonly async?: IframeBlock | null;
}

/** The sign-in form: labelled fields, the browser's password manager hints, errors announced. */
export function signInPage(o: SignInPageOptions): string {
  const invalid = o.error ? ' aria-invalid="true" aria-describedby="form-error"' : '';
  const body = `<h1 id="title">Sign in</h1>
${o.error ? `<p class="error" id="form-error" role="alert">${escapeHtml(o.error)}</p>` : ''}${o.notice ? `<p class="notice" role="status">${escapeHtml(o.notice)}</p>` : ''}
<form method="post" action="${o.base}/auth/login">
${o.redirectTo ? `<input type="hidden" name="redirect_to" value="${escapeHtml(o.redirectTo)}">\n` : ''}<label for="login">Username or e-mail address</label>
<input id="login" name="login" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHtml(o.login ?? '')}"${invalid}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${invalid}>
<div class="remember"><input id="remember" name="remember" type="checkbox" value="1"><label for="remember">Remember me</label></div>
<button type="submit">Sign in</button>
</form>
${iframes(o.async)}`;
  return layout({ base: o.base, title: 'Sign in', body, script: Boolean(o.async?.urls.length) });
}

export interface SignedInPageOptions {
  readonly base: string;
  readonly login: string;
  readonly displayName: string;
  readonly async?: IframeBlock | null;
}

/** Who is signed in, and the sign-out button. */
export function signedInPage(o: SignedInPageOptions): string {
  const name = o.displayName && o.displayName !== o.login ? `${o.displayName} (${o.login})` : o.login;
  const body = `<h1 id="title">Signed in</h1>
<p>You are signed in as <strong id="signed-in-user">${escapeHtml(name)}</strong>.</p>
<form method="post" action="${o.base}/auth/logout">
<button type="submit">Sign out</button>
</form>
${iframes(o.async)}`;
  return layout({ base: o.base, title: 'Signed in', body, script: Boolean(o.async?.urls.length) });
}

/** One step of a redirect chain: leaves at once for the remote site (the link is the no-script way). */
export function redirectPage(o: {
  readonly base: string;
  readonly action: BrowserAction;
  readonly url: string;
  readonly remaining: number;
}): string {
  const verb = o.action === 'login' ? 'Signing you in on' : 'Signing you out of';
  const body = `<h1 id="title">Processing…</h1>
<p role="status">${escapeHtml(`${verb} other sites: ${o.remaining + 1} left.`)}</p>
<p><a class="button" id="wprus-next" href="${escapeHtml(o.url)}">Continue</a></p>`;
  return layout({ base: o.base, title: 'Processing…', body, script: true });
}
