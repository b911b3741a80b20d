/**
 * Bounce lists as CSV: the downloads of SendGrid (email, reason, status, created), Mailgun (address,
 * code, error, created_at), Postmark (Type, Email, Details, BouncedAt) and any generic CSV with an
 * address, a code or status, and a message. Read through clean's CSV reader (encoding, delimiter and
 * email-column detection, malformed rows with their line), one record at a time.
 */
import { isMalformedItem, openCsvInput, type CsvInputItem } from '../csv/read.js';
import { parseReply } from './classify.js';
import { timeOf } from './providers.js';
import type { RawBounce, ReadItem } from './types.js';

/** Header names (lower-case, without spaces, dashes and underscores) for each role. */
const ROLES = {
  code: ['code', 'status', 'smtpcode', 'dsn', 'statuscode', 'enhancedcode', 'replycode', 'bouncecode', 'errorcode'],
  message: ['details', 'diagnosticcode', 'diagnostic', 'message', 'reason', 'error', 'smtpresponse', 'response', 'bouncereason', 'description'],
  time: ['created', 'createdat', 'timestamp', 'date', 'time', 'bouncedat', 'eventtime'],
  type: ['type', 'event', 'bouncetype', 'severity', 'classification', 'bounceclassification', 'bouncesubtype'],
} as const;

/** When no header name is one of the role's, a name containing one of these words. */
const ROLE_WORDS: Record<keyof typeof ROLES, RegExp> = {
  code: /code|status|dsn/,
  message: /message|reason|error|diagnostic|response|detail|description|text/,
  time: /date|time|created|bounced/,
  type: /type|event|severity|classification/,
};

type Role = keyof typeof ROLES;

function squash(name: string): string {
  return name.toLowerCase().replace(/[\s_-]/g, '');
}

/** Column index per role, from the header; without a header: address, code, message. */
export function csvRoles(header: string[] | null, emailColumn: number): Partial<Record<Role, number>> {
  if (header === null) return { code: emailColumn + 1, message: emailColumn + 2 };
  const names = header.map(squash);
  const roles: Partial<Record<Role, number>> = {};
  for (const role of Object.keys(ROLES) as Role[]) {
    const candidates: readonly string[] = ROLES[role];
    // The first name in the role's list wins over later ones ("details" over "description").
    const taken = new Set<number>([emailColumn, ...(Object.values(roles) as number[])]);
    const index =
      candidates.map((candidate) => names.indexOf(candidate)).find((i) => i >= 0 && !taken.has(i)) ??
      names.findIndex((name, i) => !taken.has(i) && ROLE_WORDS[role].test(name));
    if (index >= 0) roles[role] = index;
  }
  return roles;
}

const DELIVERED = new Set(['delivered', 'delivery', 'sent', 'success']);

/** One CSV record to an event; null when it is not a bounce (no address). */
function fromRecord(record: string[], emailColumn: number, roles: Partial<Record<Role, number>>, file: string, line: number): RawBounce | null {
  const cell = (role: Role): string => (roles[role] === undefined ? '' : (record[roles[role] as number] ?? '').trim());
  const address = (record[emailColumn] ?? '').trim().replace(/^<|>$/g, '');
  if (!address.includes('@')) return null;
  const type = cell('type').toLowerCase();
  const code = cell('code');
  const parsed = parseReply(cell('message').replace(/^\s*smtp\s*;\s*/i, ''));
  const event: RawBounce = { kind: DELIVERED.has(type) ? 'delivered' : 'bounce', address, text: parsed.text, stage: 'report', time: timeOf(cell('time')), file, line };
  const basic = parsed.basic ?? /^[245]\d\d$/.exec(code)?.[0];
  const enhanced = parsed.enhanced ?? /[245]\.\d{1,3}\.\d{1,3}/.exec(code)?.[0];
  if (basic !== undefined) event.basic = basic;
  if (enhanced !== undefined) event.enhanced = enhanced;
  const types = type.split(/[\s,/]+/).filter((t) => t !== '' && t !== 'bounce' && t !== 'hardbounce' && t !== 'permanent' && t !== 'failed');
  if (types.length > 0) event.types = types;
  if (/^(soft|temporary|transient|deferred)/.test(type)) event.temporary = true;
  return event;
}

export async function* readBounceCsv(file: string): AsyncGenerator<ReadItem> {
  const input = await openCsvInput({ input: file });
  const roles = csvRoles(input.header, input.column.index);
  try {
    for await (const item of input.records as AsyncIterable<CsvInputItem>) {
      if (isMalformedItem(item)) {
        yield { problem: { file, line: item.malformed.line, message: `${file}:${item.malformed.line}: ${item.malformed.message}` } };
        continue;
      }
      const event = fromRecord(item.record, input.column.index, roles, file, item.info.line);
      yield event === null ? { skipped: 1 } : { event };
    }
  } finally {
    input.records.destroy();
  }
}
