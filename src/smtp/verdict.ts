/**
 * What the SMTP check does to a verdict. Only a RCPT reply can make an address invalid; an answer
 * we could not get makes it `unknown` (as a DNS timeout does), which no policy flag removes.
 *
 *   accepted                         -> the DNS verdict stays (valid, or risky for its own reasons)
 *   mailbox_not_found / _disabled    -> invalid (bounce 5.1.1 / 5.2.1); an earlier risky finding is alsoFound
 *   mailbox_full / catch_all         -> risky, unless the verdict is already risky for a finding of its own
 *   every unknown reason             -> unknown with that reason; a risky verdict stays risky with it in alsoFound
 *
 * When port 25 is closed on our side the stage never asks (src/stages/mailbox.ts): every DNS
 * verdict stays as it was. Every probed row carries `mailbox` (reason and reply) for the report.
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
    case 'accepted':
      return { ...verdict, mailbox };
    default: {
      // A check that could not be made: unknown with its reason, as for DNS; a finding made offline
      // (risky) outranks it and keeps the SMTP reason in alsoFound. --drop never removes either.
      if (verdict.status === 'risky') return { ...verdict, alsoFound: verdict.alsoFound ?? outcome.reason, mailbox };
      return { ...makeVerdict(verdict.input, verdict.address, outcome.reason, outcome.detail, verdict.suggestion), mailbox };
    }
  }
}
