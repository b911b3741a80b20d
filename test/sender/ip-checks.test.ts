/** Reverse DNS, the sender's mail domain and the block-list fail-safe rules against the test DNS server. */
import { describe, expect, it } from 'vitest';
import { checkBlockLists } from '../../src/sender/dnsbl.js';
import { resolveLists } from '../../src/sender/dnsbl-lists.js';
import { checkMailDomain } from '../../src/sender/mail-domain.js';
import { isGenericName, checkReverseDns } from '../../src/sender/reverse-dns.js';
import { ptrName } from '../../src/sender/ip-names.js';
import { DBL_CODES, ERROR_IP, GOOD_IP, GOOD_IP6, LISTED_IP, ODD_IPS, PTR_IPS } from '../support/sender-zones.js';
import { useSenderDns } from './helpers.js';

const dns = useSenderDns();

describe('reverse DNS', () => {
  const reverse = (ip: string, helo?: string) => checkReverseDns(dns.checker.query, ip, helo);

  it('passes a forward-confirmed PTR (IPv4 and IPv6) and a matching HELO', async () => {
    const check = await reverse(GOOD_IP, 'mta1.goodsender.com');
    expect(check).toMatchObject({ check: 'reverse_dns', status: 'pass' });
    expect(check.evidence).toEqual(['PTR 10.220.184.93.in-addr.arpa: mta1.goodsender.com', `A mta1.goodsender.com: ${GOOD_IP}`]);
    expect((await reverse(GOOD_IP6)).status).toBe('pass');
  });

  it('warns when the HELO name is not the PTR name', async () => {
    const check = await reverse(GOOD_IP, 'localhost.localdomain');
    expect(check.status).toBe('warn');
    expect(check.summary).toMatch(/HELO name localhost\.localdomain/);
  });

  it('fails a missing PTR and one that is not forward-confirmed, with Gmail\'s 550-5.7.25', async () => {
    const missing = await reverse(PTR_IPS.missing);
    expect(missing.status).toBe('fail');
    expect(missing.reply).toMatch(/^550-5\.7\.25/);
    const unconfirmed = await reverse(PTR_IPS.unconfirmed);
    expect(unconfirmed.status).toBe('fail');
    expect(unconfirmed.summary).toMatch(/does not resolve back/);
  });

  it('warns on a generic name and is unknown on SERVFAIL', async () => {
    const generic = await reverse(PTR_IPS.generic);
    expect(generic.status).toBe('warn');
    expect(generic.summary).toMatch(/generic/);
    expect((await reverse(PTR_IPS.servfail)).status).toBe('unknown');
  });

  it('recognises generic names and builds reverse names', () => {
    expect(isGenericName('192-0-2-13.dyn.isp.net', '192.0.2.13')).toBe(true);
    expect(isGenericName('13.2.0.192.static.isp.net', '192.0.2.13')).toBe(true);
    expect(isGenericName('pool-77-1.cable.isp.net', '198.51.100.7')).toBe(true);
    expect(isGenericName('mta1.example.com', '192.0.2.13')).toBe(false);
    expect(ptrName('2001:db8::1')).toBe('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
  });
});

describe('the sender domain receives mail', () => {
  const mail = (domain: string) => checkMailDomain(dns.checker, domain, `bounce@${domain}`);
  it('passes a domain with an MX; fails null MX (5.7.27) and NXDOMAIN (5.1.8)', async () => {
    expect((await mail('goodsender.com')).status).toBe('pass');
    const nullMx = await mail('nullmxsender.com');
    expect(nullMx.status).toBe('fail');
    expect(nullMx.reply).toMatch(/^550 5\.7\.27 <bounce@nullmxsender\.com>/);
    const nx = await mail('nxsender.com');
    expect(nx.status).toBe('fail');
    expect(nx.reply).toMatch(/^550 5\.1\.8/);
  });
});

describe('block lists', () => {
  const lists = (spec: string) => resolveLists(spec.split(','), undefined, () => '');
  const run = (spec: string, ips: string[], domains: string[] = [], servers = dns.checker.servers()) =>
    checkBlockLists({ query: dns.checker.query, servers, lists: lists(spec), ips, domains });

  it('reads every ZEN listing code 127.0.0.2-11 as listed, with its meaning', async () => {
    const codes = Array.from({ length: 10 }, (_, i) => i + 2);
    const checks = await run('zen=zen.dnsbl.test', codes.map(LISTED_IP));
    expect(checks.map((c) => c.status)).toEqual(codes.map(() => 'fail'));
    expect(checks[0]?.summary).toMatch(/SBL: the IP is a known spam source/);
    expect(checks[8]?.summary).toMatch(/PBL/);
    expect(checks[0]?.reply).toBe(`554 5.7.1 Service unavailable; Client host [${LISTED_IP(2)}] blocked using zen.dnsbl.test (Postfix reject_rbl_client)`);
  });

  it('passes an unlisted IP only after the test points answered as they must', async () => {
    const [check] = await run('zen=zen.dnsbl.test', [GOOD_IP]);
    expect(check?.status).toBe('pass');
    expect(check?.evidence).toEqual([
      'A 10.220.184.93.zen.dnsbl.test: NXDOMAIN (no such name)',
      'test point 2.0.0.127.zen.dnsbl.test: 127.0.0.2',
      'test point 1.0.0.127.zen.dnsbl.test: NXDOMAIN (no such name)',
    ]);
  });

  it('error codes, a non-127 answer, an undocumented code, SERVFAIL and silence are unknown', async () => {
    const ips = [ERROR_IP(252), ERROR_IP(254), ERROR_IP(255), ODD_IPS.nonLoopback, ODD_IPS.outsideCodes, ODD_IPS.servfail, ODD_IPS.silent];
    const checks = await run('zen=zen.dnsbl.test', ips);
    expect(checks.map((c) => c.status)).toEqual(ips.map(() => 'unknown'));
    expect(checks[0]?.summary).toMatch(/list name is wrong/);
    expect(checks[1]?.summary).toMatch(/public or open resolver/);
    expect(checks[1]?.fix).toMatch(/--dqs-key/);
    expect(checks[2]?.summary).toMatch(/rate limited/);
    expect(checks[3]?.summary).toMatch(/10\.1\.2\.3.*not one of its listing codes/);
    expect(checks[4]?.summary).toMatch(/127\.0\.0\.99/);
    expect(checks[5]?.summary).toMatch(/SERVFAIL/);
    expect(checks[6]?.summary).toMatch(/no answer in time/);
  });

  it('a lying zone (test point NXDOMAIN) and a wildcard zone (all listed) make everything unknown', async () => {
    for (const zone of ['lying.dnsbl.test', 'wild.dnsbl.test', 'refusing.dnsbl.test', 'servfail.dnsbl.test', 'silent.dnsbl.test']) {
      const checks = await run(`zen=${zone},dbl=${zone}`, [GOOD_IP, LISTED_IP(2)], ['goodsender.com']);
      expect(checks.map((c) => c.status), zone).toEqual(['unknown', 'unknown', 'unknown']);
    }
    const [lying] = await run('zen=lying.dnsbl.test', [GOOD_IP]);
    expect(lying?.summary).toMatch(/positive test point 2\.0\.0\.127 is not listed/);
    const [wild] = await run('zen=wild.dnsbl.test', [GOOD_IP]);
    expect(wild?.summary).toMatch(/negative test point 1\.0\.0\.127 is listed too/);
  });

  it('DBL: listing codes for domains, 127.0.1.255 is an error', async () => {
    const checks = await run('dbl=dbl.dnsbl.test', [], ['spammer.com', 'abused.com', 'ipsent.com', 'goodsender.com']);
    expect(checks.map((c) => c.status)).toEqual(['fail', 'fail', 'unknown', 'pass']);
    expect(checks[1]?.summary).toMatch(/abused legitimate domain/);
    expect(checks[2]?.summary).toMatch(/IP address was sent to this domain list/);
    const each = await run('dbl=dbl.dnsbl.test', [], DBL_CODES.map((code) => `code-${code}.com`));
    expect(each.map((c) => c.status)).toEqual(DBL_CODES.map(() => 'fail'));
    expect(each.map((c) => c.summary.replace(/^.*: /, ''))).toEqual([
      'spam domain.', 'spammed redirector domain.', 'phishing domain.', 'malware domain.', 'botnet command-and-control domain.',
      'abused legitimate domain, used in spam.', 'abused legitimate domain, spammed redirector.', 'abused legitimate domain, used in phishing.',
      'abused legitimate domain, used for malware.', 'abused legitimate domain, botnet command-and-control.',
    ]);
  });

  it('sends nothing through a well-known public resolver: not_checked with the fix', async () => {
    dns.server.resetStats();
    const checks = await run('zen,dbl', [GOOD_IP], ['goodsender.com'], ['8.8.8.8']);
    expect(checks.map((c) => c.status)).toEqual(['not_checked', 'not_checked']);
    expect(checks[0]?.fix).toMatch(/--dqs-key/);
    expect(dns.server.queries).toEqual([]);
  });

  it('with a DQS key, a public resolver is no reason to refuse (DQS answers through any resolver)', async () => {
    const dqs = resolveLists(['zen'], 'abc123', () => '');
    const [check] = await checkBlockLists({ query: dns.checker.query, servers: ['8.8.8.8'], lists: dqs, ips: [GOOD_IP], domains: [] });
    // The test server has no DQS zone: its test points are NXDOMAIN, so the answer is unknown, but it was asked.
    expect(check).toMatchObject({ subject: `<dqs-key>.zen.dq.spamhaus.net ${GOOD_IP}`, status: 'unknown' });
    expect(check?.evidence[0]).toBe('A 10.220.184.93.<dqs-key>.zen.dq.spamhaus.net: NXDOMAIN (no such name)');
  });

  it('names the lists: did-you-mean for a typo, DQS zones hide the key', () => {
    expect(() => resolveLists(['zne'], undefined, (given) => (given === 'zne' ? ' (did you mean "zen"?)' : ''))).toThrow(/unknown block list "zne" in dnsbl \(did you mean "zen"\?\)/);
    const [dqs] = resolveLists(['zen'], 'abc123', () => '');
    expect(dqs).toMatchObject({ zone: 'abc123.zen.dq.spamhaus.net', label: '<dqs-key>.zen.dq.spamhaus.net', replyZone: 'zen.spamhaus.org' });
  });
});
