import { describe, expect, it } from 'vitest';
import { BROWSER_SUPPORT_DEFAULTS, isSafariUserAgent, needsRedirect } from './browser-support.js';

const UA = {
  macSafari:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  iphoneSafari:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  iphoneChrome:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1',
  ipadApp:
    'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  chrome:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  edge: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0',
  opera:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0',
  firefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
  wordpress: 'WordPress/6.1.9; http://127.0.0.1:8081',
};

describe("WordPress core's $is_safari", () => {
  it.each([
    ['macSafari', true],
    ['iphoneSafari', true],
    ['iphoneChrome', true], // CriOS has no "Chrome" token
    ['chrome', false],
    ['edge', false],
    ['opera', false],
    ['firefox', false],
    ['wordpress', false],
  ] as const)('%s → %s', (name, expected) => {
    expect(isSafariUserAgent(UA[name])).toBe(expected);
  });
  it('no user agent is not Safari', () => expect(isSafariUserAgent(undefined)).toBe(false));
});

describe('needs_redirect()', () => {
  const d = BROWSER_SUPPORT_DEFAULTS;
  it('redirects Safari and iPhone/iPad browsers by default, not the others', () => {
    expect(needsRedirect(d, UA.iphoneSafari)).toBe(true);
    expect(needsRedirect(d, UA.ipadApp)).toBe(true); // iPad without "Safari"
    expect(needsRedirect(d, UA.chrome)).toBe(false);
    expect(needsRedirect(d, undefined)).toBe(false);
  });
  it('force strict redirects everyone; force disable wins over everything', () => {
    expect(needsRedirect({ ...d, forceStrict: true }, UA.chrome)).toBe(true);
    expect(needsRedirect({ ...d, forceDisableStrict: true }, UA.iphoneSafari)).toBe(false);
    expect(needsRedirect({ ...d, forceStrict: true, forceDisableStrict: true }, UA.chrome)).toBe(false);
  });
});
