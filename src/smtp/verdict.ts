/**
 * What the SMTP check does to a verdict. Only a RCPT reply can make an address invalid; an answer
 * we could not get changes nothing (rule 1: a row we could not check is never removed by a policy
 * flag, and an address whose DNS check passed but whose SMTP check could not be made is not
 * invalid, nor newly `unknown` for `--drop unknown` to take).
 *
 *   accepted                         -> the DNS verdict stays (valid, or risky for its own reasons)
 *   mailbox_not_found / _disabled    -> invalid (bounce 5.1.1 / 5.2.1); an earlier risky finding is alsoFound
 *   mailbox_full / catch_all         -> risky, unless the verdict is already risky for a finding of its own
 *   every unknown reason             -> the DNS verdict stays; the SMTP reason is only recorded
 *
 * Every probed row carries `mailbox` (reason and the reply), for the report's smtp_* columns.
 */
import type { MailboxEvidence, Verdict } from '../types.js';
import { makeVerdict } from '../verdict.js';
import type { MailboxOutcome } from './types.js';

function evidence(outcome: MailboxOutcome): MailboxEvidence {
  const smtp = outcome.smtp;
  if (smtp === undefined) return { reason: outcome.reason };
  return { reason: outcome.reason, code: smtp.code, ...(smtp.enhanced === undefined ? {} : { enhanced: smtp.enhanced }), text: smtp.text, mxHost: smtp.mxHost };
}

export function applyMailboxOutcome(verdict: Verdict, outcome: MailboxOutcome): Verdict {
  const mailbox = evidence(outcome);
  // An invalid verdict was decided before SMTP (syntax, DNS); nothing here could change it.
  if (verdict.status === 'invalid') return verdict;
  switch (outcome.reason) {
    case 'mailbox_not_found':
    case 'mailbox_disabled': {
      const invalid = makeVerdict(verdict.input, verdict.address, outcome.reason, outcome.detail, verdict.suggestion);
      if (verdict.status === 'risky') invalid.alsoFound = verdict.reason;
      return { ...invalid, mailbox };
    }
    case 'mailbox_full':
    case 'catch_all': {
      if (verdict.status === 'risky') return { ...verdict, alsoFound: verdict.alsoFound ?? outcome.reason, mailbox };
      return { ...makeVerdict(verdict.input, verdict.address, outcome.reason, outcome.detail, verdict.suggestion), mailbox };
    }
    default:
      return { ...verdict, mailbox };
  }
}
