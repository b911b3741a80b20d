/** The one-sentence details of mailbox outcomes, so every path words a reason the same way. */
import type { SmtpReply } from './reply.js';
import type { MailboxReason, SmtpEvidence } from './types.js';

const MEANING: Record<MailboxReason, string> = {
  accepted: 'accepted the recipient',
  catch_all: 'accepted the recipient, but also accepts a made-up address at this domain (catch-all)',
  mailbox_not_found: 'said the mailbox does not exist',
  mailbox_disabled: 'said the mailbox is disabled',
  mailbox_full: 'said the mailbox is full',
  greylisted: 'kept deferring the recipient (greylisting)',
  smtp_blocked: 'refused us (our IP, HELO name or sender), not the address',
  smtp_rate_limited: 'asked us to slow down',
  smtp_temp_error: 'answered with a temporary error',
  smtp_timeout: 'did not answer in time',
  smtp_unreachable: 'could not be reached',
  smtp_unrecognized: 'answered with a reply that says nothing certain about the mailbox',
  smtp_provider_unverifiable: 'belongs to a provider that blocks or misleads mailbox probes',
  smtp_blanket_reject: 'rejects nearly every address we ask about, so its rejections are not trusted',
};

export function evidenceOf(reply: SmtpReply, mxHost: string): SmtpEvidence {
  return { code: reply.code, ...(reply.enhanced === undefined ? {} : { enhanced: reply.enhanced }), text: reply.text, mxHost };
}

/** "mx.example.com said the mailbox does not exist: "550 5.1.1 ..."." */
export function replyDetail(reason: MailboxReason, evidence: SmtpEvidence, extra = ''): string {
  return `${evidence.mxHost} ${MEANING[reason]}: "${evidence.text}"${extra}.`;
}
