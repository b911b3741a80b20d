/**
 * Classification against a real DNS server on loopback: one test per branch of
 * RFC 5321 section 5.1 / RFC 7505 handling, with the evidence each outcome carries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_MEMO_SECONDS, type DomainChecker } from '../../src/dns/index.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { checkerFor } from '../support/dns-checker.js';
import { fixtureZone } from '../support/zones.js';

let server: DnsServer;
let checker: DomainChecker;

beforeAll(async () => {
  const zone = fixtureZone({
    // 12 MX hosts with long names: the MX answer exceeds 512 bytes, so it comes back truncated
    // over UDP and c-ares must retry over TCP.
    'bigmx.com': {
      MX: Array.from({ length: 12 }, (_, i) => ({
        preference: 10 + i,
        exchange: `mx-${i}-with-a-rather-long-host-name.mail-cluster.bigmx.com`,
      })),
    },
    'mx-0-with-a-rather-long-host-name.mail-cluster.bigmx.com': { A: ['93.184.216.40'] },
    'upper.com': { MX: [{ preference: 10, exchange: 'MX.Upper.COM.' }] },
    'mx.upper.com': { A: ['93.184.216.41'] },
  });
  server = await startDnsServer(zone);
  checker = checkerFor(server);
  expect((await checker.ready()).healthy).toBe(true);
});

afterAll(async () => {
  await checker.close();
  await server.close();
});

describe('deliverable', () => {
  it('uses the most preferred MX host that has an address', async () => {
    const outcome = await checker.check('good.com');
    expect(outcome).toMatchObject({ kind: 'deliverable' });
    expect(outcome.detail).toBe('MX mx1.good.com (preference 10) resolves to 93.184.216.34');
    expect(server.count('mx2.good.com')).toBe(0);
  });

  it('falls back to the A record when there is no MX (implicit MX)', async () => {
    const outcome = await checker.check('amx.com');
    expect(outcome).toMatchObject({ kind: 'deliverable', detail: 'no MX; falls back to A 93.184.216.36' });
  });

  it('accepts an MX host with only an AAAA record', async () => {
    const outcome = await checker.check('v6only.com');
    expect(outcome.kind).toBe('deliverable');
    expect(outcome.detail).toContain('2606:2800:220:1:248:1893:25c8:1946');
  });

  it('falls back to AAAA when the domain has no MX and no A', async () => {
    const outcome = await checker.check('aaaa-only.net');
    expect(outcome).toMatchObject({ kind: 'deliverable', detail: 'no MX; falls back to AAAA 2606:2800:220:1:248:1893:25c8:1947' });
  });

  it("follows a CNAME'd exchange", async () => {
    const outcome = await checker.check('cnamemx.com');
    expect(outcome).toMatchObject({ kind: 'deliverable' });
    expect(outcome.detail).toContain('198.41.0.4');
  });

  it('checks an IDN domain given in punycode', async () => {
    const outcome = await checker.check('xn--bcher-kva.com');
    expect(outcome).toMatchObject({ kind: 'deliverable' });
    expect(outcome.detail).toContain('mx.xn--bcher-kva.com');
  });

  it('moves on to the next MX host when the preferred one times out', async () => {
    const outcome = await checker.check('fallback.com');
    expect(outcome.kind).toBe('deliverable');
    expect(outcome.detail).toContain('MX ok.fallback.com (preference 20) resolves to 93.184.216.38');
    expect(outcome.detail).toContain('slow.fallback.com got no answer (timeout)');
  });

  it('is case-insensitive and ignores a trailing dot, in the domain and in exchanges', async () => {
    expect((await checker.check('UPPER.com.')).kind).toBe('deliverable');
    expect(checker.cache.get('upper.com')?.kind).toBe('deliverable');
  });

  it('retries a truncated UDP answer over TCP', async () => {
    const outcome = await checker.check('bigmx.com');
    expect(outcome.kind).toBe('deliverable');
    expect(server.queries.some((q) => q.name === 'bigmx.com' && q.type === 'MX' && q.transport === 'tcp')).toBe(true);
  });
});

describe('undeliverable', () => {
  it('NXDOMAIN -> domain_not_found', async () => {
    expect(await checker.check('missing.com')).toMatchObject({
      kind: 'undeliverable',
      reason: 'domain_not_found',
      detail: 'missing.com does not exist (NXDOMAIN)',
    });
  });

  it('null MX -> null_mx', async () => {
    expect(await checker.check('nullmx.org')).toMatchObject({
      kind: 'undeliverable',
      reason: 'null_mx',
      detail: 'nullmx.org publishes a null MX (RFC 7505): it accepts no mail',
    });
  });

  it('no MX and no address -> no_mail_server', async () => {
    expect(await checker.check('nodata.org')).toMatchObject({ kind: 'undeliverable', reason: 'no_mail_server' });
  });

  it('MX host that does not exist -> mx_invalid', async () => {
    expect(await checker.check('noaddr.com')).toMatchObject({
      kind: 'undeliverable',
      reason: 'mx_invalid',
      detail: 'MX mail.noaddr.com does not exist (NXDOMAIN)',
    });
  });

  it('MX host without address records -> mx_invalid', async () => {
    expect(await checker.check('nodatahost.com')).toMatchObject({
      kind: 'undeliverable',
      reason: 'mx_invalid',
      detail: 'MX mx.nodatahost.com has no address record',
    });
  });

  it('MX host on loopback -> mx_invalid', async () => {
    const outcome = await checker.check('loopback.com');
    expect(outcome).toMatchObject({ kind: 'undeliverable', reason: 'mx_invalid' });
    expect(outcome.detail).toBe('MX mx.loopback.com resolves only to 127.0.0.1 (loopback), ::1 (loopback)');
  });

  it('MX host on a private address -> mx_invalid', async () => {
    const outcome = await checker.check('private.com');
    expect(outcome).toMatchObject({ kind: 'undeliverable', reason: 'mx_invalid' });
    expect(outcome.detail).toContain('10.0.0.1 (private (RFC 1918))');
  });

  it('implicit MX on a private address -> mx_invalid', async () => {
    const outcome = await checker.check('implicit-private.com');
    expect(outcome).toMatchObject({ kind: 'undeliverable', reason: 'mx_invalid' });
    expect(outcome.detail).toContain('no MX; the fallback address 192.168.1.10');
  });
});

describe('allowPrivate', () => {
  it('accepts private MX and fallback addresses, but never loopback', async () => {
    // Its own server, so the shared server's query log stays this file's main checker's.
    const own = await startDnsServer(fixtureZone());
    const internal = checkerFor(own, { dns: { allowPrivate: true } });
    try {
      expect((await internal.check('private.com')).kind).toBe('deliverable');
      expect((await internal.check('implicit-private.com')).kind).toBe('deliverable');
      expect(await internal.check('loopback.com')).toMatchObject({ reason: 'mx_invalid' });
    } finally {
      await internal.close();
      await own.close();
    }
  });
});

describe('unknown (never invalid)', () => {
  it('SERVFAIL -> dns_error', async () => {
    expect(await checker.check('servfail.com')).toMatchObject({ kind: 'unknown', reason: 'dns_error' });
  });

  it('REFUSED -> dns_error, not retried', async () => {
    const before = server.count('refused.com', 'MX');
    expect(await checker.check('refused.com')).toMatchObject({ kind: 'unknown', reason: 'dns_error' });
    expect(server.count('refused.com', 'MX') - before).toBe(1);
  });

  it('no answer after retries -> dns_timeout, every attempt counted', async () => {
    const before = server.count('timeout.com', 'MX');
    const outcome = await checker.check('timeout.com');
    expect(outcome).toMatchObject({ kind: 'unknown', reason: 'dns_timeout' });
    expect(outcome.detail).toContain('after 2 attempts');
    expect(server.count('timeout.com', 'MX') - before).toBe(2); // retries: 1
  });

  it('the only MX host times out -> dns_timeout, not mx_invalid', async () => {
    const outcome = await checker.check('mxtimeout.com');
    expect(outcome).toMatchObject({ kind: 'unknown', reason: 'dns_timeout' });
    expect(outcome.detail).toContain('MX mx.mxtimeout.com got no answer (timeout)');
  });

  it('one MX host missing, the other SERVFAIL -> dns_error, not mx_invalid', async () => {
    const outcome = await checker.check('mxservfail.com');
    expect(outcome).toMatchObject({ kind: 'unknown', reason: 'dns_error' });
    expect(outcome.detail).toContain('gone.mxservfail.com does not exist');
  });

  it('a temporary failure is remembered for FAILURE_MEMO_SECONDS in this run, never cached', async () => {
    // Its own server and checker (injected clock), so the shared checker's counts stay exact.
    const ownServer = await startDnsServer(fixtureZone());
    let now = Date.now();
    const own = checkerFor(ownServer, { now: () => now });
    const server = ownServer;
    try {
      const before = server.count('servfail.com', 'MX');
      expect((await own.check('servfail.com')).kind).toBe('unknown');
      const firstCheck = server.count('servfail.com', 'MX') - before;
      expect(firstCheck).toBe(2); // 1 attempt + 1 retry (TEST_DNS)
      // Every later row of the domain gets the same unknown outcome without asking again...
      now += (FAILURE_MEMO_SECONDS - 1) * 1000;
      expect(await own.check('servfail.com')).toMatchObject({ kind: 'unknown', reason: 'dns_error' });
      expect(own.checkCached('servfail.com')).toMatchObject({ kind: 'unknown', reason: 'dns_error' });
      expect(server.count('servfail.com', 'MX') - before).toBe(firstCheck);
      // ...it is not an answer: nothing goes to the cache (or the cache file)...
      expect(own.cache.get('servfail.com')).toBeUndefined();
      expect([...own.cache.export().domains.keys()]).not.toContain('servfail.com');
      // ...and once the memo expires the domain is asked again.
      now += 2000;
      expect((await own.check('servfail.com')).kind).toBe('unknown');
      expect(server.count('servfail.com', 'MX') - before).toBe(2 * firstCheck);
    } finally {
      await own.close();
      await ownServer.close();
    }
  });
});

describe('stats', () => {
  it('counts every query attempt once, by type and by answer', () => {
    const stats = checker.stats();
    expect(stats.queries).toBe(server.queries.filter((q) => q.transport === 'udp').length);
    expect(Object.values(stats.queriesByType).reduce((a, b) => a + b, 0)).toBe(stats.queries);
    expect(Object.values(stats.answers).reduce((a, b) => a + b, 0)).toBe(stats.queries);
    expect(stats.answers.nxdomain).toBeGreaterThan(0);
    expect(stats.answers.timeout).toBeGreaterThan(0);
    expect(stats.answers.servfail).toBeGreaterThan(0);
    expect(stats.answers.refused).toBeGreaterThan(0);
    expect(stats.answers.nodata).toBeGreaterThan(0);
    expect(stats.domains).toBeGreaterThan(20);
  });
});
