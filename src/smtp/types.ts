/**
 * The vocabulary of the SMTP mailbox check (issue 17): options, outcomes and
 * the summary (the checker's interface is in checker.ts). Free of logic.
 */
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

/** SmtpOptions with every default filled in. */
export interface ResolvedSmtpOptions {
  helo: string;
  from: string;
  port: number;
  timeouts: Required<SmtpTimeouts>;
  limits: Required<SmtpLimits>;
  maxWaitSeconds: number;
  maxHosts: number;
  addressesPerConnection: number;
  probeUnverifiable: boolean;
  catchAll: boolean;
}

/** An MX host as the DNS stage found it, addresses already resolved. */
export interface MxTarget {
  host: string;
  preference: number;
  addresses: readonly string[];
}

export const MAILBOX_REASONS = [
  'accepted',
  'catch_all',
  'mailbox_not_found',
  'mailbox_disabled',
  'mailbox_full',
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

export type MailboxReason = (typeof MAILBOX_REASONS)[number];

/** The reply that decided, as evidence for the report. */
export interface SmtpEvidence {
  code: number;
  enhanced?: string;
  /** The reply text, continuation lines joined, trimmed. */
  text: string;
  mxHost: string;
}

export interface MailboxOutcome {
  reason: MailboxReason;
  /** One human sentence. */
  detail: string;
  smtp?: SmtpEvidence;
}

export interface BreakerTrip {
  group: string;
  reason: MailboxReason;
  /** Epoch ms. */
  at: number;
  pausedForMs: number;
}

export interface SmtpSummary {
  /** `unreachable`: the port-25 probe found no server; `stopped`: three groups tripped. */
  status: 'ok' | 'unreachable' | 'stopped';
  /** RCPT commands sent (real addresses, catch-all and postmaster probes). */
  probes: number;
  connections: number;
  /** Outcomes handed out, by reason (cache hits included). */
  reasons: Partial<Record<MailboxReason, number>>;
  cacheHits: number;
  breakers: BreakerTrip[];
  /** Provider groups whose rejections were set aside by the blanket guard. */
  blanketGroups: string[];
  /** Replies that point at the sender's own IP or identities ("mx.example.com refused our IP ... citing Spamhaus"). */
  senderProblems: string[];
  stopped?: string;
}
