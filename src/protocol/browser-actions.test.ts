import { describe, expect, it } from 'vitest';
import { loadFixture, type WireCaptures } from '../../test/support/fixtures.js';
import { asyncActionUrl, callbackRedirect, loginPayload, logoutPayload } from './browser-actions.js';
import { decryptBundle, encodePayload } from './envelope.js';

const captures = loadFixture<WireCaptures>('wire-captures.json');
const step = captures.steps.find((s) => s.id === '14-login-logout')!;
const keys = { aesKey: captures.keys.aes_key, hmacKey: captures.keys.hmac_key };

describe('outgoing login/logout, as the plugin emits them', () => {
  it('builds the captured login and logout URLs byte for byte (bundle and token given)', () => {
    for (const exchange of step.exchanges.filter((e) => e.endpoint === 'login' || e.endpoint === 'logout')) {
      const query = new URLSearchParams(exchange.request.query);
      const url = asyncActionUrl(
        captures.sites.B.url,
        exchange.endpoint as 'login' | 'logout',
        query.get('wprusdata')!,
        query.get('token')!,
      );
      expect(url).toBe(`${captures.sites.B.url}${exchange.request.path}?${exchange.request.query}`);
    }
  });

  it('encrypts the captured payloads with the plugin’s keys and field order', () => {
    const login = step.exchanges.find((e) => e.endpoint === 'login')!;
    const logout = step.exchanges.find((e) => e.endpoint === 'logout')!;
    const base = captures.sites.A.url;
    expect(encodePayload(loginPayload('wire_bob', true, base, null))).toBe(
      login.decrypted['get.wprusdata']!.plaintext,
    );
    expect(encodePayload(logoutPayload('wire_bob', base))).toBe(logout.decrypted['get.wprusdata']!.plaintext);
    // And the captured bundle decrypts to exactly that.
    const bundle = new URLSearchParams(login.request.query).get('wprusdata')!;
    const opened = decryptBundle(bundle, keys);
    expect(opened.ok && opened.plaintext).toBe(encodePayload(loginPayload('wire_bob', true, base, null)));
  });

  it('adds callback_url last in redirect mode, remember as a number', () => {
    expect(encodePayload(loginPayload('zoe', false, 'https://a.example', 'https://a.example/login'))).toBe(
      '{"username":"zoe","remember":0,"base_url":"https:\\/\\/a.example","callback_url":"https:\\/\\/a.example\\/login"}',
    );
  });
});

describe('callbackRedirect: back to the sending site only', () => {
  const site = 'http://127.0.0.1:8081';
  it('follows a callback on the site', () => {
    expect(callbackRedirect('http://127.0.0.1:8081/wp-admin/?x=1', site)).toEqual({
      accepted: true,
      location: 'http://127.0.0.1:8081/wp-admin/?x=1',
      repairedPort: false,
    });
    expect(callbackRedirect('HTTP://127.0.0.1:8081/login', site)).toMatchObject({ accepted: true });
  });
  it("gives the plugin's port-less callback the site's port back", () => {
    expect(callbackRedirect('http://127.0.0.1/wp-admin/', site)).toEqual({
      accepted: true,
      location: 'http://127.0.0.1:8081/wp-admin/',
      repairedPort: true,
    });
  });
  it.each([
    ['https://evil.example/', 'host'],
    ['http://127.0.0.1.evil.example:8081/', 'host'],
    ['http://127.0.0.1:9999/', 'port'],
    ['https://127.0.0.1:9999/', 'port'],
    ['http://user:pw@127.0.0.1:8081/', 'credentials'],
    ['javascript:alert(1)', 'http(s)'],
    ['//127.0.0.1:8081/x', 'http(s)'],
    ['', 'no callback_url'],
  ])('refuses %s (%s) and sends the browser to the site', (callback, reason) => {
    const decision = callbackRedirect(callback, site);
    expect(decision.accepted).toBe(false);
    expect(decision.location).toBe('http://127.0.0.1:8081/');
    if (!decision.accepted) expect(decision.reason).toContain(reason);
  });
  it("requires the site's path for a site in a subdirectory", () => {
    expect(callbackRedirect('https://a.example/blog/wp-admin/', 'https://a.example/blog')).toMatchObject({
      accepted: true,
    });
    expect(callbackRedirect('https://a.example/blog2/', 'https://a.example/blog')).toMatchObject({
      accepted: false,
    });
    expect(callbackRedirect('https://a.example/other', 'https://a.example/blog')).toMatchObject({
      accepted: false,
      location: 'https://a.example/blog',
    });
  });
  it('allows an http → https switch on default ports only', () => {
    expect(callbackRedirect('https://a.example/x', 'http://a.example')).toMatchObject({ accepted: true });
    expect(callbackRedirect('https://a.example:8443/x', 'http://a.example')).toMatchObject({
      accepted: false,
    });
  });
});
