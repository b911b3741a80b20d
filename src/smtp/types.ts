/**
 * The vocabulary of the SMTP mailbox check (issue 17): options, outcomes and
 * the summary (the checker's interface is in checker.ts). Free of logic.
 */
import { SMTP_REASON_CODES, type SmtpLimits, type SmtpTimeouts } from '../types.js';
export type { SmtpLimits, SmtpOptions, SmtpTimeouts } from '../types.js';

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

export const MAILBOX_REASONS = ['accepted', ...SMTP_REASON_CODES] as const;

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
