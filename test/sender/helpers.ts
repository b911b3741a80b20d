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

/** Start the server and a checker before the file's tests; stop both after. Short timeouts: drops are tested. */
export function useSenderDns(): SenderDns {
  const dns = {} as SenderDns;
  beforeAll(async () => {
    dns.server = await startDnsServer(senderZone());
    dns.checker = createDomainChecker({ dns: { servers: [dns.server.address], timeoutMs: 300, retries: 0 } });
    await dns.checker.ready();
  });
  afterAll(async () => {
    await dns.checker?.close();
    await dns.server?.close();
  });
  return dns;
}
