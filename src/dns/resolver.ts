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
 */
import { promises as dnsPromises } from 'node:dns';
import type { QueryLimiter } from './limiter.js';
import { MAX_BACKOFF_MS } from './constants.js';

export type RecordType = 'MX' | 'A' | 'AAAA';
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
function isRetryable(kind: AnswerKind): boolean {
  return kind === 'timeout' || kind === 'servfail' || kind === 'error';
}

export class DnsResolver {
  readonly #resolver: dnsPromises.Resolver;
  readonly #options: DnsResolverOptions;
  readonly #sleeps = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
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

  query(name: string, type: 'MX'): Promise<QueryAnswer<MxRecord>>;
  query(name: string, type: 'A' | 'AAAA'): Promise<QueryAnswer<AddressRecord>>;
  async query(name: string, type: RecordType): Promise<QueryAnswer<MxRecord | AddressRecord>> {
    const { retries, backoffMs } = this.#options;
    let last: QueryAnswer<MxRecord | AddressRecord> = { kind: 'error', code: 'ECANCELLED' };
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (this.#closed) return { kind: 'error', code: 'ECANCELLED' };
      if (attempt > 0) await this.#sleep(Math.min(backoffMs * 2 ** (attempt - 1), MAX_BACKOFF_MS));
      if (this.#closed) return { kind: 'error', code: 'ECANCELLED' };
      try {
        last = await this.#options.limiter.schedule(() => this.#attempt(name, type));
      } catch {
        // The limiter was stopped (close()) before this attempt ran.
        return { kind: 'error', code: 'ECANCELLED' };
      }
      if (!isRetryable(last.kind)) return last;
    }
    return last;
  }

  async #attempt(name: string, type: RecordType): Promise<QueryAnswer<MxRecord | AddressRecord>> {
    const counters = this.#options.counters;
    counters.queries++;
    counters.queriesByType[type] = (counters.queriesByType[type] ?? 0) + 1;
    let answer: QueryAnswer<MxRecord | AddressRecord>;
    try {
      const records =
        type === 'MX'
          ? await this.#resolver.resolveMx(name)
          : type === 'A'
            ? await this.#resolver.resolve4(name, { ttl: true })
            : await this.#resolver.resolve6(name, { ttl: true });
      answer = records.length === 0 ? { kind: 'nodata' } : { kind: 'ok', records };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'EUNKNOWN';
      const kind = mapErrorCode(code);
      answer = kind === 'nodata' ? { kind } : kind === 'nxdomain' ? { kind } : { kind, code };
    }
    counters.answers[answer.kind] = (counters.answers[answer.kind] ?? 0) + 1;
    return answer;
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
  }
}
