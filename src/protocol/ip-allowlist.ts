/**
 * IP allow-lists for peer calls and trusted-proxy handling (protocol doc §5, Q7).
 *
 * Unlike the plugin (IPv4 only through `ip2long`, `REMOTE_ADDR` only, `/0` never matching) this
 * accepts IPv4 and IPv6 addresses and CIDR ranges; IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is treated
 * as the IPv4 address it carries, on both sides. Arithmetic is on bigints, 32 or 128 bits wide.
 */

export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

export interface IpRange extends IpAddress {
  /** Prefix length in bits; `value` is the network address with host bits cleared. */
  readonly prefix: number;
  /** The entry as written. */
  readonly source: string;
}

export interface AllowListIssue {
  /** 1-based line of the entry in the input. */
  readonly line: number;
  readonly entry: string;
  readonly message: string;
}

export type AllowListParseResult =
  | { readonly ok: true; readonly ranges: IpRange[]; readonly warnings: AllowListIssue[] }
  | { readonly ok: false; readonly errors: AllowListIssue[]; readonly warnings: AllowListIssue[] };

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const WIDTH = { 4: 32, 6: 128 } as const;

/**
 * Parses an allow-list: one entry per line (commas also separate; `#` starts a comment; blank
 * lines are ignored), each an address or `address/prefix`. Every bad entry gets its own error.
 * Host bits set in a range (`192.168.1.7/30`) are cleared, as the plugin does, with a warning.
 */
export function parseAllowList(input: string | readonly string[]): AllowListParseResult {
  const lines = typeof input === 'string' ? input.split(/\r?\n/) : input;
  const ranges: IpRange[] = [];
  const errors: AllowListIssue[] = [];
  const warnings: AllowListIssue[] = [];
  lines.forEach((text, index) => {
    for (const raw of (text.split('#')[0] ?? '').split(',')) {
      const entry = raw.trim();
      if (entry === '') continue;
      const issue = (message: string): AllowListIssue => ({ line: index + 1, entry, message });
      const parsed = parseRange(entry);
      if (!parsed.ok) {
        errors.push(issue(parsed.message));
        continue;
      }
      const range = parsed.value;
      if (range.prefix === 0) {
        warnings.push(issue('matches every address (the WordPress plugin ignores /0 ranges)'));
      }
      if (range.network !== range.value) {
        const network = formatIp({ family: range.family, value: range.network });
        warnings.push(issue(`host bits are set; treated as ${network}/${range.prefix}`));
      }
      ranges.push({ family: range.family, value: range.network, prefix: range.prefix, source: entry });
    }
  });
  return errors.length === 0 ? { ok: true, ranges, warnings } : { ok: false, errors, warnings };
}

/** Whether `ip` lies in one of `ranges`. An empty list allows nothing; an unparsable `ip` is refused. */
export function isAllowed(ranges: readonly IpRange[], ip: string): boolean {
  const address = parseIpAddress(ip);
  return address !== null && ranges.some((range) => inRange(range, address));
}

/**
 * The client address of a request, canonicalised (`::ffff:1.2.3.4` → `1.2.3.4`, IPv6 in RFC 5952
 * form). X-Forwarded-For is consulted only when the socket peer is a trusted proxy; it is then
 * walked from the right, skipping trusted proxies, and the first other hop is the client (a
 * malformed hop is returned as written, so it can never pass an allow-list). If every hop is
 * trusted the leftmost one is returned. Returns null only when the socket address is unknown.
 */
export function clientIp(
  socketAddress: string | undefined,
  xForwardedFor: string | readonly string[] | undefined,
  trustedProxies: readonly IpRange[],
): string | null {
  const peer = socketAddress === undefined ? null : parseIpAddress(socketAddress);
  if (peer === null) return socketAddress?.trim() || null;
  const isTrusted = (address: IpAddress): boolean => trustedProxies.some((range) => inRange(range, address));
  if (!isTrusted(peer)) return formatIp(peer);
  const header = typeof xForwardedFor === 'string' ? xForwardedFor : (xForwardedFor ?? []).join(',');
  const hops = header
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '');
  let client = peer;
  for (const hop of hops.reverse()) {
    const address = parseIpAddress(stripPort(hop));
    if (address === null) return hop;
    client = address;
    if (!isTrusted(address)) break;
  }
  return formatIp(client);
}

/** Parses an address (zone index and surrounding brackets ignored); IPv4-mapped IPv6 → IPv4. */
export function parseIpAddress(text: string): IpAddress | null {
  const bare =
    text
      .trim()
      .replace(/^\[(.*)\]$/, '$1')
      .split('%')[0] ?? '';
  const parsed = parseRaw(bare);
  return parsed.ok ? unmap(parsed.value) : null;
}

/** Dotted quad, or RFC 5952 IPv6 (lower case, longest run of zero groups compressed). */
export function formatIp(address: IpAddress): string {
  if (address.family === 4)
    return [24n, 16n, 8n, 0n].map((shift) => String((address.value >> shift) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) =>
    Number((address.value >> BigInt(112 - 16 * i)) & 0xffffn),
  );
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
  }
  const hex = groups.map((group) => group.toString(16));
  if (best.start === -1) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

function inRange(range: IpRange, address: IpAddress): boolean {
  if (range.family !== address.family) return false;
  const shift = BigInt(WIDTH[range.family] - range.prefix);
  return address.value >> shift === range.value >> shift;
}

function unmap(address: IpAddress): IpAddress {
  return address.family === 6 && address.value >> 32n === 0xffffn
    ? { family: 4, value: address.value & 0xffffffffn }
    : address;
}

function stripPort(hop: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hop);
  if (bracketed?.[1] !== undefined) return bracketed[1];
  return /^[\d.]+:\d+$/.test(hop) ? hop.slice(0, hop.lastIndexOf(':')) : hop;
}

function parseRange(entry: string): Parsed<IpAddress & { prefix: number; network: bigint }> {
  const [addressText = '', prefixText, extra] = entry.split('/');
  if (extra !== undefined) return { ok: false, message: 'more than one "/"' };
  if (addressText.includes('%')) return { ok: false, message: 'zone indexes (%…) are not allowed' };
  const parsed = parseRaw(addressText);
  if (!parsed.ok) return parsed;
  let address = parsed.value;
  const width: number = WIDTH[address.family];
  let prefix = width;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText))
      return { ok: false, message: `prefix length "${prefixText}" is not a number` };
    prefix = Number(prefixText);
    if (prefix > width)
      return { ok: false, message: `prefix /${prefix} exceeds ${width} bits for IPv${address.family}` };
  }
  const mapped = unmap(address);
  if (mapped !== address && prefix >= 96) [address, prefix] = [mapped, prefix - 96];
  const shift = BigInt(WIDTH[address.family] - prefix);
  return { ok: true, value: { ...address, prefix, network: (address.value >> shift) << shift } };
}

function parseRaw(text: string): Parsed<IpAddress> {
  if (text === '') return { ok: false, message: 'empty address' };
  if (text.includes(':')) return parseV6(text);
  if (/^[\d.]+$/.test(text)) return parseV4(text);
  return { ok: false, message: 'not an IPv4 or IPv6 address (host names are not supported)' };
}

function parseV4(text: string): Parsed<IpAddress> {
  const octets = text.split('.');
  if (octets.length !== 4)
    return { ok: false, message: `expected 4 dot-separated numbers, found ${octets.length}` };
  let value = 0n;
  for (const octet of octets) {
    if (!/^\d{1,3}$/.test(octet))
      return { ok: false, message: `octet "${octet}" is not a number from 0 to 255` };
    if (octet.length > 1 && octet.startsWith('0')) {
      return { ok: false, message: `octet "${octet}" has a leading zero (octal or decimal?)` };
    }
    if (Number(octet) > 255) return { ok: false, message: `octet "${octet}" is out of range 0-255` };
    value = (value << 8n) | BigInt(octet);
  }
  return { ok: true, value: { family: 4, value } };
}

function parseV6(input: string): Parsed<IpAddress> {
  let text = input.toLowerCase();
  let low32: bigint | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseV4(text.slice(lastColon + 1));
    if (!v4.ok) return { ok: false, message: `embedded IPv4: ${v4.message}` };
    low32 = v4.value.value;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return { ok: false, message: '"::" may appear only once' };
  const [head = [], tail = []] = halves.map((half) => (half === '' ? [] : half.split(':')));
  for (const group of [...head, ...tail]) {
    if (group === '') return { ok: false, message: 'empty group (stray ":")' };
    if (!/^[0-9a-f]+$/.test(group)) return { ok: false, message: `group "${group}" is not hexadecimal` };
    if (group.length > 4) return { ok: false, message: `group "${group}" has more than 4 hex digits` };
  }
  const count = head.length + tail.length;
  if (halves.length === 1 && count !== 8) return { ok: false, message: `expected 8 groups, found ${count}` };
  if (halves.length === 2 && count > 7)
    return { ok: false, message: `too many groups (${count}) around "::"` };
  const groups = [...head, ...Array<string>(8 - count).fill('0'), ...tail];
  let value = groups.reduce((acc, group) => (acc << 16n) | BigInt(`0x${group}`), 0n);
  if (low32 !== null) value = ((value >> 32n) << 32n) | low32;
  return { ok: true, value: { family: 6, value } };
}
