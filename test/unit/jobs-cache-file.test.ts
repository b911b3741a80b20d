import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptySnapshot, loadCacheFile, saveCacheFile, type CacheSnapshot } from '../../src/jobs/cache-file.js';

let dir: string;
let cachePath: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'listscrub-cache-'));
  cachePath = join(dir, 'dns-cache.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NOW = Date.parse('2024-05-01T06:00:00Z');
const LATER = NOW + 3_600_000;

function sample(): CacheSnapshot {
  const snapshot = emptySnapshot();
  snapshot.domains.set('example.com', { outcome: { kind: 'deliverable', detail: 'example.com has MX records', ttlSeconds: 3600 }, expiresAt: LATER });
  snapshot.domains.set('gone.test', { outcome: { kind: 'undeliverable', reason: 'domain_not_found', detail: 'gone.test does not exist' }, expiresAt: LATER });
  snapshot.hosts.set('mx1.example.com', { addresses: ['192.0.2.1', '2001:db8::1'], expiresAt: LATER });
  return snapshot;
}

function fileWith(overrides: Record<string, unknown>): string {
  return JSON.stringify({ format: 'listscrub-dns-cache', version: 1, savedAt: new Date(NOW).toISOString(), domains: {}, hosts: {}, ...overrides });
}

describe('saveCacheFile / loadCacheFile', () => {
  it('round-trips a snapshot in the documented format', async () => {
    await saveCacheFile(cachePath, sample(), { now: NOW });
    const raw = JSON.parse(await readFile(cachePath, 'utf8'));
    expect(raw).toMatchObject({ format: 'listscrub-dns-cache', version: 1, savedAt: '2024-05-01T06:00:00.000Z' });
    expect(raw.domains['gone.test']).toEqual({
      outcome: { kind: 'undeliverable', reason: 'domain_not_found', detail: 'gone.test does not exist' },
      expiresAt: LATER,
    });
    expect(raw.hosts['mx1.example.com']).toEqual({ addresses: ['192.0.2.1', '2001:db8::1'], expiresAt: LATER });

    const loaded = await loadCacheFile(cachePath, { now: NOW });
    expect(loaded.warning).toBeUndefined();
    expect(loaded.snapshot).toEqual(sample());
  });

  it('treats a missing file as an empty cache without a warning', async () => {
    const loaded = await loadCacheFile(join(dir, 'absent.json'), { now: NOW });
    expect(loaded).toEqual({ snapshot: emptySnapshot() });
  });

  it('drops expired entries on load', async () => {
    await saveCacheFile(cachePath, sample());
    const loaded = await loadCacheFile(cachePath, { now: LATER });
    expect(loaded.snapshot.domains.size).toBe(0);
    expect(loaded.snapshot.hosts.size).toBe(0);
    expect(loaded.warning).toBeUndefined();
  });

  it('never loads or saves unknown outcomes', async () => {
    await writeFile(
      cachePath,
      fileWith({
        domains: {
          'slow.test': { outcome: { kind: 'unknown', reason: 'dns_timeout', detail: 'timed out' }, expiresAt: LATER },
          'ok.test': { outcome: { kind: 'deliverable', detail: 'fine' }, expiresAt: LATER },
        },
      }),
    );
    const loaded = await loadCacheFile(cachePath, { now: NOW });
    expect([...loaded.snapshot.domains.keys()]).toEqual(['ok.test']);
    expect(loaded.warning).toBeUndefined();

    const snapshot = emptySnapshot();
    // A JavaScript caller could slip one in despite the type.
    snapshot.domains.set('slow.test', { outcome: { kind: 'unknown', reason: 'dns_timeout', detail: 'x' } as never, expiresAt: LATER });
    await saveCacheFile(cachePath, snapshot);
    expect(JSON.parse(await readFile(cachePath, 'utf8')).domains).toEqual({});
  });

  it('carries the allowPrivate setting the outcomes were computed under', async () => {
    await saveCacheFile(cachePath, { ...sample(), allowPrivate: true });
    expect(JSON.parse(await readFile(cachePath, 'utf8')).allowPrivate).toBe(true);
    expect((await loadCacheFile(cachePath, { now: NOW })).snapshot.allowPrivate).toBe(true);
    await saveCacheFile(cachePath, sample());
    expect(JSON.parse(await readFile(cachePath, 'utf8'))).not.toHaveProperty('allowPrivate');
  });

  it('carries allowLoopback when it was set (only then), and refuses a malformed one', async () => {
    await saveCacheFile(cachePath, { ...sample(), allowPrivate: false, allowLoopback: true });
    expect(JSON.parse(await readFile(cachePath, 'utf8'))).toMatchObject({ allowPrivate: false, allowLoopback: true });
    expect((await loadCacheFile(cachePath, { now: NOW })).snapshot.allowLoopback).toBe(true);
    await saveCacheFile(cachePath, { ...sample(), allowPrivate: false });
    expect(JSON.parse(await readFile(cachePath, 'utf8'))).not.toHaveProperty('allowLoopback');
    expect((await loadCacheFile(cachePath, { now: NOW })).snapshot.allowLoopback).toBeUndefined();
    await writeFile(cachePath, JSON.stringify({ ...JSON.parse(await readFile(cachePath, 'utf8')), allowLoopback: 'yes' }));
    expect((await loadCacheFile(cachePath, { now: NOW })).warning).toMatch(/malformed "allowLoopback"/);
  });

  it('keeps a "__proto__" key as data', async () => {
    const snapshot = emptySnapshot();
    snapshot.domains.set('__proto__', { outcome: { kind: 'deliverable', detail: 'odd' }, expiresAt: LATER });
    await saveCacheFile(cachePath, snapshot);
    const loaded = await loadCacheFile(cachePath, { now: NOW });
    expect([...loaded.snapshot.domains.keys()]).toEqual(['__proto__']);
  });

  const damaged: [string, string, RegExp][] = [
    ['corrupt JSON', '{"format": "listscrub-dns-cache", "vers', /is not valid JSON/],
    ['an empty file', '', /is not valid JSON/],
    ['a foreign format', JSON.stringify({ format: 'something-else', version: 1, domains: {}, hosts: {} }), /not a listscrub DNS cache/],
    ['a JSON array', '[]', /not a listscrub DNS cache/],
    ['a newer version', fileWith({ version: 2 }), /newer listscrub \(format version 2\)/],
    ['no version', fileWith({ version: 'one' }), /no format version/],
    ['a missing section', fileWith({ hosts: undefined }), /missing its "domains" or "hosts"/],
    ['a bad allowPrivate', fileWith({ allowPrivate: 'yes' }), /malformed "allowPrivate"/],
    ['a bad outcome kind', fileWith({ domains: { 'a.test': { outcome: { kind: 'maybe', detail: 'x' }, expiresAt: LATER } } }), /malformed entry for domain "a.test"/],
    ['a bad failure reason', fileWith({ domains: { 'a.test': { outcome: { kind: 'undeliverable', reason: 'nope', detail: 'x' }, expiresAt: LATER } } }), /domain "a.test"/],
    ['a missing expiry', fileWith({ domains: { 'a.test': { outcome: { kind: 'deliverable', detail: 'x' } } } }), /domain "a.test"/],
    ['a non-IP host address', fileWith({ hosts: { 'mx.test': { addresses: ['not-an-ip'], expiresAt: LATER } } }), /host "mx.test"/],
  ];
  for (const [what, content, problem] of damaged) {
    it(`ignores ${what} with a warning naming the file`, async () => {
      await writeFile(cachePath, content);
      const loaded = await loadCacheFile(cachePath, { now: NOW });
      expect(loaded.snapshot).toEqual(emptySnapshot());
      expect(loaded.warning).toMatch(problem);
      expect(loaded.warning).toContain(cachePath);
      expect(loaded.warning).toContain('ignored and will be rebuilt');
    });
  }

  it('warns instead of throwing when the path is unreadable', async () => {
    await mkdir(join(dir, 'a-directory'));
    const loaded = await loadCacheFile(join(dir, 'a-directory'), { now: NOW });
    expect(loaded.snapshot).toEqual(emptySnapshot());
    expect(loaded.warning).toMatch(/could not be read \(EISDIR\)/);
  });

  it('fails to save with E_OUTPUT and leaves no temp file behind', async () => {
    await expect(saveCacheFile(join(dir, 'missing-dir', 'c.json'), sample())).rejects.toMatchObject({ code: 'E_OUTPUT' });
    await mkdir(join(dir, 'target.json'));
    await expect(saveCacheFile(join(dir, 'target.json'), sample())).rejects.toMatchObject({ code: 'E_OUTPUT' });
    expect((await readdir(dir)).sort()).toEqual(['target.json']);
  });

  it('never shows a concurrent reader a partial file', async () => {
    // A snapshot big enough that a non-atomic write would be observable half-done.
    const big = emptySnapshot();
    for (let i = 0; i < 3000; i++) {
      big.domains.set(`domain-${i}.example`, { outcome: { kind: 'deliverable', detail: `domain-${i}.example has MX records` }, expiresAt: LATER });
    }
    await saveCacheFile(cachePath, big);

    let saving = true;
    const saves = (async () => {
      for (let i = 0; i < 30; i++) await saveCacheFile(cachePath, big);
      saving = false;
    })();
    let reads = 0;
    while (saving) {
      const loaded = await loadCacheFile(cachePath, { now: NOW });
      expect(loaded.warning).toBeUndefined();
      expect(loaded.snapshot.domains.size).toBe(3000);
      reads++;
    }
    await saves;
    expect(reads).toBeGreaterThan(0);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
