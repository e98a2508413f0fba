import { describe, expect, it } from 'vitest';
import { findSiteForSender, overlappingSites } from './site-matching.js';

const site = (url: string, name = url) => ({ url, name });
const pick = (sites: { url: string; name: string }[], baseUrl: string, strict = false) =>
  findSiteForSender(sites, baseUrl, { strict }).site?.name ?? null;

describe('findSiteForSender, plugin rules (§2.7)', () => {
  const doc = [site('https://a.com', 'root'), site('http://a.com/blog/', 'blog')];

  it.each([
    ['http://a.com', 'root'],
    ['https://a.com/blog', 'blog'],
    ['https://a.com/blog2', 'blog'], // plain string prefix, not a path segment
    ['https://a.com/other/x', 'root'],
    ['https://A.com', null], // hosts compare case-sensitively
    ['https://www.a.com', null],
  ])('doc example: %s → %s', (baseUrl, expected) => {
    expect(pick(doc, baseUrl)).toBe(expected);
  });

  it('doc example: a configured path is not a prefix of a shorter sender path', () => {
    expect(pick([site('https://a.com/blog')], 'https://a.com')).toBeNull();
  });

  const lab = [site('http://127.0.0.1:8081', '8081'), site('http://127.0.0.3:8093', '8093')];

  it.each([
    'https://127.0.0.1:8081',
    'HTTP://127.0.0.1:8081',
    'http://127.0.0.1',
    'http://127.0.0.1:8081/any/sub/path',
    'http://127.0.0.1:8081/?x=1#f',
    'http://127.0.0.1:8081\\\\//',
    '127.0.0.1:8081',
    '//127.0.0.1:8081',
    'http://user:pw@127.0.0.1:8081',
  ])('as observed on the lab receiver, %s is the 8081 site', (baseUrl) => {
    expect(pick(lab, baseUrl)).toBe('8081');
  });

  it('ignores the port altogether, as observed', () => {
    expect(pick(lab, 'http://127.0.0.3:1234')).toBe('8093');
    expect(pick(lab, 'http://127.0.0.1:9999')).toBe('8081');
  });

  it.each([
    'http://127.0.0.2:8081',
    '',
    '127.0.0.1',
    'a.com/blog',
    'http://127.0.0.1:99999',
    'http:/127.0.0.1',
  ])('matches nothing for %j', (baseUrl) => {
    expect(findSiteForSender(lab, baseUrl)).toEqual({ site: null, matches: [], ambiguous: false });
  });

  it('gives a tie to the later entry and flags it (B attributed A to a third peer on 8090)', () => {
    const sites = [site('http://127.0.0.1:8081', 'A'), site('http://127.0.0.1:8090', 'third')];
    const result = findSiteForSender(sites, 'http://127.0.0.1:8081');
    expect(result.site?.name).toBe('third');
    expect(result.matches.map((s) => s.name)).toEqual(['third', 'A']);
    expect(result.ambiguous).toBe(true);
  });

  it('prefers the longest prefix and returns the rest, best first, without calling it ambiguous', () => {
    const sites = [
      site('http://a.com/blog', 'blog'),
      site('http://a.com', 'root'),
      site('http://a.com/blog/en', 'en'),
    ];
    const result = findSiteForSender(sites, 'http://a.com/blog/en/x');
    expect(result.matches.map((s) => s.name)).toEqual(['en', 'blog', 'root']);
    expect(result.ambiguous).toBe(false);
  });

  it('compares raw path strings (no decoding, case-sensitive)', () => {
    expect(pick([site('http://a.com/Blog')], 'http://a.com/blog')).toBeNull();
    expect(pick([site('http://a.com/caf%C3%A9')], 'http://a.com/café')).toBeNull();
  });
});

describe('findSiteForSender, strict mode', () => {
  const sites = [site('https://a.com/blog/', 'blog'), site('http://b.com:8080', 'b')];

  it.each([
    ['https://a.com/blog', 'blog'],
    ['https://A.COM:443/blog//', 'blog'],
    ['HTTPS://a.com/blog?x=1', 'blog'],
    ['http://b.com:8080/', 'b'],
    ['http://a.com/blog', null],
    ['https://a.com:8443/blog', null],
    ['https://a.com/blog2', null],
    ['https://a.com', null],
    ['http://b.com', null],
    ['b.com:8080', null],
    ['ftp://b.com:8080', null],
  ])('%s → %s', (baseUrl, expected) => {
    expect(pick(sites, baseUrl, true)).toBe(expected);
  });

  it('reports duplicates as ambiguous, later entry first', () => {
    const result = findSiteForSender(
      [site('https://a.com', '1'), site('https://a.com/', '2')],
      'https://a.com',
      {
        strict: true,
      },
    );
    expect(result.matches.map((s) => s.name)).toEqual(['2', '1']);
    expect(result.ambiguous).toBe(true);
  });
});

describe('overlappingSites', () => {
  it('finds same-host sites that shadow or nest each other under the plugin rules', () => {
    const sites = [
      site('http://127.0.0.1:8081', 'A'),
      site('http://127.0.0.1:8090/', 'third'),
      site('http://a.com/blog', 'blog'),
      site('https://a.com/blog2', 'blog2'),
      site('http://b.com', 'b'),
      site('http://B.com/x', 'B'),
    ];
    const found = overlappingSites(sites).map((o) => [o.kind, o.first.name, o.second.name]);
    expect(found).toEqual([
      ['same', 'A', 'third'],
      ['nested', 'blog', 'blog2'],
    ]);
  });

  it('finds nothing in a clean configuration', () => {
    expect(overlappingSites([site('https://a.com'), site('https://b.com'), site('not a url')])).toEqual([]);
  });
});
