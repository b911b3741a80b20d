/**
 * One DNS question -> one mapped answer. Wraps node:dns promises.Resolver (c-ares) with
 * `{ timeout, tries: 1 }` and does the retries itself, so that each attempt goes through the
 * limiter and is counted. Error codes are mapped to a closed set of answer kinds; the mapping was
 * verified against the real test server (test/support/dns-server.mjs):
 *   NXDOMAIN (rcode 3)        -> ENOTFOUND   -> 'nxdomain'  (for MX, A and AAAA alike)
 *   NOERROR, no records       -> ENODATA     -> 'nodata'    (also a CNAME without its target)
 *   SERVFAIL                  -> ESERVFAIL   -> 'servfail'
 *   REFUSED                   -> EREFUSED    -> 'refused'
 *   no answer in time         -> ETIMEOUT    -> 'timeout'   (ECONNREFUSED, i.e. ICMP port
 *                                                            unreachable, counts as a timeout too)
 *   anything else (EFORMERR, EBADRESP, ECANCELLED, ...)     -> 'error'
 * c-ares' own query cache is off in Node (verified: repeated questions reach the server).
 * TXT answers come back as one string per record, its character-strings joined (RFC 7208 3.3); an
 * answer too big for UDP arrives truncated and c-ares asks again over TCP by itself (verified with
 * the test server's 1,000-byte records). PTR answers are host names.
 */
import { promises as dnsPromises } from 'node:dns';
import type { QueryLimiter } from './limiter.js';
import { MAX_BACKOFF_MS } from './constants.js';

export type RecordType = 'MX' | 'A' | 'AAAA' | 'TXT' | 'PTR';
export type AnswerKind = 'ok' | 'nodata' | 'nxdomain' | 'servfail' | 'refused' | 'timeout' | 'error';
export type FailureKind = Exclude<AnswerKind, 'ok' | 'nodata' | 'nxdomain'>;

export interface MxRecord {
  exchange: string;
  priority: number;
}
export interface AddressRecord {
  address: string;
  ttl: number;
}

export type QueryAnswer<T> =
  | { kind: 'ok'; records: T[] }
  | { kind: 'nodata' }
  | { kind: 'nxdomain' }
  | { kind: FailureKind; code: string };

export interface QueryCounters {
  queries: number;
  queriesByType: Record<string, number>;
  answers: Record<string, number>;
}

export interface DnsResolverOptions {
  servers?: string[];
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  limiter: QueryLimiter;
  counters: QueryCounters;
}

export function mapErrorCode(code: string | undefined): Exclude<AnswerKind, 'ok'> {
  switch (code) {
    case 'ENOTFOUND':
      return 'nxdomain';
    case 'ENODATA':
      return 'nodata';
    case 'ESERVFAIL':
      return 'servfail';
    case 'EREFUSED':
      return 'refused';
    case 'ETIMEOUT':
    case 'ECONNREFUSED':
      return 'timeout';
    default:
      return 'error';
  }
}

/** Answers worth asking again: the server may do better next time. REFUSED is a policy: not retried. */
/** A follow-up after an early c-ares timeout is only worth it with at least this much time left. */
const MIN_FOLLOW_UP_MS = 100;

type Answered = MxRecord | AddressRecord | string;

function ask(resolver: dnsPromises.Resolver, name: string, type: RecordType): Promise<Answered[]> {
  switch (type) {
    case 'MX':
      return resolver.resolveMx(name);
    case 'A':
      return resolver.resolve4(name, { ttl: true });
    case 'AAAA':
      return resolver.resolve6(name, { ttl: true });
    case 'TXT':
      return resolver.resolveTxt(name).then((records) => records.map((chunks) => chunks.join('')));
    case 'PTR':
      return resolver.resolvePtr(name);
  }
}

function isRetryable(kind: AnswerKind): boolean {
  return kind === 'timeout' || kind === 'servfail' || kind === 'error';
}

export class DnsResolver {
  readonly #resolver: dnsPromises.Resolver;
  readonly #options: DnsResolverOptions;
  readonly #sleeps = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  /** One-query channels of early-timeout follow-ups (see #attempt), cancelled by close(). */
  readonly #fresh = new Set<dnsPromises.Resolver>();
  #closed = false;

  constructor(options: DnsResolverOptions) {
    this.#options = options;
    this.#resolver = new dnsPromises.Resolver({ timeout: options.timeoutMs, tries: 1 });
    // Throws (ERR_INVALID_IP_ADDRESS / ERR_INVALID_ARG_VALUE) on a malformed address: the caller
    // turns that into an option error.
    if (options.servers !== undefined && options.servers.length > 0) this.#resolver.setServers(options.servers);
  }

  /** The resolvers actually used, for messages ("the DNS resolver at ..."). */
  servers(): string[] {
    return this.#resolver.getServers();
  }

  /** Ask, retrying failures; every attempt waits its turn in the limiter by `priority` (lower first). */
  query(name: string, type: 'MX', priority?: number): Promise<QueryAnswer<MxRecord>>;
  query(name: string, type: 'A' | 'AAAA', priority?: number): Promise<QueryAnswer<AddressRecord>>;
  query(name: string, type: 'TXT' | 'PTR', priority?: number): Promise<QueryAnswer<string>>;
  async query(name: string, type: RecordType, priority = 0): Promise<QueryAnswer<Answered>> {
    const { retries, backoffMs } = this.#options;
    let last: QueryAnswer<Answered> = { kind: 'error', code: 'ECANCELLED' };
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (this.#closed) return { kind: 'error', code: 'ECANCELLED' };
      if (attempt > 0) await this.#sleep(Math.min(backoffMs * 2 ** (attempt - 1), MAX_BACKOFF_MS));
      if (this.#closed) return { kind: 'error', code: 'ECANCELLED' };
      try {
        last = await this.#options.limiter.schedule(() => this.#attempt(name, type), priority);
      } catch {
        // The limiter was stopped (close()) before this attempt ran.
        return { kind: 'error', code: 'ECANCELLED' };
      }
      if (!isRetryable(last.kind)) return last;
    }
    return last;
  }

  async #attempt(name: string, type: RecordType): Promise<QueryAnswer<Answered>> {
    const counters = this.#options.counters;
    const started = Date.now();
    let answer = await this.#ask(this.#resolver, name, type);
    // c-ares >= 1.22 adapts a channel's timeout to the latency it has seen: once three answers came
    // back quickly it gives up after about 1 s (measured with c-ares 1.34.6 / Node 20), whatever
    // `timeout` says. A slow authoritative server behind a fast resolver would then be reported as a
    // timeout long before timeoutMs (and `--dns-timeout 5000` would mean 1 s). When the timeout came
    // early, ask once more on a fresh channel, which has no history and so waits for the rest of the
    // configured time. Counted as one more query: the server does see two.
    const left = this.#options.timeoutMs - (Date.now() - started);
    if (answer.kind === 'timeout' && answer.code === 'ETIMEOUT' && left >= MIN_FOLLOW_UP_MS && !this.#closed) {
      const fresh = new dnsPromises.Resolver({ timeout: Math.ceil(left), tries: 1 });
      fresh.setServers(this.#resolver.getServers());
      this.#fresh.add(fresh);
      try {
        answer = await this.#ask(fresh, name, type);
      } finally {
        this.#fresh.delete(fresh);
        fresh.cancel();
      }
    }
    counters.answers[answer.kind] = (counters.answers[answer.kind] ?? 0) + 1;
    return answer;
  }

  async #ask(resolver: dnsPromises.Resolver, name: string, type: RecordType): Promise<QueryAnswer<Answered>> {
    const counters = this.#options.counters;
    counters.queries++;
    counters.queriesByType[type] = (counters.queriesByType[type] ?? 0) + 1;
    try {
      const records = await ask(resolver, name, type);
      return records.length === 0 ? { kind: 'nodata' } : { kind: 'ok', records };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'EUNKNOWN';
      const kind = mapErrorCode(code);
      return kind === 'nodata' ? { kind } : kind === 'nxdomain' ? { kind } : { kind, code };
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.#sleeps.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.#sleeps.add(entry);
    });
  }

  /** Cancel outstanding queries (they answer 'error' ECANCELLED) and pending backoff timers. */
  close(): void {
    this.#closed = true;
    for (const entry of this.#sleeps) {
      clearTimeout(entry.timer);
      entry.resolve();
    }
    this.#sleeps.clear();
    this.#resolver.cancel();
    for (const fresh of this.#fresh) fresh.cancel();
    this.#fresh.clear();
  }
}
