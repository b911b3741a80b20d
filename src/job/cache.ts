/**
 * The job's loadCache and saveCache steps: the cache file (DNS answers, and with --smtp the mailbox
 * answers), loaded into the checkers before the run and saved after it, shared safely between jobs
 * that use the same file.
 */
import { sameAddressPolicy } from '../dns/cache.js';
import { ListscrubError } from '../errors.js';
import { cacheFileIdentity, loadCacheFile, saveCacheFile, type CacheSnapshot, type LoadedCache } from '../jobs/cache-file.js';
import { acquireLock, type LockHandle } from '../jobs/lock.js';
import type { Scrubber } from '../scrubber.js';
import type { JobPlan } from './plan.js';

/** Load the cache file into the scrubber's DNS checker; undefined without a cache or DNS. */
export async function loadCache(plan: JobPlan, scrubber: Scrubber, warnings: string[]): Promise<LoadedCache | undefined> {
  const { options } = plan;
  if (options.cache === undefined || scrubber.domains === null) return undefined;
  const loaded = await loadCacheFile(options.cache, { now: Date.now(), ...(options.cacheTtl?.max === undefined ? {} : { maxTtlSeconds: options.cacheTtl.max }) });
  if (loaded.warning !== undefined) warnings.push(loaded.warning);
  scrubber.domains.cache.import(loaded.snapshot);
  if (loaded.mailboxes !== undefined) scrubber.mailbox?.cache.import(loaded.mailboxes);
  return loaded;
}

/**
 * Answers are worth keeping even when a guard tripped; unknowns are never stored. The outputs are
 * committed by now, so a cache that cannot be written (missing directory, disk full) is a warning,
 * not a failed run: the next run just asks DNS again. A run that learned nothing (every domain came
 * from the file, which was read whole) leaves the file as it is: rewriting 5 MB to say the same
 * thing took ~0.4 s of a warm 1M-row run.
 */
export async function saveCache(plan: JobPlan, scrubber: Scrubber, loaded: LoadedCache | undefined, warnings: string[]): Promise<void> {
  const { cache } = plan.options;
  if (cache === undefined || scrubber.domains === null) return;
  const mailbox = scrubber.mailbox?.cache;
  const upToDate = loaded?.identity !== undefined && loaded.warning === undefined && !scrubber.domains.cache.changed && mailbox?.changed !== true;
  if (upToDate) return;
  try {
    await saveSharedCache(cache, scrubber.domains.cache.export(), loaded, mailbox?.export());
  } catch (error) {
    warnings.push(`${(error as Error).message.replace(/\.$/, '')}; the next run will query DNS for these domains again.`);
  }
}

/**
 * Save the cache so that jobs sharing the file do not undo each other's work: under `<cache>.lock`,
 * re-read the file, keep its entries for the names this run did not look at, and write. Without the
 * lock two jobs finishing together could both read, then the later rename drops the other's names.
 * The lock is held for milliseconds, so a busy one is waited for (briefly); one left by a crashed
 * run is taken over (dead pid). If it stays busy, the save goes ahead unmerged: a lost entry only
 * costs a DNS query next run.
 */
async function saveSharedCache(path: string, snapshot: CacheSnapshot, loaded: LoadedCache | undefined, mailboxes: unknown): Promise<void> {
  let lock: LockHandle | null = null;
  for (let attempt = 0; lock === null && attempt < CACHE_LOCK_ATTEMPTS; attempt++) {
    try {
      lock = await acquireLock(`${path}.lock`);
    } catch (error) {
      if (!(error instanceof ListscrubError && error.code === 'E_LOCKED')) throw error;
      await new Promise((resolveWait) => setTimeout(resolveWait, CACHE_LOCK_WAIT_MS));
    }
  }
  try {
    // Unchanged since this run loaded it: everything in it was imported, so there is nothing to merge.
    // Without --smtp (mailboxes undefined) this run learned nothing about mailboxes: the file's
    // answers go back as they are in the file now.
    let merged = mailboxes ?? loaded?.mailboxes;
    if (loaded?.identity === undefined || (await cacheFileIdentity(path)) !== loaded.identity) {
      const current = await loadCacheFile(path, { now: Date.now() });
      if (current.warning === undefined) {
        mergeMissing(snapshot, current.snapshot);
        merged = mailboxes === undefined ? current.mailboxes : mergeMailboxes(mailboxes, current.mailboxes);
      }
    }
    await saveCacheFile(path, snapshot, merged === undefined ? {} : { mailboxes: merged });
  } finally {
    await lock?.release();
  }
}

/**
 * The mailbox answers to save: ours, plus the other run's for addresses and domains we do not have
 * (both as src/smtp/cache.ts writes them: `{ addresses: {...}, catchAll: {...} }`). The SMTP cache
 * validates every entry when it is next imported, so entries are copied as they are.
 */
function mergeMailboxes(mine: unknown, theirs: unknown): unknown {
  if (!isSection(theirs)) return mine;
  if (!isSection(mine)) return theirs;
  const merged: Record<string, Record<string, unknown>> = {};
  for (const key of ['addresses', 'catchAll']) {
    merged[key] = Object.assign(Object.create(null) as Record<string, unknown>, sectionOf(theirs, key), sectionOf(mine, key));
  }
  return merged;
}

function isSection(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sectionOf(value: Record<string, unknown>, key: string): Record<string, unknown> {
  const section = value[key];
  return isSection(section) ? section : {};
}

const CACHE_LOCK_ATTEMPTS = 100;
const CACHE_LOCK_WAIT_MS = 20;

/**
 * Copy into `mine` the entries of `theirs` (the file as another run left it) for names `mine` does
 * not have. Only when both were computed under the same allowPrivate/allowLoopback settings, since
 * deliverable and mx_invalid outcomes depend on them; loadCacheFile already dropped expired entries.
 */
function mergeMissing(mine: CacheSnapshot, theirs: CacheSnapshot): void {
  if (!sameAddressPolicy(theirs, mine)) return;
  for (const [name, entry] of theirs.domains) if (!mine.domains.has(name)) mine.domains.set(name, entry);
  for (const [name, entry] of theirs.hosts) if (!mine.hosts.has(name)) mine.hosts.set(name, entry);
}

