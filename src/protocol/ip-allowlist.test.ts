import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  clientIp,
  formatIp,
  isAllowed,
  parseAllowList,
  parseIpAddress,
  type IpRange,
} from './ip-allowlist.js';

function ranges(text: string): IpRange[] {
  const parsed = parseAllowList(text);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('; '));
  return parsed.ranges;
}

describe('parseAllowList', () => {
  it('reads one entry per line (or comma), with comments and blank lines', () => {
    const parsed = parseAllowList('10.0.0.0/8\r\n\n  192.168.1.5 , 2001:db8::/32 # office\n# all comment\n');
    expect(parsed.ok && parsed.ranges.map((r) => `${formatIp(r)}/${r.prefix}`)).toEqual([
      '10.0.0.0/8',
      '192.168.1.5/32',
      '2001:db8::/32',
    ]);
  });

  it('accepts a list of strings too', () => {
    expect(parseAllowList(['::1', '127.0.0.1']).ok).toBe(true);
  });

  it('gives one precise error per bad entry, with its line', () => {
    const parsed = parseAllowList(
      [
        '10.0.0.300',
        '10.0.0.0/33',
        '1.2.3',
        '010.1.1.1',
        'example.com',
        '1:2:3:4:5:6:7:8:9',
        '1::2::3',
        '12345::',
        'fe80::1%eth0',
        '10.0.0.0/8/9',
        '2001:db8::/abc',
        '::/129',
        '1:2:3:4:5:6:7',
        '::ffff:1.2.3.999',
        'gggg::',
        ':1:2:3:4:5:6:7',
        '10.0.0.1/',
      ].join('\n'),
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => `${e.line} ${e.entry}: ${e.message}`)).toEqual([
      '1 10.0.0.300: octet "300" is out of range 0-255',
      '2 10.0.0.0/33: prefix /33 exceeds 32 bits for IPv4',
      '3 1.2.3: expected 4 dot-separated numbers, found 3',
      '4 010.1.1.1: octet "010" has a leading zero (octal or decimal?)',
      '5 example.com: not an IPv4 or IPv6 address (host names are not supported)',
      '6 1:2:3:4:5:6:7:8:9: expected 8 groups, found 9',
      '7 1::2::3: "::" may appear only once',
      '8 12345::: group "12345" has more than 4 hex digits',
      '9 fe80::1%eth0: zone indexes (%…) are not allowed',
      '10 10.0.0.0/8/9: more than one "/"',
      '11 2001:db8::/abc: prefix length "abc" is not a number',
      '12 ::/129: prefix /129 exceeds 128 bits for IPv6',
      '13 1:2:3:4:5:6:7: expected 8 groups, found 7',
      '14 ::ffff:1.2.3.999: embedded IPv4: octet "999" is out of range 0-255',
      '15 gggg::: group "gggg" is not hexadecimal',
      '16 :1:2:3:4:5:6:7: empty group (stray ":")',
      '17 10.0.0.1/: prefix length "" is not a number',
    ]);
  });

  it('clears host bits like the plugin, and warns about it and about /0', () => {
    const parsed = parseAllowList('192.168.1.7/30\n0.0.0.0/0');
    expect(parsed.ok && parsed.warnings.map((w) => w.message)).toEqual([
      'host bits are set; treated as 192.168.1.4/30',
      'matches every address (the WordPress plugin ignores /0 ranges)',
    ]);
  });
});

describe('isAllowed', () => {
  it('matches IPv4 addresses and ranges, masking misaligned networks (plugin example)', () => {
    const list = ranges('192.168.1.7/30\n10.1.2.3');
    expect(isAllowed(list, '192.168.1.5')).toBe(true);
    expect(isAllowed(list, '192.168.1.8')).toBe(false);
    expect(isAllowed(list, '10.1.2.3')).toBe(true);
    expect(isAllowed(list, '10.1.2.4')).toBe(false);
  });

  it('treats IPv4-mapped IPv6 as IPv4, on both sides', () => {
    expect(isAllowed(ranges('10.0.0.0/8'), '::ffff:10.9.8.7')).toBe(true);
    expect(isAllowed(ranges('10.0.0.0/8'), '::FFFF:a09:807')).toBe(true);
    expect(isAllowed(ranges('::ffff:10.0.0.0/104'), '10.200.0.1')).toBe(true);
    expect(isAllowed(ranges('::ffff:10.0.0.0/104'), '11.0.0.1')).toBe(false);
  });

  it('handles IPv6 compression, case, brackets and zone indexes', () => {
    const list = ranges('2001:DB8::/48\n::1');
    expect(isAllowed(list, '2001:db8:0:ffff::1')).toBe(true);
    expect(isAllowed(list, '2001:0db8:0000:0000:0000:0000:0000:0001')).toBe(true);
    expect(isAllowed(list, '2001:db8:1::1')).toBe(false);
    expect(isAllowed(list, '[::1]')).toBe(true);
    expect(isAllowed(list, '0:0:0:0:0:0:0:1')).toBe(true);
    expect(isAllowed(ranges('fe80::/10'), 'fe80::1%eth0')).toBe(true);
  });

  it('keeps families apart and refuses garbage', () => {
    expect(isAllowed(ranges('0.0.0.0/0'), '::2')).toBe(false);
    expect(isAllowed(ranges('::/0'), '1.2.3.4')).toBe(false);
    expect(isAllowed(ranges('::/0'), '::2')).toBe(true);
    expect(isAllowed(ranges('10.0.0.0/8'), 'not-an-ip')).toBe(false);
    expect(isAllowed([], '10.0.0.1')).toBe(false);
  });
});

describe('parseIpAddress / formatIp', () => {
  it.each([
    ['2001:0DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['1:0:2:0:3:0:4:0', '1:0:2:0:3:0:4:0'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::1.2.3.4', '::102:304'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ])('%s → %s', (input, canonical) => {
    const address = parseIpAddress(input);
    expect(address && formatIp(address)).toBe(canonical);
  });

  it('agrees with node:net on what is an address', () => {
    const samples = [
      '1.2.3.4',
      '255.255.255.255',
      '256.1.1.1',
      '1.2.3.04',
      '::',
      '::1',
      '1::',
      'a:b:c:d:e:f:1:2',
      'a:b:c:d:e:f:1:2:3',
      '1::2::3',
      ':::',
      '1:2:3:4:5:6:7::',
      '::ffff:1.2.3.4',
      '1.2.3.4::',
      'g::',
      '12345::',
      '',
    ];
    for (const sample of samples)
      expect([sample, parseIpAddress(sample) !== null]).toEqual([sample, isIP(sample) !== 0]);
  });
});

describe('clientIp', () => {
  const proxies = ranges('10.0.0.0/8\n::1');

  it('uses the socket address when no proxy is trusted, ignoring X-Forwarded-For', () => {
    expect(clientIp('203.0.113.9', '1.1.1.1', [])).toBe('203.0.113.9');
    expect(clientIp('::ffff:203.0.113.9', '1.1.1.1', [])).toBe('203.0.113.9');
  });

  it('ignores X-Forwarded-For from an untrusted peer', () => {
    expect(clientIp('203.0.113.9', '10.0.0.1', proxies)).toBe('203.0.113.9');
  });

  it('walks X-Forwarded-For from the right, skipping trusted proxies', () => {
    expect(clientIp('10.0.0.2', '198.51.100.1, 203.0.113.7, 10.0.0.5', proxies)).toBe('203.0.113.7');
    expect(clientIp('::1', ['198.51.100.1', '10.1.1.1'], proxies)).toBe('198.51.100.1');
    expect(clientIp('::ffff:10.0.0.2', '2001:DB8::0:1', proxies)).toBe('2001:db8::1');
  });

  it('strips ports that some proxies append', () => {
    expect(clientIp('10.0.0.2', '198.51.100.1:5555', proxies)).toBe('198.51.100.1');
    expect(clientIp('10.0.0.2', '[2001:db8::1]:443', proxies)).toBe('2001:db8::1');
  });

  it('stops at a malformed hop and returns it, so that no allow-list can accept it', () => {
    const ip = clientIp('10.0.0.2', '198.51.100.1, unknown, 10.0.0.3', proxies);
    expect(ip).toBe('unknown');
    expect(isAllowed(ranges('0.0.0.0/0\n::/0'), ip ?? '')).toBe(false);
  });

  it('falls back to the leftmost hop when all are trusted, and to the peer without a header', () => {
    expect(clientIp('10.0.0.2', '10.0.0.9, 10.0.0.8', proxies)).toBe('10.0.0.9');
    expect(clientIp('10.0.0.2', undefined, proxies)).toBe('10.0.0.2');
    expect(clientIp('10.0.0.2', ' , ', proxies)).toBe('10.0.0.2');
  });

  it('returns null when the socket address is unknown', () => {
    expect(clientIp(undefined, '1.2.3.4', proxies)).toBeNull();
  });
});
