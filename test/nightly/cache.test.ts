/**
 * Nightly runs with a persistent DNS cache (`--cache FILE`), counted at the test DNS server.
 *
 * Decision (canaries and the warm cache): the canary check stays live on every run. It exists to
 * catch a resolver that lies (NXDOMAIN for everything), and a cached answer cannot tell us whether
 * today's resolver is honest, so canaries always go to the resolver, cache or not. What a warm run
 * must not do is ask again about the LIST's domains: those asserts are zero. The canary cost is
 * fixed and small (2 queries per canary: MX + the MX host's address; `--dns-canary gmail.com` makes
 * it 2 in all), whatever the size of the list.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DnsServer } from '../support/dns-server.js';
import { runCli, tempDirEach, type SummaryJson } from '../support/spawn.js';
import { dnsFlags, namesOf, queriesFor, readJson, useNightlyServer, writeList, type CacheFileJson } from './helpers.js';

const LIST_DOMAINS = ['good.com', 'fine.org', 'nullmx.org', 'missing.com'];
const EMAILS = ['ann@good.com', 'bob@fine.org', 'cy@nullmx.org', 'dee@missing.com', 'eve@good.com'];

let server: DnsServer;
let dir: string;
useNightlyServer((s) => (server = s));
tempDirEach((d) => (dir = d));

async function clean(list: string, extra: string[] = []): Promise<{ code: number | null; summary: SummaryJson; stderr: string }> {
  const result = await runCli(['clean', list, '--json', '--cache', join(dir, 'dns-cache.json'), ...dnsFlags(server), ...extra], { cwd: dir });
  expect(result.stderr).not.toMatch(/internal error/);
  return { code: result.code, summary: JSON.parse(result.stdout) as SummaryJson, stderr: result.stderr };
}

describe('warm cache', () => {
  it('a second run asks DNS nothing about cached domains; only the canary check goes out', async () => {
    const list = await writeList(join(dir, 'list.csv'), EMAILS);
    const cold = await clean(list);
    expect(cold.code).toBe(0);
    expect(cold.summary.statuses).toMatchObject({ valid: 3, invalid: 2 });
    for (const domain of LIST_DOMAINS) expect(server.count(domain, 'MX'), domain).toBe(1);

    const cache = await readJson<CacheFileJson>(join(dir, 'dns-cache.json'));
    expect(cache).toMatchObject({ format: 'listscrub-dns-cache', version: 1, allowPrivate: false });
    expect(Object.keys(cache.domains).sort()).toEqual([...LIST_DOMAINS].sort());
    expect(cache.domains['missing.com']?.outcome).toMatchObject({ kind: 'undeliverable', reason: 'domain_not_found' });
    expect(cache.domains['nullmx.org']?.outcome).toMatchObject({ kind: 'undeliverable', reason: 'null_mx' });
    expect(cache.hosts['mail.good.com']?.addresses).toEqual(['93.184.216.34']);

    server.resetStats();
    const warm = await clean(list);
    expect(warm.code).toBe(0);
    expect(queriesFor(server, namesOf(LIST_DOMAINS))).toBe(0);
    // Same verdicts from the cache as from DNS.
    expect(warm.summary.statuses).toEqual(cold.summary.statuses);
    expect(warm.summary.reasons).toEqual(cold.summary.reasons);
    expect(await readFile(join(dir, 'list.report.csv'), 'utf8')).toContain('domain_not_found');
    // The canary check stayed live: it asked the resolver, and that is all that went out.
    expect(warm.summary.dns).toMatchObject({ healthy: true, checked: true });
    expect(server.count('gmail.com', 'MX')).toBe(1);
    expect(server.queries.every((q) => q.name === 'gmail.com' || q.name === 'gmail-smtp-in.l.google.com')).toBe(true);
    expect(warm.summary.dns.queries).toBe(server.queries.length);
    expect(warm.summary.dns.cacheHits).toBe(EMAILS.length);
  });

  it('a lying resolver on a warm run is still caught by the canary: nothing is called invalid', async () => {
    const list = await writeList(join(dir, 'list.csv'), EMAILS);
    expect((await clean(list)).code).toBe(0);
    server.setMode('lie');
    const warm = await clean(list);
    expect(warm.code).toBe(3);
    expect(warm.summary.dns.healthy).toBe(false);
    expect(warm.summary.statuses.invalid ?? 0).toBe(0);
    // The lie was not learned: the cache still holds the good answers.
    const cache = await readJson<CacheFileJson>(join(dir, 'dns-cache.json'));
    expect(cache.domains['good.com']?.outcome.kind).toBe('deliverable');
  });

  it('only new domains are asked on a warm run', async () => {
    const list = join(dir, 'list.csv');
    await writeList(list, EMAILS);
    await clean(list);
    server.resetStats();
    await writeList(list, [...EMAILS, 'fay@other.net']);
    const warm = await clean(list);
    expect(warm.summary.statuses.valid).toBe(4);
    expect(queriesFor(server, namesOf(LIST_DOMAINS))).toBe(0);
    expect(server.count('other.net', 'MX')).toBe(1);
    expect(Object.keys((await readJson<CacheFileJson>(join(dir, 'dns-cache.json'))).domains)).toContain('other.net');
  });
});

describe('writing the cache file', () => {
  it('a warm run that learned nothing leaves the file as it was (not rewritten)', async () => {
    const list = await writeList(join(dir, 'list.csv'), EMAILS);
    const cachePath = join(dir, 'dns-cache.json');
    expect((await clean(list)).code).toBe(0);
    const before = { info: await stat(cachePath), text: await readFile(cachePath, 'utf8') };
    const warm = await clean(list);
    expect(warm.code).toBe(0);
    expect(warm.summary.dns.cacheHits).toBe(EMAILS.length);
    const after = await stat(cachePath);
    // Same inode and mtime: no save renamed a new file into place.
    expect([after.ino, after.mtimeMs]).toEqual([before.info.ino, before.info.mtimeMs]);
    expect(await readFile(cachePath, 'utf8')).toBe(before.text);
  });

  it('runs that start from the same file and each learn a domain keep both (the later save merges)', async () => {
    const cachePath = join(dir, 'dns-cache.json');
    expect((await clean(await writeList(join(dir, 'seed.csv'), ['ann@good.com']))).code).toBe(0);
    // Both load the seeded file, then save one after the other (a slow answer keeps them overlapping).
    server.setLatency(20);
    const a = await writeList(join(dir, 'a.csv'), ['ann@good.com', 'x@other.net']);
    const b = await writeList(join(dir, 'b.csv'), ['ann@good.com', 'dee@missing.com']);
    const runs = await Promise.all(
      [a, b].map((list) => runCli(['clean', list, '--json', '--cache', cachePath, ...dnsFlags(server)], { cwd: dir })),
    );
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    const cache = await readJson<CacheFileJson>(cachePath);
    expect(Object.keys(cache.domains).sort()).toEqual(['good.com', 'missing.com', 'other.net']);
  });
});

describe('expiry', () => {
  it('an entry whose expiresAt has passed is asked again; the others are not', async () => {
    const list = await writeList(join(dir, 'list.csv'), EMAILS);
    await clean(list);
    const path = join(dir, 'dns-cache.json');
    const cache = await readJson<CacheFileJson>(path);
    cache.domains['good.com']!.expiresAt = Date.now() - 1000;
    cache.hosts['mail.good.com']!.expiresAt = Date.now() - 1000;
    await writeFile(path, JSON.stringify(cache));
    server.resetStats();

    await clean(list);
    expect(server.count('good.com', 'MX')).toBe(1);
    expect(server.count('mail.good.com', 'A')).toBe(1);
    expect(queriesFor(server, namesOf(['fine.org', 'nullmx.org', 'missing.com']))).toBe(0);
    const after = await readJson<CacheFileJson>(path);
    expect(after.domains['good.com']!.expiresAt).toBeGreaterThan(Date.now());
  });

  it('--cache-ttl MIN:MAX bounds the expiries written to the file', async () => {
    const list = await writeList(join(dir, 'list.csv'), EMAILS);
    const before = Date.now();
    await clean(list, ['--cache-ttl', '120:600']);
    const after = Date.now();
    const cache = await readJson<CacheFileJson>(join(dir, 'dns-cache.json'));
    const entries = [...Object.values(cache.domains), ...Object.values(cache.hosts)];
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) {
      // Answers carry TTLs of 300 (zone default) and 900/3600 (negative / null MX): all clamped to 120..600 s.
      expect(entry.expiresAt).toBeGreaterThanOrEqual(before + 120_000);
      expect(entry.expiresAt).toBeLessThanOrEqual(after + 600_000);
    }
    // nullmx.org's answer is cached for 3600 s by default: clamped down to the 600 s maximum.
    expect(cache.domains['nullmx.org']!.expiresAt).toBeGreaterThanOrEqual(before + 600_000);
  });

  it('entries short-lived under --cache-ttl are asked again once expired', async () => {
    const list = await writeList(join(dir, 'list.csv'), EMAILS);
    await clean(list, ['--cache-ttl', '60:60']);
    // 60 s from now: move the clock forward by editing the file, as a night would.
    const path = join(dir, 'dns-cache.json');
    const cache = await readJson<CacheFileJson>(path);
    for (const entry of [...Object.values(cache.domains), ...Object.values(cache.hosts)]) entry.expiresAt -= 61_000;
    await writeFile(path, JSON.stringify(cache));
    server.resetStats();
    await clean(list, ['--cache-ttl', '60:60']);
    for (const domain of LIST_DOMAINS) expect(server.count(domain, 'MX'), domain).toBe(1);
  });
});

describe('temporary failures', () => {
  it('a SERVFAIL is not stored: the domain is asked again next run, and is invalid only on a real answer', async () => {
    server.setRecord('flaky.com', { behavior: 'servfail' });
    const list = await writeList(join(dir, 'list.csv'), [...EMAILS, 'gil@flaky.com']);
    const first = await clean(list);
    expect(first.code).toBe(0);
    expect(first.summary.statuses.unknown).toBe(1);
    expect(first.summary.reasons.dns_error).toBe(1);
    expect(Object.keys((await readJson<CacheFileJson>(join(dir, 'dns-cache.json'))).domains)).not.toContain('flaky.com');

    server.resetStats();
    const second = await clean(list);
    expect(server.count('flaky.com', 'MX')).toBeGreaterThan(0);
    expect(queriesFor(server, namesOf(LIST_DOMAINS))).toBe(0);
    expect(second.summary.statuses.unknown).toBe(1);

    // The domain is now really gone: NXDOMAIN is an answer, so it becomes invalid (and is cached).
    server.setRecord('flaky.com', undefined);
    server.resetStats();
    const third = await clean(list);
    expect(server.count('flaky.com', 'MX')).toBe(1);
    expect(third.summary.statuses).toMatchObject({ unknown: 0, invalid: 3 });
    const report = await readFile(join(dir, 'list.report.csv'), 'utf8');
    expect(report).toMatch(/gil@flaky\.com/);
    expect((await readJson<CacheFileJson>(join(dir, 'dns-cache.json'))).domains['flaky.com']?.outcome.reason).toBe('domain_not_found');
  });

  it('a slow answer within --dns-timeout is an answer, not a timeout (even after many quick ones)', async () => {
    // c-ares alone would give up after ~1 s here: it had seen quick answers (see src/dns/resolver.ts).
    server.setRecord('slowdns.com', { MX: [{ preference: 10, exchange: 'mail.good.com' }], behavior: 'delay:1500' });
    const list = await writeList(join(dir, 'list.csv'), [...EMAILS, 'ivy@slowdns.com']);
    const run = await clean(list, ['--dns-timeout', '4000', '--dns-retries', '0', '--concurrency', '1']);
    expect(run.summary.reasons.dns_timeout ?? 0).toBe(0);
    expect(run.summary.statuses).toMatchObject({ valid: 4, unknown: 0 });
    expect(Object.keys((await readJson<CacheFileJson>(join(dir, 'dns-cache.json'))).domains)).toContain('slowdns.com');
  });

  it('a timeout is not stored either', async () => {
    server.setRecord('silent.com', { behavior: 'drop' });
    const list = await writeList(join(dir, 'list.csv'), ['ann@good.com', 'hal@silent.com']);
    const first = await clean(list, ['--dns-timeout', '100', '--dns-retries', '0']);
    expect(first.summary.reasons.dns_timeout).toBe(1);
    expect(Object.keys((await readJson<CacheFileJson>(join(dir, 'dns-cache.json'))).domains)).toEqual(['good.com']);
    server.setRecord('silent.com', { MX: [{ preference: 10, exchange: 'mail.good.com' }] });
    server.resetStats();
    const second = await clean(list);
    expect(server.count('silent.com', 'MX')).toBe(1);
    expect(second.summary.statuses).toMatchObject({ valid: 2, unknown: 0 });
  });
});

describe('damaged, foreign, missing and shared cache files', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['corrupt JSON', '{"format": "listscrub-dns-cache", "version": 1, "domains": {', /is not valid JSON/],
    ['a foreign file', JSON.stringify({ name: 'some other tool', entries: [] }), /is not a listscrub DNS cache/],
    ['a newer format', JSON.stringify({ format: 'listscrub-dns-cache', version: 99, domains: {}, hosts: {} }), /newer listscrub/],
    [
      'a damaged entry',
      JSON.stringify({ format: 'listscrub-dns-cache', version: 1, domains: { 'good.com': { outcome: { kind: 'deliverable' }, expiresAt: 'soon' } }, hosts: {} }),
      /malformed entry for domain "good\.com"/,
    ],
    ['an empty file', '', /is not valid JSON/],
  ];
  for (const [label, content, message] of cases) {
    it(`${label} is reported and rebuilt, never a crash`, async () => {
      const path = join(dir, 'dns-cache.json');
      await writeFile(path, content);
      const list = await writeList(join(dir, 'list.csv'), EMAILS);
      const run = await clean(list);
      expect(run.code).toBe(0);
      expect(run.summary.warnings.some((w) => message.test(w) && w.includes(path) && /ignored and will be rebuilt/.test(w))).toBe(true);
      for (const domain of LIST_DOMAINS) expect(server.count(domain, 'MX'), domain).toBe(1);
      const rebuilt = await readJson<CacheFileJson>(path);
      expect(rebuilt.format).toBe('listscrub-dns-cache');
      expect(Object.keys(rebuilt.domains).sort()).toEqual([...LIST_DOMAINS].sort());

      // The human summary (stderr) carries the same warning.
      await writeFile(path, content);
      const human = await runCli(['clean', list, '--cache', path, ...dnsFlags(server)], { cwd: dir });
      expect(human.code).toBe(0);
      expect(human.stderr).toMatch(/warning: DNS cache file .* ignored and will be rebuilt/);
    });
  }

  it('a missing cache file is created', async () => {
    const list = await writeList(join(dir, 'list.csv'), EMAILS);
    const run = await clean(list);
    expect(run.code).toBe(0);
    expect(run.summary.warnings).toEqual([]);
    expect((await readJson<CacheFileJson>(join(dir, 'dns-cache.json'))).format).toBe('listscrub-dns-cache');
  });

  it('a cache that cannot be written is a warning, not a failed run (outputs are already replaced)', async () => {
    const list = await writeList(join(dir, 'list.csv'), EMAILS);
    const path = join(dir, 'no-such-dir', 'dns-cache.json');
    const result = await runCli(['clean', list, '--json', '--cache', path, ...dnsFlags(server)], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    expect(summary.output).toBe(join(dir, 'list.clean.csv'));
    expect(summary.warnings.some((w) => w.includes(path) && /query DNS for these domains again/.test(w))).toBe(true);
  });

  it('two runs sharing one cache file with different outputs both succeed; the file is valid JSON afterwards', async () => {
    // Different lists, overlapping domains, run at the same time (a slow answer keeps them overlapping).
    server.setLatency(20);
    const a = await writeList(join(dir, 'a.csv'), ['ann@good.com', 'cy@nullmx.org', 'x@other.net']);
    const b = await writeList(join(dir, 'b.csv'), ['bob@fine.org', 'dee@missing.com', 'y@other.net']);
    const cachePath = join(dir, 'dns-cache.json');
    const [ra, rb] = await Promise.all(
      [a, b].map((list) => runCli(['clean', list, '--json', '--cache', cachePath, ...dnsFlags(server)], { cwd: dir })),
    );
    expect([ra!.code, rb!.code]).toEqual([0, 0]);
    const cache = await readJson<CacheFileJson>(cachePath);
    expect(cache.format).toBe('listscrub-dns-cache');
    // Neither run's answers were lost: the second save merged what the first had written.
    expect(Object.keys(cache.domains).sort()).toEqual(['fine.org', 'good.com', 'missing.com', 'nullmx.org', 'other.net']);
    // No temporary file and no cache lock left behind.
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'))).toEqual([]);
  });
});
