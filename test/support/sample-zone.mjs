// The sample DNS zone: with it, every domain in samples/README.md ("Domains for the sample DNS
// zone") gets its intended outcome, and the real consumer providers the samples use resolve, so the
// canary check passes on a machine with no internet.
//
// Plain ESM (types in sample-zone.d.mts) so that samples/demo.mjs can use it without a build step.
// All addresses are made up but globally routable: the DNS layer refuses private, loopback and
// documentation ranges for MX hosts (except intranet-relay.com, which is private on purpose).

/** @typedef {import('./dns-server.d.mts').Zone} Zone */

/** Real consumer providers: MX host as their zones publish it, and a public address for it. */
const PROVIDERS = {
  'gmail.com': { mx: 'gmail-smtp-in.l.google.com', ip: '142.250.27.27', apex: '142.250.74.69' },
  'outlook.com': { mx: 'outlook-com.olc.protection.outlook.com', ip: '52.101.8.44', apex: '52.96.165.18' },
  'hotmail.com': { mx: 'hotmail-com.olc.protection.outlook.com', ip: '52.101.11.9', apex: '52.96.91.34' },
  'yahoo.com': { mx: 'mta5.am0.yahoodns.net', ip: '67.195.204.72', apex: '74.6.143.25' },
  'icloud.com': { mx: 'mx01.mail.icloud.com', ip: '17.57.155.23', apex: '17.253.144.10' },
  'proton.me': { mx: 'mail.protonmail.ch', ip: '185.70.42.128', apex: '185.70.42.37' },
  'gmx.de': { mx: 'mx00.emig.gmx.net', ip: '212.227.15.9', apex: '82.165.229.83' },
  'web.de': { mx: 'mx-ha03.web.de', ip: '212.227.15.41', apex: '82.165.229.87' },
  'orange.fr': { mx: 'smtp-in.orange.fr', ip: '80.12.24.81', apex: '193.252.133.20' },
  'fastmail.com': { mx: 'in1-smtp.messagingengine.com', ip: '103.168.172.216', apex: '103.168.172.47' },
  // used by subscribers-semicolon-latin1.csv
  'free.fr': { mx: 'mx1.free.fr', ip: '212.27.48.6', apex: '212.27.48.10' },
};

/** The fictitious company domains of the samples: `MX 10 mx1.<domain>`, mx1 on a public address. */
const COMPANIES = {
  'brightwave-analytics.com': '91.208.14.21',
  'harborview-dental.com': '91.208.14.22',
  'greenleaf-organics.net': '91.208.14.23',
  'summit-outdoor.co.uk': '151.101.62.24',
  'bluepeak-software.io': '151.101.62.25',
  'copperfield-law.com': '185.162.48.26',
  'northgate-logistics.com': '185.162.48.27',
  'maplecrest-school.org': '185.162.48.28',
};

/**
 * Disposable providers and the typo domains of the samples. Their reasons (disposable, typo_domain)
 * are offline findings, but DNS still runs for them: a domain that does not exist turns the row into
 * `invalid` domain_not_found (suggestion kept). On the real internet these domains resolve (the
 * disposable services run mail servers; typo domains are registered by squatters), so the zone gives
 * them records and the rows keep their offline reason, as samples/README.md intends.
 */
const RESOLVING = {
  'mailinator.com': { mx: 'mail.mailinator.com', ip: '104.18.22.51' },
  'guerrillamail.com': { mx: 'mx.guerrillamail.com', ip: '168.235.84.4' },
  'sharklasers.com': { mx: 'mx.guerrillamail.com', ip: '168.235.84.4' },
  'yopmail.com': { mx: 'mx.yopmail.com', ip: '87.98.164.155' },
  '10minutemail.com': { mx: 'mx.10minutemail.com', ip: '162.255.118.61' },
  'gmial.com': { mx: 'mx.parkingcrew.net', ip: '185.53.178.30' },
  'hotmial.com': { mx: 'mx.parkingcrew.net', ip: '185.53.178.30' },
  'yaho.com': { mx: 'mx.parkingcrew.net', ip: '185.53.178.30' },
  'outlok.com': { mx: 'mx.parkingcrew.net', ip: '185.53.178.30' },
  'yahooo.com': { mx: 'mx.parkingcrew.net', ip: '185.53.178.30' },
};

/** Providers, companies, disposable and typo domains: what the canaries and the kept rows need. */
export const PROVIDER_ZONE = /** @type {Zone} */ ({});
for (const [domain, { mx, ip, apex }] of Object.entries(PROVIDERS)) {
  PROVIDER_ZONE[domain] = { MX: [{ preference: 10, exchange: mx }], A: [apex], ttl: 3600 };
  PROVIDER_ZONE[mx] = { A: [ip], ttl: 300 };
}
for (const [domain, { mx, ip }] of Object.entries(RESOLVING)) {
  PROVIDER_ZONE[domain] = { MX: [{ preference: 10, exchange: mx }], ttl: 3600 };
  PROVIDER_ZONE[mx] = { A: [ip], ttl: 300 };
}
for (const [domain, ip] of Object.entries(COMPANIES)) {
  PROVIDER_ZONE[domain] = { MX: [{ preference: 10, exchange: `mx1.${domain}` }], ttl: 3600 };
  PROVIDER_ZONE[`mx1.${domain}`] = { A: [ip], ttl: 3600 };
}

/** The DNS-outcome domains of samples/README.md, each with the records that give its outcome. */
export const OUTCOME_ZONE = /** @type {Zone} */ ({
  // 'oakridge-supplies-defunct.com' and 'lumenbay-consulting.net' are absent: NXDOMAIN -> domain_not_found
  // RFC 7505 null MX -> null_mx
  'parked-brandname.com': { MX: [{ preference: 0, exchange: '.' }] },
  // TXT only: NODATA for MX, A and AAAA -> no_mail_server
  'txtonly-holdings.com': { TXT: ['v=spf1 -all'] },
  // no MX, a public A: deliverable through the implicit MX -> ok
  'tinyshop-direct.com': { A: ['104.21.48.62'] },
  // MX host on a private address -> mx_invalid (ok with --allow-private)
  'intranet-relay.com': { MX: [{ preference: 10, exchange: 'mail.intranet-relay.com' }] },
  'mail.intranet-relay.com': { A: ['10.20.30.40'] },
  // MX host that does not exist (NXDOMAIN) -> mx_invalid
  'dangling-mx.com': { MX: [{ preference: 10, exchange: 'mail.dangling-mx.com' }] },
  // never answered -> dns_timeout (unknown)
  'slowzone-dns.com': { behavior: 'drop' },
  // SERVFAIL -> dns_error (unknown)
  'servfail-broken.net': { behavior: 'servfail' },
});

/** The whole sample zone. */
export const SAMPLE_ZONE = /** @type {Zone} */ ({ ...PROVIDER_ZONE, ...OUTCOME_ZONE });

/** A fresh copy of the sample zone (the server keeps a reference; tests may change theirs). */
export function sampleZone() {
  return structuredClone(SAMPLE_ZONE);
}

/** The intended outcome per DNS-outcome domain, as samples/README.md states it. */
export const SAMPLE_OUTCOMES = Object.freeze({
  'oakridge-supplies-defunct.com': { status: 'invalid', reason: 'domain_not_found' },
  'lumenbay-consulting.net': { status: 'invalid', reason: 'domain_not_found' },
  'parked-brandname.com': { status: 'invalid', reason: 'null_mx' },
  'txtonly-holdings.com': { status: 'invalid', reason: 'no_mail_server' },
  'tinyshop-direct.com': { status: 'valid', reason: 'ok' },
  'intranet-relay.com': { status: 'invalid', reason: 'mx_invalid' },
  'dangling-mx.com': { status: 'invalid', reason: 'mx_invalid' },
  'slowzone-dns.com': { status: 'unknown', reason: 'dns_timeout' },
  'servfail-broken.net': { status: 'unknown', reason: 'dns_error' },
});
