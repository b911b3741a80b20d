/**
 * Resolver addresses from the command line or the environment, checked where the user typed them,
 * so the message names `--dns` or `$LISTSCRUB_DNS` rather than the library's `dns.servers`.
 */
import { isIP, isIPv4, isIPv6 } from 'node:net';
import { ListscrubError } from '../errors.js';

const FORMS = 'IP, IP:PORT or [IPv6]:PORT, e.g. 127.0.0.1:5353';

function isServer(server: string): boolean {
  const bracketed = /^\[([^\]]+)\]:(\d{1,5})$/.exec(server);
  if (bracketed !== null) return isIPv6(bracketed[1]!) && validPort(bracketed[2]!);
  const withPort = /^([^:]+):(\d{1,5})$/.exec(server);
  if (withPort !== null) return isIPv4(withPort[1]!) && validPort(withPort[2]!);
  return isIP(server) !== 0;
}

function validPort(port: string): boolean {
  const n = Number(port);
  return n >= 1 && n <= 65535;
}

/** Why a server entry is wrong, in words the user can act on. */
function problem(server: string): string {
  const host = server.replace(/:\d+$/, '');
  if (/^localhost$/i.test(host)) return `"${server}" is a host name; resolvers are given by address (for this machine: 127.0.0.1${server.slice(host.length)})`;
  if (/[a-z]/i.test(host) && !host.includes(':')) return `"${server}" is a host name, not an IP address`;
  return `"${server}" is not an IP address with an optional port`;
}

/**
 * Check resolver addresses; `source` is where they came from (`--dns`, `$LISTSCRUB_DNS`).
 * Throws E_USAGE naming it.
 */
export function checkServers(servers: readonly string[], source: string): void {
  for (const server of servers) {
    if (!isServer(server)) throw new ListscrubError('E_USAGE', `${source}: ${problem(server)}. It takes ${FORMS}.`);
  }
}
