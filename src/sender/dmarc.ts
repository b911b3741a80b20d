/**
 * DMARC (RFC 7489): one record at _dmarc.<domain>, else at the organizational domain; its policy,
 * pct and rua; and the authorization of report addresses outside the domain (section 7.1). With
 * `bulk`, the 2024 bulk-sender rules apply: no record or no policy is a fail, p=none a warn.
 */
import { organizationalDomain } from './mailauth.js';
import { describeAnswer, isFailure, type Query } from './lookup.js';
import { REPLIES, fill } from './replies.js';
import { fromFindings, type Finding } from './verdict.js';
import type { SenderCheck } from './types.js';

export type DmarcTags = Record<string, string>;

export interface DmarcResult {
  check: SenderCheck;
  /** The record's tags when exactly one record was found (for alignment: aspf, adkim). */
  tags: DmarcTags | null;
}

const DMARC_RECORD = /^v\s*=\s*DMARC1\s*(;|$)/i;
const POLICIES = ['none', 'quarantine', 'reject'];

/** RFC 7489 6.4: "tag=value" pairs separated by semicolons; tag names are case-insensitive. */
export function parseDmarc(record: string): DmarcTags {
  const tags: DmarcTags = {};
  for (const part of record.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) tags[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim();
  }
  return tags;
}

type Lookup = { kind: 'found'; name: string; records: string[]; evidence: string[] } | { kind: 'failed'; evidence: string[]; text: string };

async function lookup(query: Query, domain: string): Promise<Lookup> {
  const evidence: string[] = [];
  const org = organizationalDomain(domain);
  for (const candidate of org === domain ? [domain] : [domain, org]) {
    const name = `_dmarc.${candidate}`;
    const answer = await query(name, 'TXT');
    if (answer.kind !== 'ok') {
      evidence.push(`TXT ${name}: ${describeAnswer(answer)}`);
      if (isFailure(answer)) return { kind: 'failed', evidence, text: `The DMARC record at ${name} could not be read: ${describeAnswer(answer)}.` };
      continue;
    }
    for (const text of answer.records) evidence.push(`TXT ${name}: "${text}"`);
    const records = answer.records.filter((text) => DMARC_RECORD.test(text));
    if (records.length > 0) return { kind: 'found', name, records, evidence };
  }
  return { kind: 'found', name: `_dmarc.${domain}`, records: [], evidence };
}

export async function checkDmarc(query: Query, domain: string, bulk: boolean): Promise<DmarcResult> {
  const found = await lookup(query, domain);
  if (found.kind === 'failed') return { check: fromFindings('dmarc', domain, found.evidence, [{ status: 'unknown', text: found.text }]), tags: null };
  const missing = (text: string): Finding => ({
    status: bulk ? 'fail' : 'warn',
    text: `${text}${bulk ? ' Since 2024 Gmail, Yahoo and Microsoft require DMARC from bulk senders.' : ''}`,
    fix: `Publish one TXT record at _dmarc.${domain}: "v=DMARC1; p=none; rua=mailto:dmarc@${domain}" to start.`,
    ...(bulk ? { reply: fill(REPLIES.microsoftAuth, { DOMAIN: domain }) } : {}),
  });
  if (found.records.length === 0) {
    return { check: fromFindings('dmarc', domain, found.evidence, [missing(`No DMARC record for ${domain}.`)]), tags: null };
  }
  if (found.records.length > 1) {
    const text = `${found.name} has ${found.records.length} DMARC records: receivers then apply none of them (RFC 7489 6.6.3).`;
    return { check: fromFindings('dmarc', domain, found.evidence, [{ ...missing(text), fix: 'Keep exactly one v=DMARC1 record.' }]), tags: null };
  }
  const tags = parseDmarc(found.records[0] as string);
  const inherited = found.name !== `_dmarc.${domain}`;
  if (inherited) found.evidence.push(`${domain} has no record of its own: the organizational domain's record applies`);
  const findings = policyFindings(tags, inherited, bulk, domain);
  findings.push(...(await reportFindings(query, tags, found.name.slice('_dmarc.'.length))));
  return { check: fromFindings('dmarc', domain, found.evidence, findings), tags };
}

function policyFindings(tags: DmarcTags, inherited: boolean, bulk: boolean, domain: string): Finding[] {
  const findings: Finding[] = [];
  // A subdomain that inherits the organizational record gets its sp= policy, else p=.
  const policy = ((inherited ? (tags.sp ?? tags.p) : tags.p) ?? '').toLowerCase();
  if (!POLICIES.includes(policy)) {
    findings.push({
      status: bulk ? 'fail' : 'warn',
      text: tags.p === undefined ? 'The DMARC record has no p= policy: it is invalid (RFC 7489 6.3).' : `The DMARC policy "${tags.p}" is not none, quarantine or reject.`,
      fix: 'Add "p=none" (monitor), then "p=quarantine" or "p=reject".',
      ...(bulk ? { reply: fill(REPLIES.microsoftAuth, { DOMAIN: domain }) } : {}),
    });
  } else if (policy === 'none') {
    findings.push({ status: bulk ? 'warn' : 'pass', text: 'Policy p=none: receivers report failures but deliver them.', ...(bulk ? { fix: 'Move to p=quarantine, then p=reject, once reports show only your own senders.' } : {}) });
  } else {
    findings.push({ status: 'pass', text: `Policy p=${policy}.` });
  }
  const pct = tags.pct === undefined ? 100 : Number(tags.pct);
  if (pct !== 100) {
    findings.push({ status: 'warn', text: `pct=${tags.pct}: the policy applies to only part of the failing mail.`, fix: 'Remove pct= (it defaults to 100).' });
  }
  if (tags.rua === undefined) {
    findings.push({ status: 'warn', text: 'No rua=: you get no aggregate reports, so you cannot see who sends as you.', fix: 'Add rua=mailto:an address that reads the reports.' });
  }
  return findings;
}

/** RFC 7489 7.1: a report address outside the domain must say it accepts reports for it. */
async function reportFindings(query: Query, tags: DmarcTags, policyDomain: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  const addresses = (tags.rua ?? '').split(',').map((uri) => uri.trim().replace(/!.*$/, ''));
  for (const uri of addresses) {
    const match = /^mailto:[^@]+@(.+)$/i.exec(uri);
    if (match === null) continue;
    const target = (match[1] as string).toLowerCase();
    if (organizationalDomain(target) === organizationalDomain(policyDomain)) continue;
    const name = `${policyDomain}._report._dmarc.${target}`;
    const answer = await query(name, 'TXT');
    if (answer.kind === 'ok' && answer.records.some((text) => DMARC_RECORD.test(text))) {
      findings.push({ status: 'pass', text: `${target} accepts reports for ${policyDomain} (${name}).` });
    } else if (answer.kind !== 'ok' && isFailure(answer)) {
      findings.push({ status: 'unknown', text: `Whether ${target} accepts reports for ${policyDomain} could not be read (${name}: ${describeAnswer(answer)}).` });
    } else {
      findings.push({
        status: 'warn',
        text: `Reports to ${uri} will not be sent: ${target} does not authorize them (no v=DMARC1 record at ${name}, RFC 7489 7.1).`,
        fix: `Ask ${target} to publish "v=DMARC1" at ${name}, or send reports to an address at ${policyDomain}.`,
      });
    }
  }
  return findings;
}
