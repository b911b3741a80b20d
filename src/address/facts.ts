/**
 * Facts about a normalized address that a result file shows whatever the verdict's reason was
 * (a typo or a DNS answer can outrank them): free-mail provider, role mailbox, disposable domain.
 */
import { createRequire } from 'node:module';
import { domainInfo } from './domain.js';
import { isRoleAccount } from './index.js';

/**
 * Free-mail domains from the maintained email-providers package (~8,700 domains), less the names
 * reserved for documentation and tests (RFC 2606), which that list carries (example.com, test.com
 * is a real company's but no free mail either).
 */
const RESERVED = new Set(['example.com', 'example.net', 'example.org', 'test.com', 'test.de', 'mydomain.com', 'yourdomain.com']);
const FREE_MAIL: ReadonlySet<string> = new Set(
  (createRequire(import.meta.url)('email-providers/all.json') as string[]).filter((domain) => !RESERVED.has(domain)),
);

export interface AddressFacts {
  free: boolean;
  role: boolean;
  disposable: boolean;
}

/** Facts about a normalized address (`local@ascii-domain`, as Verdict.address holds it). */
export function addressFacts(address: string): AddressFacts {
  const at = address.lastIndexOf('@');
  const domain = address.slice(at + 1);
  return {
    free: FREE_MAIL.has(domain),
    role: !address.startsWith('"') && isRoleAccount(address.slice(0, at)),
    disposable: domainInfo(domain).disposable !== undefined,
  };
}
