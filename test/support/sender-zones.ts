/**
 * Zones for the sender preflight tests: a good sender, one trap per check (SPF, DMARC, DKIM, PTR,
 * the sender's domain) and block-list zones answering every code, error and failure mode. Sending
 * IPs are public addresses under 93.184.220.0/24 (the checker refuses documentation ranges for MX
 * hosts; block lists and PTRs do not care). DKIM keys are generated per run with node:crypto.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { Zone, ZoneEntry } from './dns-server.js';
import { CANARY_ZONE } from './zones.js';

/** The base64 SubjectPublicKeyInfo of a fresh RSA key, as a DKIM record's p= carries it. */
export function rsaPublicKey(bits: number): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
}

export const GOOD_IP = '93.184.220.10';
export const GOOD_IP6 = '2606:2800:220:1::10';

function ptrOf(ip: string): string {
  return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
}

/** A mail domain with an MX host at a public address. */
function mailDomain(domain: string, ip: string): Zone {
  return { [`mx.${domain}`]: { A: [ip] }, [domain]: { MX: [{ preference: 10, exchange: `mx.${domain}` }] } };
}

function withTxt(zone: Zone, name: string, txt: Array<string | string[]>): Zone {
  zone[name] = { ...(zone[name] ?? {}), TXT: txt } as ZoneEntry;
  return zone;
}

/** goodsender.com: everything right; its TXT answer is over 512 bytes, so it comes over TCP. */
function goodSender(keys: { k2048: string; k1024: string; k512: string }): Zone {
  const zone: Zone = {
    ...mailDomain('goodsender.com', '93.184.216.50'),
    ...mailDomain('mg.goodsender.com', '93.184.216.51'),
    '_dmarc.goodsender.com': { TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc@goodsender.com; adkim=r; aspf=r'] },
    's1._domainkey.goodsender.com': { TXT: [`v=DKIM1; k=rsa; p=${keys.k2048}`] },
    'k1024._domainkey.goodsender.com': { TXT: [`v=DKIM1; k=rsa; p=${keys.k1024}`] },
    'k512._domainkey.goodsender.com': { TXT: [`v=DKIM1; k=rsa; p=${keys.k512}`] },
    'revoked._domainkey.goodsender.com': { TXT: ['v=DKIM1; k=rsa; p='] },
    'badb64._domainkey.goodsender.com': { TXT: ['v=DKIM1; k=rsa; p=MIIB!!not*base64'] },
    'other._domainkey.elsewhere.net': { TXT: [`v=DKIM1; k=rsa; p=${keys.k2048}`] },
    'mta1.goodsender.com': { A: [GOOD_IP], AAAA: [GOOD_IP6] },
    [ptrOf(GOOD_IP)]: { PTR: ['mta1.goodsender.com'] },
    '0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.0.2.2.0.0.0.8.2.6.0.6.2.ip6.arpa': { PTR: ['mta1.goodsender.com'] },
    '_spf.mailhost.net': { TXT: ['v=spf1 ip4:93.184.220.64/27 -all'] },
  };
  withTxt(zone, 'goodsender.com', [
    `v=spf1 ip4:${GOOD_IP} ip6:${GOOD_IP6} include:_spf.mailhost.net -all`,
    `google-site-verification=${'x'.repeat(43)}`,
    `MS=ms${'4'.repeat(8)}`,
    `facebook-domain-verification=${'f'.repeat(30)}`,
    `apple-domain-verification=${'a'.repeat(16)}`,
    `atlassian-domain-verification=${'z'.repeat(64)}`,
    `docusign=${'d'.repeat(36)}`,
    `onetrust-domain-verification=${'o'.repeat(32)}`,
    `stripe-verification=${'s'.repeat(64)}`,
  ]);
  withTxt(zone, 'mg.goodsender.com', [`v=spf1 ip4:${GOOD_IP} -all`]);
  return zone;
}

/** i1.spf-chain.com ... i11: include targets, one lookup each, listing addresses nobody uses. */
function includeChain(count: number): string {
  return Array.from({ length: count }, (_, i) => `include:i${i + 1}.spf-chain.com`).join(' ');
}

const SPF_TRAPS: Zone = {
  ...Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`i${i + 1}.spf-chain.com`, { TXT: [`v=spf1 ip4:198.51.100.${i + 1} -all`] }])),
  'twospf.com': { TXT: ['v=spf1 -all', `v=spf1 ip4:${GOOD_IP} -all`] },
  'plusall.com': { TXT: ['v=spf1 +all'] },
  'qall.com': { TXT: ['v=spf1 ip4:93.184.220.10 ?all'] },
  'ten-lookups.com': { TXT: [`v=spf1 ${includeChain(10)} -all`] },
  'eleven-lookups.com': { TXT: [`v=spf1 ${includeChain(11)} -all`] },
  'voids.com': { TXT: ['v=spf1 a:v1.voids.com a:v2.voids.com a:v3.voids.com -all'] },
  'loop-a.com': { TXT: ['v=spf1 include:loop-b.com -all'] },
  'loop-b.com': { TXT: ['v=spf1 include:loop-a.com -all'] },
  'redirected.com': { TXT: ['v=spf1 redirect=_spf.redirected.com'] },
  '_spf.redirected.com': { TXT: [`v=spf1 ip4:${GOOD_IP} -all`] },
  'ptrspf.com': { TXT: ['v=spf1 ptr -all'] },
  'softfail.com': { TXT: ['v=spf1 ip4:93.184.220.99 ~all'] },
  'nospf.com': { TXT: ['some-verification=abc'] },
  'spf-servfail.com': { behaviorByType: { TXT: 'servfail' } },
  'spf-timeout.com': { behaviorByType: { TXT: 'drop' } },
  'include-servfail.com': { TXT: ['v=spf1 include:spf-servfail.com -all'] },
  // 600 characters in three character-strings: joined, it is one record over 450.
  'longspf.com': { TXT: [['v=spf1 ' + Array.from({ length: 30 }, (_, i) => `ip4:198.51.100.${i}`).join(' '), ' ' + Array.from({ length: 20 }, (_, i) => `ip4:203.0.113.${i}`).join(' '), ' -all']] },
};

const DMARC_TRAPS: Zone = {
  ...mailDomain('nodmarc.com', '93.184.216.52'),
  'nodmarc.com': { MX: [{ preference: 10, exchange: 'mx.nodmarc.com' }], TXT: [`v=spf1 ip4:${GOOD_IP} -all`] },
  '_dmarc.twodmarc.com': { TXT: ['v=DMARC1; p=reject', 'v=DMARC1; p=none'] },
  '_dmarc.nop.com': { TXT: ['v=DMARC1; rua=mailto:d@nop.com'] },
  '_dmarc.pnone.com': { TXT: ['v=DMARC1; p=none; rua=mailto:d@pnone.com'] },
  '_dmarc.pct.com': { TXT: ['v=DMARC1; p=reject; pct=50; rua=mailto:d@pct.com'] },
  '_dmarc.orgdmarc.com': { TXT: ['v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@orgdmarc.com'] },
  'news.orgdmarc.com': { TXT: ['v=spf1 -all'] },
  '_dmarc.extrua.com': { TXT: ['v=DMARC1; p=reject; rua=mailto:reports@dmarc-service.net'] },
  'extrua.com._report._dmarc.dmarc-service.net': { TXT: ['v=DMARC1'] },
  '_dmarc.extruano.com': { TXT: ['v=DMARC1; p=reject; rua=mailto:reports@dmarc-service.net'] },
  '_dmarc.dmarc-servfail.com': { behavior: 'servfail' },
  '_dmarc.strict.com': { TXT: ['v=DMARC1; p=reject; aspf=s; rua=mailto:d@strict.com'] },
};

const SENDER_DOMAIN_TRAPS: Zone = {
  'nullmxsender.com': { MX: [{ preference: 0, exchange: '.' }], TXT: [`v=spf1 ip4:${GOOD_IP} -all`] },
  // nxsender.com is absent: NXDOMAIN
};

export const PTR_IPS = { missing: '93.184.220.30', unconfirmed: '93.184.220.31', generic: '93.184.220.32', servfail: '93.184.220.33' };
const PTR_TRAPS: Zone = {
  [ptrOf(PTR_IPS.unconfirmed)]: { PTR: ['liar.example.net'] },
  'liar.example.net': { A: ['93.184.216.99'] },
  [ptrOf(PTR_IPS.generic)]: { PTR: ['93-184-220-32.dyn.isp.net'] },
  '93-184-220-32.dyn.isp.net': { A: [PTR_IPS.generic] },
  [ptrOf(PTR_IPS.servfail)]: { behavior: 'servfail' },
};

/** IPs the test block list lists with 127.0.0.<code>, code 2 to 11. */
export const LISTED_IP = (code: number): string => `93.184.221.${code}`;
export const ERROR_IP = (last: 252 | 254 | 255): string => `93.184.222.${last}`;
/** DBL's listing codes (127.0.1.x); code-<x>.com is listed with each. */
export const DBL_CODES = [2, 3, 4, 5, 6, 102, 103, 104, 105, 106];
export const ODD_IPS = { nonLoopback: '93.184.223.1', servfail: '93.184.223.2', silent: '93.184.223.3', outsideCodes: '93.184.223.4' };

function blockListZones(): Zone {
  const zone: Zone = {
    // zen.dnsbl.test behaves like Spamhaus ZEN: test point listed, 127.0.0.1 not.
    '2.0.0.127.zen.dnsbl.test': { A: ['127.0.0.2'] },
    [`${ODD_IPS.nonLoopback.split('.').reverse().join('.')}.zen.dnsbl.test`]: { A: ['10.1.2.3'] },
    [`${ODD_IPS.servfail.split('.').reverse().join('.')}.zen.dnsbl.test`]: { behavior: 'servfail' },
    [`${ODD_IPS.silent.split('.').reverse().join('.')}.zen.dnsbl.test`]: { behavior: 'drop' },
    [`${ODD_IPS.outsideCodes.split('.').reverse().join('.')}.zen.dnsbl.test`]: { A: ['127.0.0.99'] },
    // dbl.dnsbl.test behaves like Spamhaus DBL.
    'dbltest.com.dbl.dnsbl.test': { A: ['127.0.1.2'] },
    'spammer.com.dbl.dnsbl.test': { A: ['127.0.1.2'] },
    'abused.com.dbl.dnsbl.test': { A: ['127.0.1.102'] },
    ...Object.fromEntries(DBL_CODES.map((code) => [`code-${code}.com.dbl.dnsbl.test`, { A: [`127.0.1.${code}`] }])),
    'ipsent.com.dbl.dnsbl.test': { A: ['127.0.1.255'] },
    // lying.dnsbl.test has no records: the test point is NXDOMAIN too (an expired zone, a rewriting resolver).
    // wild.dnsbl.test lists everything, its negative test point included.
    '*.wild.dnsbl.test': { A: ['127.0.0.2'] },
    // refusing.dnsbl.test answers as Spamhaus does to queries through a public resolver.
    '*.refusing.dnsbl.test': { A: ['127.255.255.254'] },
    '*.servfail.dnsbl.test': { behavior: 'servfail' },
    '*.silent.dnsbl.test': { behavior: 'drop' },
  };
  for (let code = 2; code <= 11; code++) zone[`${LISTED_IP(code).split('.').reverse().join('.')}.zen.dnsbl.test`] = { A: [`127.0.0.${code}`] };
  for (const last of [252, 254, 255] as const) zone[`${ERROR_IP(last).split('.').reverse().join('.')}.zen.dnsbl.test`] = { A: [`127.255.255.${last}`] };
  return zone;
}

/** Every sender zone, with the canaries, ready for startDnsServer(). */
export function senderZone(): Zone {
  const keys = { k2048: rsaPublicKey(2048), k1024: rsaPublicKey(1024), k512: rsaPublicKey(512) };
  return structuredClone({ ...CANARY_ZONE, ...goodSender(keys), ...SPF_TRAPS, ...DMARC_TRAPS, ...SENDER_DOMAIN_TRAPS, ...PTR_TRAPS, ...blockListZones() });
}

/** The --dnsbl value pointing zen and dbl at the local test zones. */
export const TEST_DNSBL = 'zen=zen.dnsbl.test,dbl=dbl.dnsbl.test';
