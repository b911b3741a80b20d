/**
 * DNS health: fail safe, never fail deadly. A resolver that is down, filtered or lying (answering
 * NXDOMAIN for everything, as captive portals, broken VPNs and sandboxes do) must never make
 * listscrub call real addresses invalid.
 *
 * 1. Canary check (ready()): before the first lookup, classify the canary domains (gmail.com,
 *    outlook.com, yahoo.com by default) straight from the resolver. Healthy if at least one is
 *    deliverable. Otherwise DNS is unhealthy for the rest of the run: every check answers unknown
 *    dns_unavailable and nothing is called invalid on DNS grounds. An empty canary list disables
 *    the check and the watch below (the caller takes responsibility).
 *
 * 2. Watch during the run (observe(), fed every fresh domain lookup). Any of these SUSPICIONS
 *    triggers a canary re-check; only a failed re-check flips health to unhealthy (for good: no
 *    flip back within a run):
 *    a. failure share: among the last WINDOW lookups (at least MIN_SAMPLES), at least
 *       FAILURE_SHARE were timeouts or server failures (resolver going down);
 *    b. contradiction: NXDOMAIN for a domain the cache held (even expired) as deliverable;
 *    c. NXDOMAIN streak: NXDOMAIN_STREAK consecutive lookups answered NXDOMAIN (a resolver that
 *       started lying mid-run). After a passed re-check the streak threshold doubles (up to
 *       MAX_NXDOMAIN_STREAK) so a list full of dead domains does not pay for canaries forever.
 *    While a re-check runs, undeliverable outcomes wait for it (see DomainChecker.check), so a
 *    lying resolver cannot slip invalid verdicts out during the re-check. At most
 *    NXDOMAIN_STREAK - 1 wrong verdicts can precede a mid-run lie; the checker also drops the
 *    undeliverable cache entries learned in this run when health flips.
 */
import type { DnsHealth, DomainOutcome } from '../types.js';
import type { CachedOutcome } from './cache.js';

export const WINDOW = 40;
export const MIN_SAMPLES = 20;
export const FAILURE_SHARE = 0.5;
export const NXDOMAIN_STREAK = 10;
export const MAX_NXDOMAIN_STREAK = 160;

export interface HealthMonitorOptions {
  canaries: readonly string[];
  /** Who answered, for messages: "127.0.0.1:5353" or "10.0.0.53, 10.0.0.54". */
  resolverLabel: string;
  /** Classify a canary straight from the resolver (no cache). */
  runCanary: (domain: string) => Promise<DomainOutcome>;
  /** Called once when health flips to unhealthy. */
  onUnhealthy: () => void;
}

interface CanaryResult {
  domain: string;
  outcome: DomainOutcome;
}

/** "a", "a and b", "a, b and c" */
function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function label(outcome: DomainOutcome): string {
  if (outcome.kind === 'deliverable') return 'a working mail setup';
  switch (outcome.reason) {
    case 'domain_not_found':
      return 'NXDOMAIN';
    case 'dns_timeout':
      return 'no answer (timeout)';
    case 'dns_error':
      return 'a server failure';
    case 'null_mx':
      return 'a null MX';
    case 'no_mail_server':
      return 'no mail server';
    case 'mx_invalid':
      return 'unusable mail servers';
    default:
      return 'no usable answer';
  }
}

/** The plain-English sentence for failed canaries. */
export function describeFailure(resolver: string, results: CanaryResult[], midRun: boolean): string {
  const domains = list(results.map((r) => r.domain));
  const labels = new Set(results.map((r) => label(r.outcome)));
  const at = `The DNS resolver at ${resolver}`;
  let what: string;
  if (labels.size === 1 && labels.has('NXDOMAIN')) {
    what = `${at} answered NXDOMAIN for ${domains}, which certainly exist: it is lying or filtered.`;
  } else if (labels.size === 1 && labels.has('no answer (timeout)')) {
    what = `${at} did not answer for ${domains} (timeout): it is down, unreachable or blocked.`;
  } else if (labels.size === 1 && labels.has('a server failure')) {
    what = `${at} failed (SERVFAIL, REFUSED or error) for ${domains}, which certainly exist: it is broken or cut off from the internet.`;
  } else {
    const each = list(results.map((r) => `${r.domain}: ${label(r.outcome)}`));
    what = `${at} gave no usable answer for ${domains} (${each}), which certainly receive mail: it is unreliable, lying or filtered.`;
  }
  const consequence = midRun
    ? ' This was detected during the run; from then on no address was called invalid on DNS grounds.'
    : ' No address was called invalid on DNS grounds.';
  return what + consequence;
}

export class HealthMonitor {
  readonly #options: HealthMonitorOptions;
  #health: DnsHealth;
  #ready: Promise<DnsHealth> | undefined;
  #recheck: Promise<void> | undefined;
  #window: boolean[] = []; // true = failure (timeout / server failure)
  #streak = 0;
  #streakThreshold = NXDOMAIN_STREAK;

  constructor(options: HealthMonitorOptions) {
    this.#options = options;
    this.#health = {
      healthy: true,
      checked: false,
      detail:
        options.canaries.length === 0
          ? 'The canary check is disabled; DNS answers are trusted as they come.'
          : 'The canary check has not run yet.',
    };
  }

  get healthy(): boolean {
    return this.#health.healthy;
  }

  health(): DnsHealth {
    return { ...this.#health };
  }

  /** A canary re-check in progress, if any. */
  get recheck(): Promise<void> | undefined {
    return this.#recheck;
  }

  ready(): Promise<DnsHealth> {
    this.#ready ??= this.#runCanaries(false).then(() => this.health());
    return this.#ready;
  }

  /** Feed one fresh domain lookup (not a cache hit). */
  observe(outcome: DomainOutcome, previous: CachedOutcome | undefined): void {
    if (!this.#health.healthy || this.#options.canaries.length === 0) return;
    const failed = outcome.kind === 'unknown';
    this.#window.push(failed);
    if (this.#window.length > WINDOW) this.#window.shift();
    const nxdomain = outcome.kind === 'undeliverable' && outcome.reason === 'domain_not_found';
    this.#streak = nxdomain ? this.#streak + 1 : outcome.kind === 'deliverable' ? 0 : this.#streak;

    const failures = this.#window.filter(Boolean).length;
    const suspicious =
      (this.#window.length >= MIN_SAMPLES && failures / this.#window.length >= FAILURE_SHARE) ||
      (nxdomain && previous?.kind === 'deliverable') ||
      this.#streak >= this.#streakThreshold;
    if (suspicious && this.#recheck === undefined) {
      this.#recheck = this.#runCanaries(true).finally(() => {
        this.#recheck = undefined;
      });
    }
  }

  async #runCanaries(midRun: boolean): Promise<void> {
    const { canaries, runCanary, resolverLabel } = this.#options;
    if (canaries.length === 0) return;
    const results: CanaryResult[] = await Promise.all(
      canaries.map(async (domain) => ({ domain, outcome: await runCanary(domain) })),
    );
    const passed = results.find((r) => r.outcome.kind === 'deliverable');
    if (passed !== undefined) {
      if (midRun) {
        // False alarm: start watching afresh, and be slower to suspect NXDOMAIN streaks.
        this.#window = [];
        this.#streak = 0;
        this.#streakThreshold = Math.min(this.#streakThreshold * 2, MAX_NXDOMAIN_STREAK);
      } else {
        this.#health = {
          healthy: true,
          checked: true,
          detail: `The DNS resolver at ${resolverLabel} answered correctly for ${passed.domain} (canary check passed).`,
        };
      }
      return;
    }
    if (!this.#health.healthy) return;
    this.#health = { healthy: false, checked: true, detail: describeFailure(resolverLabel, results, midRun) };
    this.#options.onUnhealthy();
  }
}
