/**
 * DMARC alignment (RFC 7489 3.1): the From domain must match the SPF (mail-from) domain or a DKIM
 * d= domain, exactly (strict, aspf=s / adkim=s) or by organizational domain (relaxed, the default).
 * Without an aligned pass, DMARC fails whatever SPF and DKIM say on their own.
 */
import { organizationalDomain } from './mailauth.js';
import { REPLIES, fill } from './replies.js';
import { single } from './verdict.js';
import type { DmarcTags } from './dmarc.js';
import type { SenderCheck } from './types.js';

export interface AlignmentInput {
  fromDomain: string;
  mailFromDomain: string;
  /** d= domains of the selectors whose key is usable (pass or warn). */
  dkimDomains: string[];
  /** Whether any selector was given at all, and whether one of them could not be read. */
  dkimChecked: boolean;
  dkimUnknown: boolean;
  /** The DMARC record's tags (aspf, adkim), when there is one; dmarcKnown false: it could not be read. */
  dmarc: DmarcTags | null;
  dmarcKnown: boolean;
}

function aligned(domain: string, from: string, strict: boolean): boolean {
  return strict ? domain === from : organizationalDomain(domain) === organizationalDomain(from);
}

export function checkAlignment(input: AlignmentInput): SenderCheck {
  const { fromDomain, mailFromDomain, dkimChecked, dmarc } = input;
  const dkimDomains = [...new Set(input.dkimDomains)];
  // An unread DMARC record may ask for strict alignment: only a strict match is certain then.
  const spfStrict = !input.dmarcKnown || dmarc?.aspf?.toLowerCase() === 's';
  const dkimStrict = !input.dmarcKnown || dmarc?.adkim?.toLowerCase() === 's';
  const spfAligned = aligned(mailFromDomain, fromDomain, spfStrict);
  const dkimAligned = dkimDomains.filter((d) => aligned(d, fromDomain, dkimStrict));
  const evidence = [
    `From ${fromDomain} (organizational domain ${organizationalDomain(fromDomain)})`,
    `SPF: mail-from ${mailFromDomain} ${spfAligned ? 'aligns' : 'does not align'} (${spfStrict ? 'strict' : 'relaxed'})`,
    ...dkimDomains.map((d) => `DKIM: d=${d} ${dkimAligned.includes(d) ? 'aligns' : 'does not align'} (${dkimStrict ? 'strict' : 'relaxed'})`),
  ];
  if (spfAligned || dkimAligned.length > 0) {
    const by = [spfAligned ? `SPF (${mailFromDomain})` : '', ...dkimAligned.map((d) => `DKIM (d=${d})`)].filter(Boolean).join(' and ');
    return single('alignment', fromDomain, evidence, { status: 'pass', text: `The From domain aligns with ${by}.` });
  }
  if (!input.dmarcKnown || input.dkimUnknown) {
    return single('alignment', fromDomain, evidence, {
      status: 'unknown',
      text: `Alignment could not be decided: the ${input.dkimUnknown ? 'DKIM key' : 'DMARC record (strict or relaxed)'} could not be read.`,
    });
  }
  const fix = `Send with a mail-from (bounce) domain under ${organizationalDomain(fromDomain)}, or sign with DKIM d=${fromDomain}.`;
  if (!dkimChecked) {
    return single('alignment', fromDomain, evidence, {
      status: 'warn',
      text: `The mail-from domain ${mailFromDomain} does not align with ${fromDomain}, and DKIM was not checked (no --selector): DMARC passes only if your DKIM signature uses d=${organizationalDomain(fromDomain)} or a subdomain.`,
      fix,
    });
  }
  return single('alignment', fromDomain, evidence, {
    status: 'fail',
    text: `Neither the mail-from domain ${mailFromDomain} nor any usable DKIM d= domain aligns with ${fromDomain}: DMARC fails for every message.`,
    fix,
    reply: fill(REPLIES.gmailDmarc, { DOMAIN: fromDomain }),
  });
}
