// Zones for the bench server (test/support/dns-server.mjs format: name -> { MX, A, AAAA, behavior })
// and the "queries needed" of the DNS lower bound, computed from the zone itself, so that a given
// zone (`--zone FILE`) is measured exactly like the bench's own.
//
//   readZone(path)        our format, or the reference generator's ({ domains: { name: { k, mx, a } },
//                         hosts: { name: ip } }, see the reference list's README), converted
//   queryCounter(zone)    count(domain): the queries a correct checker needs for one more domain,
//                         MX hosts already asked counted once
//   CANARY_ZONE           the canary domains with the MX hosts their real zones publish

import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

export const CANARY_ZONE = {
  'gmail.com': { MX: [{ preference: 5, exchange: 'gmail-smtp-in.l.google.com' }] },
  'gmail-smtp-in.l.google.com': { A: ['142.250.27.27'] },
  'outlook.com': { MX: [{ preference: 5, exchange: 'outlook-com.olc.protection.outlook.com' }] },
  'outlook-com.olc.protection.outlook.com': { A: ['52.101.8.44'] },
  'yahoo.com': { MX: [{ preference: 1, exchange: 'mta5.am0.yahoodns.net' }] },
  'mta5.am0.yahoodns.net': { A: ['67.195.204.72'] },
};

/** The reference generator's zone, in the bench server's format. */
function fromReference({ domains, hosts = {} }) {
  const zone = {};
  for (const [host, ip] of Object.entries(hosts)) zone[host] = { A: [ip] };
  for (const [name, d] of Object.entries(domains)) {
    switch (d.k) {
      case 'mx':
        zone[name] = { MX: d.mx.map(([preference, exchange]) => ({ preference, exchange })), ...(d.a ? { A: [d.a] } : {}) };
        break;
      case 'a_only':
        zone[name] = { A: [d.a] };
        break;
      case 'nullmx':
        zone[name] = { MX: [{ preference: 0, exchange: '.' }] };
        break;
      case 'servfail':
        zone[name] = { behavior: 'servfail' };
        break;
      case 'timeout':
        zone[name] = { behavior: 'drop' };
        break;
      default:
        break; // nx: not in the zone, NXDOMAIN
    }
  }
  return zone;
}

export function readZone(path) {
  const json = JSON.parse(readFileSync(path, 'utf8'));
  return typeof json.domains === 'object' && json.domains !== null && !Array.isArray(json.domains) && !('MX' in json.domains)
    ? fromReference(json)
    : json;
}

/** Loopback, private, link-local and the like: what listscrub (without --allow-private) does not accept. */
function usable(ip) {
  if (isIP(ip) !== 4) return isIP(ip) === 6 && !/^(::1?$|f[cd]|fe80)/i.test(ip);
  const [a, b] = ip.split('.').map(Number);
  return !(a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || a >= 224);
}

/**
 * Queries needed per domain: MX; then, no MX (NODATA): A, plus AAAA when A is not usable; MX hosts in
 * preference order until one is usable: A, plus AAAA when A is not usable, each host once per run.
 * SERVFAIL / never-answering / NXDOMAIN / null MX domains: the MX query alone (retries are not needed).
 */
export function queryCounter(zone) {
  const asked = new Set();
  const addressQueries = (entry) => ((entry?.A ?? []).some(usable) ? 1 : 2);
  return function count(domain) {
    const entry = zone[domain];
    if (entry === undefined || entry.behavior !== undefined) return 1;
    const mx = entry.MX ?? [];
    if (mx.length === 0) return 1 + addressQueries(entry);
    let n = 1;
    for (const { exchange } of [...mx].sort((x, y) => x.preference - y.preference)) {
      if (exchange === '.' || exchange === '') continue;
      const host = exchange.toLowerCase();
      if (!asked.has(host)) {
        asked.add(host);
        n += addressQueries(zone[host]);
      }
      if ((zone[host]?.A ?? []).some(usable)) break;
    }
    return n;
  };
}

/** The kind of a domain in a zone, for the bench's tables. */
export function kindOf(zone, domain) {
  const entry = zone[domain];
  if (entry === undefined) return 'nxdomain';
  if (entry.behavior !== undefined) return entry.behavior;
  const mx = entry.MX ?? [];
  if (mx.length === 0) return 'aOnly';
  if (mx.every(({ exchange }) => exchange === '.' || exchange === '')) return 'nullMx';
  return 'mx';
}

/** Queries needed for a set of domains (see queryCounter), with the domains by kind. */
export function neededQueries(zone, domains) {
  const count = queryCounter(zone);
  const byKind = {};
  let total = 0;
  for (const domain of domains) {
    total += count(domain);
    const kind = kindOf(zone, domain);
    byKind[kind] = (byKind[kind] ?? 0) + 1;
  }
  return { total, domains: domains.size, byKind };
}
