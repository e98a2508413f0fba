import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../test/support/fixtures.js';
import {
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  TOKEN_GRACE_SECONDS,
  checkToken,
  consumesToken,
  generateNonce,
  isWellFormedNonce,
  shouldRefresh,
  tokenWindow,
} from './token-window.js';

const NOW = 1_795_829_668;

describe('generateNonce', () => {
  it('has the shape of the plugin’s nonces (32 lowercase hex) as captured on the wire', () => {
    const captures = loadFixture<{
      steps: { exchanges: { endpoint: string; response: { body: string } }[] }[];
    }>('wire-captures.json');
    const issued = captures.steps
      .flatMap((step) => step.exchanges)
      .filter((e) => e.endpoint === 'token' && e.response.body !== '')
      .map((e) => (JSON.parse(e.response.body) as { nonce: string }).nonce);
    expect(issued.length).toBeGreaterThan(5);
    for (const nonce of [...issued, generateNonce()]) expect(nonce).toMatch(/^[0-9a-f]{32}$/);
  });

  it('does not repeat', () => {
    expect(new Set(Array.from({ length: 1000 }, generateNonce)).size).toBe(1000);
  });
});

describe('isWellFormedNonce', () => {
  it('rejects what the plugin treats as empty, case variants and anything not ours', () => {
    expect(isWellFormedNonce('0e07c7bb26318e6f47930a75e1570089')).toBe(true);
    for (const bad of [
      '',
      '0',
      null,
      undefined,
      '0E07C7BB26318E6F47930A75E1570089',
      'deadbeef',
      ' 0e07c7bb26318e6f47930a75e1570089',
    ]) {
      expect(isWellFormedNonce(bad)).toBe(false);
    }
  });
});

describe('tokenWindow', () => {
  it('advertises now + lifetime, like WordPress, and really expires 60 s later', () => {
    expect(tokenWindow(1800, NOW)).toEqual({ advertisedExpiry: NOW + 1800, realExpiry: NOW + 1800 + 60 });
    expect(TOKEN_GRACE_SECONDS).toBeGreaterThanOrEqual(60);
  });

  it('reads the lifetime like absint(), 0 and nonsense meaning the default', () => {
    expect(tokenWindow(0, NOW).advertisedExpiry).toBe(NOW + DEFAULT_TOKEN_LIFETIME_SECONDS);
    expect(tokenWindow(Number.NaN, NOW).advertisedExpiry).toBe(NOW + 1800);
    expect(tokenWindow(-120, NOW).advertisedExpiry).toBe(NOW + 120);
    expect(tokenWindow(90.9, NOW).advertisedExpiry).toBe(NOW + 90);
  });

  it('covers the WordPress sender, which reuses a token until 30 s after the advertised expiry (Q3)', () => {
    const window = tokenWindow(1800, NOW);
    const lastReuse = window.advertisedExpiry + 30; // sender refreshes once expiry <= now - 30
    expect(checkToken({ realExpiry: window.realExpiry }, lastReuse, 'post')).toBe('ok');
    expect(window.realExpiry - lastReuse).toBeGreaterThanOrEqual(30); // slack for clock skew
  });
});

describe('checkToken', () => {
  const record = { realExpiry: NOW + 100 };

  it('knows unknown tokens', () => {
    expect(checkToken(undefined, NOW, 'post')).toBe('unknown');
    expect(checkToken(null, NOW, 'get')).toBe('unknown');
  });

  it('lets POST tokens be reused until they expire, inclusive of the expiry second', () => {
    expect(checkToken(record, NOW, 'post')).toBe('ok');
    expect(checkToken(record, NOW + 100, 'post')).toBe('ok');
    expect(checkToken(record, NOW + 101, 'post')).toBe('expired');
    expect(consumesToken('post')).toBe(false);
  });

  it('uses GET tokens up: once consumed, any mode sees a replay', () => {
    expect(checkToken(record, NOW, 'get')).toBe('ok');
    expect(consumesToken('get')).toBe(true);
    const consumed = { ...record, consumedAt: NOW };
    expect(checkToken(consumed, NOW + 1, 'get')).toBe('replayed');
    expect(checkToken(consumed, NOW + 1, 'post')).toBe('replayed');
    expect(checkToken({ ...record, consumedAt: null }, NOW, 'get')).toBe('ok');
  });

  it('binds to the minted method only when the record says so', () => {
    expect(checkToken({ ...record, mintedFor: 'get' }, NOW, 'post')).toBe('method_mismatch');
    expect(checkToken({ ...record, mintedFor: 'post' }, NOW, 'get')).toBe('method_mismatch');
    expect(checkToken({ ...record, mintedFor: 'post' }, NOW, 'post')).toBe('ok');
    expect(checkToken({ ...record, mintedFor: 'post' }, NOW + 200, 'get')).toBe('expired');
  });
});

describe('shouldRefresh (our sender)', () => {
  it('refreshes when nothing is cached or at most 30 s remain', () => {
    expect(shouldRefresh(undefined, NOW)).toBe(true);
    expect(shouldRefresh(null, NOW)).toBe(true);
    expect(shouldRefresh(NOW + 31, NOW)).toBe(false);
    expect(shouldRefresh(NOW + 30, NOW)).toBe(true);
    expect(shouldRefresh(NOW - 5, NOW)).toBe(true);
  });
});
