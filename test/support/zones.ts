/**
 * Zone fixtures for the test DNS server. Names use real-looking TLDs (.com, .org, .net): the test
 * server answers them itself, nothing goes to the internet. Deliverable fixtures point at public
 * (globally routable) addresses, because the checker refuses private, loopback and documentation
 * ranges.
 */
import type { Zone, ZoneEntry } from './dns-server.js';

/** A domain whose single MX host resolves to `ip` (A or AAAA by its form). */
export function mxDomain(domain: string, ip: string, host = `mail.${domain}`): Zone {
  const family = ip.includes(':') ? 'AAAA' : 'A';
  return {
    [domain]: { MX: [{ preference: 10, exchange: host }] },
    [host]: { [family]: [ip] } as ZoneEntry,
  };
}

/** The default canaries, with the MX hosts their real zones publish (addresses are public). */
export const CANARY_ZONE: Zone = {
  'gmail.com': { MX: [{ preference: 5, exchange: 'gmail-smtp-in.l.google.com' }], ttl: 3600 },
  'gmail-smtp-in.l.google.com': { A: ['142.250.27.27'], ttl: 300 },
  'outlook.com': { MX: [{ preference: 5, exchange: 'outlook-com.olc.protection.outlook.com' }], ttl: 3600 },
  'outlook-com.olc.protection.outlook.com': { A: ['52.101.8.44'], ttl: 300 },
  'yahoo.com': { MX: [{ preference: 1, exchange: 'mta5.am0.yahoodns.net' }], ttl: 1800 },
  'mta5.am0.yahoodns.net': { A: ['67.195.204.72'], ttl: 300 },
};

/** One fixture per classification branch. The comment says what the checker must conclude. */
export const FIXTURES: Zone = {
  ...CANARY_ZONE,

  // deliverable: two MX hosts, the preferred one resolves
  'good.com': {
    MX: [
      { preference: 20, exchange: 'mx2.good.com' },
      { preference: 10, exchange: 'mx1.good.com' },
    ],
    ttl: 3600,
  },
  'mx1.good.com': { A: ['93.184.216.34'], ttl: 600 },
  'mx2.good.com': { A: ['93.184.216.35'], ttl: 600 },

  // undeliverable null_mx (RFC 7505)
  'nullmx.org': { MX: [{ preference: 0, exchange: '.' }] },

  // deliverable through the implicit MX (no MX, A on the domain)
  'amx.com': { A: ['93.184.216.36'], TXT: ['v=spf1 -all'] },

  // deliverable: the MX host has only an AAAA record
  'v6only.com': { MX: [{ preference: 10, exchange: 'mx.v6only.com' }] },
  'mx.v6only.com': { AAAA: ['2606:2800:220:1:248:1893:25c8:1946'] },

  // deliverable implicit MX over AAAA only
  'aaaa-only.net': { AAAA: ['2606:2800:220:1:248:1893:25c8:1947'] },

  // 'missing.com' is absent: NXDOMAIN -> domain_not_found

  // NODATA and no address -> no_mail_server
  'nodata.org': { TXT: ['just text'] },

  // MX host does not exist -> mx_invalid
  'noaddr.com': { MX: [{ preference: 10, exchange: 'mail.noaddr.com' }] },
  // MX host exists but has no address (NODATA) -> mx_invalid
  'nodatahost.com': { MX: [{ preference: 10, exchange: 'mx.nodatahost.com' }] },
  'mx.nodatahost.com': { TXT: ['no address here'] },

  // MX host on loopback / private -> mx_invalid (private accepted with allowPrivate)
  'loopback.com': { MX: [{ preference: 10, exchange: 'mx.loopback.com' }] },
  'mx.loopback.com': { A: ['127.0.0.1'], AAAA: ['::1'] },
  'private.com': { MX: [{ preference: 10, exchange: 'mx.private.com' }] },
  'mx.private.com': { A: ['10.0.0.1'] },

  // implicit MX pointing at a private address -> mx_invalid
  'implicit-private.com': { A: ['192.168.1.10'] },

  // CNAME'd exchange (non-conformant but common) -> deliverable
  'cnamemx.com': { MX: [{ preference: 10, exchange: 'mx.cnamemx.com' }] },
  'mx.cnamemx.com': { CNAME: 'inbound.mailhost.net' },
  'inbound.mailhost.net': { A: ['198.41.0.4'], ttl: 120 },

  // IDN domain (bücher.com), stored in punycode by the server -> deliverable
  'bücher.com': { MX: [{ preference: 10, exchange: 'mx.bücher.com' }] },
  'mx.bücher.com': { A: ['93.184.216.37'] },

  // server failures -> unknown dns_error / dns_timeout
  'servfail.com': { behavior: 'servfail' },
  'refused.com': { behavior: 'refused' },
  'timeout.com': { behavior: 'drop' },

  // first MX host times out, second resolves -> deliverable
  'fallback.com': {
    MX: [
      { preference: 10, exchange: 'slow.fallback.com' },
      { preference: 20, exchange: 'ok.fallback.com' },
    ],
  },
  'slow.fallback.com': { behavior: 'drop' },
  'ok.fallback.com': { A: ['93.184.216.38'] },

  // the only MX host times out -> unknown (never mx_invalid)
  'mxtimeout.com': { MX: [{ preference: 10, exchange: 'mx.mxtimeout.com' }] },
  'mx.mxtimeout.com': { behavior: 'drop' },

  // one MX host missing, the other SERVFAILs -> unknown dns_error
  'mxservfail.com': {
    MX: [
      { preference: 10, exchange: 'gone.mxservfail.com' },
      { preference: 20, exchange: 'broken.mxservfail.com' },
    ],
  },
  'broken.mxservfail.com': { behavior: 'servfail' },
};

/** A fresh copy of the fixtures, optionally extended. */
export function fixtureZone(extra: Zone = {}): Zone {
  return structuredClone({ ...FIXTURES, ...extra });
}

/**
 * Where test/support/postfix.ts listens: one smtpd per loopback address, all on one port (2525 by
 * default). 127.0.0.4 has no listener: a connection there is refused (a dead MX host).
 */
export const POSTFIX_HOSTS = { mx1: '127.0.0.2', mx2: '127.0.0.3', dead: '127.0.0.4' } as const;

/**
 * The SMTP end-to-end tests' domains, their MX hosts on the Postfix listeners above. Loopback MX
 * addresses are mx_invalid unless allowLoopback (--allow-loopback) is set. Real-looking TLDs: the
 * syntax check refuses `.test`.
 * - postfix-users.net: Postfix's virtual mailbox domain (its users are the test's PostfixSpec), MX mx1.
 * - postfix-catchall.net: accepts any local part (PostfixSpec.catchAll), MX mx1.
 * - postfix-twomx.net: two MX hosts; the preferred one (10) is the dead address, the next (20) is mx2,
 *   so a client must move on to the second.
 * - loopback-only.net: a single MX host on mx1, for the --allow-loopback checks.
 */
export const POSTFIX_ZONE: Zone = {
  'postfix-users.net': { MX: [{ preference: 10, exchange: 'mx1.postfix-users.net' }] },
  'mx1.postfix-users.net': { A: [POSTFIX_HOSTS.mx1] },
  'postfix-catchall.net': { MX: [{ preference: 10, exchange: 'mx1.postfix-catchall.net' }] },
  'mx1.postfix-catchall.net': { A: [POSTFIX_HOSTS.mx1] },
  'postfix-twomx.net': {
    MX: [
      { preference: 10, exchange: 'mx1.postfix-twomx.net' },
      { preference: 20, exchange: 'mx2.postfix-twomx.net' },
    ],
  },
  'mx1.postfix-twomx.net': { A: [POSTFIX_HOSTS.dead] },
  'mx2.postfix-twomx.net': { A: [POSTFIX_HOSTS.mx2] },
  'loopback-only.net': { MX: [{ preference: 10, exchange: 'mx.loopback-only.net' }] },
  'mx.loopback-only.net': { A: [POSTFIX_HOSTS.mx1] },
};

/**
 * Where test/support/smtp-script-server.ts's startScriptServers listens (one port shared by all, as
 * real MX hosts all listen on 25): the fault server (replies chosen by local part), a server that
 * rejects everyone, a listener behind a Yahoo-style MX name (it must never be connected to), and a
 * server that never greets. 127.0.0.4 and 127.0.0.6 have no listener: connections are refused.
 */
export const SCRIPT_HOSTS = { fault: '127.0.0.11', blanket: '127.0.0.12', yahoo: '127.0.0.13', stall: '127.0.0.14', dead: '127.0.0.4', dead2: '127.0.0.6' } as const;

/**
 * The scriptable server's domains, one per fault so a fault's breaker pauses only its own provider
 * group (the MX host name): `script-<fault>.net`, MX `mx.script-<fault>.net`, except script-yahoo.net,
 * whose MX is named like Yahoo's (`*.yahoodns.net`: not asked by default).
 */
export const SCRIPT_ZONE: Zone = {
  ...Object.assign(
    {},
    ...(['ok', 'rate', 'temp', 'unrec', 'm365', 'grey', 'hang'] as const).map((name) => mxDomain(`script-${name}.net`, SCRIPT_HOSTS.fault, `mx.script-${name}.net`)),
  ),
  ...mxDomain('script-blanket.net', SCRIPT_HOSTS.blanket, 'mx.script-blanket.net'),
  ...mxDomain('script-yahoo.net', SCRIPT_HOSTS.yahoo, 'mx-listscrub.am0.yahoodns.net'),
  ...mxDomain('script-stall.net', SCRIPT_HOSTS.stall, 'mx.script-stall.net'),
  ...mxDomain('script-dead.net', SCRIPT_HOSTS.dead, 'mx.script-dead.net'),
  ...mxDomain('script-dead2.net', SCRIPT_HOSTS.dead2, 'mx.script-dead2.net'),
} as Zone;
