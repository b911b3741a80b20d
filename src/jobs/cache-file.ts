/**
 * The persistent DNS cache file, so scheduled runs do not re-resolve every domain every time.
 *
 * Format (JSON, version 1):
 *
 *     {
 *       "format": "listscrub-dns-cache",
 *       "version": 1,
 *       "savedAt": "2024-05-01T06:00:00.000Z",
 *       "allowPrivate": false,
 *       "domains": {
 *         "example.com": { "outcome": { "kind": "deliverable", "detail": "...", "ttlSeconds": 3600 }, "expiresAt": 1714550400000 },
 *         "gone.test":   { "outcome": { "kind": "undeliverable", "reason": "domain_not_found", "detail": "..." }, "expiresAt": 1714550400000 }
 *       },
 *       "hosts": {
 *         "mx1.example.com": { "addresses": ["192.0.2.1", "2001:db8::1"], "expiresAt": 1714550400000 }
 *       },
 *       "mailboxes": { "addresses": { ... }, "catchAll": { ... } }
 *     }
 *
 * `mailboxes` (optional) holds the SMTP stage's answers (src/smtp/cache.ts: accepted and invalid for
 * 7 days, catch-all findings for a day, unknown never); its own import validates each entry and
 * skips what it does not trust. A run without --smtp writes it back as it found it.
 *
 * `allowPrivate` (optional) records the DNS setting the outcomes were computed under: with private
 * MX addresses allowed, a domain can be deliverable that otherwise is not, so a run with the other
 * setting must not trust those outcomes (the DNS cache import checks it). `allowLoopback` likewise
 * (written only when true: tests and local relays).
 *
 * `expiresAt` is absolute (epoch ms), so an entry's remaining lifetime survives across runs. Only
 * authoritative outcomes (deliverable / undeliverable) are stored: an 'unknown' (timeout, resolver
 * down) must be retried next run, never remembered.
 *
 * The cache is an optimisation, so loading never throws: a damaged, foreign or newer file yields an
 * empty snapshot and a warning sentence, and the next save replaces it. Saving is atomic (temp file
 * in the same directory + rename), so a concurrent reader sees the old file or the new one, never
 * half of one.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { MAX_TTL_SECONDS } from '../dns/constants.js';
import { readRegularFile } from '../files/open-regular.js';
import { basename, dirname, join } from 'node:path';
import { ListscrubError } from '../errors.js';
import { inspectOutputTarget } from '../csv/write.js';
import { isIpAddress } from '../dns/ip.js';
import { isCachedOutcome as isOutcome, type CacheSnapshot, type CachedDomainEntry, type CachedHostEntry, type CachedOutcome } from '../dns/cache.js';
import type { DomainOutcome } from '../types.js';

export const CACHE_FORMAT = 'listscrub-dns-cache';
export const CACHE_VERSION = 1;

/**
 * The cache contents in memory are the DNS checker's own snapshot type (src/dns/cache.ts): plain
 * data keyed by lower-case ASCII domain / MX host name, in Maps so that any key (even "__proto__")
 * is just a key. The loader's validation is the checker's, plus the file's own rules.
 */
export type { CacheSnapshot, CachedDomainEntry, CachedHostEntry, CachedOutcome } from '../dns/cache.js';

export function emptySnapshot(): CacheSnapshot {
  return { domains: new Map(), hosts: new Map() };
}

export interface LoadedCache {
  snapshot: CacheSnapshot;
  /** Set when the file existed but was not usable; one sentence naming the file. */
  warning?: string;
  /** Which file was read (see cacheFileIdentity), when one was; undefined when there was none. */
  identity?: string;
  /** The file's `mailboxes` section, as found (the SMTP cache validates it on import). */
  mailboxes?: unknown;
}

/**
 * The file now at `path`, as "device:inode:size:mtime", or undefined when there is none. Saves
 * always rename a new file into place (a new inode), so an equal identity means nobody saved since.
 */
export async function cacheFileIdentity(path: string): Promise<string | undefined> {
  try {
    return identityOf(await stat(path));
  } catch {
    return undefined;
  }
}

function identityOf(info: { dev: number; ino: number; size: number; mtimeMs: number }): string {
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}`;
}


/**
 * Load the cache, dropping entries that expired by `now` (epoch ms). Never throws.
 *
 * Expiries are not taken on trust: the file may have been edited by hand or planted. No answer we
 * store lives longer than the maximum TTL (`maxTtlSeconds`, default MAX_TTL_SECONDS), so a later
 * expiry is clamped to now + that maximum for a deliverable outcome, and an undeliverable outcome
 * with such a lifetime is treated as absent: it removes rows, so when in doubt, ask DNS again.
 */
export async function loadCacheFile(path: string, options: { now: number; maxTtlSeconds?: number }): Promise<LoadedCache> {
  const latest = options.now + (options.maxTtlSeconds ?? MAX_TTL_SECONDS) * 1000;
  const ignored = (problem: string): LoadedCache => ({
    snapshot: emptySnapshot(),
    warning: `DNS cache file ${path} ${problem}; it was ignored and will be rebuilt.`,
  });

  let text: string;
  let identity: string;
  try {
    // A regular file only, opened without waiting: a FIFO planted at the cache path hung the run.
    const read = await readRegularFile(path);
    identity = identityOf(read.info);
    text = read.text;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { snapshot: emptySnapshot() }; // first run: nothing to warn about
    return ignored(`could not be read (${code === 'EFTYPE' || code === undefined ? (error as Error).message : code})`);
  }

  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return ignored('is not valid JSON');
  }
  if (!isObject(data) || data.format !== CACHE_FORMAT) return ignored('is not a listscrub DNS cache');
  if (typeof data.version !== 'number' || !Number.isInteger(data.version)) return ignored('has no format version');
  if (data.version > CACHE_VERSION) return ignored(`was written by a newer listscrub (format version ${data.version})`);
  if (data.version < CACHE_VERSION) return ignored(`uses an old format version (${data.version})`);
  if (!isObject(data.domains) || !isObject(data.hosts)) return ignored('is missing its "domains" or "hosts" section');
  if (data.allowPrivate !== undefined && typeof data.allowPrivate !== 'boolean') return ignored('has a malformed "allowPrivate"');
  if (data.allowLoopback !== undefined && typeof data.allowLoopback !== 'boolean') return ignored('has a malformed "allowLoopback"');

  const snapshot = emptySnapshot();
  if (typeof data.allowPrivate === 'boolean') snapshot.allowPrivate = data.allowPrivate;
  if (data.allowLoopback === true) snapshot.allowLoopback = true;
  // A file we wrote never has a malformed entry, so one means damage: distrust the whole file.
  for (const [domain, entry] of Object.entries(data.domains)) {
    if (!isObject(entry) || !isExpiry(entry.expiresAt)) return ignored(`has a malformed entry for domain "${domain}"`);
    const outcome = entry.outcome;
    if (isObject(outcome) && outcome.kind === 'unknown') continue; // never trust a remembered "don't know"
    if (!isCachedOutcome(outcome)) return ignored(`has a malformed entry for domain "${domain}"`);
    if (entry.expiresAt <= options.now) continue;
    if (entry.expiresAt > latest && outcome.kind === 'undeliverable') continue; // suspicious: ask DNS
    snapshot.domains.set(domain, { outcome: copyOutcome(outcome), expiresAt: Math.min(entry.expiresAt, latest) });
  }
  for (const [host, entry] of Object.entries(data.hosts)) {
    if (
      !isObject(entry) || !isExpiry(entry.expiresAt) ||
      !Array.isArray(entry.addresses) || !entry.addresses.every((a) => typeof a === 'string' && isIpAddress(a))
    ) {
      return ignored(`has a malformed entry for host "${host}"`);
    }
    if (entry.expiresAt <= options.now) continue;
    if (entry.expiresAt > latest && entry.addresses.length === 0) continue; // "no such host", suspicious
    snapshot.hosts.set(host, { addresses: [...(entry.addresses as string[])], expiresAt: Math.min(entry.expiresAt, latest) });
  }
  return { snapshot, identity, ...(data.mailboxes === undefined ? {} : { mailboxes: data.mailboxes }) };
}

/**
 * Write the snapshot atomically. 'unknown' outcomes are left out even if a caller passes them.
 * Throws ListscrubError('E_OUTPUT') when the directory is not writable.
 */
export async function saveCacheFile(path: string, snapshot: CacheSnapshot, options: { now?: number; mailboxes?: unknown } = {}): Promise<void> {
  // Null-prototype records: on a plain {} a "__proto__" key would set the prototype and be lost.
  const domains: Record<string, CachedDomainEntry> = Object.create(null);
  for (const [domain, entry] of [...snapshot.domains].sort(byKey)) {
    if ((entry.outcome as DomainOutcome).kind === 'unknown') continue;
    domains[domain] = { outcome: entry.outcome, expiresAt: entry.expiresAt };
  }
  const hosts: Record<string, CachedHostEntry> = Object.create(null);
  for (const [host, entry] of [...snapshot.hosts].sort(byKey)) hosts[host] = { addresses: entry.addresses, expiresAt: entry.expiresAt };
  const text = `${JSON.stringify(
    {
      format: CACHE_FORMAT,
      version: CACHE_VERSION,
      savedAt: new Date(options.now ?? Date.now()).toISOString(),
      ...(snapshot.allowPrivate === undefined ? {} : { allowPrivate: snapshot.allowPrivate }),
      ...(snapshot.allowLoopback === true ? { allowLoopback: true } : {}),
      domains,
      hosts,
      ...(options.mailboxes === undefined ? {} : { mailboxes: options.mailboxes }),
    },
    null,
    1,
  )}\n`;
  await writeAtomic(path, text);
}

/** Temp file in the same directory (same filesystem, so rename is atomic), fsync, then rename. */
async function writeAtomic(path: string, text: string): Promise<void> {
  // A regular file or nothing: renaming over a device or pipe would replace it with the list's
  // domains. Links follow the same rules as the outputs (never another user's, in a shared directory).
  const found = await inspectOutputTarget(path);
  if (found.kind === 'special') throw new ListscrubError('E_OUTPUT', `refusing to write the DNS cache file ${path}: it is not a regular file; nothing was written.`);
  const target = found.path;
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    // Private: the cache lists the domains of people's addresses. O_EXCL and O_NOFOLLOW: never an existing file.
    const file = await open(temp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW, 0o600);
    try {
      await file.writeFile(text, 'utf8');
      await file.sync(); // the rename must not outlive the data after a power cut
    } finally {
      await file.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw new ListscrubError('E_OUTPUT', `cannot write the DNS cache file ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Keep only the known fields, so stray keys in a hand-edited file do not travel into the run. */
function copyOutcome(outcome: CachedOutcome): CachedOutcome {
  const copy: CachedOutcome =
    outcome.kind === 'deliverable'
      ? { kind: 'deliverable', detail: outcome.detail }
      : { kind: 'undeliverable', reason: outcome.reason, detail: outcome.detail };
  if (outcome.ttlSeconds !== undefined) copy.ttlSeconds = outcome.ttlSeconds;
  return copy;
}

function byKey<T>(a: [string, T], b: [string, T]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isExpiry(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** The checker's outcome check, plus: a `ttlSeconds`, when present, is a number >= 0. */
function isCachedOutcome(value: unknown): value is CachedOutcome {
  if (!isOutcome(value)) return false;
  const ttl = (value as { ttlSeconds?: unknown }).ttlSeconds;
  return ttl === undefined || (typeof ttl === 'number' && ttl >= 0);
}
