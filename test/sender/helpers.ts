/**
 * The sender tests' setup: the real test DNS server serving the sender zones on loopback, and a
 * real DomainChecker pointed at it (the same resolver, limiter and timeouts preflight uses).
 */
import { afterAll, beforeAll } from 'vitest';
import { createDomainChecker, type DomainChecker } from '../../src/dns/index.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { senderZone } from '../support/sender-zones.js';

export interface SenderDns {
  server: DnsServer;
  checker: DomainChecker;
}

/** Start the server and a checker before the file's tests; stop both after. No retries: drops are tested (each waits the 2 s timeout). */
export function useSenderDns(): SenderDns {
  const dns = {} as SenderDns;
  beforeAll(async () => {
    dns.server = await startDnsServer(senderZone());
    dns.checker = createDomainChecker({ dns: { servers: [dns.server.address], timeoutMs: 2000, retries: 0 } });
    await dns.checker.ready();
  });
  afterAll(async () => {
    await dns.checker?.close();
    await dns.server?.close();
  });
  return dns;
}

export interface SenderServers {
  /** Serves the sender zones. */
  server: DnsServer;
  /** The same zones, answering NXDOMAIN for everything (a lying resolver). */
  liar: DnsServer;
}

/** Start an honest and a lying server before the file's tests; stop both after. */
export function useSenderServers(): SenderServers {
  const servers = {} as SenderServers;
  beforeAll(async () => {
    const zone = senderZone();
    [servers.server, servers.liar] = await Promise.all([startDnsServer(zone), startDnsServer(zone, { mode: 'lie' })]);
  });
  afterAll(async () => {
    await Promise.all([servers.server?.close(), servers.liar?.close()]);
  });
  return servers;
}
