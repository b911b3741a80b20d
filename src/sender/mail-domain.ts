/**
 * The sender's domains must receive mail: receivers reject a sender whose domain cannot take a
 * bounce (NXDOMAIN, null MX, no mail host). The classification is the one `clean` uses.
 */
import type { DomainChecker } from '../dns/index.js';
import { REPLIES, fill } from './replies.js';
import { single } from './verdict.js';
import type { SenderCheck } from './types.js';

export async function checkMailDomain(checker: DomainChecker, domain: string, sender: string): Promise<SenderCheck> {
  const outcome = await checker.check(domain);
  const evidence = [`${domain}: ${outcome.kind}${outcome.kind === 'deliverable' ? '' : ` (${outcome.reason})`}: ${outcome.detail}`];
  if (outcome.kind === 'deliverable') return single('mail_domain', domain, evidence, { status: 'pass', text: `${domain} receives mail.` });
  if (outcome.kind === 'unknown') return single('mail_domain', domain, evidence, { status: 'unknown', text: `Whether ${domain} receives mail could not be checked: ${outcome.detail}.` });
  const reply = outcome.reason === 'null_mx' ? REPLIES.senderNullMx : REPLIES.senderDomainNotFound;
  return single('mail_domain', domain, evidence, {
    status: 'fail',
    text: `${domain} cannot receive mail: ${outcome.detail}. Receivers reject senders whose domain cannot take a bounce.`,
    fix: `Give ${domain} an MX record pointing at a server that accepts bounces.`,
    reply: fill(reply, { SENDER: sender }),
  });
}
