/** Helpers for DNS checker tests: a checker wired to a test server with small timeouts. */
import { createDomainChecker, type DomainChecker, type DomainCheckerOptions } from '../../src/dns/index.js';
import type { DnsOptions } from '../../src/types.js';
import type { DnsServer } from './dns-server.js';

export const TEST_DNS: Omit<DnsOptions, 'servers'> = { timeoutMs: 200, retries: 1 };

export function checkerFor(
  server: DnsServer,
  options: Omit<DomainCheckerOptions, 'dns'> & { dns?: Omit<DnsOptions, 'servers'> } = {},
): DomainChecker {
  const { dns, ...rest } = options;
  return createDomainChecker({
    rate: 100_000,
    concurrency: 50,
    backoffMs: 5,
    ...rest,
    dns: { ...TEST_DNS, ...dns, servers: [server.address] },
  });
}
