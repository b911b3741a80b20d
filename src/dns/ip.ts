/**
 * Is an MX host address usable for delivery from the public internet? Loopback, unspecified,
 * private (RFC 1918, fc00::/7), shared CGNAT space, link-local, documentation, benchmarking,
 * multicast and reserved ranges are not. With `allowPrivate`, RFC 1918, CGNAT and ULA addresses
 * count as usable (internal lists); with `allowLoopback`, 127.0.0.0/8 and ::1 do (tests, local relays).
 */
import { BlockList, SocketAddress, isIP, isIPv4, isIPv6 } from 'node:net';

interface Range {
  prefix: string;
  bits: number;
  label: string;
  /** Accepted when allowPrivate is set. */
  private?: boolean;
  /** Accepted when allowLoopback is set. */
  loopback?: boolean;
}

/** Which non-public MX addresses count as usable; a boolean is the allowPrivate setting alone. */
export interface AddressPolicy {
  allowPrivate?: boolean;
  allowLoopback?: boolean;
}

const V4_RANGES: Range[] = [
  { prefix: '0.0.0.0', bits: 8, label: 'unspecified ("this network")' },
  { prefix: '10.0.0.0', bits: 8, label: 'private (RFC 1918)', private: true },
  { prefix: '100.64.0.0', bits: 10, label: 'shared carrier-grade NAT space', private: true },
  { prefix: '127.0.0.0', bits: 8, label: 'loopback', loopback: true },
  { prefix: '169.254.0.0', bits: 16, label: 'link-local' },
  { prefix: '172.16.0.0', bits: 12, label: 'private (RFC 1918)', private: true },
  { prefix: '192.0.0.0', bits: 24, label: 'reserved (IETF protocol assignments)' },
  { prefix: '192.0.2.0', bits: 24, label: 'documentation' },
  { prefix: '192.168.0.0', bits: 16, label: 'private (RFC 1918)', private: true },
  { prefix: '198.18.0.0', bits: 15, label: 'benchmarking' },
  { prefix: '198.51.100.0', bits: 24, label: 'documentation' },
  { prefix: '203.0.113.0', bits: 24, label: 'documentation' },
  { prefix: '224.0.0.0', bits: 4, label: 'multicast' },
  { prefix: '240.0.0.0', bits: 4, label: 'reserved' },
];

/** IPv6: only global unicast (2000::/3) is usable, minus these. */
const V6_RANGES: Range[] = [
  { prefix: '2001:db8::', bits: 32, label: 'documentation' },
  { prefix: '3fff::', bits: 20, label: 'documentation' },
  { prefix: '2001:2::', bits: 48, label: 'benchmarking' },
];
const V6_SPECIAL: Range[] = [
  { prefix: '::', bits: 128, label: 'unspecified' },
  { prefix: '::1', bits: 128, label: 'loopback', loopback: true },
  { prefix: '::ffff:0:0', bits: 96, label: 'IPv4-mapped' },
  { prefix: 'fc00::', bits: 7, label: 'private (unique local)', private: true },
  { prefix: 'fe80::', bits: 10, label: 'link-local' },
  { prefix: 'ff00::', bits: 8, label: 'multicast' },
];

function blockList(ranges: Range[], family: 'ipv4' | 'ipv6'): Array<{ range: Range; list: BlockList }> {
  return ranges.map((range) => {
    const list = new BlockList();
    list.addSubnet(range.prefix, range.bits, family);
    return { range, list };
  });
}

/** IPv4 ranges as [network, mask] integers: a check is a few integer ops (it runs per address). */
const V4 = V4_RANGES.map((range) => {
  const mask = range.bits === 0 ? 0 : (0xffffffff << (32 - range.bits)) >>> 0;
  return { range, network: (v4ToInt(range.prefix) & mask) >>> 0, mask };
});

function v4ToInt(address: string): number {
  const [a = 0, b = 0, c = 0, d = 0] = address.split('.').map(Number);
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}
const V6 = blockList([...V6_SPECIAL, ...V6_RANGES], 'ipv6');
const GLOBAL_UNICAST = new BlockList();
GLOBAL_UNICAST.addSubnet('2000::', 3, 'ipv6');

/**
 * Why an address is not usable, or null when it is usable. `255.255.255.255` falls in 240/4.
 */
export function unusableReason(address: string, policy: boolean | AddressPolicy = false): string | null {
  const allowPrivate = typeof policy === 'boolean' ? policy : policy.allowPrivate === true;
  const allowLoopback = typeof policy !== 'boolean' && policy.allowLoopback === true;
  const verdict = (range: Range): string | null =>
    (range.private === true && allowPrivate) || (range.loopback === true && allowLoopback) ? null : range.label;
  if (isIPv4(address)) {
    const value = v4ToInt(address);
    for (const { range, network, mask } of V4) {
      if (((value & mask) >>> 0) === network) return verdict(range);
    }
    return null;
  }
  if (isIPv6(address)) {
    const socketAddress = new SocketAddress({ address, family: 'ipv6' });
    for (const { range, list } of V6) {
      if (list.check(socketAddress)) return verdict(range);
    }
    return GLOBAL_UNICAST.check(socketAddress) ? null : 'reserved';
  }
  return 'not an IP address';
}

export function isUsableAddress(address: string, policy: boolean | AddressPolicy = false): boolean {
  return unusableReason(address, policy) === null;
}

/**
 * net.isIP(s) !== 0, with the common dotted-quad IPv4 checked by hand first: net.isIP runs its
 * regexes at ~1 us an address, and a warm cache file holds tens of thousands (checked on load).
 */
export function isIpAddress(s: string): boolean {
  return isDottedQuad(s) || isIP(s) !== 0;
}

/** Four decimal octets 0-255 without leading zeros: exactly what net.isIPv4 accepts. */
export function isDottedQuad(s: string): boolean {
  const length = s.length;
  if (length < 7 || length > 15) return false;
  let parts = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= length; i++) {
    const c = i === length ? 0x2e : s.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || value > 255) return false;
      parts++;
      value = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits === 1 && value === 0) return false; // a leading zero
      value = value * 10 + (c - 0x30);
      if (++digits > 3) return false;
    } else {
      return false;
    }
  }
  return parts === 4;
}
