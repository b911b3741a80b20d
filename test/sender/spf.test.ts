/** SPF traps against the test DNS server, evaluated by mailauth through listscrub's resolver. */
import { describe, expect, it } from 'vitest';
import { checkSpfForIp, checkSpfRecord } from '../../src/sender/spf.js';
import { GOOD_IP } from '../support/sender-zones.js';
import { useSenderDns } from './helpers.js';

const dns = useSenderDns();
const record = (domain: string) => checkSpfRecord(dns.checker.query, domain);

describe('the SPF record', () => {
  it('passes one good record, read over TCP because the TXT answer is over 512 bytes', async () => {
    dns.server.resetStats();
    const check = await record('goodsender.com');
    expect(check).toMatchObject({ check: 'spf', subject: 'goodsender.com', status: 'pass' });
    expect(check.evidence).toContain('lookups: 1 of 10 DNS lookups, 0 void (of 2)');
    expect(check.evidence.some((e) => e.includes('8 other records'))).toBe(true);
    expect(dns.server.queries.filter((q) => q.name === 'goodsender.com' && q.type === 'TXT').map((q) => q.transport)).toContain('tcp');
  });

  it('fails two records (permerror) and no record (none)', async () => {
    const two = await record('twospf.com');
    expect(two.status).toBe('fail');
    expect(two.summary).toMatch(/2 SPF records/);
    expect(two.reply).toMatch(/^550-5\.7\.26/);
    const none = await record('nospf.com');
    expect(none.status).toBe('fail');
    expect(none.summary).toMatch(/no SPF record/);
    expect(none.fix).toMatch(/v=spf1/);
  });

  it('fails +all and warns on ?all', async () => {
    const plus = await record('plusall.com');
    expect(plus.status).toBe('fail');
    expect(plus.summary).toMatch(/"\+all"/);
    const neutral = await record('qall.com');
    expect(neutral.status).toBe('warn');
    expect(neutral.summary).toMatch(/\?all/);
  });

  it('passes exactly 10 lookups and fails 11', async () => {
    const ten = await record('ten-lookups.com');
    expect(ten.status).toBe('pass');
    expect(ten.evidence).toContain('lookups: 10 of 10 DNS lookups, 0 void (of 2)');
    const eleven = await record('eleven-lookups.com');
    expect(eleven.status).toBe('fail');
    expect(eleven.summary).toMatch(/Too many DNS requests/);
  });

  it('fails 3 void lookups and an include loop', async () => {
    const voids = await record('voids.com');
    expect(voids.status).toBe('fail');
    expect(voids.summary).toMatch(/void/i);
    const loop = await record('loop-a.com');
    expect(loop.status).toBe('fail');
    expect(loop.summary).toMatch(/permanent error/);
  });

  it('follows redirect= and warns on ptr and on a record over 450 characters', async () => {
    expect((await record('redirected.com')).status).toBe('pass');
    const ptr = await record('ptrspf.com');
    expect(ptr.status).toBe('warn');
    expect(ptr.summary).toMatch(/"ptr"/);
    const long = await record('longspf.com');
    expect(long.status).toBe('warn');
    expect(long.summary).toMatch(/over the 450/);
  });

  it('is unknown, never fail, on SERVFAIL, a timeout, or an include that SERVFAILs', async () => {
    for (const domain of ['spf-servfail.com', 'spf-timeout.com', 'include-servfail.com']) {
      const check = await record(domain);
      expect(check.status, domain).toBe('unknown');
      expect(check.reply, domain).toBeUndefined();
    }
  });
});

describe('SPF for each sending IP', () => {
  const forIp = (domain: string, ip: string) => checkSpfForIp(dns.checker.query, `bounce@${domain}`, ip, undefined);

  it('gives pass, fail, softfail, none, permerror and temperror as a receiver would', async () => {
    expect((await forIp('goodsender.com', GOOD_IP)).status).toBe('pass');
    expect((await forIp('redirected.com', GOOD_IP)).status).toBe('pass');
    const fail = await forIp('goodsender.com', '93.184.220.200');
    expect(fail).toMatchObject({ check: 'spf_ip', status: 'fail' });
    expect(fail.evidence[0]).toMatch(/^SPF fail: .*does not designate 93\.184\.220\.200/);
    const soft = await forIp('softfail.com', GOOD_IP);
    expect(soft.status).toBe('warn');
    expect(soft.reply).toMatch(/^421-4\.7\.27/);
    expect((await forIp('nospf.com', GOOD_IP)).summary).toMatch(/none/);
    expect((await forIp('eleven-lookups.com', GOOD_IP)).summary).toMatch(/permerror/);
    expect((await forIp('spf-servfail.com', GOOD_IP)).status).toBe('unknown');
  });
});
