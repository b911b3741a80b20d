/**
 * The shared vocabulary of listscrub: every layer (address engine, DNS, stream, CLI) speaks in these
 * types. Keep this file free of logic.
 */

/** What listscrub concluded about one address. */
export type Status = 'valid' | 'risky' | 'invalid' | 'unknown';

/** What happened to one CSV row: an address status, or a row-level outcome. */
export type RowStatus = Status | 'duplicate' | 'malformed';

/** Every row status, in documentation order. */
export const ROW_STATUSES: readonly RowStatus[] = ['valid', 'risky', 'invalid', 'unknown', 'duplicate', 'malformed'];

/** The reasons an SMTP answer gives (src/smtp adds 'accepted', which is no reason of its own). */
export const SMTP_REASON_CODES = [
  'mailbox_not_found',
  'mailbox_disabled',
  'mailbox_full',
  'catch_all',
  'greylisted',
  'smtp_blocked',
  'smtp_rate_limited',
  'smtp_temp_error',
  'smtp_timeout',
  'smtp_unreachable',
  'smtp_unrecognized',
  'smtp_provider_unverifiable',
  'smtp_blanket_reject',
] as const;

/** Every stable reason code, in documentation order. */
export const REASON_CODES = [
  'ok',
  // address engine (offline)
  'empty',
  'syntax',
  'multiple_addresses',
  'repaired',
  'confusable',
  'unusual_syntax',
  'disposable',
  'role_account',
  'typo_domain',
  // DNS (domain verification)
  'domain_not_found',
  'null_mx',
  'no_mail_server',
  'mx_invalid',
  'dns_timeout',
  'dns_error',
  'dns_unavailable',
  // the sender's own bounces (--bounces)
  'bounced',
  // the receiving server, asked over SMTP (smtp option, src/smtp/)
  ...SMTP_REASON_CODES,
  // rows
  'duplicate',
  'malformed_row',
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];

/** DNS reasons that make an address invalid (a real, authoritative answer). */
export type DomainFailureReason = 'domain_not_found' | 'null_mx' | 'no_mail_server' | 'mx_invalid';

/** DNS reasons that leave an address unknown (no trustworthy answer). */
export type DnsUncertainReason = 'dns_timeout' | 'dns_error' | 'dns_unavailable';

/** The one result type for an address. */
export interface Verdict {
  /** The cell text exactly as given. */
  input: string;
  /** Normalized address (local part as given, domain lower-case ASCII/punycode), or null if none. */
  address: string | null;
  status: Status;
  reason: ReasonCode;
  /** One human sentence explaining the verdict. */
  detail: string;
  /** A likely corrected address, whatever the status. */
  suggestion?: string;
  /**
   * The offline finding that a DNS result outranked (e.g. 'disposable' when the domain then timed
   * out), so policies such as `--drop disposable` still apply when DNS could not decide.
   */
  alsoFound?: ReasonCode;
  /** RFC 3463 enhanced status code a receiving MTA would most likely answer with (invalid only). */
  bounce?: string;
  /** What the receiving server said when asked over SMTP (only for rows the SMTP stage probed or found cached). */
  mailbox?: MailboxEvidence;
}

/**
 * The SMTP check's finding on a verdict. `reason` is the mailbox reason (src/smtp/types.ts
 * MAILBOX_REASONS), kept here even when it did not change the verdict (an unknown SMTP outcome
 * leaves the DNS verdict as it was); code, enhanced, text and mxHost are the reply that decided.
 */
export interface MailboxEvidence {
  reason: string;
  code?: number;
  enhanced?: string;
  text?: string;
  mxHost?: string;
}

/** A verdict about a CSV row: like Verdict, but the status may also be a row-level outcome. */
export interface RowVerdict extends Omit<Verdict, 'status'> {
  status: RowStatus;
  /** Set when the row was checked in several columns: each cell's own verdict, in column order. */
  cells?: CellVerdict[];
}

/** One checked cell of a row checked in several email columns (src/columns.ts). */
export interface CellVerdict {
  /** The column as given: a 0-based position (array records) or a header name (object records). */
  column: string | number;
  /** How the row's detail names the column: its header name, or "column N". */
  label: string;
  verdict: Verdict;
}

/** Result of the pure address engine. */
export interface AddressAnalysis {
  /** The offline verdict (syntax, disposable, role, typo). */
  verdict: Verdict;
  /**
   * The ASCII domain whose mail setup DNS should verify, or null when DNS has nothing to say
   * (syntax invalid, IP literal).
   */
  domain: string | null;
}

/** What DNS says about a domain's ability to receive mail. */
export type DomainOutcome =
  | { kind: 'deliverable'; detail: string; ttlSeconds?: number }
  | { kind: 'undeliverable'; reason: DomainFailureReason; detail: string; ttlSeconds?: number }
  | { kind: 'unknown'; reason: DnsUncertainReason; detail: string };

export interface DnsHealth {
  /** False when the resolver is down, filtered or lying: DNS-based invalid verdicts are withheld. */
  healthy: boolean;
  /** Whether the canary check ran at all. */
  checked: boolean;
  /** A sentence a user understands. */
  detail: string;
}

export interface DnsStats {
  /** Queries sent to the resolver, in total and by record type (MX, A, AAAA). */
  queries: number;
  queriesByType: Record<string, number>;
  /** Answers by outcome: ok, nodata, nxdomain, servfail, refused, timeout, error. */
  answers: Record<string, number>;
  /** Distinct domains looked up. */
  domains: number;
  /** Domain checks served from cache (including joined in-flight lookups). */
  cacheHits: number;
}

/** DNS settings. `false` in ScrubOptions.dns means offline (`--no-dns`). */
export interface DnsOptions {
  /** Resolver addresses, `ip` or `ip:port` / `[ipv6]:port`. Default: the system's resolvers. */
  servers?: string[];
  /** Per-attempt timeout in milliseconds. */
  timeoutMs?: number;
  /** Retries after the first attempt. */
  retries?: number;
  /** Canary domains that must resolve for DNS to count as healthy. Empty list disables the check. */
  canary?: string[];
  /** Treat private (RFC 1918 etc.) MX addresses as usable, for internal lists. */
  allowPrivate?: boolean;
  /** Treat loopback (127.0.0.0/8, ::1) MX addresses as usable: for tests and local relays, never real lists. */
  allowLoopback?: boolean;
}

/** The SMTP mailbox check's settings (library option `smtp`, job file key `smtp`; src/smtp). */
export interface SmtpTimeouts {
  /** TCP connect, per MX address (default 10 s). */
  connectMs?: number;
  /** The server's greeting banner (default 30 s). */
  greetingMs?: number;
  /** Each command's reply (default 30 s). */
  commandMs?: number;
  /** A whole session, greeting to QUIT (default 90 s). */
  sessionMs?: number;
}

export interface SmtpLimits {
  /** Connections open at once per provider group (default 2). */
  connectionsPerGroup?: number;
  /** Least time between two new connections to one provider group (default 1000 ms). */
  connectIntervalMs?: number;
  /** RCPT probes a minute from this sending IP, all groups together (default 60). */
  probesPerMinute?: number;
}

/** Library option `smtp`, job file key `smtp`. */
export interface SmtpOptions {
  /** EHLO name: an FQDN we own (not localhost, an IP, a name with no dot, a big provider's name). */
  helo: string;
  /** MAIL FROM address we own; its domain follows the HELO rules. */
  from: string;
  /** Default 25; tests and local relays use another. */
  port?: number;
  timeouts?: SmtpTimeouts;
  limits?: SmtpLimits;
  /** Greylisting wait budget per address in seconds (default 900, 0 = no waiting). */
  maxWaitSeconds?: number;
  /** MX hosts tried per domain (default 3). */
  maxHosts?: number;
  /** Addresses asked over one connection (default 20). */
  addressesPerConnection?: number;
  /** Probe Yahoo/AOL and Outlook.com consumer MX hosts anyway (default false: smtp_provider_unverifiable). */
  probeUnverifiable?: boolean;
  /** Probe each domain once with a random local part (default true). */
  catchAll?: boolean;
}

/** Options shared by every entry point; keys mirror the CLI flags in camelCase. */
export interface CheckOptions {
  /** `false` = offline (`--no-dns`); an object configures the resolver. Default: system DNS. */
  dns?: false | DnsOptions;
  /** DNS queries per second (bottleneck). */
  rate?: number;
  /** DNS queries in flight (bottleneck). */
  concurrency?: number;
  /** Bounds, in seconds, for how long DNS answers are cached (default 60 s to 1 day). */
  cacheTtl?: { min?: number; max?: number };
  /** Ask each address's mail server whether the mailbox exists (off by default; needs DNS). */
  smtp?: SmtpOptions;
}

/** What `drop` (`--drop`) accepts: a row status or a reason code (none of the names overlap). */
export const DROP_CHOICES: readonly string[] = [...ROW_STATUSES, ...REASON_CODES];
