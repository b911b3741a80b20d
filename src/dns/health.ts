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
 *
 * 3. Proof without canaries. An undeliverable answer for a domain that certainly receives mail
 *    (CERTAIN_DOMAINS: the large providers, wherever they appear in the list) is a lie, and flips
 *    health at once, with or without a canary check.
 *    With the canary check off (an empty canary list) the watch stands on its own: NXDOMAIN for at
 *    least NX_SHARE of the last NX_WINDOW distinct domains looked up (once NX_MIN_SAMPLES were: no
 *    real list has that many dead domains, see NX_SHARE) and the failure share (2a) flip health
 *    directly, and the resolver is on probation until it has resolved one domain of the list as
 *    deliverable. Until then undeliverable answers learned in this run wait; if the
 *    lookups run out (idle()) with none deliverable, health flips. A lying resolver never answers
 *    "deliverable", so no NXDOMAIN of it is ever believed.
 */
import type { DnsHealth, DomainOutcome } from '../types.js';
import type { CachedOutcome } from './cache.js';

export const WINDOW = 40;
export const MIN_SAMPLES = 20;
export const FAILURE_SHARE = 0.5;
export const NXDOMAIN_STREAK = 10;
export const MAX_NXDOMAIN_STREAK = 160;

/**
 * Share of NXDOMAIN among the last NX_WINDOW distinct domains that only a lying resolver gives.
 * Real lists have a few percent of dead domains: the reference list our users' lists are modelled on
 * has 4% of its domains NXDOMAIN, and a decade-old B2B list rarely passes 30%. At 30% dead, 12 or
 * more NXDOMAINs among the first 20 domains happen with a probability of about 0.5% (binomial), and
 * 60 of 100 essentially never; a resolver that lies answers NXDOMAIN for nearly all of them.
 */
export const NX_SHARE = 0.6;
export const NX_WINDOW = 100;
export const NX_MIN_SAMPLES = 20;

/**
 * Domains that certainly receive mail (the default canaries and the other large providers): an
 * NXDOMAIN, null MX or "no mail server" answer for one of them is a lie, not a fact about the list.
 */
export const CERTAIN_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'hotmail.co.uk', 'hotmail.fr', 'hotmail.de',
  'hotmail.it', 'hotmail.es', 'live.com', 'msn.com', 'yahoo.com', 'yahoo.co.uk', 'yahoo.fr', 'yahoo.de',
  'yahoo.co.jp', 'ymail.com', 'aol.com', 'icloud.com', 'me.com', 'mac.com', 'gmx.de', 'gmx.net', 'gmx.com',
  'web.de', 't-online.de', 'orange.fr', 'free.fr', 'laposte.net', 'libero.it', 'yandex.ru', 'mail.ru',
  'qq.com', '163.com', 'naver.com', 'proton.me', 'protonmail.com', 'comcast.net', 'att.net', 'verizon.net',
]);

export interface HealthMonitorOptions {
  canaries: readonly string[];
  /** Who answered, for messages: "127.0.0.1:5353" or "10.0.0.53, 10.0.0.54". */
  resolverLabel: string;
  /** Classify a canary straight from the resolver (no cache). */
  runCanary: (domain: string) => Promise<DomainOutcome>;
  /** Called once when health flips to unhealthy. */
  onUnhealthy: () => void;
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

function deferred(): Deferred {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
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

const NOTHING_INVALID = ' No address was called invalid on DNS grounds.';
const MID_RUN = ' This was detected during the run; from then on no address was called invalid on DNS grounds.';

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
  const consequence = midRun ? MID_RUN : NOTHING_INVALID;
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
  #nxWindow: boolean[] = []; // true = NXDOMAIN, one entry per distinct domain looked up (canary check off only)
  /** Canary check off: pending until the resolver has resolved a domain of the list (see 3.). */
  #probation: Deferred | undefined;
  #lookups = 0;

  constructor(options: HealthMonitorOptions) {
    this.#options = options;
    if (options.canaries.length === 0) this.#probation = deferred();
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

  /**
   * What an undeliverable outcome must wait for before it may be believed: a canary re-check in
   * progress, or (for an answer learned in this run) the probation of an unchecked resolver.
   */
  pendingTrust(learnedThisRun: boolean): Promise<void> | undefined {
    return this.#recheck ?? (learnedThisRun ? this.#probation?.promise : undefined);
  }

  ready(): Promise<DnsHealth> {
    this.#ready ??= this.#runCanaries(false).then(() => this.health());
    return this.#ready;
  }

  /**
   * No lookup is in flight. With the canary check off, a resolver still on probation has resolved
   * none of the domains it was asked about (NXDOMAIN, failures or silence for every one): nothing
   * can end the probation now, so it is not trusted.
   */
  idle(): void {
    if (this.#probation === undefined || !this.#health.healthy || this.#lookups === 0) return;
    const { resolverLabel } = this.#options;
    this.#flip(
      `The canary check is off, and the DNS resolver at ${resolverLabel} resolved none of the ${this.#lookups} ` +
        `domain${this.#lookups === 1 ? '' : 's'} it was asked about to a mail setup (NXDOMAIN, failures or no answer), so its answers were not trusted. ` +
        'Keep the canary check on (the default) to tell a lying resolver from a list of dead domains.',
    );
  }

  /** Feed one fresh domain lookup (not a cache hit). */
  observe(domain: string, outcome: DomainOutcome, previous: CachedOutcome | undefined): void {
    if (!this.#health.healthy) return;
    this.#lookups++;
    const { resolverLabel, canaries } = this.#options;
    const nxdomain = outcome.kind === 'undeliverable' && outcome.reason === 'domain_not_found';
    if (outcome.kind === 'undeliverable' && CERTAIN_DOMAINS.has(domain)) {
      this.#flip(`The DNS resolver at ${resolverLabel} answered ${label(outcome)} for ${domain}, which certainly receives mail: it is lying or filtered.`);
      return;
    }
    // With canaries the streak below asks them first (a list region of dead domains is real), so
    // the NXDOMAIN window is kept only with the canary check off.
    if (canaries.length === 0) {
      this.#nxWindow.push(nxdomain);
      if (this.#nxWindow.length > NX_WINDOW) this.#nxWindow.shift();
      const nxCount = this.#nxWindow.filter(Boolean).length;
      if (this.#nxWindow.length >= NX_MIN_SAMPLES && nxCount / this.#nxWindow.length >= NX_SHARE) {
        this.#flip(
          `The DNS resolver at ${resolverLabel} answered NXDOMAIN for ${nxCount} of the last ${this.#nxWindow.length} domains it was asked about; ` +
            `no real list has that many dead domains, so it is lying or filtered.`,
        );
        return;
      }
    }
    if (outcome.kind === 'deliverable') this.#endProbation();

    const failed = outcome.kind === 'unknown';
    this.#window.push(failed);
    if (this.#window.length > WINDOW) this.#window.shift();
    const failures = this.#window.filter(Boolean).length;
    const failing = this.#window.length >= MIN_SAMPLES && failures / this.#window.length >= FAILURE_SHARE;
    if (canaries.length === 0) {
      // Nothing to confirm a suspicion with: a resolver failing this often is not trusted.
      if (failing) {
        this.#flip(`The DNS resolver at ${resolverLabel} failed (timeout or server failure) for ${failures} of the last ${this.#window.length} domains it was asked about: it is down, overloaded or cut off.`);
      }
      return;
    }
    this.#streak = nxdomain ? this.#streak + 1 : outcome.kind === 'deliverable' ? 0 : this.#streak;
    const suspicious = failing || (nxdomain && previous?.kind === 'deliverable') || this.#streak >= this.#streakThreshold;
    if (suspicious && this.#recheck === undefined) {
      this.#recheck = this.#runCanaries(true).finally(() => {
        this.#recheck = undefined;
      });
    }
  }

  /** Release what waits on the probation; from now on nothing does. */
  #endProbation(): void {
    this.#probation?.resolve();
    this.#probation = undefined;
  }

  /** DNS is unhealthy for the rest of the run; `what` says why, the consequence is added here. */
  #flip(what: string): void {
    if (!this.#health.healthy) return;
    // On probation no answer learned in this run was believed yet: nothing slipped out before.
    const consequence = this.#probation === undefined ? MID_RUN : NOTHING_INVALID;
    this.#health = { healthy: false, checked: this.#health.checked, detail: what + consequence };
    this.#endProbation();
    this.#options.onUnhealthy();
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
    this.#endProbation();
    this.#options.onUnhealthy();
  }
}
