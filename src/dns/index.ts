/**
 * The DNS domain-verification layer: createDomainChecker() answers "can this domain receive mail?"
 * with a DomainOutcome, through a rate/concurrency limiter, a TTL cache with in-flight sharing, and a
 * health monitor that withholds invalid verdicts when the resolver cannot be trusted.
 *
 *   index.ts     the checker: options, domain cache, in-flight sharing, health gate, stats
 *   classify.ts  MX / null MX / implicit MX / MX host resolution (RFC 5321 5.1, RFC 7505)
 *   resolver.ts  node:dns Resolver (c-ares), error mapping, retries with bounded backoff
 *   limiter.ts   the only bottleneck import
 *   cache.ts     TTL caches with absolute expiry, export/import
 *   health.ts    canaries and the watch during the run
 *   ip.ts        which MX addresses are usable
 */
import { ListscrubError } from '../errors.js';
import type { DnsHealth, DnsOptions, DnsStats, DomainOutcome } from '../types.js';
import {
  type CacheSnapshot,
  type CachedOutcome,
  type DnsCache,
  type HostRecord,
  TtlCache,
  isAddressList,
  isCachedOutcome,
  sameAddressPolicy,
} from './cache.js';
import { Classifier, type MailHost } from './classify.js';
import {
  DEFAULT_BACKOFF_MS,
  DEFAULT_CANARIES,
  DEFAULT_CONCURRENCY,
  DEFAULT_DNS_TIMEOUT_MS,
  DEFAULT_RATE,
  DEFAULT_RETRIES,
  FAILURE_MEMO_SECONDS,
  MAX_TTL_SECONDS,
  MIN_TTL_SECONDS,
} from './constants.js';
import { HealthMonitor } from './health.js';
import { createLimiter, type QueryLimiter } from './limiter.js';
import { unusableReason } from './ip.js';
import { DnsResolver, type QueryCounters } from './resolver.js';

export * from './constants.js';
export type { CacheSnapshot, CachedDomainEntry, CachedHostEntry, CachedOutcome, DnsCache } from './cache.js';
export { isUsableAddress, unusableReason } from './ip.js';
export { mapErrorCode, type QueryAnswer } from './resolver.js';
export type { MailHost } from './classify.js';

export interface DomainChecker {
  /** Classify a lower-case ASCII domain. Never throws; uncertain outcomes are kind 'unknown'. */
  check(domain: string): Promise<DomainOutcome>;
  /**
   * What check() would answer, synchronously, when that answer is a cache hit needing no wait (the
   * canary check done and healthy, no re-check pending for an undeliverable outcome); otherwise
   * undefined, and the caller uses check(). Counted as a cache hit like check()'s.
   */
  checkCached(domain: string): DomainOutcome | undefined;
  /** Run the canary check once (idempotent, memoized promise); check() awaits it implicitly before its first lookup. */
  ready(): Promise<DnsHealth>;
  health(): DnsHealth;
  stats(): DnsStats;
  /** Cache access for persistence across runs. */
  cache: DnsCache;
  /** Stop the limiter (waiting queries are dropped), cancel timers and outstanding queries. */
  close(): Promise<void>;
  /**
   * One raw question through the same resolver, limiter, timeouts and retries (no cache, no health
   * gate: the caller checks health()). Used by the sender preflight for TXT, PTR and block lists.
   */
  query: DnsResolver['query'];
  /** The resolvers asked, as "ip" or "ip:port" (getServers()). */
  servers(): string[];
  /** The mail servers of a domain DNS found deliverable, in preference order (the SMTP stage asks them). */
  mailHosts(domain: string): Promise<MailHost[]>;
}

export interface DomainCheckerOptions {
  dns?: DnsOptions;
  /** Queries per second (default DEFAULT_RATE); Infinity disables the rate limit. */
  rate?: number;
  /** Queries in flight (default DEFAULT_CONCURRENCY). */
  concurrency?: number;
  /** Clock for cache expiry, epoch ms (default Date.now); tests inject a fake one. */
  now?: () => number;
  /** Base backoff before a retry, ms (default DEFAULT_BACKOFF_MS; capped at MAX_BACKOFF_MS). */
  backoffMs?: number;
  /** Entries per cache (domains, hosts) before eviction (default 500,000). */
  maxCacheEntries?: number;
  /** Clamp DNS TTLs to these bounds, in seconds (default 60 s to 1 day): `--cache-ttl MIN:MAX`. */
  cacheTtl?: { min?: number; max?: number };
  /** Keep each domain's MX list for the run, for mailHosts() (the SMTP stage): no second MX query. */
  keepMailHosts?: boolean;
}

function optionError(message: string): ListscrubError {
  return new ListscrubError('E_OPTION', message);
}

function positiveNumber(value: number | undefined, fallback: number, name: string, integer: boolean): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw optionError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${String(value)}`);
  }
  return value;
}

/** Entries of a Map, or of a plain object (a snapshot that went through JSON). */
function entriesOf<M extends Map<string, unknown>>(
  collection: M | Record<string, unknown> | undefined,
): Array<[string, (M extends Map<string, infer V> ? V : never) | undefined]> {
  if (collection instanceof Map) return [...collection.entries()] as never;
  if (typeof collection === 'object' && collection !== null) return Object.entries(collection) as never;
  return [];
}

function normalizeDomain(domain: string): string {
  // Already normal (the address engine's domains are): the same string back, no regex, no copies.
  if (typeof domain === 'string' && isLowerLdh(domain)) return domain;
  return String(domain).trim().replace(/\.$/, '').toLowerCase();
}

/** Only a-z 0-9 - . and no trailing dot: trim, the dot removal and lower-casing change nothing. */
function isLowerLdh(domain: string): boolean {
  const length = domain.length;
  if (length === 0 || domain.charCodeAt(length - 1) === 0x2e) return false;
  for (let i = 0; i < length; i++) {
    const c = domain.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e)) return false;
  }
  return true;
}

/**
 * The default clock of the caches. Every row of a warm run checks an expiry, and on virtual machines
 * a clock read costs ~70 ns (kvm-clock; measured), a third of a cached lookup. Expiry needs no more
 * than about a second of precision, so an unref'd timer reads the clock every CLOCK_TICK_MS while
 * the checker is open and lookups use that reading. (A loop blocked for longer leaves the reading
 * that much behind: an entry then lives that much longer; DNS TTLs are coarser than that.)
 */
const CLOCK_TICK_MS = 1000;

interface CoarseClock {
  now: () => number;
  stop: () => void;
}

function coarseClock(): CoarseClock {
  let reading = Date.now();
  const timer = setInterval(() => {
    reading = Date.now();
  }, CLOCK_TICK_MS);
  timer.unref();
  return { now: () => reading, stop: () => clearInterval(timer) };
}

/** The checker's options, checked, with their defaults. */
interface Settings {
  timeoutMs: number;
  retries: number;
  rate: number;
  concurrency: number;
  backoffMs: number;
  canaries: string[];
  allowPrivate: boolean;
  allowLoopback: boolean;
  maxEntries: number;
  ttlBounds: { min: number; max: number };
  keepMailHosts: boolean;
}

function checkOptions(options: DomainCheckerOptions): Settings {
  const dns = options.dns ?? {};
  const timeoutMs = positiveNumber(dns.timeoutMs, DEFAULT_DNS_TIMEOUT_MS, 'dns.timeoutMs', true);
  const retries = dns.retries ?? DEFAULT_RETRIES;
  if (!Number.isInteger(retries) || retries < 0 || retries > 10) {
    throw optionError(`dns.retries must be an integer from 0 to 10, got ${String(retries)}`);
  }
  const rate = positiveNumber(options.rate, DEFAULT_RATE, 'rate', false);
  const concurrency = positiveNumber(options.concurrency, DEFAULT_CONCURRENCY, 'concurrency', true);
  const backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  if (!(backoffMs >= 0)) throw optionError(`backoffMs must be >= 0, got ${String(backoffMs)}`);
  const ttlBounds = {
    min: positiveNumber(options.cacheTtl?.min, MIN_TTL_SECONDS, 'cacheTtl.min', false),
    max: positiveNumber(options.cacheTtl?.max, MAX_TTL_SECONDS, 'cacheTtl.max', false),
  };
  if (ttlBounds.min > ttlBounds.max) throw optionError(`cacheTtl.min (${ttlBounds.min}) is above cacheTtl.max (${ttlBounds.max})`);
  return {
    timeoutMs,
    retries,
    rate,
    concurrency,
    backoffMs,
    canaries: (dns.canary ?? DEFAULT_CANARIES).map(normalizeDomain),
    allowPrivate: dns.allowPrivate ?? false,
    allowLoopback: dns.allowLoopback ?? false,
    maxEntries: options.maxCacheEntries ?? 500_000,
    ttlBounds,
    keepMailHosts: options.keepMailHosts === true,
  };
}

/** The resolver with its limiter; a bad server address is an option error (and stops the limiter). */
function createResolver(
  settings: Settings,
  servers: string[] | undefined,
  counters: QueryCounters,
): { resolver: DnsResolver; limiter: QueryLimiter } {
  const { rate, concurrency, timeoutMs, retries, backoffMs } = settings;
  const limiter = createLimiter({ rate, concurrency });
  try {
    return { resolver: new DnsResolver({ servers, timeoutMs, retries, backoffMs, limiter, counters }), limiter };
  } catch (error) {
    void limiter.stop();
    throw new ListscrubError('E_OPTION', `dns.servers is invalid: ${(error as Error).message}`, { cause: error });
  }
}

/** What the checker's functions share: its caches, its helpers and its counters. */
interface CheckerState {
  readonly allowPrivate: boolean;
  readonly allowLoopback: boolean;
  readonly now: () => number;
  readonly domains: TtlCache<CachedOutcome>;
  readonly hosts: TtlCache<HostRecord>;
  /**
   * Temporary failures (SERVFAIL, timeouts) remembered for FAILURE_MEMO_SECONDS, in this run only:
   * never exported, never turned into a verdict other than unknown. See FAILURE_MEMO_SECONDS.
   */
  readonly failureMemo: TtlCache<DomainOutcome>;
  readonly classifier: Classifier;
  /** Set right after the rest (its callbacks read the state). */
  monitor: HealthMonitor;
  readonly resolverLabel: string;
  /** Lookups under way, shared by every check of the same domain. */
  readonly inFlight: Map<string, Promise<DomainOutcome>>;
  /** Domains this run looked up (DnsStats.domains). */
  readonly seen: Set<string>;
  /** Undeliverable outcomes cached during this run: dropped if health flips (they may be lies). */
  readonly learnedUndeliverable: Set<string>;
  cacheHits: number;
  /**
   * Lookups started, which numbers them: a lookup's number is its queries' priority in the limiter.
   * Checks come in the order of the rows, so the lowest numbers are the domains nearest the head of
   * the ordered output, and a domain's later queries (its MX hosts, its retries) go before the MX
   * queries of domains asked after it. The canary checks keep priority 0: they go first.
   */
  lookups: number;
  /** Domain outcomes stored or dropped by this run (DnsCache.changed). */
  domainWrites: number;
  closed: boolean;
  /** The canary check has completed (monitor.ready() resolved). */
  canariesDone: boolean;
}

function closedOutcome(): DomainOutcome {
  return { kind: 'unknown', reason: 'dns_error', detail: 'the DNS checker was closed before this domain was checked' };
}

function internalError(error: unknown): DomainOutcome {
  return { kind: 'unknown', reason: 'dns_error', detail: `internal error while checking DNS: ${(error as Error)?.message ?? String(error)}` };
}

function unavailable(state: CheckerState, domain: string): DomainOutcome {
  return {
    kind: 'unknown',
    reason: 'dns_unavailable',
    // Short on purpose: it lands in every affected row; health().detail carries the full story.
    detail: `${domain} was not checked: the DNS resolver at ${state.resolverLabel} failed the health check, so its answers are not trusted`,
  };
}

/** The health monitor; when health flips, the undeliverable outcomes this run learned are dropped. */
function createMonitor(state: CheckerState, canaries: string[]): HealthMonitor {
  return new HealthMonitor({
    canaries,
    resolverLabel: state.resolverLabel,
    runCanary: async (domain) => {
      if (state.closed) return closedOutcome();
      try {
        return await state.classifier.classify(domain, true);
      } catch (error) {
        return internalError(error);
      }
    },
    onUnhealthy: () => {
      for (const domain of state.learnedUndeliverable) {
        if (state.domains.peekStale(domain)?.kind === 'undeliverable') {
          state.domains.delete(domain);
          state.domainWrites++;
        }
      }
      state.learnedUndeliverable.clear();
    },
  });
}

/** Last step of every check: the health gate. */
async function gate(state: CheckerState, domain: string, outcome: DomainOutcome): Promise<DomainOutcome> {
  if (outcome.kind === 'undeliverable') {
    const pending = state.monitor.pendingTrust(state.learnedUndeliverable.has(domain));
    if (pending !== undefined) await pending;
  }
  return state.monitor.healthy ? outcome : unavailable(state, domain);
}

/** Ask DNS about a domain; remember the answer (or the temporary failure) and show it to the monitor. */
async function lookup(state: CheckerState, domain: string): Promise<DomainOutcome> {
  const { domains, monitor } = state;
  const previous = domains.peekStale(domain);
  const outcome = await state.classifier.classify(domain, false, ++state.lookups);
  if (outcome.kind !== 'unknown' && monitor.healthy && !state.closed) {
    domains.set(domain, outcome, outcome.ttlSeconds ?? 0);
    state.domainWrites++;
    if (outcome.kind === 'undeliverable') state.learnedUndeliverable.add(domain);
    else state.learnedUndeliverable.delete(domain);
  } else if (outcome.kind === 'unknown' && !state.closed) {
    state.failureMemo.set(domain, outcome, FAILURE_MEMO_SECONDS);
  }
  monitor.observe(domain, outcome, previous);
  return outcome;
}

/** DomainChecker.check, after the canary check: the cache, the failure memo, a shared or a new lookup. */
async function checkHealthy(state: CheckerState, domain: string): Promise<DomainOutcome> {
  const cached = state.domains.get(domain);
  if (cached !== undefined) {
    state.cacheHits++;
    return await gate(state, domain, cached);
  }
  const failed = state.failureMemo.get(domain);
  if (failed !== undefined) {
    state.cacheHits++;
    return failed;
  }
  const joined = state.inFlight.get(domain);
  if (joined !== undefined) {
    state.cacheHits++;
    return await gate(state, domain, await joined);
  }
  state.seen.add(domain);
  const promise = lookup(state, domain).finally(() => {
    state.inFlight.delete(domain);
    if (state.inFlight.size === 0) state.monitor.idle();
  });
  state.inFlight.set(domain, promise);
  return await gate(state, domain, await promise);
}

async function check(state: CheckerState, input: string): Promise<DomainOutcome> {
  const domain = normalizeDomain(input);
  try {
    if (state.closed) return closedOutcome();
    await state.monitor.ready();
    state.canariesDone = true;
    if (state.closed) return closedOutcome();
    if (!state.monitor.healthy) return unavailable(state, domain);
    if (domain === '') {
      return { kind: 'unknown', reason: 'dns_error', detail: 'no domain to check' };
    }
    return await checkHealthy(state, domain);
  } catch (error) {
    return internalError(error);
  }
}

function checkCached(state: CheckerState, input: string): DomainOutcome | undefined {
  if (state.closed || !state.canariesDone || !state.monitor.healthy) return undefined;
  // Keys are normalized, so a hit on the input as given needs no normalizing (the address
  // engine's domains always hit this way); only a miss pays for normalizeDomain().
  let domain = input;
  let cached = state.domains.get(input);
  if (cached === undefined) {
    domain = normalizeDomain(input);
    if (domain === '') return undefined;
    if (domain !== input) cached = state.domains.get(domain);
  }
  if (cached === undefined) {
    const failed = state.failureMemo.get(domain);
    if (failed !== undefined) state.cacheHits++;
    return failed;
  }
  // gate() would wait for a re-check (or a probation) before letting an undeliverable outcome out.
  if (cached.kind === 'undeliverable' && state.monitor.pendingTrust(state.learnedUndeliverable.has(domain)) !== undefined) return undefined;
  state.cacheHits++;
  return cached;
}

function exportSnapshot(state: CheckerState): CacheSnapshot {
  const snapshot: CacheSnapshot = { allowPrivate: state.allowPrivate, domains: new Map(), hosts: new Map() };
  if (state.allowLoopback) snapshot.allowLoopback = true;
  for (const [key, { value, expiresAt }] of state.domains.live()) snapshot.domains.set(key, { outcome: value, expiresAt });
  for (const [key, { value, expiresAt }] of state.hosts.live()) {
    if (value.kind !== 'addresses') {
      snapshot.hosts.set(key, { addresses: [], expiresAt });
      continue;
    }
    // A record made from A alone (AAAA never asked) is exported only if it holds an address
    // usable under any setting; otherwise an importer could take "no usable address" as final.
    if (!value.complete && !value.addresses.some((a) => unusableReason(a, false) === null)) continue;
    snapshot.hosts.set(key, { addresses: [...value.addresses], expiresAt });
  }
  return snapshot;
}

function importSnapshot(state: CheckerState, snapshot: CacheSnapshot): number {
  if (typeof snapshot !== 'object' || snapshot === null) return 0;
  const samePolicy = sameAddressPolicy(snapshot, state);
  const t = state.now();
  let loaded = 0;
  for (const [key, entry] of entriesOf<CacheSnapshot['domains']>(snapshot.domains)) {
    if (typeof entry?.expiresAt !== 'number' || entry.expiresAt <= t || !isCachedOutcome(entry.outcome)) continue;
    // Deliverable and mx_invalid depend on which addresses count as usable.
    const dependsOnPolicy = entry.outcome.kind === 'deliverable' || entry.outcome.reason === 'mx_invalid';
    if (dependsOnPolicy && !samePolicy) continue;
    state.domains.setUntil(normalizeDomain(key), entry.outcome, entry.expiresAt);
    loaded++;
  }
  for (const [key, entry] of entriesOf<CacheSnapshot['hosts']>(snapshot.hosts)) {
    if (typeof entry?.expiresAt !== 'number' || entry.expiresAt <= t || !isAddressList(entry.addresses)) continue;
    const record: HostRecord =
      entry.addresses.length === 0
        ? { kind: 'nodata' }
        : { kind: 'addresses', addresses: [...entry.addresses], complete: true };
    state.hosts.setUntil(normalizeDomain(key), record, entry.expiresAt);
    loaded++;
  }
  return loaded;
}

function cacheOf(state: CheckerState): DnsCache {
  return {
    export: () => exportSnapshot(state),
    import: (snapshot) => importSnapshot(state, snapshot),
    get: (domain) => state.domains.get(normalizeDomain(domain)),
    clear(): void {
      state.domains.clear();
      state.hosts.clear();
      state.failureMemo.clear();
    },
    get size(): number {
      return state.domains.size;
    },
    get changed(): boolean {
      return state.domainWrites > 0;
    },
  };
}

/** The checker's state, from checked settings: caches on `now`, the classifier on `resolver`. */
function createState(settings: Settings, resolver: DnsResolver, now: () => number): CheckerState {
  const { allowPrivate, allowLoopback, maxEntries, ttlBounds, retries, keepMailHosts } = settings;
  const hosts = new TtlCache<HostRecord>(now, maxEntries, ttlBounds);
  const state = {
    allowPrivate,
    allowLoopback,
    now,
    domains: new TtlCache<CachedOutcome>(now, maxEntries, ttlBounds),
    hosts,
    failureMemo: new TtlCache<DomainOutcome>(now, maxEntries, { min: FAILURE_MEMO_SECONDS, max: FAILURE_MEMO_SECONDS }),
    classifier: new Classifier({ resolver, hosts, allowPrivate, allowLoopback, retries, keepMailHosts }),
    resolverLabel: resolver.servers().join(', ') || 'the system resolver',
    inFlight: new Map(),
    seen: new Set(),
    learnedUndeliverable: new Set(),
    cacheHits: 0,
    lookups: 0,
    domainWrites: 0,
    closed: false,
    canariesDone: false,
  } as CheckerState;
  state.monitor = createMonitor(state, settings.canaries);
  return state;
}

export function createDomainChecker(options: DomainCheckerOptions = {}): DomainChecker {
  const settings = checkOptions(options);
  const counters: QueryCounters = { queries: 0, queriesByType: {}, answers: {} };
  const { resolver, limiter } = createResolver(settings, options.dns?.servers, counters);
  // Created once every option has passed its check: nothing to stop when one throws.
  const clock = options.now === undefined ? coarseClock() : undefined;
  const state = createState(settings, resolver, options.now ?? (clock as CoarseClock).now);
  let readyPromise: Promise<DnsHealth> | undefined;

  return {
    check: (domain) => check(state, domain),
    checkCached: (domain) => checkCached(state, domain),
    // Memoized: the same promise every time, like monitor.ready().
    ready: () =>
      (readyPromise ??= state.monitor.ready().then((health) => {
        state.canariesDone = true;
        return health;
      })),
    health: () => state.monitor.health(),
    stats(): DnsStats {
      return {
        queries: counters.queries,
        queriesByType: { ...counters.queriesByType },
        answers: { ...counters.answers },
        domains: state.seen.size,
        cacheHits: state.cacheHits,
      };
    },
    cache: cacheOf(state),
    query: resolver.query.bind(resolver) as DnsResolver['query'],
    servers: () => resolver.servers(),
    mailHosts: (domain) => state.classifier.mailHosts(domain, ++state.lookups),
    async close(): Promise<void> {
      if (state.closed) return;
      state.closed = true;
      clock?.stop();
      resolver.close();
      await limiter.stop();
    },
  };
}
