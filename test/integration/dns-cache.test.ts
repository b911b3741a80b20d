/**
 * Cache, in-flight sharing, limiter and counters, measured at a real DNS server on loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DomainChecker } from '../../src/dns/index.js';
import { startDnsServer, type Zone } from '../support/dns-server.js';
import { checkerFor } from '../support/dns-checker.js';
import { CANARY_ZONE, POSTFIX_ZONE, fixtureZone } from '../support/zones.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(zone: Zone, options: Parameters<typeof checkerFor>[1] = {}, serverOptions = {}) {
  const server = await startDnsServer(zone, serverOptions);
  const checker = checkerFor(server, options);
  cleanups.push(() => server.close(), () => checker.close());
  return { server, checker };
}

/** n domains d0.example-N.com.. sharing `hosts` MX hosts (public addresses). */
function manyDomains(n: number, hosts: number): { zone: Zone; domains: string[] } {
  const zone: Zone = { ...CANARY_ZONE };
  const domains: string[] = [];
  for (let h = 0; h < hosts; h++) zone[`mx${h}.mailhost.net`] = { A: [`93.184.217.${h + 1}`] };
  for (let i = 0; i < n; i++) {
    const domain = `shop${i}.example-${i % 7}.com`;
    domains.push(domain);
    zone[domain] = { MX: [{ preference: 10, exchange: `mx${i % hosts}.mailhost.net` }] };
  }
  return { zone, domains };
}

/** Run check() over items with at most `width` calls pending (like the stream layer does). */
async function runPool(checker: DomainChecker, items: string[], width: number) {
  const outcomes = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        outcomes[i] = await checker.check(items[i]!);
      }
    }),
  );
  return outcomes;
}

describe('in-flight sharing', () => {
  it('N concurrent checks of one domain send one MX query', async () => {
    const { server, checker } = await setup(fixtureZone(), {}, { latencyMs: 20 });
    await checker.ready();
    server.resetStats();
    const outcomes = await Promise.all(Array.from({ length: 25 }, () => checker.check('good.com')));
    expect(outcomes.every((o) => o.kind === 'deliverable')).toBe(true);
    expect(server.count('good.com', 'MX')).toBe(1);
    expect(server.count('mx1.good.com', 'A')).toBe(1);
    expect(checker.stats().cacheHits).toBe(24);
    expect(checker.stats().domains).toBe(1);
  });

  it('domains sharing an MX host resolve the host once', async () => {
    const { zone, domains } = manyDomains(8, 1);
    const { server, checker } = await setup(zone, {}, { latencyMs: 10 });
    const outcomes = await Promise.all(domains.map((d) => checker.check(d)));
    expect(outcomes.every((o) => o.kind === 'deliverable')).toBe(true);
    expect(server.count('mx0.mailhost.net', 'A')).toBe(1);
    expect(server.count('mx0.mailhost.net', 'AAAA')).toBe(0); // a usable A is enough
  });
});

describe('query budget', () => {
  it('10,000 checks over 50 domains: one MX query per domain plus one per shared host', async () => {
    const { zone, domains } = manyDomains(50, 5);
    const { server, checker } = await setup(zone);
    await checker.ready();
    server.resetStats();
    const items = Array.from({ length: 10_000 }, (_, i) => domains[(i * 7919) % 50]!);
    const outcomes = await runPool(checker, items, 100);
    expect(outcomes.every((o) => o.kind === 'deliverable')).toBe(true);
    expect(server.count(undefined, 'MX')).toBe(50);
    // Host addresses: the canaries' hosts are cached already; 5 shared MX hosts, A only.
    expect(server.queries.length).toBe(55);
    const stats = checker.stats();
    expect(stats.domains).toBe(50);
    expect(stats.cacheHits).toBe(10_000 - 50);
  });
});

describe('limiter', () => {
  it('bounds the queries in flight at the server to the concurrency', async () => {
    const { zone, domains } = manyDomains(40, 40);
    const { server, checker } = await setup(zone, { concurrency: 4 }, { latencyMs: 25 });
    await checker.ready();
    server.resetStats();
    const outcomes = await Promise.all(domains.map((d) => checker.check(d)));
    expect(outcomes.every((o) => o.kind === 'deliverable')).toBe(true);
    expect(server.maxInFlight).toBeLessThanOrEqual(4);
    expect(server.maxInFlight).toBeGreaterThanOrEqual(3); // and it does use the slots
  });

  it('a low rate spaces the query starts', async () => {
    const { zone, domains } = manyDomains(6, 6);
    const { server, checker } = await setup(zone, { rate: 100, dns: { canary: [] } });
    const started = Date.now();
    await Promise.all(domains.slice(0, 6).map((d) => checker.check(d)));
    // 12 queries (6 MX + 6 A) at 100 qps: starts spread over at least 11 x 10 ms.
    expect(server.queries.length).toBe(12);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });
});

describe('query order', () => {
  it('a domain asked earlier is finished first: its MX host lookup goes before the MX queries of later domains', async () => {
    const { zone, domains } = manyDomains(5, 5);
    // One query at a time, so the server sees the limiter's order exactly.
    const { server, checker } = await setup(zone, { concurrency: 1, dns: { canary: [] } });
    const outcomes = await Promise.all(domains.map((d) => checker.check(d)));
    expect(outcomes.every((o) => o.kind === 'deliverable')).toBe(true);
    // In arrival order (first come, first served) all five MX queries would go before any host lookup.
    expect(server.queries.map((q) => `${q.type} ${q.name}`)).toEqual(
      domains.flatMap((d, i) => [`MX ${d}`, `A mx${i}.mailhost.net`]),
    );
  });

  it("the retries of a domain in SERVFAIL backoff go before the domains asked after it", async () => {
    const { zone, domains } = manyDomains(15, 15);
    zone[domains[0]!] = { ...zone[domains[0]!], behavior: 'servfail' };
    // Answers take 30 ms and the backoff 1 ms: each retry is asked while one other query is out.
    const { server, checker } = await setup(zone, { concurrency: 1, backoffMs: 1, dns: { canary: [], retries: 2 } }, { latencyMs: 30 });
    const outcomes = await Promise.all(domains.map((d) => checker.check(d)));
    expect(outcomes[0]).toMatchObject({ kind: 'unknown', reason: 'dns_error' });
    const order = server.queries.map((q) => `${q.type} ${q.name}`);
    const attempts = order.flatMap((q, i) => (q === `MX ${domains[0]}` ? [i] : []));
    expect(attempts).toHaveLength(3); // the first try and 2 retries
    // Each retry goes out right after the query that was out when its backoff ended, not after the
    // 14 other domains' queries (28) that were asked before it.
    expect(attempts[2]!).toBeLessThan(8);
  });
});

describe('TTL cache with an injected clock', () => {
  it('serves cached answers until the TTL (bounded by the MX host TTL) runs out', async () => {
    let now = 1_700_000_000_000;
    const { server, checker } = await setup(fixtureZone(), { now: () => now });
    expect((await checker.check('good.com')).kind).toBe('deliverable'); // MX 3600 s, host A 600 s
    now += 599_000;
    expect((await checker.check('good.com')).kind).toBe('deliverable');
    expect(server.count('good.com', 'MX')).toBe(1);
    now += 2_000;
    expect((await checker.check('good.com')).kind).toBe('deliverable');
    expect(server.count('good.com', 'MX')).toBe(2);
    expect(server.count('mx1.good.com', 'A')).toBe(2); // the host entry expired too
  });

  it('caches negative answers for the default negative TTL (900 s)', async () => {
    let now = 1_700_000_000_000;
    const { server, checker } = await setup(fixtureZone(), { now: () => now });
    expect((await checker.check('missing.com')).kind).toBe('undeliverable');
    now += 899_000;
    await checker.check('missing.com');
    expect(server.count('missing.com', 'MX')).toBe(1);
    now += 2_000;
    await checker.check('missing.com');
    expect(server.count('missing.com', 'MX')).toBe(2);
  });

  it('clamps tiny TTLs to 60 s', async () => {
    let now = 1_700_000_000_000;
    const zone = fixtureZone({
      'short.com': { MX: [{ preference: 1, exchange: 'mx.short.com' }], ttl: 1 },
      'mx.short.com': { A: ['93.184.216.50'], ttl: 5 },
    });
    const { server, checker } = await setup(zone, { now: () => now });
    const outcome = await checker.check('short.com');
    expect(outcome).toMatchObject({ kind: 'deliverable', ttlSeconds: 5 });
    now += 59_000;
    await checker.check('short.com');
    expect(server.count('short.com', 'MX')).toBe(1);
    now += 2_000;
    await checker.check('short.com');
    expect(server.count('short.com', 'MX')).toBe(2);
  });
});

describe('cache export / import', () => {
  it('a later checker reuses exported answers without asking DNS', async () => {
    let now = 1_700_000_000_000;
    const first = await setup(fixtureZone(), { now: () => now });
    for (const d of ['good.com', 'missing.com', 'nullmx.org', 'servfail.com']) await first.checker.check(d);
    const snapshot = first.checker.cache.export();
    expect([...snapshot.domains.keys()].sort()).toEqual(['good.com', 'missing.com', 'nullmx.org']);
    expect(snapshot.domains.get('good.com')?.expiresAt).toBe(now + 600_000);
    expect(snapshot.hosts.get('mx1.good.com')?.addresses).toEqual(['93.184.216.34']);
    expect(snapshot.allowPrivate).toBe(false);

    expect(first.checker.cache.changed).toBe(true);

    const second = await setup(fixtureZone(), { now: () => now, dns: { canary: [] } });
    expect(second.checker.cache.import(snapshot)).toBeGreaterThanOrEqual(3);
    expect(await second.checker.check('nullmx.org')).toMatchObject({ reason: 'null_mx' });
    expect((await second.checker.check('good.com')).kind).toBe('deliverable');
    expect(second.server.queries.length).toBe(0);
    // Imported answers and cache hits are nothing new: the file they came from need not be rewritten.
    expect(second.checker.cache.changed).toBe(false);

    // Hosts are shared: a new domain on a known MX host needs only its MX query.
    second.server.setRecord('other.com', { MX: [{ preference: 5, exchange: 'mx1.good.com' }] });
    expect((await second.checker.check('other.com')).kind).toBe('deliverable');
    expect(second.server.queries.map((q) => `${q.name} ${q.type}`)).toEqual(['other.com MX']);
    expect(second.checker.cache.changed).toBe(true);

    // The snapshot as it comes back from a JSON file (plain objects) imports too.
    const plain = JSON.parse(
      JSON.stringify({ ...snapshot, domains: Object.fromEntries(snapshot.domains), hosts: Object.fromEntries(snapshot.hosts) }),
    );
    const fromJson = await setup(fixtureZone(), { now: () => now, dns: { canary: [] } });
    expect(fromJson.checker.cache.import(plain)).toBe(second.checker.cache.import(snapshot));
    expect(fromJson.checker.cache.get('good.com')?.kind).toBe('deliverable');

    // Expired entries are not imported.
    const third = await setup(fixtureZone(), { now: () => now + 601_000, dns: { canary: [] } });
    third.checker.cache.import(snapshot);
    expect(third.checker.cache.get('good.com')).toBeUndefined();
    expect(third.checker.cache.get('missing.com')?.kind).toBe('undeliverable');

    // Outcomes that depend on allowPrivate are skipped when it differs.
    const fourth = await setup(fixtureZone(), { now: () => now, dns: { canary: [], allowPrivate: true } });
    fourth.checker.cache.import(snapshot);
    expect(fourth.checker.cache.get('good.com')).toBeUndefined();
    expect(fourth.checker.cache.get('nullmx.org')?.kind).toBe('undeliverable');
  });

  it('a loopback MX is deliverable only under allowLoopback, and that outcome is not reused without it', async () => {
    const now = 1_700_000_000_000;
    const zone = fixtureZone(POSTFIX_ZONE);
    const loopback = await setup(zone, { now: () => now, dns: { canary: [], allowLoopback: true } });
    expect(await loopback.checker.check('loopback-only.net')).toMatchObject({ kind: 'deliverable', detail: expect.stringContaining('127.0.0.2') });
    const snapshot = loopback.checker.cache.export();
    expect(snapshot.allowLoopback).toBe(true);

    const plain = await setup(zone, { now: () => now });
    plain.checker.cache.import(snapshot);
    expect(plain.checker.cache.get('loopback-only.net')).toBeUndefined();
    expect(await plain.checker.check('loopback-only.net')).toMatchObject({ kind: 'undeliverable', reason: 'mx_invalid' });
    // allowPrivate does not open loopback.
    const privateOnly = await setup(zone, { now: () => now, dns: { allowPrivate: true } });
    expect(await privateOnly.checker.check('loopback-only.net')).toMatchObject({ reason: 'mx_invalid' });
  });
});

describe('close()', () => {
  it('settles pending checks as unknown and refuses new ones without querying', async () => {
    const { server, checker } = await setup(fixtureZone(), { dns: { timeoutMs: 5000 } }, {});
    await checker.ready();
    const pending = checker.check('timeout.com');
    await new Promise((resolve) => setImmediate(resolve));
    await checker.close();
    expect(await pending).toMatchObject({ kind: 'unknown', reason: 'dns_error' });
    const before = server.queries.length;
    expect(await checker.check('good.com')).toMatchObject({ kind: 'unknown' });
    expect(server.queries.length).toBe(before);
  });
});

describe('mailHosts(): the MX list for the SMTP stage', () => {
  const zone: Zone = {
    ...CANARY_ZONE,
    'two-mx.com': { MX: [{ preference: 20, exchange: 'mx2.two-mx.com' }, { preference: 10, exchange: 'mx1.two-mx.com' }] },
    'mx1.two-mx.com': { A: ['93.184.216.10'] },
    'mx2.two-mx.com': { A: ['93.184.216.20'] },
  };
  const mxQueries = (server: { queries: Array<{ type: string; name: string }> }) => server.queries.filter((q) => q.type === 'MX' && q.name === 'two-mx.com').length;

  it('with keepMailHosts, reuses the MX list the domain check got: no second MX query', async () => {
    const { server, checker } = await setup(zone, { keepMailHosts: true });
    expect((await checker.check('two-mx.com')).kind).toBe('deliverable');
    const hosts = await Promise.all([checker.mailHosts('two-mx.com'), checker.mailHosts('two-mx.com')]);
    expect(hosts[0]).toEqual([
      { host: 'mx1.two-mx.com', preference: 10, addresses: ['93.184.216.10'] },
      { host: 'mx2.two-mx.com', preference: 20, addresses: ['93.184.216.20'] },
    ]);
    expect(hosts[1]).toEqual(hosts[0]);
    expect(mxQueries(server)).toBe(1);
  });

  it('without it (a domain whose outcome came from the cache file), asks once for all the addresses asking at once', async () => {
    const { server, checker } = await setup(zone);
    const hosts = await Promise.all([checker.mailHosts('two-mx.com'), checker.mailHosts('two-mx.com'), checker.mailHosts('two-mx.com')]);
    expect(hosts.map((h) => h.map((x) => x.host))).toEqual([
      ['mx1.two-mx.com', 'mx2.two-mx.com'],
      ['mx1.two-mx.com', 'mx2.two-mx.com'],
      ['mx1.two-mx.com', 'mx2.two-mx.com'],
    ]);
    expect(await checker.mailHosts('two-mx.com')).toHaveLength(2);
    expect(mxQueries(server)).toBe(1);
  });
});
