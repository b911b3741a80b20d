/**
 * The vocabulary of bounce handling: what a reader yields (RawBounce), what the classifier adds
 * (BounceEvent), and the formats. Free of logic.
 */

/**
 * What a bounce says about the address. Only `recipient` (and `domain`, once DNS confirms it now)
 * can remove an address; `sender` points at the sender's own setup or reputation.
 */
export type BounceClass = 'sender' | 'recipient' | 'domain' | 'transient' | 'unknown';

export const BOUNCE_CLASSES: readonly BounceClass[] = ['sender', 'recipient', 'domain', 'transient', 'unknown'];

/** Where in the SMTP dialogue the reply came, or `report` for a delivery report / provider event. */
export type Stage = 'connect' | 'MAIL' | 'RCPT' | 'DATA' | 'report';

export const BOUNCE_FORMATS = ['postfix', 'dsn', 'json', 'csv'] as const;
/** postfix: mail logs; dsn: RFC 3464 .eml or mbox; json: SES, SendGrid, Mailgun, Postmark; csv: exports and generic CSV. */
export type BounceFormat = (typeof BOUNCE_FORMATS)[number];

/** The bounce options of `clean` (flags, job-file keys and scrubCsv() options alike). */
export interface BounceOptions {
  /** Bounce files: Postfix logs, RFC 3464 reports (.eml, mbox), provider JSON, CSV. */
  bounces?: string[];
  /** Only bounces newer than this: "90d", "12w", "48h", or an ISO date. Default: all. */
  bouncesSince?: string;
  /** Skip detection. */
  bounceFormat?: BounceFormat;
  /** "Mailbox disabled / inactive" bounces needed to remove (default 2). */
  bounceMinEvents?: number;
  /** Distinct recipients one provider rejects in a day with one text for a storm (default 20). */
  bounceStorm?: number;
  /** Replace nothing (exit 4) when more than this share of rows would be removed as `bounced` (default 0.1). */
  maxBounceShare?: number;
}

/** One delivery outcome for one address, as a reader found it. */
export interface RawBounce {
  /** `delivered` events cancel the same address's earlier bounces. */
  kind: 'bounce' | 'delivered';
  /** The address as written in the source. */
  address: string;
  /** The reply or diagnostic text, multi-line replies already joined ('' when none). */
  text: string;
  /** Basic reply code (550) and RFC 3463 enhanced code (5.1.1), when the source gives them. */
  basic?: string;
  enhanced?: string;
  stage?: Stage;
  /** The source says it is temporary (Postfix deferred, a DSN "delayed"). */
  temporary?: boolean;
  /** Provider fields that classify the event explicitly (SES bounceSubType, Postmark Type, ...), lower-case. */
  types?: string[];
  /** Name of the provider that produced the record (SES, SendGrid, Mailgun, Postmark), if any. */
  source?: string;
  /** Host of the receiving MTA (MX) or the reporting MTA. */
  mx?: string;
  /** Sending IP, when the source names it. */
  ip?: string;
  /** Epoch milliseconds, or null when the source has no usable time. */
  time: number | null;
  file: string;
  line: number;
}

/** A classified event. */
export interface BounceEvent extends RawBounce {
  class: BounceClass;
  /** Finer group: blocked, authentication, configuration, content, mailbox, disabled, ... */
  category: string;
  /** Id of the rule that decided (see RULES). */
  rule: string;
  /** Mailbox provider (Gmail, Microsoft, Yahoo, iCloud, ...) or the receiving domain. */
  provider: string;
  /** Only counts after `bounceMinEvents` such events (mailbox disabled / inactive). */
  repeat: boolean;
  /** Enhanced code to report: the event's, else the rule's usual one. */
  bounce: string | undefined;
}

/** A line the reader could not use. */
export interface BounceProblem {
  file: string;
  line: number;
  message: string;
}

/** What a reader yields: an event, or a problem to report (the reading goes on). */
export type ReadItem = { event: RawBounce } | { problem: BounceProblem } | { skipped: number };
