/**
 * Domain classification (RFC 5321 section 5.1, RFC 7505) on top of DnsResolver, with the per-host
 * address cache and in-flight sharing of host lookups (many domains share few MX hosts).
 *
 *   MX NXDOMAIN                        -> undeliverable domain_not_found
 *   a single MX "." (null MX)          -> undeliverable null_mx
 *   MX records                         -> hosts in preference order; the first with a usable
 *                                         address -> deliverable; none usable -> mx_invalid; a host
 *                                         that timed out / failed while none is usable -> unknown
 *   MX NODATA                          -> implicit MX: A/AAAA of the domain; usable -> deliverable;
 *                                         only unusable addresses -> mx_invalid; none -> no_mail_server
 *   MX SERVFAIL / REFUSED / error      -> unknown dns_error;  no answer -> unknown dns_timeout
 */
import type { DomainOutcome } from '../types.js';
import type { CachedOutcome, HostRecord, TtlCache } from './cache.js';
import {
  DEFAULT_NEGATIVE_TTL_SECONDS,
  DEFAULT_POSITIVE_TTL_SECONDS,
  MAX_MX_HOSTS,
  MAX_TTL_SECONDS,
} from './constants.js';
import { unusableReason } from './ip.js';
import type { AddressRecord, DnsResolver, FailureKind, MxRecord, QueryAnswer } from './resolver.js';

/** A mail server of a domain, with its usable addresses (src/smtp's MxTarget has this shape). */
export interface MailHost {
  host: string;
  preference: number;
  addresses: string[];
}

/** A host lookup: what the cache stores, or a failure (never cached). */
export type HostLookup =
  | { kind: 'found'; record: HostRecord; ttl: number }
  | { kind: 'failed'; failure: FailureKind; code: string };

export interface ClassifierOptions {
  resolver: DnsResolver;
  hosts: TtlCache<HostRecord>;
  allowPrivate: boolean;
  allowLoopback: boolean;
  retries: number;
  /** Remember each domain's ordered MX hosts for the run (the SMTP stage asks for them: mailHosts()). */
  keepMailHosts?: boolean;
}

/** An MX host name and its preference. */
interface MxName {
  host: string;
  preference: number;
}

/** MX records in preference order (stable for equal preferences), distinct hosts, no null MX entry. */
function orderedMxHosts(records: readonly MxRecord[]): MxName[] {
  const hosts: MxName[] = [];
  for (const record of [...records].sort((a, b) => a.priority - b.priority)) {
    const host = normalizeHost(record.exchange);
    if (host !== '' && !hosts.some((h) => h.host === host)) hosts.push({ host, preference: record.priority });
  }
  return hosts;
}

function failureWords(failure: FailureKind, code: string): string {
  switch (failure) {
    case 'timeout':
      return 'no answer (timeout)';
    case 'servfail':
      return 'SERVFAIL';
    case 'refused':
      return 'REFUSED';
    default:
      return `an error (${code})`;
  }
}

function uncertain(failure: FailureKind, detail: string): DomainOutcome {
  return { kind: 'unknown', reason: failure === 'timeout' ? 'dns_timeout' : 'dns_error', detail };
}

function minTtl(records: AddressRecord[]): number {
  let ttl = MAX_TTL_SECONDS;
  for (const record of records) ttl = Math.min(ttl, record.ttl);
  return ttl;
}

function normalizeHost(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

export class Classifier {
  readonly #options: ClassifierOptions;
  readonly #inFlight = new Map<string, Promise<HostLookup>>();
  /** Ordered MX hosts by domain, for mailHosts() (filled only with keepMailHosts, or by mailHosts itself). */
  readonly #mxNames = new Map<string, MxName[]>();
  readonly #mxAsked = new Map<string, Promise<MxName[]>>();

  constructor(options: ClassifierOptions) {
    this.#options = options;
  }

  /**
   * Classify one domain. `fresh` bypasses the host cache (canary checks must ask the resolver).
   * `priority` orders its queries in the limiter (lower first), the MX hosts' lookups included.
   */
  async classify(domain: string, fresh = false, priority = 0): Promise<DomainOutcome> {
    const { resolver, retries } = this.#options;
    const mx = await resolver.query(domain, 'MX', priority);
    switch (mx.kind) {
      case 'nxdomain':
        return {
          kind: 'undeliverable',
          reason: 'domain_not_found',
          detail: `${domain} does not exist (NXDOMAIN)`,
          ttlSeconds: DEFAULT_NEGATIVE_TTL_SECONDS,
        };
      case 'nodata':
        if (this.#options.keepMailHosts === true) this.#mxNames.set(domain, [{ host: domain, preference: 0 }]);
        return this.#implicitMx(domain, fresh, priority);
      case 'ok':
        break;
      default: {
        const attempts = mx.kind === 'refused' ? 1 : retries + 1;
        const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
        return uncertain(mx.kind, `DNS gave ${failureWords(mx.kind, mx.code)} for the MX of ${domain} after ${tries}`);
      }
    }

    if (mx.records.length === 1 && normalizeHost(mx.records[0]!.exchange) === '') {
      return {
        kind: 'undeliverable',
        reason: 'null_mx',
        detail: `${domain} publishes a null MX (RFC 7505): it accepts no mail`,
        ttlSeconds: DEFAULT_POSITIVE_TTL_SECONDS,
      };
    }
    const hosts = orderedMxHosts(mx.records);
    if (hosts.length === 0) {
      // Several null MX records and nothing else: the domain still says "no mail".
      return {
        kind: 'undeliverable',
        reason: 'null_mx',
        detail: `${domain} publishes a null MX (RFC 7505): it accepts no mail`,
        ttlSeconds: DEFAULT_POSITIVE_TTL_SECONDS,
      };
    }

    const evidence: string[] = [];
    const failures: Array<{ failure: FailureKind; text: string }> = [];
    let ttl = DEFAULT_POSITIVE_TTL_SECONDS;
    if (this.#options.keepMailHosts === true) this.#mxNames.set(domain, hosts);
    for (const { host: exchange, preference } of hosts.slice(0, MAX_MX_HOSTS)) {
      const lookup = await this.host(exchange, fresh, priority);
      if (lookup.kind === 'failed') {
        failures.push({ failure: lookup.failure, text: `MX ${exchange} got ${failureWords(lookup.failure, lookup.code)}` });
        continue;
      }
      ttl = Math.min(ttl, lookup.ttl);
      const { record } = lookup;
      if (record.kind === 'nxdomain') {
        evidence.push(`MX ${exchange} does not exist (NXDOMAIN)`);
      } else if (record.kind === 'nodata') {
        evidence.push(`MX ${exchange} has no address record`);
      } else {
        const usable = record.addresses.find((a) => unusableReason(a, this.#options) === null);
        if (usable !== undefined) {
          const skipped = [...evidence, ...failures.map((f) => f.text)];
          const note = skipped.length > 0 ? ` (${skipped.join('; ')})` : '';
          return {
            kind: 'deliverable',
            detail: `MX ${exchange} (preference ${preference}) resolves to ${usable}${note}`,
            ttlSeconds: ttl,
          };
        }
        evidence.push(`MX ${exchange} resolves only to ${this.#describeUnusable(record.addresses)}`);
      }
    }
    if (failures.length > 0) {
      const failure = failures.some((f) => f.failure === 'timeout') ? 'timeout' : failures[0]!.failure;
      const rest = evidence.length > 0 ? `; ${evidence.join('; ')}` : '';
      return uncertain(failure, `${failures.map((f) => f.text).join('; ')}${rest}; no other MX host of ${domain} is usable`);
    }
    return { kind: 'undeliverable', reason: 'mx_invalid', detail: evidence.join('; '), ttlSeconds: ttl };
  }

  /**
   * The mail servers of a deliverable domain, for the SMTP stage: its MX hosts in preference order
   * (at most MAX_MX_HOSTS), each with its usable addresses, or the domain itself when it has no MX.
   * The MX list is the one classify() got this run (keepMailHosts), else asked once per domain (a
   * domain whose outcome came from the cache file); host addresses come from the host cache. Empty
   * when DNS fails now (a failure is not remembered).
   */
  async mailHosts(domain: string, priority = 0): Promise<MailHost[]> {
    const names = this.#mxNames.get(domain) ?? (await this.#askMxNames(domain, priority));
    const hosts: MailHost[] = [];
    for (const { host, preference } of names.slice(0, MAX_MX_HOSTS)) {
      const lookup = await this.host(host, false, priority);
      if (lookup.kind !== 'found' || lookup.record.kind !== 'addresses') continue;
      const addresses = lookup.record.addresses.filter((a) => unusableReason(a, this.#options) === null);
      if (addresses.length > 0) hosts.push({ host, preference, addresses });
    }
    return hosts;
  }

  /** One MX query per domain, shared by the addresses that ask at once; answers are kept for the run. */
  #askMxNames(domain: string, priority: number): Promise<MxName[]> {
    let asked = this.#mxAsked.get(domain);
    if (asked === undefined) {
      asked = this.#options.resolver.query(domain, 'MX', priority).then((mx) => {
        this.#mxAsked.delete(domain);
        const names = mx.kind === 'ok' ? orderedMxHosts(mx.records) : mx.kind === 'nodata' ? [{ host: domain, preference: 0 }] : undefined;
        if (names !== undefined) this.#mxNames.set(domain, names);
        return names ?? [];
      });
      this.#mxAsked.set(domain, asked);
    }
    return asked;
  }

  async #implicitMx(domain: string, fresh: boolean, priority: number): Promise<DomainOutcome> {
    const lookup = await this.host(domain, fresh, priority);
    if (lookup.kind === 'failed') {
      return uncertain(
        lookup.failure,
        `${domain} has no MX; its address lookup got ${failureWords(lookup.failure, lookup.code)}`,
      );
    }
    const { record } = lookup;
    const ttl = Math.min(DEFAULT_NEGATIVE_TTL_SECONDS, lookup.ttl);
    if (record.kind !== 'addresses') {
      return {
        kind: 'undeliverable',
        reason: 'no_mail_server',
        detail: `${domain} exists but has no MX record and no A/AAAA address to fall back on`,
        ttlSeconds: DEFAULT_NEGATIVE_TTL_SECONDS,
      };
    }
    const usable = record.addresses.find((a) => unusableReason(a, this.#options) === null);
    if (usable !== undefined) {
      return {
        kind: 'deliverable',
        detail: `no MX; falls back to ${usable.includes(':') ? 'AAAA' : 'A'} ${usable}`,
        ttlSeconds: lookup.ttl,
      };
    }
    return {
      kind: 'undeliverable',
      reason: 'mx_invalid',
      detail: `no MX; the fallback address ${this.#describeUnusable(record.addresses)} is not a usable mail server`,
      ttlSeconds: ttl,
    };
  }

  #describeUnusable(addresses: string[]): string {
    return addresses.map((a) => `${a} (${unusableReason(a, this.#options)})`).join(', ');
  }

  /**
   * Addresses of a host: from the cache, a joined in-flight lookup, or A (then AAAA only if A gave
   * nothing usable). Failures are not cached. A joined lookup keeps the priority it was started with.
   */
  host(name: string, fresh = false, priority = 0): Promise<HostLookup> {
    if (!fresh) {
      const cached = this.#fromCache(name);
      if (cached !== undefined) return Promise.resolve(cached);
      const joined = this.#inFlight.get(name);
      if (joined !== undefined) return joined;
    }
    const promise = this.#lookupHost(name, priority).finally(() => {
      if (this.#inFlight.get(name) === promise) this.#inFlight.delete(name);
    });
    if (!fresh) this.#inFlight.set(name, promise);
    return promise;
  }

  #fromCache(name: string): HostLookup | undefined {
    const { hosts } = this.#options;
    const entry = hosts.getEntry(name);
    if (entry === undefined) return undefined;
    const record = entry.value;
    // An incomplete record (AAAA never asked) is only good while its A addresses are usable.
    if (
      record.kind === 'addresses' &&
      !record.complete &&
      !record.addresses.some((a) => unusableReason(a, this.#options) === null)
    ) {
      return undefined;
    }
    return { kind: 'found', record, ttl: hosts.remainingSeconds(entry) };
  }

  async #lookupHost(name: string, priority: number): Promise<HostLookup> {
    const { resolver } = this.#options;
    const a = await resolver.query(name, 'A', priority);
    if (a.kind === 'nxdomain') return this.#store(name, { kind: 'nxdomain' }, DEFAULT_NEGATIVE_TTL_SECONDS);
    if (a.kind === 'ok' && a.records.some((r) => unusableReason(r.address, this.#options) === null)) {
      return this.#store(name, { kind: 'addresses', addresses: a.records.map((r) => r.address), complete: false }, minTtl(a.records));
    }
    const aaaa = await resolver.query(name, 'AAAA', priority);
    const answers: Array<QueryAnswer<AddressRecord>> = [a, aaaa];
    const found: AddressRecord[] = [];
    for (const answer of answers) if (answer.kind === 'ok') found.push(...answer.records);
    const hasUsable = found.some((r) => unusableReason(r.address, this.#options) === null);
    if (!hasUsable) {
      // Fail safe: without a usable address, any failed half of the lookup makes the host unknown.
      for (const answer of answers) {
        if (answer.kind !== 'ok' && answer.kind !== 'nodata' && answer.kind !== 'nxdomain') {
          return { kind: 'failed', failure: answer.kind, code: answer.code };
        }
      }
    }
    if (found.length > 0) {
      return this.#store(name, { kind: 'addresses', addresses: found.map((r) => r.address), complete: true }, minTtl(found));
    }
    return this.#store(name, { kind: aaaa.kind === 'nxdomain' ? 'nxdomain' : 'nodata' }, DEFAULT_NEGATIVE_TTL_SECONDS);
  }

  #store(name: string, record: HostRecord, ttl: number): HostLookup {
    this.#options.hosts.set(name, record, ttl);
    return { kind: 'found', record, ttl };
  }
}

export type { CachedOutcome };
