/**
 * The validation core. Every entry point (check, the stream transform, the CSV job, the CLI) checks
 * addresses through a Scrubber: one place that builds the stages (src/stages) and runs them.
 */
import { createDomainChecker, type DomainChecker } from './dns/index.js';
import { checkTransformOptions, scrubTransform, type CsvRecord, type RowChecker, type ScrubTransform, type ScrubTransformOptions } from './stream/transform.js';
import { CHECK_OPTION_KEYS, rejectUnknownOptions, validateCheckOptions } from './options.js';
import type { CheckOptions, DnsHealth, DnsStats, Verdict } from './types.js';
import { createChecker, validateSmtpOptions, type MailboxChecker } from './smtp/index.js';
import { addressStage, domainStage, mailboxStage, runStages, smtpIdentityWarnings, type Stage } from './stages/index.js';

export interface Scrubber extends RowChecker {
  /** Check one address: syntax and policy, then its domain in DNS unless DNS is off, then (option smtp) its mailbox. */
  check(input: string): Promise<Verdict>;
  /**
   * Same verdict as check(), but returned synchronously when no DNS lookup is needed (offline mode,
   * invalid syntax, IP literal). The stream uses this to avoid a promise per row on hot paths.
   */
  evaluate(input: string): Verdict | Promise<Verdict>;
  /**
   * The object-mode Transform over CSV records, sharing this scrubber's cache and limiter:
   * records (or csv-parse `{ record, info }`) in, `{ record, verdict, index, line }` out, in order.
   */
  stream<R extends CsvRecord = CsvRecord>(options: ScrubTransformOptions): ScrubTransform<R>;
  /** Run the DNS canary check (once); resolves immediately to a "not checked" health when offline. */
  ready(): Promise<DnsHealth>;
  /** DNS health so far; null when DNS is off. */
  health(): DnsHealth | null;
  /** DNS counters (all zero when offline). */
  stats(): DnsStats;
  /** The DNS checker, for cache persistence; null when offline. */
  readonly domains: DomainChecker | null;
  /** The SMTP mailbox checker (option smtp), for its summary and cache; null when off. */
  readonly mailbox: MailboxChecker | null;
  /**
   * Warnings about the SMTP identities (the HELO name has no A/AAAA record), asked through this
   * scrubber's resolver once DNS is trusted; [] when SMTP is off. Call it after the checks.
   */
  smtpWarnings(): Promise<string[]>;
  /** Release timers and the limiter. */
  close(): Promise<void>;
}

const OFFLINE_STATS: DnsStats = { queries: 0, queriesByType: {}, answers: {}, domains: 0, cacheHits: 0 };

export function createScrubber(options: CheckOptions = {}): Scrubber {
  if (typeof options === 'object' && options !== null) rejectUnknownOptions(options, CHECK_OPTION_KEYS, 'createScrubber()');
  const checked = validateCheckOptions(options);
  const smtp = options.smtp === undefined ? undefined : validateSmtpOptions(options.smtp);
  const domains =
    checked.dns === false
      ? null
      : createDomainChecker({
          dns: checked.dns,
          rate: checked.rate,
          concurrency: checked.concurrency,
          ...(checked.cacheTtl === undefined ? {} : { cacheTtl: checked.cacheTtl }),
          keepMailHosts: smtp !== undefined,
        });

  // The checks, in order: the address offline, then its domain in DNS, then (opt-in) its mailbox
  // over SMTP (src/stages).
  const mailbox = domains === null || smtp === undefined ? null : createChecker(smtp);
  const stages: Stage[] = domains === null ? [] : [domainStage(domains), ...(mailbox === null ? [] : [mailboxStage(domains, mailbox)])];
  const evaluate = (input: string): Verdict | Promise<Verdict> => runStages(input, addressStage, stages);

  const scrubber: Scrubber = {
    evaluate,
    stream: <R extends CsvRecord = CsvRecord>(streamOptions: ScrubTransformOptions) => scrubTransform<R>(scrubber, false, checkTransformOptions({ ...streamOptions })),
    check: async (input) => evaluate(input),
    ready: async () =>
      domains === null ? { healthy: true, checked: false, detail: 'DNS checks are off (--no-dns, option dns: false).' } : domains.ready(),
    health: () => (domains === null ? null : domains.health()),
    stats: () => (domains === null ? { ...OFFLINE_STATS } : domains.stats()),
    domains,
    mailbox,
    smtpWarnings: async () => (domains === null || smtp === undefined ? [] : smtpIdentityWarnings(domains, smtp.helo)),
    close: async () => {
      for (const stage of stages) await stage.close();
    },
  };
  return scrubber;
}

/** Check a single address with a throwaway scrubber. For many addresses, reuse createScrubber(). */
export async function checkAddress(input: string, options: CheckOptions = {}): Promise<Verdict> {
  const scrubber = createScrubber(options);
  try {
    return await scrubber.check(input);
  } finally {
    await scrubber.close();
  }
}
