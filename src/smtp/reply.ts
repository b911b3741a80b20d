/**
 * SMTP replies: reading them off the wire (RFC 5321 4.2, multi-line "250-" ... "250 ") and turning a
 * reply into a mailbox reason. The texts are judged by the bounce classifier's table
 * (src/bounces/rules.ts), so a reply means the same thing whether we met it live or in a bounce log;
 * this file adds only what is particular to a live probe (X.7.x is never invalid, 5.1.0/5.1.3,
 * anything refused before RCPT is about us, a 421 pauses the group).
 */
import { classifyEvent, parseReply } from '../bounces/classify.js';
import type { MailboxReason } from './types.js';

export interface SmtpReply {
  code: number;
  enhanced?: string;
  /** Continuation lines joined, codes dropped, trimmed to 300 characters. */
  text: string;
  /** The raw lines, without CRLF (the EHLO keywords live here). */
  lines: string[];
}

const LINE = /^(\d{3})([ -])(.*)$/;

/**
 * Collects reply lines; `push` returns the complete reply once the last line ("250 ") arrives. A
 * line that is not a reply line makes a reply with code 0 (the caller treats it as unrecognized).
 */
export class ReplyReader {
  #lines: string[] = [];

  push(line: string): SmtpReply | undefined {
    const match = LINE.exec(line);
    this.#lines.push(line);
    if (match !== null && match[2] === '-') return undefined;
    const lines = this.#lines;
    this.#lines = [];
    return makeReply(match === null ? 0 : Number(match[1]), lines);
  }
}

export function makeReply(code: number, lines: string[]): SmtpReply {
  const parsed = parseReply(lines.join(' '));
  const text = parsed.text.length > 300 ? `${parsed.text.slice(0, 299)}…` : parsed.text;
  return { code, text, lines, ...(parsed.enhanced === undefined ? {} : { enhanced: parsed.enhanced }) };
}

export interface ReplyClass {
  reason: MailboxReason;
  /** The bounce rule that decided (README table), or this file's own name for it. */
  rule: string;
  /** Set when the reply is about our IP or identities: what the summary says about it. */
  senderProblem?: string;
}

const BLOCK_LISTS = /spamhaus|barracuda|spamcop|proofpoint|cloudmark|sorbs|uceprotect|microsoft'?s block list|s3150|\[bl2\d\]|rtr:[a-z]{2}/i;
const BLOCKED_USING = /blocked using ([a-z0-9.-]+\.[a-z]{2,})/i;

function senderProblem(reply: SmtpReply, meaning: string, ip: string | undefined, mxHost: string): string {
  const cited = BLOCKED_USING.exec(reply.text)?.[1] ?? BLOCK_LISTS.exec(reply.text)?.[0];
  const who = ip === undefined ? 'our IP' : `our IP ${ip}`;
  if (cited !== undefined) return `${mxHost} refused ${who} citing ${cited}: "${reply.text}"`;
  return `${mxHost} refused us (${meaning}): "${reply.text}"`;
}

const RATE = /\brate\b|too many (connections|messages|mails|emails|sessions)|try again in \d|slow down|throttl/i;

/** A reply that is not a 2xx before RCPT (greeting, EHLO/HELO, STARTTLS, MAIL FROM): never about the mailbox. */
export function classifyBeforeRcpt(reply: SmtpReply, mxHost: string): ReplyClass {
  const event = classifyEvent({ kind: 'bounce', address: '', text: reply.text, basic: String(reply.code), ...enhanced(reply), stage: 'MAIL', time: null, file: '', line: 0 });
  if (reply.code === 421) return closing(reply, event, mxHost);
  if (RATE.test(reply.text)) return { reason: 'smtp_rate_limited', rule: 'smtp-rate-text' };
  if (reply.code >= 400 && reply.code < 500) return { reason: 'smtp_temp_error', rule: 'smtp-4xx-before-rcpt' };
  const meaning = event.class === 'sender' ? event.category : 'refused before any recipient was named';
  return { reason: 'smtp_blocked', rule: 'smtp-5xx-before-rcpt', senderProblem: senderProblem(reply, meaning, event.ip, mxHost) };
}

/**
 * A 421 (the server closes the connection): rate limiting, unless its text names a block of our IP
 * or a fault in our setup (Gmail "421 4.7.0 TLS required for RCPT domain", Yahoo "[TSS04]"); both
 * pause the group.
 */
function closing(reply: SmtpReply, event: ReturnType<typeof classifyEvent>, mxHost: string): ReplyClass {
  if (event.class === 'sender' && (event.category === 'blocked' || event.category === 'configuration')) {
    return { reason: 'smtp_blocked', rule: event.rule, senderProblem: senderProblem(reply, event.category, event.ip, mxHost) };
  }
  return { reason: 'smtp_rate_limited', rule: 'smtp-421' };
}

function enhanced(reply: SmtpReply): { enhanced?: string } {
  return reply.enhanced === undefined ? {} : { enhanced: reply.enhanced };
}

/** Enhanced codes that are mailbox-level signals besides the bounce table's 5.1.1 and 5.1.6. */
const MAILBOX_CODES = /^5\.1\.[03]$/;

/**
 * The reply to RCPT TO. Only a 5xx with a mailbox signal and no block or policy text is
 * mailbox_not_found / mailbox_disabled; X.7.x is never invalid; anything not understood is unknown.
 */
export function classifyRcpt(reply: SmtpReply, mxHost: string): ReplyClass {
  if (reply.code === 250 || reply.code === 251) return { reason: 'accepted', rule: 'accepted' };
  if (reply.code < 400 || reply.code > 599) return { reason: 'smtp_unrecognized', rule: 'smtp-unexpected-code' };
  const event = classifyEvent({ kind: 'bounce', address: '', text: reply.text, basic: String(reply.code), ...enhanced(reply), stage: 'RCPT', time: null, file: '', line: 0 });
  if (reply.code === 421) return closing(reply, event, mxHost);
  if (event.class === 'sender') {
    if (event.category === 'rate') return { reason: 'smtp_rate_limited', rule: event.rule };
    if (event.rule === 'relay-denied') return { reason: 'smtp_unrecognized', rule: event.rule };
    return { reason: 'smtp_blocked', rule: event.rule, senderProblem: senderProblem(reply, event.category, event.ip, mxHost) };
  }
  // Greylisting first: "451 4.7.1 Greylisting in action, please come back later" is no block.
  if (event.class === 'transient' && event.category === 'greylisting') return { reason: 'greylisted', rule: event.rule };
  // X.7.x is security or policy: about us or the message, never proof about the mailbox.
  if (reply.enhanced !== undefined && /^[45]\.7\./.test(reply.enhanced)) {
    return { reason: 'smtp_blocked', rule: 'smtp-x.7.x', senderProblem: senderProblem(reply, 'security or policy (X.7.x)', event.ip, mxHost) };
  }
  if (event.class === 'transient') {
    if (event.category === 'mailbox-full') return { reason: 'mailbox_full', rule: event.rule };
    // Gmail's "receiving mail at a rate..." is about that one mailbox, not about us.
    if (event.category === 'recipient-rate') return { reason: 'smtp_temp_error', rule: event.rule };
    if (RATE.test(reply.text)) return { reason: 'smtp_rate_limited', rule: 'smtp-rate-text' };
    return { reason: 'smtp_temp_error', rule: event.rule };
  }
  if (reply.code < 500) return { reason: 'smtp_temp_error', rule: 'temporary' };
  if (event.class === 'recipient') {
    if (event.category === 'disabled') return { reason: 'mailbox_disabled', rule: event.rule };
    if (event.category === 'mailbox' || event.category === 'moved') return { reason: 'mailbox_not_found', rule: event.rule };
  }
  if (event.class === 'unknown' && reply.enhanced !== undefined && MAILBOX_CODES.test(reply.enhanced)) {
    return { reason: 'mailbox_not_found', rule: 'smtp-5.1.0-5.1.3' };
  }
  return { reason: 'smtp_unrecognized', rule: event.rule };
}

/** The wait a greylisting reply names ("try again in 60 seconds", "after 5 minutes"), in ms. */
export function namedDelayMs(text: string): number | undefined {
  const match = /(\d{1,5})\s*(seconds?|secs?|s\b|minutes?|mins?|m\b)/i.exec(text);
  if (match === null) return undefined;
  const amount = Number(match[1]);
  return /^m/i.test(match[2] as string) ? amount * 60_000 : amount * 1000;
}
