/**
 * src/job/cache.ts: two jobs sharing one cache file keep each other's mailbox answers (--smtp), as
 * they keep each other's DNS entries: the later save merges what the other run wrote meanwhile.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { saveCache } from '../../src/job/cache.js';
import type { JobPlan } from '../../src/job/plan.js';
import { emptySnapshot, saveCacheFile } from '../../src/jobs/cache-file.js';
import type { Scrubber } from '../../src/scrubber.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'listscrub-job-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const answer = (reason: string) => ({ outcome: { reason, detail: `${reason}.` }, expiresAt: Date.now() + 3_600_000 });

function scrubberWith(mailboxes: unknown): Scrubber {
  return {
    domains: { cache: { changed: true, export: () => emptySnapshot() } },
    mailbox: { cache: { changed: true, export: () => mailboxes } },
  } as unknown as Scrubber;
}

describe('saveCache with mailbox answers', () => {
  it('keeps the answers another run saved meanwhile, for addresses this run did not ask', async () => {
    const path = join(dir, 'cache.json');
    // Another run saved after this one started (this run found no file: nothing loaded).
    await saveCacheFile(path, emptySnapshot(), { mailboxes: { addresses: { 'a@x.com': answer('accepted'), 'c@x.com': answer('accepted') }, catchAll: { 'x.com': { state: 'no', expiresAt: Date.now() + 3_600_000 } } } });
    const ours = { addresses: { 'b@y.com': answer('mailbox_not_found'), 'c@x.com': answer('mailbox_disabled') }, catchAll: {} };
    const warnings: string[] = [];
    await saveCache({ options: { input: 'list.csv', cache: path } } as unknown as JobPlan, scrubberWith(ours), undefined, warnings);
    expect(warnings).toEqual([]);
    const saved = JSON.parse(await readFile(path, 'utf8')) as { mailboxes: { addresses: Record<string, { outcome: { reason: string } }>; catchAll: Record<string, unknown> } };
    const reasons = Object.fromEntries(Object.entries(saved.mailboxes.addresses).map(([address, entry]) => [address, entry.outcome.reason]));
    // Ours win where both answered (c@x.com); theirs fill the rest.
    expect(reasons).toEqual({ 'a@x.com': 'accepted', 'b@y.com': 'mailbox_not_found', 'c@x.com': 'mailbox_disabled' });
    expect(Object.keys(saved.mailboxes.catchAll)).toEqual(['x.com']);
  });

  it('a run without --smtp writes the file\'s mailbox answers back as it found them', async () => {
    const path = join(dir, 'cache.json');
    const found = { addresses: { 'a@x.com': answer('accepted') }, catchAll: {} };
    await saveCacheFile(path, emptySnapshot(), { mailboxes: found });
    const scrubber = { domains: { cache: { changed: true, export: () => emptySnapshot() } }, mailbox: null } as unknown as Scrubber;
    await saveCache({ options: { input: 'list.csv', cache: path } } as unknown as JobPlan, scrubber, { snapshot: emptySnapshot(), identity: 'not-the-file', mailboxes: found }, []);
    const saved = JSON.parse(await readFile(path, 'utf8')) as { mailboxes: { addresses: Record<string, unknown> } };
    expect(Object.keys(saved.mailboxes.addresses)).toEqual(['a@x.com']);
  });

  it('a run without --smtp does not put back its older copy over answers another run saved meanwhile', async () => {
    const path = join(dir, 'cache.json');
    const older = { addresses: { 'a@x.com': answer('accepted') }, catchAll: {} };
    const newer = { addresses: { 'a@x.com': answer('mailbox_disabled'), 'b@y.com': answer('accepted') }, catchAll: {} };
    await saveCacheFile(path, emptySnapshot(), { mailboxes: newer });
    const scrubber = { domains: { cache: { changed: true, export: () => emptySnapshot() } }, mailbox: null } as unknown as Scrubber;
    // This run loaded the older file (another identity), then the other run replaced it.
    await saveCache({ options: { input: 'list.csv', cache: path } } as unknown as JobPlan, scrubber, { snapshot: emptySnapshot(), identity: 'the-older-file', mailboxes: older }, []);
    const saved = JSON.parse(await readFile(path, 'utf8')) as { mailboxes: { addresses: Record<string, { outcome: { reason: string } }> } };
    expect(Object.fromEntries(Object.entries(saved.mailboxes.addresses).map(([a, e]) => [a, e.outcome.reason]))).toEqual({ 'a@x.com': 'mailbox_disabled', 'b@y.com': 'accepted' });
  });
});
