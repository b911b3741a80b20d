/** DMARC, DKIM and alignment traps against the test DNS server. */
import { describe, expect, it } from 'vitest';
import { checkAlignment } from '../../src/sender/alignment.js';
import { checkDkim } from '../../src/sender/dkim.js';
import { checkDmarc } from '../../src/sender/dmarc.js';
import { useSenderDns } from './helpers.js';

const dns = useSenderDns();
const dmarc = (domain: string, bulk = false) => checkDmarc(dns.checker.query, domain, bulk);

describe('DMARC', () => {
  it('passes p=reject with rua', async () => {
    const { check, tags } = await dmarc('goodsender.com', true);
    expect(check).toMatchObject({ check: 'dmarc', status: 'pass', summary: 'Policy p=reject.' });
    expect(tags).toMatchObject({ p: 'reject', aspf: 'r' });
  });

  it('no record: a warn, and a fail for bulk senders with the receivers reply', async () => {
    expect((await dmarc('nodmarc.com')).check.status).toBe('warn');
    const bulk = (await dmarc('nodmarc.com', true)).check;
    expect(bulk.status).toBe('fail');
    expect(bulk.reply).toMatch(/^550 5\.7\.515 .*nodmarc\.com/);
    expect(bulk.fix).toMatch(/_dmarc\.nodmarc\.com/);
  });

  it('two records count as none', async () => {
    const { check, tags } = await dmarc('twodmarc.com', true);
    expect(check.status).toBe('fail');
    expect(check.summary).toMatch(/2 DMARC records/);
    expect(tags).toBeNull();
  });

  it('no p= is invalid (bulk fail); p=none is a bulk warn; pct=50 a warn', async () => {
    expect((await dmarc('nop.com', true)).check).toMatchObject({ status: 'fail' });
    expect((await dmarc('nop.com')).check.summary).toMatch(/no p= policy/);
    expect((await dmarc('pnone.com', true)).check.status).toBe('warn');
    expect((await dmarc('pnone.com', false)).check.status).toBe('pass');
    const pct = (await dmarc('pct.com')).check;
    expect(pct.status).toBe('warn');
    expect(pct.summary).toMatch(/pct=50/);
  });

  it('a subdomain falls back to the organizational record and its sp= policy', async () => {
    const { check } = await dmarc('news.orgdmarc.com', true);
    expect(check.status).toBe('pass');
    expect(check.summary).toBe('Policy p=quarantine.');
    expect(check.evidence).toContain('TXT _dmarc.news.orgdmarc.com: NXDOMAIN (no such name)');
    expect(check.evidence).toContain('news.orgdmarc.com has no record of its own: the organizational domain\'s record applies');
  });

  it('an external rua needs the receiver\'s authorization record (RFC 7489 7.1)', async () => {
    const authorized = (await dmarc('extrua.com')).check;
    expect(authorized.status).toBe('pass');
    const unauthorized = (await dmarc('extruano.com')).check;
    expect(unauthorized.status).toBe('warn');
    expect(unauthorized.summary).toMatch(/extruano\.com\._report\._dmarc\.dmarc-service\.net/);
  });

  it('is unknown when the record cannot be read', async () => {
    const { check } = await dmarc('dmarc-servfail.com', true);
    expect(check.status).toBe('unknown');
    expect(check.reply).toBeUndefined();
  });
});

describe('DKIM', () => {
  const dkim = (selector: string, domain = 'goodsender.com') => checkDkim(dns.checker.query, { selector, domain });

  it('passes a 2048-bit key, warns on 1024, fails 512', async () => {
    expect((await dkim('s1')).status).toBe('pass');
    const k1024 = await dkim('k1024');
    expect(k1024.status).toBe('warn');
    expect(k1024.evidence).toContain('key: rsa, 1024 bits');
    const k512 = await dkim('k512');
    expect(k512.status).toBe('fail');
    expect(k512.summary).toMatch(/512 bits/);
  });

  it('fails a revoked key (empty p=), bad base64 and a missing record', async () => {
    expect((await dkim('revoked')).summary).toMatch(/revoked/);
    expect((await dkim('revoked')).status).toBe('fail');
    const bad = await dkim('badb64');
    expect(bad.status).toBe('fail');
    expect(bad.summary).toMatch(/does not parse/);
    const missing = await dkim('nosuch');
    expect(missing.status).toBe('fail');
    expect(missing.summary).toMatch(/No DKIM key/);
  });

  it('is unknown when the key record cannot be read', async () => {
    dns.server.setRecord('flaky._domainkey.goodsender.com', { behavior: 'servfail' });
    expect((await dkim('flaky')).status).toBe('unknown');
  });
});

describe('alignment', () => {
  const base = { fromDomain: 'example.com', dkimDomains: [], dkimChecked: true, dkimUnknown: false, dmarc: {}, dmarcKnown: true };

  it('relaxed by default: a mail-from subdomain aligns; strict (aspf=s) does not', () => {
    expect(checkAlignment({ ...base, mailFromDomain: 'bounce.example.com' }).status).toBe('pass');
    const strict = checkAlignment({ ...base, mailFromDomain: 'bounce.example.com', dmarc: { aspf: 's' } });
    expect(strict.status).toBe('fail');
    expect(strict.reply).toMatch(/DMARC policy/);
  });

  it('uses the Public Suffix List: example.co.uk and other.co.uk do not align', () => {
    expect(checkAlignment({ ...base, fromDomain: 'a.example.co.uk', mailFromDomain: 'b.example.co.uk' }).status).toBe('pass');
    expect(checkAlignment({ ...base, fromDomain: 'example.co.uk', mailFromDomain: 'other.co.uk' }).status).toBe('fail');
  });

  it('a DKIM d= domain aligns when the mail-from does not', () => {
    const byDkim = checkAlignment({ ...base, mailFromDomain: 'esp.net', dkimDomains: ['example.com', 'example.com'] });
    expect(byDkim.status).toBe('pass');
    expect(byDkim.summary).toBe('The From domain aligns with DKIM (d=example.com).');
    expect(checkAlignment({ ...base, mailFromDomain: 'esp.net', dkimDomains: ['esp.net'] }).status).toBe('fail');
  });

  it('warns without selectors, and is unknown when DKIM or DMARC could not be read', () => {
    expect(checkAlignment({ ...base, mailFromDomain: 'esp.net', dkimChecked: false }).status).toBe('warn');
    expect(checkAlignment({ ...base, mailFromDomain: 'esp.net', dkimUnknown: true }).status).toBe('unknown');
    // Relaxed would align, but the unread record may say strict.
    expect(checkAlignment({ ...base, mailFromDomain: 'bounce.example.com', dmarc: null, dmarcKnown: false }).status).toBe('unknown');
  });
});
