/**
 * `listscrub preflight` end to end: the built CLI against the test DNS server, for a good sender, a
 * broken one, and a lying resolver (human output, --json, exit codes 0 / 6 / 3 / 2).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PreflightReport } from '../../src/index.js';
import type { DnsServer } from '../support/dns-server.js';
import { GOOD_IP, PTR_IPS, TEST_DNSBL, LISTED_IP } from '../support/sender-zones.js';
import { ROOT, run, STACK_LINE } from '../support/spawn.js';
import { useSenderServers } from '../sender/helpers.js';

const servers = useSenderServers();

const GOOD = ['--domain', 'goodsender.com', '--ip', GOOD_IP, '--helo', 'mta1.goodsender.com', '--selector', 's1', '--bulk', '--dnsbl', TEST_DNSBL];
const preflight = (args: string[], resolver: DnsServer = servers.server) => run(['preflight', ...args, '--dns', resolver.address], { killAfterMs: 20_000 });

describe('listscrub preflight', () => {
  it('a good sender: every check passes, exit 0', async () => {
    const result = await preflight(GOOD);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Sender preflight for goodsender\.com \(mail from postmaster@goodsender\.com; IP 93\.184\.220\.10; HELO mta1\.goodsender\.com; DKIM s1; bulk sender rules\)/);
    expect(result.stdout).toMatch(/^PASS {8}spf {10}goodsender\.com$/m);
    expect(result.stdout).toMatch(/Result: PASS \(9 pass, 0 warn, 0 fail, 0 unknown, 0 not checked\)/);
    expect(result.stdout).toMatch(/^DNS: The DNS resolver at 127\.0\.0\.1:\d+ answered correctly/m);
  });

  it('--json prints the report object; a broken sender exits 6 with fixes and receiver replies', async () => {
    const result = await preflight(['--domain', 'nodmarc.com', '--mail-from', 'bounce@nullmxsender.com', '--ip', PTR_IPS.missing, '--ip', LISTED_IP(2), '--bulk', '--dnsbl', TEST_DNSBL, '--json']);
    expect(result.code).toBe(6);
    const report = JSON.parse(result.stdout) as PreflightReport;
    expect(report).toMatchObject({ domain: 'nodmarc.com', mailFrom: 'bounce@nullmxsender.com', status: 'fail', bulk: true });
    const by = (check: string, subject: string) => report.checks.find((c) => c.check === check && c.subject === subject);
    expect(by('mail_domain', 'nullmxsender.com')?.status).toBe('fail');
    expect(by('dmarc', 'nodmarc.com')?.reply).toMatch(/5\.7\.515/);
    expect(by('reverse_dns', PTR_IPS.missing)?.reply).toMatch(/550-5\.7\.25/);
    expect(by('dnsbl', `zen.dnsbl.test ${LISTED_IP(2)}`)?.status).toBe('fail');
    expect(by('dkim', 'nodmarc.com')?.status).toBe('not_checked');
    expect(report.counts.fail).toBe(report.checks.filter((c) => c.status === 'fail').length);
  });

  it('the human report shows what it saw, the fix and the reply for each problem', async () => {
    const result = await preflight(['--domain', 'twospf.com', '--no-dnsbl']);
    expect(result.code).toBe(6);
    expect(result.stdout).toContain('FAIL        spf          twospf.com\n            twospf.com publishes 2 SPF records');
    expect(result.stdout).toContain('            saw:   TXT twospf.com: "v=spf1 -all"');
    expect(result.stdout).toContain('            fix:   Merge them into one v=spf1 record.');
    expect(result.stdout).toMatch(/ {12}reply: 550-5\.7\.26 /);
  });

  it('a lying resolver: the canary check fails, nothing fails, everything is unknown, exit 3', async () => {
    const result = await preflight([...GOOD, '--json'], servers.liar);
    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout) as PreflightReport;
    expect(report.dns.healthy).toBe(false);
    expect(report.counts.fail).toBe(0);
    expect(report.counts.pass).toBe(0);
    expect(new Set(report.checks.map((c) => c.status))).toEqual(new Set(['unknown']));
    expect(report.dns.detail).toMatch(/answered NXDOMAIN for gmail\.com, outlook\.com and yahoo\.com.*lying or filtered/);
    expect(report.checks.find((c) => c.check === 'spf')?.summary).toMatch(/^Not checked: the DNS resolver failed its health check/);
    expect(result.stderr).toMatch(/^listscrub: DNS is unhealthy: The DNS resolver at 127\.0\.0\.1:\d+ answered NXDOMAIN/);
  });

  it('usage mistakes: one line, exit 2, no stack trace', async () => {
    const missing = await preflight([]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^listscrub: preflight needs --domain/);
    const badIp = await preflight(['--domain', 'goodsender.com', '--ip', '300.1.2.3']);
    expect(badIp.code).toBe(2);
    expect(badIp.stderr).toMatch(/"300\.1\.2\.3" is not an IPv4 or IPv6 address/);
    const typo = await preflight(['--domain', 'goodsender.com', '--dnsbl', 'zenn']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown block list "zenn" in dnsbl \(did you mean "zen"\?\)/);
    for (const r of [missing, badIp, typo]) expect(r.stderr).not.toContain(STACK_LINE);
  });

  it('--help and the main help list the command and its exit codes', async () => {
    const help = await run(['preflight', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/6 sender problems found/);
    expect((await run(['--help'])).stdout).toMatch(/preflight --domain D/);
  });

  it('the README section documents every flag of --help, and the nightly docs run preflight before the send', async () => {
    const help = (await run(['preflight', '--help'])).stdout;
    const flags = [...help.slice(help.indexOf('Options:'), help.indexOf('DNS options:')).matchAll(/^ {2}(?:-h, )?(--[a-z-]+)/gm)].map((m) => m[1]);
    expect(flags.length).toBeGreaterThanOrEqual(10);
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Sender preflight\n'), readme.indexOf('\n## Statuses, reason codes'));
    for (const flag of flags.filter((f) => f !== '--help')) expect(section, flag).toContain(`\`${flag}`);
    const script = await readFile(join(ROOT, 'docs', 'nightly', 'preflight-then-send.sh'), 'utf8');
    expect(script.indexOf('listscrub preflight')).toBeLessThan(script.indexOf('listscrub clean'));
    expect(readme).toContain('### Before the campaign: sender preflight');
  });
});
