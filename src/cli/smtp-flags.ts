/** The SMTP flags shared by `clean` and `check` (see README "Mailbox verification over SMTP"). */
import { ListscrubError } from '../errors.js';
import type { SmtpOptions, SmtpSummary } from '../smtp/index.js';
import { numberFlag, stringFlag, type ParsedValues } from './args.js';

export const SMTP_FLAGS = {
  smtp: { type: 'boolean' },
  'smtp-helo': { type: 'string' },
  'smtp-from': { type: 'string' },
  'smtp-port': { type: 'string' },
  'smtp-max-wait': { type: 'string' },
} as const;

export const SMTP_HELP = `Mailbox check over SMTP (off by default; see README "Mailbox verification over SMTP"):
  --smtp                  ask each address's mail server whether the mailbox exists (RCPT TO,
                          never DATA); needs --smtp-helo and --smtp-from, names you control
  --smtp-helo FQDN        the name to greet with (not localhost, an IP or a big provider's name)
  --smtp-from ADDRESS     the MAIL FROM address (a domain you control)
  --smtp-port N           port of the mail servers (default 25; for tests and local relays)
  --smtp-max-wait S       seconds to wait for greylisting retries (default 900; 0 = no waiting)`;

/**
 * The `smtp` option from the flags: undefined without --smtp; settings without --smtp are an error.
 * `clean` may take the identities from its job file (merged later), so it passes `identities: 'later'`.
 */
export function smtpOptionsFromFlags(values: ParsedValues, identities: 'now' | 'later' = 'now'): SmtpOptions | undefined {
  const helo = stringFlag(values, 'smtp-helo');
  const from = stringFlag(values, 'smtp-from');
  const port = numberFlag(values, 'smtp-port', { integer: true, min: 1 });
  const maxWait = numberFlag(values, 'smtp-max-wait', { min: 0 });
  if (values.smtp !== true) {
    const given = Object.keys(SMTP_FLAGS).filter((flag) => flag !== 'smtp' && values[flag] !== undefined);
    if (given.length > 0) throw new ListscrubError('E_USAGE', `--${given[0]} only applies with --smtp, which turns the mailbox check on.`);
    return undefined;
  }
  if (port !== undefined && port > 65535) throw new ListscrubError('E_USAGE', `--smtp-port must be a port number from 1 to 65535; got ${port}.`);
  const smtp = { ...(helo === undefined ? {} : { helo }), ...(from === undefined ? {} : { from }), ...(port === undefined ? {} : { port }), ...(maxWait === undefined ? {} : { maxWaitSeconds: maxWait }) };
  if (identities === 'now') assertSmtpIdentities(smtp, false);
  return smtp as SmtpOptions;
}

/** --smtp needs both identities, from the flags or (clean) the job file. */
export function assertSmtpIdentities(smtp: Partial<SmtpOptions>, jobFile = true): void {
  if (smtp.helo === undefined || smtp.from === undefined) {
    const where = jobFile ? ' (or "helo" and "from" in the job file\'s "smtp")' : '';
    throw new ListscrubError('E_USAGE', `--smtp needs --smtp-helo FQDN and --smtp-from ADDRESS${where}: a host name and a sender address you control (receiving servers judge you by them).`);
  }
}

/** Human summary lines for the SMTP stage. */
export function formatSmtpLines(smtp: SmtpSummary): string[] {
  const n = (value: number): string => value.toLocaleString('en-US');
  const lines: string[] = [];
  if (smtp.status === 'unreachable') lines.push(`  SMTP: UNAVAILABLE. ${smtp.stopped ?? ''} Nothing was removed on its grounds.`);
  else if (smtp.status === 'stopped') lines.push(`  SMTP: STOPPED. ${smtp.stopped ?? ''} Addresses not asked keep their DNS verdict.`);
  else lines.push(`  SMTP: ${n(smtp.probes)} probes over ${n(smtp.connections)} connections, ${n(smtp.cacheHits)} answers from the cache`);
  const reasons = Object.entries(smtp.reasons).map(([reason, count]) => `${reason} ${n(count ?? 0)}`);
  if (reasons.length > 0) lines.push(`  SMTP answers: ${reasons.join(', ')}`);
  for (const group of smtp.blanketGroups) lines.push(`  SMTP: ${group} rejected nearly every address: its rejections were set aside (smtp_blanket_reject)`);
  for (const problem of smtp.senderProblems) lines.push(`  SENDER PROBLEM: ${problem}`);
  return lines;
}
