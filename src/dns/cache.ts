/**
 * TTL caches with absolute expiry (epoch ms from an injectable clock), so entries can be exported
 * to a file and imported by a later run. Expired entries are kept until overwritten or evicted
 * ("stale"), because the health monitor wants to know that a domain used to be deliverable.
 * Unknown outcomes are never stored: callers only hand in real answers.
 */
import type { DomainOutcome } from '../types.js';
import { MAX_TTL_SECONDS, MIN_TTL_SECONDS } from './constants.js';
import { isIpAddress } from './ip.js';

/** What a domain check can cache: every outcome but 'unknown'. */
export type CachedOutcome = Exclude<DomainOutcome, { kind: 'unknown' }>;

/** What is known about an MX host (or a domain's implicit MX): its addresses or their absence. */
export type HostRecord =
  | {
      kind: 'addresses';
      addresses: string[];
      /** True when both A and AAAA were asked (false: A alone already gave a usable address). */
      complete: boolean;
    }
  | { kind: 'nxdomain' }
  | { kind: 'nodata' };

export interface CacheEntry<T> {
  value: T;
  /** Absolute expiry, epoch milliseconds. */
  expiresAt: number;
}

export interface CachedDomainEntry {
  outcome: CachedOutcome;
  /** Absolute expiry, epoch ms. */
  expiresAt: number;
}

export interface CachedHostEntry {
  /** Addresses of an MX host (or of a domain used as its implicit MX); empty = none exists. */
  addresses: string[];
  /** Absolute expiry, epoch ms. */
  expiresAt: number;
}

/**
 * Plain data for persistence, keyed by lower-case ASCII name; also what the cache file loads and
 * saves (src/jobs/cache-file.ts). import() also accepts plain objects in place of the Maps.
 */
export interface CacheSnapshot {
  /** Whether the exporting checker accepted private MX addresses (outcomes depend on it). */
  allowPrivate?: boolean;
  /** Whether it accepted loopback MX addresses (tests, local relays); absent means no. */
  allowLoopback?: boolean;
  domains: Map<string, CachedDomainEntry>;
  hosts: Map<string, CachedHostEntry>;
}

/**
 * Were two sets of outcomes computed with the same MX addresses counting as usable? Deliverable
 * and mx_invalid outcomes from one are not to be trusted under the other.
 */
export function sameAddressPolicy(
  a: { allowPrivate?: boolean; allowLoopback?: boolean },
  b: { allowPrivate?: boolean; allowLoopback?: boolean },
): boolean {
  return (a.allowPrivate ?? false) === (b.allowPrivate ?? false) && (a.allowLoopback ?? false) === (b.allowLoopback ?? false);
}

/** The cache as the checker exposes it, for persistence across runs. */
export interface DnsCache {
  /** Unexpired entries, with absolute expiry. */
  export(): CacheSnapshot;
  /**
   * Load entries from an earlier export; expired or malformed ones are skipped, and so are outcomes
   * that depend on a different allowPrivate or allowLoopback setting. Returns how many entries were loaded.
   */
  import(snapshot: CacheSnapshot): number;
  /** The unexpired cached outcome of a domain, if any (does not count as a cache hit). */
  get(domain: string): CachedOutcome | undefined;
  clear(): void;
  /** Domain entries held (expired ones included until evicted). */
  readonly size: number;
  /**
   * Whether this run stored or dropped a domain outcome (a lookup's answer, or a distrusted answer
   * removed when health failed). import() and clear() do not count. A caller that loaded its cache
   * from a file need not write the file back when this is false: it holds nothing new.
   */
  readonly changed: boolean;
}

/** Bounds, in seconds, that DNS TTLs are clamped to before they become cache expiries. */
export interface TtlBounds {
  min: number;
  max: number;
}

export const DEFAULT_TTL_BOUNDS: TtlBounds = { min: MIN_TTL_SECONDS, max: MAX_TTL_SECONDS };

export function clampTtl(seconds: number, bounds: TtlBounds = DEFAULT_TTL_BOUNDS): number {
  if (!Number.isFinite(seconds)) return bounds.min;
  return Math.min(bounds.max, Math.max(bounds.min, Math.round(seconds)));
}

export class TtlCache<T> {
  /**
   * A plain Map. (A direct-mapped front with its own string hash once sat before it, from when the
   * domains came in as fresh strings every row; they are now the address engine's one string per
   * domain, whose hash V8 computes once and keeps, and Map.get() is twice as fast as the front was:
   * ~50 vs ~105 ns a lookup over 20,000 cached domains.)
   */
  readonly #entries = new Map<string, CacheEntry<T>>();
  readonly #now: () => number;
  readonly #maxEntries: number;
  readonly #bounds: TtlBounds;

  constructor(now: () => number, maxEntries: number, bounds: TtlBounds = DEFAULT_TTL_BOUNDS) {
    this.#now = now;
    this.#maxEntries = maxEntries;
    this.#bounds = bounds;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value if present and not expired. */
  get(key: string): T | undefined {
    return this.getEntry(key)?.value;
  }

  /** The entry if present and not expired. */
  getEntry(key: string): CacheEntry<T> | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.expiresAt <= this.#now()) return undefined;
    return entry;
  }

  /** Seconds until an entry expires (0 if expired). */
  remainingSeconds(entry: CacheEntry<T>): number {
    return Math.max(0, (entry.expiresAt - this.#now()) / 1000);
  }

  /** The value even if expired. */
  peekStale(key: string): T | undefined {
    return this.#entries.get(key)?.value;
  }

  /** Store with a TTL in seconds, clamped to the cache's bounds (default [MIN_TTL_SECONDS, MAX_TTL_SECONDS]). */
  set(key: string, value: T, ttlSeconds: number): void {
    this.setUntil(key, value, this.#now() + clampTtl(ttlSeconds, this.#bounds) * 1000);
  }

  setUntil(key: string, value: T, expiresAt: number): void {
    this.#entries.delete(key); // re-insert: Map order is our eviction order (oldest write first)
    this.#entries.set(key, { value, expiresAt });
    if (this.#entries.size > this.#maxEntries) this.#evict();
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  /** Unexpired entries. */
  *live(): IterableIterator<[string, CacheEntry<T>]> {
    const now = this.#now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt > now) yield [key, entry];
  }

  /** Drop expired entries first; if still over the bound, the oldest writes. */
  #evict(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
    const excess = this.#entries.size - Math.floor(this.#maxEntries * 0.9);
    if (excess <= 0) return;
    let dropped = 0;
    for (const key of this.#entries.keys()) {
      if (dropped++ >= excess) break;
      this.#entries.delete(key);
    }
  }
}

const FAILURE_REASONS = new Set(['domain_not_found', 'null_mx', 'no_mail_server', 'mx_invalid']);

export function isCachedOutcome(value: unknown): value is CachedOutcome {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (typeof v.detail !== 'string') return false;
  if (v.kind === 'deliverable') return true;
  return v.kind === 'undeliverable' && typeof v.reason === 'string' && FAILURE_REASONS.has(v.reason);
}

export function isAddressList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((a) => typeof a === 'string' && isIpAddress(a));
}
