/**
 * Defaults of the DNS layer, exported so the CLI and README show the same numbers the code uses.
 */

/**
 * Per-attempt timeout. A recursive resolver answers a cold query in well under 500 ms almost always;
 * slow authoritative servers can take 1-2 s. c-ares' own default (5 s x 4 tries) makes a list with
 * a few dead name servers crawl, so 2 s per attempt with our own retries is the compromise.
 * Measured on Node 20 / c-ares 1.34: a silent server is reported after ~1.75-2x the timeout
 * (200 ms gave ETIMEOUT after 350-400 ms), so budget ~2 x timeout per attempt;
 * worst case per query with the defaults: 3 attempts x ~4 s + 100 + 200 ms of backoff.
 */
export const DEFAULT_DNS_TIMEOUT_MS = 2000;

/** Retries after the first attempt (timeouts, SERVFAIL, transport errors; not NXDOMAIN/REFUSED). */
export const DEFAULT_RETRIES = 2;

/** Backoff before retry n (1-based): min(BASE x 2^(n-1), MAX) ms. Bounded so a run never stalls. */
export const DEFAULT_BACKOFF_MS = 100;
export const MAX_BACKOFF_MS = 1000;

/**
 * Queries per second. Gentle enough for an ISP or office resolver and well under the per-client
 * limits of public resolvers (roughly 1,000+ qps), while a 100k-address list with ~10k distinct
 * domains still finishes its DNS work in about two minutes.
 */
export const DEFAULT_RATE = 200;

/** Queries in flight at once. At ~50-250 ms per query this is what sustains DEFAULT_RATE. */
export const DEFAULT_CONCURRENCY = 50;

/**
 * Canary domains: three independent operators (Google, Microsoft, Yahoo) whose MX records have been
 * stable for decades and are served from anycast networks. One deliverable answer is enough, so an
 * outage at a single provider never marks DNS unhealthy.
 */
export const DEFAULT_CANARIES: readonly string[] = Object.freeze(['gmail.com', 'outlook.com', 'yahoo.com']);

/**
 * A domain whose check ended in a temporary failure (SERVFAIL, REFUSED, timeout after the retries)
 * answers that same unknown outcome for this long, within the run, instead of being asked again
 * for every row that carries it. RFC 9520 asks resolvers to cache resolution failures for at least
 * 1 s and at most 5 min, so asking again at once mostly gets the resolver's cached failure; and
 * each new ask of a silent domain holds a slot for the whole timeout x attempts. Such rows are
 * unknown (kept) either way. Never written to the cache file: the next run asks again.
 */
export const FAILURE_MEMO_SECONDS = 60;

/** Cache TTL bounds, in seconds: TTLs outside are clamped. */
export const MIN_TTL_SECONDS = 60;
export const MAX_TTL_SECONDS = 86_400;

/** node:dns exposes no TTL for MX answers: positive MX answers are cached this long. */
export const DEFAULT_POSITIVE_TTL_SECONDS = 3600;

/**
 * Negative answers (NXDOMAIN, NODATA) are cached this long. RFC 2308 says to use the SOA minimum
 * of the authority section, but node:dns does not expose the authority section.
 */
export const DEFAULT_NEGATIVE_TTL_SECONDS = 900;

/** MX hosts examined per domain at most (in preference order): bounds the queries one domain costs. */
export const MAX_MX_HOSTS = 10;
