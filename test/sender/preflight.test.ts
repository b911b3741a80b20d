/** The library's preflight(options): whole runs against the test DNS server. */
import { describe, expect, it } from 'vitest';
import { ListscrubError, preflight, type PreflightOptions } from '../../src/index.js';
import type { DnsServer } from '../support/dns-server.js';
import { GOOD_IP, GOOD_IP6, TEST_DNSBL } from '../support/sender-zones.js';
import { useSenderServers } from './helpers.js';

const servers = useSenderServers();

const good = (extra: Partial<PreflightOptions> = {}, resolver: DnsServer = servers.server): PreflightOptions => ({
  domain: 'goodsender.com',
  ips: [GOOD_IP, GOOD_IP6],
  helo: 'mta1.goodsender.com',
  selectors: ['s1'],
  bulk: true,
  dnsbl: TEST_DNSBL.split(','),
  dns: { servers: [resolver.address] },
  ...extra,
});

describe('preflight()', () => {
  it('a good sender over IPv4 and IPv6: every check passes, counts add up', async () => {
    const report = await preflight(good());
    expect(report.status).toBe('pass');
    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(report.checks.map((c) => c.check)).toEqual(['mail_domain', 'spf', 'dkim', 'dmarc', 'alignment', 'spf_ip', 'reverse_dns', 'spf_ip', 'reverse_dns', 'dnsbl', 'dnsbl', 'dnsbl']);
    // ZEN lists IPv6; the test zone does not list GOOD_IP6.
    expect(report.checks.filter((c) => c.check === 'dnsbl').map((c) => c.subject)).toEqual([`zen.dnsbl.test ${GOOD_IP}`, `zen.dnsbl.test ${GOOD_IP6}`, 'dbl.dnsbl.test goodsender.com']);
    expect(Object.values(report.counts).reduce((a, b) => a + b, 0)).toBe(report.checks.length);
    expect(report).toMatchObject({ domain: 'goodsender.com', mailFrom: 'postmaster@goodsender.com', mailFromDomain: 'goodsender.com', selectors: ['s1'] });
  });

  it('a mail-from under another domain: SPF is read there and alignment follows the PSL', async () => {
    const report = await preflight(good({ mailFrom: 'bounce@mg.goodsender.com', ips: [GOOD_IP] }));
    expect(report.checks.find((c) => c.check === 'spf')?.subject).toBe('mg.goodsender.com');
    expect(report.checks.find((c) => c.check === 'alignment')?.summary).toMatch(/SPF \(mg\.goodsender\.com\)/);
    expect(report.status).toBe('pass');
  });

  it('an untrusted block list (wildcard zone) makes the run unknown, not fail', async () => {
    const report = await preflight(good({ dnsbl: ['zen=wild.dnsbl.test', 'dbl=wild.dnsbl.test'] }));
    expect(report.status).toBe('unknown');
    expect(report.counts.fail).toBe(0);
    expect(report.checks.filter((c) => c.check === 'dnsbl').every((c) => c.status === 'unknown')).toBe(true);
  });

  it('a lying resolver: after the failed canary check no question is sent, every check is unknown', async () => {
    servers.liar.resetStats();
    const report = await preflight(good({}, servers.liar));
    expect(report.dns.healthy).toBe(false);
    expect(report.status).toBe('unknown');
    expect(report.checks.every((c) => c.status === 'unknown')).toBe(true);
    const asked = new Set(servers.liar.queries.map((q) => q.name));
    expect(asked).toEqual(new Set(['gmail.com', 'outlook.com', 'yahoo.com']));
  });

  it('without --ip and --selector those checks are not_checked, with how to give them', async () => {
    const report = await preflight({ domain: 'goodsender.com', dnsbl: false, dns: { servers: [servers.server.address] } });
    expect(report.checks.filter((c) => c.status === 'not_checked').map((c) => c.check)).toEqual(['dkim', 'spf_ip']);
    expect(report.checks.find((c) => c.check === 'spf_ip')?.fix).toMatch(/--ip/);
    expect(report.status).toBe('pass');
  });

  it('rejects bad options with E_OPTION errors that name the option', async () => {
    const bad = async (options: PreflightOptions) => {
      const error = await preflight(options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ListscrubError);
      expect((error as ListscrubError).code).toBe('E_OPTION');
      return (error as Error).message;
    };
    expect(await bad({ domain: 'not a domain' })).toMatch(/^domain must be a domain name/);
    expect(await bad({ domain: 'example.com', ips: ['1.2.3'] })).toMatch(/"1\.2\.3" is not an IPv4 or IPv6 address/);
    expect(await bad({ domain: 'example.com', selectors: ['s 1'] })).toMatch(/not a DKIM selector/);
    expect(await bad({ domain: 'example.com', dnsbl: ['zen='] })).toMatch(/names no zone/);
    expect(await bad({ domain: 'example.com', dns: { timeoutMs: -1 } })).toMatch(/dns\.timeoutMs/);
  });
});
