/** The reversed forms of an IP that PTR lookups (in-addr.arpa, ip6.arpa) and IP block lists use. */
import { isIPv4, isIPv6 } from 'node:net';

/** The 32 hex digits of an IPv6 address, "::" expanded (an embedded IPv4 tail converted). */
function ipv6Nibbles(ip: string): string {
  let text = ip.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4 !== null) {
    const [a, b, c, d] = (v4[1] as string).split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -(v4[1] as string).length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((group) => group.padStart(4, '0')).join('');
}

/** "203.0.113.5" -> "5.113.0.203"; IPv6 -> its 32 nibbles, last first, dot-separated. */
export function reversedIp(ip: string): string {
  if (isIPv4(ip)) return ip.split('.').reverse().join('.');
  if (isIPv6(ip)) return [...ipv6Nibbles(ip)].reverse().join('.');
  throw new Error(`not an IP address: ${ip}`);
}

export function ptrName(ip: string): string {
  return `${reversedIp(ip)}.${isIPv4(ip) ? 'in-addr.arpa' : 'ip6.arpa'}`;
}

/** The same address whatever its spelling (IPv6 zero compression, case). */
export function sameIp(a: string, b: string): boolean {
  if (isIPv4(a) || isIPv4(b)) return a === b;
  return isIPv6(a) && isIPv6(b) && ipv6Nibbles(a) === ipv6Nibbles(b);
}
