/**
 * Postfix mail logs: one line per delivery attempt (`postfix/smtp`, `lmtp`, `local`, `virtual`,
 * `pipe`), read line by line at constant memory. Lines without `to=<...>, ... status=` (connections,
 * cleanup, qmgr) are skipped and counted.
 *
 *   May  1 10:00:01 mx1 postfix/smtp[123]: 4F3A2: to=<bob@example.com>, relay=mx.example.com[93.184.216.34]:25,
 *     delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1, status=bounced (host mx.example.com[93.184.216.34]
 *     said: 550 5.1.1 <bob@example.com>: User unknown (in reply to RCPT TO command))
 */
import { parseReply } from './classify.js';
import type { ReadItem, Stage } from './types.js';

const DELIVERY = /\bto=<([^>]*)>,(?:.*?\brelay=([^\s,\[]+)(?:\[([^\]]*)\])?)?.*?\bdsn=(\d\.\d{1,3}\.\d{1,3}), status=(\w+)(?: \((.*)\))?\s*$/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const SYSLOG_TIME = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)\s/;
const ISO_TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)\s/;

/** Which command a reply answered, from Postfix's "(in reply to ... command)". */
function stageOf(reason: string): Stage | undefined {
  const match = /\(in reply to ([^)]*)\)\s*$/.exec(reason);
  if (match === null) return /refused to talk to me|lost connection .* while receiving the initial/i.test(reason) ? 'connect' : undefined;
  const command = (match[1] ?? '').toUpperCase();
  if (command.startsWith('RCPT')) return 'RCPT';
  if (command.startsWith('MAIL')) return 'MAIL';
  if (command.includes('DATA') || command.includes('BDAT')) return 'DATA';
  return 'connect'; // initial greeting, EHLO, HELO, STARTTLS
}

/**
 * The time of a log line. BSD syslog lines carry no year: the latest year that does not put the
 * line more than a day after `now`.
 */
export function postfixTime(line: string, now: number): number | null {
  const iso = ISO_TIME.exec(line);
  if (iso !== null) {
    const ms = Date.parse(iso[1] as string);
    return Number.isNaN(ms) ? null : ms;
  }
  const sys = SYSLOG_TIME.exec(line);
  if (sys === null) return null;
  const month = MONTHS.indexOf((sys[1] as string).toLowerCase());
  if (month < 0) return null;
  const year = new Date(now).getUTCFullYear();
  const at = (y: number): number => Date.UTC(y, month, Number(sys[2]), Number(sys[3]), Number(sys[4]), Number(sys[5]));
  return at(year) > now + 86_400_000 ? at(year - 1) : at(year);
}

/** The "host X said: ..." reply, or Postfix's own reason, with the "(in reply to ...)" tail removed. */
function replyOf(reason: string): string {
  const said = /\bsaid: (.*)$/.exec(reason);
  const text = said === null ? reason : (said[1] as string);
  return text.replace(/\s*\(in reply to [^)]*\)\s*$/, '');
}

/** Parse one log line: an event, or null when the line is not a delivery status. */
export function parsePostfixLine(line: string, file: string, lineNumber: number, now: number): ReadItem | null {
  if (!line.includes(' status=') || !line.includes('to=<')) return null;
  const match = DELIVERY.exec(line);
  if (match === null) return { problem: { file, line: lineNumber, message: `${file}:${lineNumber}: a Postfix status line without the usual to=<...>, dsn=, status= fields` } };
  const [, address = '', relay, , dsn = '', status = '', reason = ''] = match;
  const time = postfixTime(line, now);
  const kind = status === 'sent' ? 'delivered' : 'bounce';
  if (kind === 'bounce' && status !== 'bounced' && status !== 'deferred' && status !== 'expired' && status !== 'undeliverable') return null;
  // A delivery only cancels earlier bounces: its reply text is not needed.
  const reply = kind === 'delivered' ? { text: '' } as ReturnType<typeof parseReply> : parseReply(replyOf(reason));
  const stage = kind === 'delivered' ? undefined : stageOf(reason);
  return {
    event: {
      kind,
      address,
      text: reply.text,
      ...(reply.basic === undefined ? {} : { basic: reply.basic }),
      enhanced: reply.enhanced ?? dsn,
      ...(stage === undefined ? {} : { stage }),
      ...(status === 'deferred' || status === 'expired' ? { temporary: true } : {}),
      ...(relay === undefined || relay === 'none' || relay === 'local' ? {} : { mx: relay }),
      time,
      file,
      line: lineNumber,
    },
  };
}
