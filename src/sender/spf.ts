/**
 * SPF (RFC 7208) of the mail-from domain: the record itself (exactly one, its `all`, `ptr`, size,
 * the 10-lookup and 2-void-lookup limits) and the result for each sending IP. mailauth evaluates;
 * this file reads its answers and says what they mean for delivery.
 */
import { REPLIES } from './replies.js';
import { evaluateSpf, type SpfOutcome } from './mailauth.js';
import { describeAnswer, isFailure, mailauthResolver, type Query } from './lookup.js';
import { fromFindings, single, type Finding } from './verdict.js';
import type { SenderCheck } from './types.js';

/** RFC 7208 3.4: keep the record small enough for a 512-byte UDP answer. */
const MAX_RECORD_LENGTH = 450;
/**
 * An address no SPF record designates (TEST-NET-1, RFC 5737): evaluating for it walks the whole
 * record, so mailauth counts every lookup the record needs.
 */
const PROBE_IP = '192.0.2.1';

const SPF_RECORD = /^v=spf1(\s|$)/i;

export async function checkSpfRecord(query: Query, domain: string): Promise<SenderCheck> {
  const answer = await query(domain, 'TXT');
  if (answer.kind !== 'ok' && isFailure(answer)) {
    return single('spf', domain, [`TXT ${domain}: ${describeAnswer(answer)}`], {
      status: 'unknown',
      text: `The SPF record of ${domain} could not be read: ${describeAnswer(answer)}.`,
    });
  }
  const texts = answer.kind === 'ok' ? answer.records : [];
  const records = texts.filter((text) => SPF_RECORD.test(text));
  const others = texts.length - records.length;
  const evidence =
    answer.kind === 'ok'
      ? [...records.map((text) => `TXT ${domain}: "${text}"`), ...(others > 0 ? [`TXT ${domain}: ${others} other record${others === 1 ? '' : 's'} (not SPF)`] : [])]
      : [`TXT ${domain}: ${describeAnswer(answer)}`];
  if (records.length === 0) {
    return single('spf', domain, evidence, {
      status: 'fail',
      text: `${domain} publishes no SPF record: receivers see SPF "none" for every message.`,
      fix: `Publish one TXT record at ${domain} such as "v=spf1 ip4:YOUR.IP -all" (or the include: of your sending service).`,
      reply: REPLIES.gmailUnauthenticated,
    });
  }
  if (records.length > 1) {
    return single('spf', domain, evidence, {
      status: 'fail',
      text: `${domain} publishes ${records.length} SPF records: that is a permanent error (RFC 7208 4.5), so SPF fails everywhere.`,
      fix: 'Merge them into one v=spf1 record.',
      reply: REPLIES.gmailUnauthenticated,
    });
  }
  const record = records[0] as string;
  const findings = recordFindings(record);
  const probe = await evaluateSpf(`postmaster@${domain}`, PROBE_IP, undefined, mailauthResolver(query));
  evidence.push(`lookups: ${probe.lookups.count} of ${probe.lookups.limit} DNS lookups, ${probe.lookups.void} void (of 2)`);
  findings.push(limitFinding(probe));
  return fromFindings('spf', domain, evidence, findings);
}

/** What the record's own text says: its `all`, `ptr`, size. */
function recordFindings(record: string): Finding[] {
  const terms = record.trim().split(/\s+/).slice(1).map((term) => term.toLowerCase());
  const findings: Finding[] = [];
  const all = terms.find((term) => /^[-~?+]?all$/.test(term));
  if (all === 'all' || all === '+all') {
    findings.push({
      status: 'fail',
      text: `The record ends in "${all}": it lets every host on the internet send as this domain, so receivers give it no weight.`,
      fix: 'End the record with "-all" (or "~all" while you check your senders).',
      reply: REPLIES.gmailUnauthenticated,
    });
  } else if (all === '?all') {
    findings.push({ status: 'warn', text: 'The record ends in "?all" (neutral): it does not say that other hosts are not allowed.', fix: 'End the record with "-all" or "~all".' });
  } else if (all === undefined && !terms.some((term) => term.startsWith('redirect='))) {
    findings.push({ status: 'warn', text: 'The record has no "all" and no "redirect=": hosts it does not list get "neutral".', fix: 'End the record with "-all" or "~all".' });
  }
  if (terms.some((term) => /^[-~?+]?ptr(:|$)/.test(term))) {
    findings.push({ status: 'warn', text: 'The record uses "ptr", which RFC 7208 5.5 says not to use (slow, unreliable; some receivers ignore it).', fix: 'Replace "ptr" with ip4:/ip6: or a:.' });
  }
  if (record.length > MAX_RECORD_LENGTH) {
    findings.push({ status: 'warn', text: `The record is ${record.length} characters, over the ${MAX_RECORD_LENGTH} RFC 7208 3.4 advises: its answer may need TCP, which some receivers do not try.`, fix: 'Shorten it (fewer include:, ip4: ranges in CIDR).' });
  }
  if (findings.length === 0) findings.push({ status: 'pass', text: `One SPF record: "${record}".` });
  return findings;
}

/** The 10-lookup and 2-void-lookup limits, as mailauth's evaluation met them. */
function limitFinding(probe: SpfOutcome): Finding {
  const { count, limit } = probe.lookups;
  if (probe.result === 'temperror') {
    return { status: 'unknown', text: `The record could not be evaluated to the end: ${probe.comment}.` };
  }
  if (probe.result === 'permerror') {
    return {
      status: 'fail',
      text: `Evaluating the record is a permanent error: ${probe.comment.replace(/^.*?: (?=[^:]+$)/, '')} (RFC 7208 4.6.4 allows 10 DNS lookups and 2 void lookups; include loops never end).`,
      fix: 'Flatten include: chains into ip4:/ip6: ranges, drop includes of domains without SPF, and remove loops.',
      reply: REPLIES.gmailUnauthenticated,
    };
  }
  return { status: 'pass', text: `It needs ${count} of the ${limit} DNS lookups allowed.` };
}

const SPF_FIX = 'Add this IP (ip4:/ip6:) or the include: of the service that sends from it to the SPF record.';

/** SPF for one sending IP, as a receiver would evaluate it. */
export async function checkSpfForIp(query: Query, sender: string, ip: string, helo: string | undefined): Promise<SenderCheck> {
  const outcome = await evaluateSpf(sender, ip, helo, mailauthResolver(query));
  const evidence = [`SPF ${outcome.result}: ${outcome.comment}`];
  const finding = ((): Finding => {
    switch (outcome.result) {
      case 'pass':
        return { status: 'pass', text: `SPF passes for ${ip}.` };
      case 'softfail':
      case 'neutral':
        return { status: 'warn', text: `SPF gives ${outcome.result} for ${ip}: the record does not list it.`, fix: SPF_FIX, reply: REPLIES.gmailSpfRateLimited };
      case 'temperror':
        return { status: 'unknown', text: `SPF could not be evaluated for ${ip} (temperror: DNS failed).` };
      case 'none':
        return { status: 'fail', text: `SPF gives none for ${ip}: the domain has no SPF record.`, fix: SPF_FIX, reply: REPLIES.gmailUnauthenticated };
      default:
        return { status: 'fail', text: `SPF gives ${outcome.result} for ${ip}.`, fix: SPF_FIX, reply: REPLIES.gmailUnauthenticated };
    }
  })();
  return single('spf_ip', ip, evidence, finding);
}
