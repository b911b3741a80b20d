/**
 * The sender preflight (issue 15): will receivers accept mail from this sender at all? Runs every
 * check against DNS through listscrub's own resolver and health check: when the resolver fails its
 * canary check, no question is sent and every DNS-based check is unknown, never fail.
 *
 *   options.ts      the options, checked            spf.ts        SPF record and per-IP results
 *   dkim.ts         DKIM keys per selector          dmarc.ts      DMARC record, policy, reports
 *   alignment.ts    From vs mail-from / DKIM d=     mail-domain.ts the sender's domains take mail
 *   reverse-dns.ts  PTR, forward-confirmed, HELO    dnsbl*.ts     block lists, fail-safe
 *   mailauth.ts     the adapter to mailauth         lookup.ts     answers as evidence, mailauth's resolver
 */
import { createDomainChecker, type DomainChecker } from '../dns/index.js';
import { checkAlignment } from './alignment.js';
import { checkDkim, noSelector } from './dkim.js';
import { checkDmarc } from './dmarc.js';
import { checkBlockLists } from './dnsbl.js';
import { checkMailDomain } from './mail-domain.js';
import { checkPreflightOptions, type CheckedPreflight } from './options.js';
import { checkReverseDns } from './reverse-dns.js';
import { checkSpfForIp, checkSpfRecord } from './spf.js';
import { UNTRUSTED_CODE, type Query } from './lookup.js';
import { single, worst } from './verdict.js';
import { CHECK_STATUSES, type CheckStatus, type PreflightOptions, type PreflightReport, type SenderCheck } from './types.js';

export * from './types.js';

/** Questions are sent only while the resolver is trusted; otherwise each answers "not asked". */
function gatedQuery(checker: DomainChecker): Query {
  const query = ((name: string, type: 'A') =>
    checker.health().healthy ? checker.query(name, type) : Promise.resolve({ kind: 'error', code: UNTRUSTED_CODE })) as Query;
  return query;
}

function withoutIp(): SenderCheck[] {
  const text = 'No sending IP given (--ip): SPF per IP, reverse DNS and IP block lists need one.';
  return [single('spf_ip', '(no --ip)', [], { status: 'not_checked', text, fix: 'Give the IPs your mail leaves from: --ip 203.0.113.5 --ip 2001:db8::5.' })];
}

async function runChecks(checker: DomainChecker, o: CheckedPreflight): Promise<SenderCheck[]> {
  const query = gatedQuery(checker);
  const domains = [...new Set([o.domain, o.mailFromDomain])];
  const [mail, spf, dmarc, dkim, perIp, lists] = await Promise.all([
    Promise.all(domains.map((d) => checkMailDomain(checker, d, o.sender))),
    checkSpfRecord(query, o.mailFromDomain),
    checkDmarc(query, o.domain, o.bulk),
    o.selectors.length === 0 ? Promise.resolve([noSelector(o.domain)]) : Promise.all(o.selectors.map((s) => checkDkim(query, s))),
    Promise.all(o.ips.map(async (ip) => [await checkSpfForIp(query, o.sender, ip, o.helo), await checkReverseDns(query, ip, o.helo)])),
    checkBlockLists({ query, servers: checker.servers(), lists: o.lists, ips: o.ips, domains }),
  ]);
  const alignment = checkAlignment({
    fromDomain: o.domain,
    mailFromDomain: o.mailFromDomain,
    dkimDomains: o.selectors.filter((_, i) => ['pass', 'warn'].includes(dkim[i]?.status ?? '')).map((s) => s.domain),
    dkimUnknown: dkim.some((c) => c.status === 'unknown'),
    dkimChecked: o.selectors.length > 0,
    dmarc: dmarc.tags,
    dmarcKnown: dmarc.check.status !== 'unknown',
  });
  const ipChecks = o.ips.length === 0 ? withoutIp() : perIp.flat();
  return [...mail, spf, ...dkim, dmarc.check, alignment, ...ipChecks, ...lists];
}

/** A check that concluded something while the resolver was (or turned) untrusted concludes nothing. */
function distrust(check: SenderCheck): SenderCheck {
  if (check.status === 'not_checked') return check;
  const summary = 'Not checked: the DNS resolver failed its health check (see dns.detail), so nothing is concluded from its answers.';
  return { check: check.check, subject: check.subject, status: 'unknown', summary, evidence: check.evidence };
}

export async function preflight(options: PreflightOptions): Promise<PreflightReport> {
  const o = checkPreflightOptions(options);
  const checker = createDomainChecker({ dns: o.dns, rate: o.rate, concurrency: o.concurrency });
  try {
    await checker.ready();
    let checks = await runChecks(checker, o);
    const dns = checker.health();
    if (!dns.healthy) checks = checks.map(distrust);
    const counts = Object.fromEntries(CHECK_STATUSES.map((s) => [s, 0])) as Record<CheckStatus, number>;
    for (const check of checks) counts[check.status]++;
    const status = worst(checks.map((c) => c.status));
    return {
      domain: o.domain,
      mailFrom: o.sender,
      mailFromDomain: o.mailFromDomain,
      ips: o.ips,
      helo: o.helo ?? null,
      selectors: o.selectors.map((s) => (s.domain === o.domain ? s.selector : `${s.selector}:${s.domain}`)),
      bulk: o.bulk,
      status: status === 'not_checked' ? 'pass' : status,
      counts,
      checks,
      dns,
    };
  } finally {
    await checker.close();
  }
}
