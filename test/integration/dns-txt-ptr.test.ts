/**
 * The resolver's TXT and PTR queries, and the test server's TXT over 512 bytes, PTR, SOA and
 * wildcards, over real UDP and TCP on loopback.
 */
import { promises as dnsPromises } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDomainChecker, type DomainChecker } from '../../src/dns/index.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';

const LONG = 'v=spf1 ' + Array.from({ length: 60 }, (_, i) => `ip4:198.51.100.${i}`).join(' ') + ' -all';

let server: DnsServer;
let checker: DomainChecker;
beforeAll(async () => {
  server = await startDnsServer({
    'short.org': { TXT: ['hello', ['two ', 'strings']] },
    'long.org': { TXT: [LONG] },
    '7.100.51.198.in-addr.arpa': { PTR: ['mta.short.org'] },
    'zone.org': { SOA: true, A: ['93.184.216.80'] },
    'plain.org': { A: ['93.184.216.81'] },
    '*.wild.org': { A: ['127.0.0.2'] },
    'exact.wild.org': { A: ['127.0.0.3'] },
    'flaky.org': { behaviorByType: { TXT: 'servfail', PTR: 'servfail' } },
  });
  checker = createDomainChecker({ dns: { servers: [server.address], canary: [], timeoutMs: 5000, retries: 0 } });
});
afterAll(async () => {
  await checker.close();
  await server.close();
});

describe('TXT and PTR through the resolver', () => {
  it('joins a record\'s character-strings, one string per record', async () => {
    expect(await checker.query('short.org', 'TXT')).toEqual({ kind: 'ok', records: ['hello', 'two strings'] });
  });

  it('an answer over 512 bytes is truncated over UDP and asked again over TCP', async () => {
    server.resetStats();
    expect(LONG.length).toBeGreaterThan(900);
    expect(await checker.query('long.org', 'TXT')).toEqual({ kind: 'ok', records: [LONG] });
    expect(server.queries.filter((q) => q.name === 'long.org').map((q) => q.transport)).toEqual(['udp', 'tcp']);
  });

  it('PTR answers host names; NXDOMAIN, NODATA and SERVFAIL map as for other types', async () => {
    expect(await checker.query('7.100.51.198.in-addr.arpa', 'PTR')).toEqual({ kind: 'ok', records: ['mta.short.org'] });
    expect((await checker.query('8.100.51.198.in-addr.arpa', 'PTR')).kind).toBe('nxdomain');
    expect((await checker.query('plain.org', 'TXT')).kind).toBe('nodata');
    expect(await checker.query('flaky.org', 'TXT')).toEqual({ kind: 'servfail', code: 'ESERVFAIL' });
    // Counted per question: c-ares' own retry over TCP is not a second query.
    expect(checker.stats().queriesByType).toEqual({ TXT: 4, PTR: 2 });
  });
});

describe('the test server', () => {
  const resolver = (): dnsPromises.Resolver => {
    const r = new dnsPromises.Resolver({ timeout: 500, tries: 1 });
    r.setServers([server.address]);
    return r;
  };

  it('answers SOA only where the entry asks for it (NODATA elsewhere, as before)', async () => {
    expect(await resolver().resolveSoa('zone.org')).toMatchObject({ nsname: 'ns1.zone.org', hostmaster: 'hostmaster.zone.org' });
    await expect(resolver().resolveSoa('plain.org')).rejects.toMatchObject({ code: 'ENODATA' });
  });

  it('a *.zone entry answers every name under the zone without an entry of its own', async () => {
    expect(await resolver().resolve4('2.0.0.127.wild.org')).toEqual(['127.0.0.2']);
    expect(await resolver().resolve4('exact.wild.org')).toEqual(['127.0.0.3']);
    await expect(resolver().resolve4('wild.org')).rejects.toMatchObject({ code: 'ENODATA' });
  });
});
