/**
 * Fail safe, never fail deadly: resolvers that lie, fail or go silent must never make the checker
 * call a domain undeliverable.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DomainOutcome } from '../../src/types.js';
import { NXDOMAIN_STREAK } from '../../src/dns/health.js';
import { startDnsServer, type DnsServerOptions, type Zone } from '../support/dns-server.js';
import { checkerFor } from '../support/dns-checker.js';
import { CANARY_ZONE, fixtureZone } from '../support/zones.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(zone: Zone, serverOptions: DnsServerOptions = {}, options: Parameters<typeof checkerFor>[1] = {}) {
  const server = await startDnsServer(zone, serverOptions);
  const checker = checkerFor(server, options);
  cleanups.push(() => server.close(), () => checker.close());
  return { server, checker };
}

/** Every fixture domain (apexes only: names with an MX, A-only or TXT-only, or a behaviour). */
const FIXTURE_DOMAINS = [
  'good.com', 'nullmx.org', 'amx.com', 'v6only.com', 'missing.com', 'nodata.org', 'noaddr.com',
  'loopback.com', 'private.com', 'cnamemx.com', 'xn--bcher-kva.com', 'servfail.com', 'fallback.com',
];

function summary(outcome: DomainOutcome): string {
  return outcome.kind === 'deliverable' ? 'deliverable' : `${outcome.kind} ${outcome.reason}`;
}

/** A zone where `shopN.com` (N < n) all have MX records on one shared public host. */
function shops(n: number): Zone {
  const zone: Zone = { ...CANARY_ZONE, 'mx.shared-mail.net': { A: ['93.184.218.1'] } };
  for (let i = 0; i < n; i++) zone[`shop${i}.com`] = { MX: [{ preference: 10, exchange: 'mx.shared-mail.net' }] };
  return zone;
}

describe('canary check before the first lookup', () => {
  it('passes when the canaries resolve', async () => {
    const { checker } = await setup(fixtureZone());
    const health = await checker.ready();
    expect(health).toMatchObject({ healthy: true, checked: true });
    expect(health.detail).toContain('canary check passed');
    expect(checker.ready()).toBe(checker.ready()); // memoized
  });

  it('a lying resolver (NXDOMAIN for everything): unhealthy, nothing undeliverable', async () => {
    const { server, checker } = await setup(fixtureZone(), { mode: 'lie' });
    const outcomes = await Promise.all(FIXTURE_DOMAINS.map((d) => checker.check(d)));
    const health = checker.health();
    expect(health.healthy).toBe(false);
    expect(health.checked).toBe(true);
    expect(health.detail).toBe(
      `The DNS resolver at ${server.address} answered NXDOMAIN for gmail.com, outlook.com and yahoo.com, ` +
        'which certainly exist: it is lying or filtered. No address was called invalid on DNS grounds.',
    );
    for (const outcome of outcomes) expect(outcome).toMatchObject({ kind: 'unknown', reason: 'dns_unavailable' });
    // Only the canaries were asked.
    expect(server.queries.every((q) => ['gmail.com', 'outlook.com', 'yahoo.com'].includes(q.name))).toBe(true);
    expect(checker.cache.export().domains.size).toBe(0);
  });

  it('SERVFAIL for everything: unhealthy, all unknown', async () => {
    const { checker } = await setup(fixtureZone(), { mode: 'servfail' });
    const outcomes = await Promise.all(FIXTURE_DOMAINS.map((d) => checker.check(d)));
    expect(checker.health().healthy).toBe(false);
    expect(checker.health().detail).toContain('failed (SERVFAIL, REFUSED or error)');
    expect(outcomes.every((o) => o.kind === 'unknown')).toBe(true);
  });

  it('a silent server: unhealthy, all unknown', async () => {
    const { checker } = await setup(fixtureZone(), { mode: 'drop' }, { dns: { timeoutMs: 100, retries: 0 } });
    const outcomes = await Promise.all(FIXTURE_DOMAINS.map((d) => checker.check(d)));
    expect(checker.health().healthy).toBe(false);
    expect(checker.health().detail).toContain('did not answer for gmail.com, outlook.com and yahoo.com (timeout)');
    expect(outcomes.every((o) => o.kind === 'unknown')).toBe(true);
  });

  it('mixed failures are listed per canary', async () => {
    const zone = fixtureZone({
      'gmail.com': { behavior: 'nxdomain' },
      'outlook.com': { behavior: 'servfail' },
      'yahoo.com': { MX: [{ preference: 0, exchange: '.' }] },
    });
    const { checker } = await setup(zone);
    const health = await checker.ready();
    expect(health.healthy).toBe(false);
    expect(health.detail).toContain('gmail.com: NXDOMAIN, outlook.com: a server failure and yahoo.com: a null MX');
  });

  it('one working canary is enough', async () => {
    const zone = fixtureZone({ 'gmail.com': { behavior: 'nxdomain' }, 'outlook.com': { behavior: 'servfail' } });
    const { checker } = await setup(zone);
    expect((await checker.ready()).healthy).toBe(true);
    expect(checker.health().detail).toContain('yahoo.com');
  });

  it('custom canaries, and an empty list disables the check', async () => {
    const custom = await setup(fixtureZone(), {}, { dns: { canary: ['good.com'] } });
    expect((await custom.checker.ready()).healthy).toBe(true);
    expect(custom.server.count('gmail.com')).toBe(0);

    const off = await setup(fixtureZone(), { mode: 'lie' }, { dns: { canary: [] } });
    expect(await off.checker.ready()).toMatchObject({ healthy: true, checked: false });
    expect(off.server.queries.length).toBe(0);
  });
});

describe('watch during the run', () => {
  it('a resolver that starts lying mid-run is caught; undeliverable verdicts stop', async () => {
    const { server, checker } = await setup(shops(60));
    for (let i = 0; i < 5; i++) expect((await checker.check(`shop${i}.com`)).kind).toBe('deliverable');
    server.setMode('lie');
    const outcomes: DomainOutcome[] = [];
    for (let i = 5; i < 60; i++) outcomes.push(await checker.check(`shop${i}.com`));
    expect(checker.health().healthy).toBe(false);
    expect(checker.health().detail).toContain('detected during the run');
    const wrong = outcomes.filter((o) => o.kind === 'undeliverable');
    expect(wrong.length).toBeLessThan(NXDOMAIN_STREAK);
    expect(outcomes.slice(NXDOMAIN_STREAK)).toEqual(
      outcomes.slice(NXDOMAIN_STREAK).map(() => expect.objectContaining({ reason: 'dns_unavailable' })),
    );
    // The lies learned before the flip are dropped from the cache.
    const kept = [...checker.cache.export().domains.values()].map((e) => e.outcome.kind);
    expect(kept.length).toBeGreaterThanOrEqual(5);
    expect(kept.every((kind) => kind === 'deliverable')).toBe(true);
    // And cached deliverable domains are no longer vouched for either.
    expect(await checker.check('shop0.com')).toMatchObject({ reason: 'dns_unavailable' });
  });

  it('NXDOMAIN for a domain the cache knew as deliverable triggers a re-check', async () => {
    let now = 1_700_000_000_000;
    const { server, checker } = await setup(fixtureZone(), {}, { now: () => now });
    expect((await checker.check('good.com')).kind).toBe('deliverable');
    now += 3_600_000; // expired
    server.setMode('lie');
    expect(await checker.check('good.com')).toMatchObject({ kind: 'unknown', reason: 'dns_unavailable' });
    expect(checker.health().healthy).toBe(false);
  });

  it('a streak of real NXDOMAINs with healthy canaries is a false alarm: verdicts stand', async () => {
    const { server, checker } = await setup(fixtureZone());
    await checker.ready();
    const outcomes: DomainOutcome[] = [];
    for (let i = 0; i < 30; i++) outcomes.push(await checker.check(`gone${i}.com`));
    expect(checker.health().healthy).toBe(true);
    expect(outcomes.every((o) => o.kind === 'undeliverable' && o.reason === 'domain_not_found')).toBe(true);
    expect(server.count('gmail.com', 'MX')).toBeGreaterThanOrEqual(2); // re-checked at least once
  });

  it('a resolver going silent mid-run flips to unhealthy', async () => {
    const { server, checker } = await setup(shops(40), {}, { dns: { timeoutMs: 100, retries: 0 } });
    expect((await checker.check('shop0.com')).kind).toBe('deliverable');
    server.setMode('drop');
    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => checker.check(`shop${i + 1}.com`)));
    expect(outcomes.every((o) => o.kind === 'unknown')).toBe(true);
    // The failure share triggered a canary re-check; unknown outcomes do not wait for it.
    await vi.waitFor(() => expect(checker.health().healthy).toBe(false), { timeout: 3000, interval: 20 });
    expect(checker.health().detail).toContain('did not answer');
    expect(await checker.check('shop0.com')).toMatchObject({ reason: 'dns_unavailable' });
  });
});

describe('a flaky resolver', () => {
  it('dropping a third of the queries (seeded) never makes a deliverable domain undeliverable', async () => {
    const { checker } = await setup(shops(60), { dropRate: 1 / 3, seed: 42 }, { dns: { timeoutMs: 100, retries: 2 } });
    const outcomes = await Promise.all(Array.from({ length: 60 }, (_, i) => checker.check(`shop${i}.com`)));
    expect(outcomes.filter((o) => o.kind === 'undeliverable')).toEqual([]);
    // With 3 attempts most domains get through.
    expect(outcomes.filter((o) => o.kind === 'deliverable').length).toBeGreaterThan(40);
    expect(checker.stats().answers.timeout).toBeGreaterThan(0);
  });

  it('SERVFAIL for a fifth of the queries: every answer is the truth or unknown', async () => {
    const clean = await setup(fixtureZone());
    const truth = new Map<string, DomainOutcome>();
    for (const domain of FIXTURE_DOMAINS) truth.set(domain, await clean.checker.check(domain));
    const { checker } = await setup(fixtureZone(), { servfailRate: 0.2, seed: 7 }, { dns: { retries: 0 } });
    let unknown = 0;
    for (const domain of FIXTURE_DOMAINS) {
      const outcome = await checker.check(domain);
      if (outcome.kind === 'unknown') unknown++;
      else expect(`${domain}: ${summary(outcome)}`).toBe(`${domain}: ${summary(truth.get(domain)!)}`);
    }
    expect(unknown).toBeGreaterThan(0);
  });
});
