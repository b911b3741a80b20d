/**
 * RFC 3464 delivery reports: a single message (.eml) or an mbox of them, read line by line at
 * constant memory. Only the per-recipient fields of the message/delivery-status part are used
 * (Final-Recipient, Action, Status, Diagnostic-Code, Remote-MTA), with the per-message
 * Reporting-MTA and Arrival-Date, and the message's Date header for the time. A message without
 * any recipient block is not a bounce: skipped and counted.
 */
import { parseReply } from './classify.js';
import type { RawBounce, ReadItem } from './types.js';

interface RecipientBlock {
  line: number;
  fields: Map<string, string>;
}

const DSN_FIELDS = new Set(['final-recipient', 'original-recipient', 'action', 'status', 'diagnostic-code', 'remote-mta', 'last-attempt-date', 'x-postfix-sender']);

/** Strip an RFC 3464 address-type or MTA-name-type prefix ("rfc822;", "dns;", "smtp;"). */
function typed(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value.replace(/^\s*[\w-]+\s*;\s*/, '').trim();
}

function dateOf(value: string | undefined): number | null {
  if (value === undefined) return null;
  const ms = Date.parse(value.replace(/\s*\([^)]*\)\s*$/, ''));
  return Number.isNaN(ms) ? null : ms;
}

export class DsnReader {
  private messageDate: number | null = null;
  private arrival: number | null = null;
  private reportingMta: string | undefined;
  private inTopHeader = true;
  private sawRecipient = false;
  private messages = 0;
  private block: RecipientBlock | null = null;
  private lastField: string | null = null;
  private previousBlank = true;

  constructor(private readonly file: string) {}

  /** Feed one line (without its line break). */
  push(line: string, lineNumber: number): ReadItem[] {
    const out: ReadItem[] = [];
    if (line.startsWith('From ') && this.previousBlank) {
      // mbox separator: a new message.
      this.endMessage(out);
      this.previousBlank = false;
      return out;
    }
    if (this.messages === 0) this.messages = 1;
    this.previousBlank = line.trim() === '';
    if (this.previousBlank) {
      this.inTopHeader = false;
      this.endBlock(out);
      return out;
    }
    if (/^[ \t]/.test(line)) {
      // A folded continuation of the previous field.
      if (this.block !== null && this.lastField !== null) {
        this.block.fields.set(this.lastField, `${this.block.fields.get(this.lastField) ?? ''} ${line.trim()}`);
      }
      return out;
    }
    this.lastField = null;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      if (line.startsWith('--')) this.endBlock(out); // a MIME boundary ends the part
      return out;
    }
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (this.inTopHeader && name === 'date' && this.messageDate === null) this.messageDate = dateOf(value);
    else if (name === 'reporting-mta') this.reportingMta = typed(value);
    else if (name === 'arrival-date') this.arrival = dateOf(value);
    else if (DSN_FIELDS.has(name)) {
      if ((name === 'final-recipient' || name === 'original-recipient') && this.block?.fields.has(name)) this.endBlock(out);
      this.block ??= { line: lineNumber, fields: new Map() };
      if (name === 'final-recipient') this.block.line = lineNumber;
      this.block.fields.set(name, value);
      this.lastField = name;
    }
    return out;
  }

  /** The end of the input. */
  end(): ReadItem[] {
    const out: ReadItem[] = [];
    this.endMessage(out);
    return out;
  }

  private endMessage(out: ReadItem[]): void {
    this.endBlock(out);
    if (this.messages > 0 && !this.sawRecipient) out.push({ skipped: 1 });
    this.messages += 1;
    this.messageDate = null;
    this.arrival = null;
    this.reportingMta = undefined;
    this.inTopHeader = true;
    this.sawRecipient = false;
  }

  private endBlock(out: ReadItem[]): void {
    const block = this.block;
    this.block = null;
    this.lastField = null;
    if (block === null) return;
    const recipient = typed(block.fields.get('final-recipient') ?? block.fields.get('original-recipient'));
    if (recipient === undefined) return; // Action/Status without a recipient: not a recipient block
    this.sawRecipient = true;
    const action = (block.fields.get('action') ?? '').toLowerCase();
    const status = block.fields.get('status')?.match(/[245]\.\d{1,3}\.\d{1,3}/)?.[0];
    if (action === '' && status === undefined) {
      out.push({ problem: { file: this.file, line: block.line, message: `${this.file}:${block.line}: the delivery report for ${recipient} has no Action or Status field` } });
      return;
    }
    const reply = parseReply(typed(block.fields.get('diagnostic-code')) ?? '');
    // "dns; gmail-smtp-in.l.google.com. (142.250.27.27, the server for ...)": the host name only.
    const remote = typed(block.fields.get('remote-mta'))?.split(/\s/)[0]?.replace(/\.$/, '');
    const delivered = action === 'delivered' || action === 'relayed' || action === 'expanded' || (action === '' && status?.startsWith('2.') === true);
    const event: RawBounce = {
      kind: delivered ? 'delivered' : 'bounce',
      address: recipient,
      text: reply.text,
      stage: 'report',
      time: dateOf(block.fields.get('last-attempt-date')) ?? this.arrival ?? this.messageDate,
      file: this.file,
      line: block.line,
    };
    if (reply.basic !== undefined) event.basic = reply.basic;
    // "Status: 5.0.0" with "550 5.1.1 ..." in the diagnostic: the reply's code is the precise one.
    const enhanced = status === undefined || /\.0\.0$/.test(status) ? (reply.enhanced ?? status) : status;
    if (enhanced !== undefined) event.enhanced = enhanced;
    if (action === 'delayed') event.temporary = true;
    const mx = remote ?? this.reportingMta;
    if (mx !== undefined) event.mx = mx;
    out.push({ event });
  }
}
