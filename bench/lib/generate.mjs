// Seeded synthetic mailing lists and the DNS zone that answers for them (bench only, not a test).
//
// A list has `rows` data rows over `domains` distinct domains:
//   - every domain appears at least once; the other rows draw domains from a Zipf-like law (rank k has
//     weight 1 / k^zipf), so a few mail providers dominate and a long tail of company domains follows;
//   - `invalidShare` of rows are syntax-invalid (double @, space, missing TLD, stray dots, no @ ...);
//   - `duplicateShare` of rows repeat an earlier address, in other letter case or with spaces around;
//   - domain kinds (shares of the long tail): NXDOMAIN, null MX, A-only (no MX), MX host without a
//     usable address (mx_invalid), SERVFAIL, never answering (dropped); the rest have MX records on
//     shared hosting MX hosts (many domains, few hosts, as in real life).
// Columns: id,email,first_name,last_name,created_at (5 columns, the email second).
//
// The DNS lower bound's "queries needed" is computed from the zone (lib/zone.mjs), for a given zone
// as for these.
import { openSync, writeSync, closeSync } from 'node:fs';

/** The same seeded PRNG (mulberry32) as the test DNS server's flaky modes. */
import { rng as prng } from '../../test/support/dns-server.mjs';

export { prng };

const PROVIDERS = [
  // [domain, MX hosts (preference order)]
  ['gmail.com', ['gmail-smtp-in.l.google.com', 'alt1.gmail-smtp-in.l.google.com']],
  ['yahoo.com', ['mta5.am0.yahoodns.net', 'mta6.am0.yahoodns.net']],
  ['outlook.com', ['outlook-com.olc.protection.outlook.com']],
  ['hotmail.com', ['hotmail-com.olc.protection.outlook.com']],
  ['icloud.com', ['mx01.mail.icloud.com', 'mx02.mail.icloud.com']],
  ['aol.com', ['mx-aol.mail.gm0.yahoodns.net']],
  ['gmx.de', ['mx00.emig.gmx.net', 'mx01.emig.gmx.net']],
  ['web.de', ['mx-ha03.web.de']],
  ['orange.fr', ['smtp-in.orange.fr']],
  ['comcast.net', ['mx1a1.comcast.net']],
  ['live.com', ['live-com.olc.protection.outlook.com']],
  ['yahoo.co.uk', ['mx-eu.mail.am0.yahoodns.net']],
  ['mailinator.com', ['mail.mailinator.com']], // disposable
  ['gmial.com', ['mx.gmial.com']], // a typo domain that exists
];
const FIRST = ['jane', 'john', 'maria', 'li', 'ahmed', 'olga', 'pierre', 'sam', 'kim', 'noah', 'emma', 'lucas', 'ana', 'yuki', 'omar', 'eva'];
const LAST = ['doe', 'smith', 'garcia', 'wang', 'khan', 'ivanova', 'martin', 'lee', 'park', 'brown', 'silva', 'muller'];
const WORDS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'vandelay', 'stark', 'wayne', 'tyrell', 'cyberdyne', 'soylent', 'wonka'];
const TLDS = ['com', 'com', 'com', 'net', 'org', 'de', 'io', 'co.uk', 'fr', 'nl'];
const ROLES = ['info', 'admin', 'sales', 'support', 'contact'];

export const DEFAULT_KINDS = { nxdomain: 0.03, nullMx: 0.02, aOnly: 0.03, mxInvalid: 0.005, servfail: 0.01, drop: 0 };

/**
 * The domain model: names, kinds, MX hosts, Zipf weights. Deterministic for (domains, seed, kinds).
 * Returns { list: [{ name, kind, mx: [hosts] }], weights (cumulative), hosts: Map(host -> {usable}) }.
 */
export function makeDomains({ domains, seed = 1, kinds = DEFAULT_KINDS, zipf = 1.0 }) {
  const rand = prng(seed * 7919 + domains);
  const list = [];
  const hostInfo = new Map();
  const providers = PROVIDERS.slice(0, Math.min(PROVIDERS.length, Math.max(1, Math.floor(domains / 10))));
  for (const [name, mx] of providers) {
    list.push({ name, kind: 'mx', mx });
    for (const h of mx) hostInfo.set(h, { usable: true });
  }
  const hostingCount = Math.max(4, Math.floor(domains / 8));
  const hostRand = prng(seed * 31 + 7);
  const kindOrder = Object.entries(kinds);
  for (let i = list.length; i < domains; i++) {
    const name = `${WORDS[i % WORDS.length]}-${i.toString(36)}.${TLDS[Math.floor(rand() * TLDS.length)]}`;
    let kind = 'mx';
    let r = rand();
    for (const [k, share] of kindOrder) {
      if (r < share) {
        kind = k;
        break;
      }
      r -= share;
    }
    const entry = { name, kind, mx: [] };
    if (kind === 'mx') {
      if (rand() < 0.3) {
        entry.mx = [`mx.${name}`]; // own mail server
      } else {
        // Shared hosting: host j drawn with a skew toward the first hosts.
        const j = Math.floor(hostingCount * hostRand() ** 2);
        entry.mx = [`mx${j}.hosting${j % 7}.net`, `mx${j}b.hosting${j % 7}.net`];
      }
      for (const h of entry.mx) if (!hostInfo.has(h)) hostInfo.set(h, { usable: true });
    } else if (kind === 'mxInvalid') {
      entry.mx = [`mx.${name}`];
      hostInfo.set(`mx.${name}`, { usable: false });
    }
    list.push(entry);
  }
  // Zipf weights by rank (the list order is the rank: providers first).
  const cumulative = new Float64Array(list.length);
  let total = 0;
  for (let k = 0; k < list.length; k++) {
    total += 1 / (k + 1) ** zipf;
    cumulative[k] = total;
  }
  for (let k = 0; k < list.length; k++) cumulative[k] /= total;
  return { list, cumulative, hostInfo };
}

function pickWeighted(cumulative, r) {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] < r) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function csvCell(s) {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function breakAddress(local, domain, rand) {
  switch (Math.floor(rand() * 7)) {
    case 0: return `${local}@@${domain}`;
    case 1: return `${local.replace('.', ' ')}@${domain}`;
    case 2: return `${local}@${domain.split('.')[0]}`;
    case 3: return `${local}..x@${domain}`;
    case 4: return `${local}.${domain}`;
    case 5: return `${local}@${domain}.`;
    default: return `.${local}@${domain}`;
  }
}

/**
 * Write a list to `path`. Returns stats: rows, distinct domains used, distinct addresses (lower-cased,
 * trimmed, valid syntax), invalid rows, duplicate rows, the domain names used.
 */
export function writeList(path, { rows, domains, seed = 1, kinds = DEFAULT_KINDS, invalidShare = 0.02, duplicateShare = 0.05 }) {
  const model = makeDomains({ domains, seed, kinds });
  const rand = prng(seed);
  // Row -> domain index: every domain once, the rest Zipf, then shuffled.
  const assign = new Uint32Array(rows);
  const n = Math.min(rows, model.list.length);
  for (let i = 0; i < n; i++) assign[i] = i;
  for (let i = n; i < rows; i++) assign[i] = pickWeighted(model.cumulative, rand());
  for (let i = rows - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = assign[i];
    assign[i] = assign[j];
    assign[j] = t;
  }
  const fd = openSync(path, 'w');
  let buffer = 'id,email,first_name,last_name,created_at\n';
  const recent = []; // addresses to duplicate
  let invalid = 0;
  let duplicates = 0;
  let distinct = 0;
  const used = new Set();
  const day0 = Date.UTC(2020, 0, 1);
  for (let i = 0; i < rows; i++) {
    const f = FIRST[Math.floor(rand() * FIRST.length)];
    const l = LAST[Math.floor(rand() * LAST.length)];
    const domain = model.list[assign[i]];
    used.add(domain.name);
    let email;
    const r = rand();
    if (r < duplicateShare && recent.length > 0) {
      const original = recent[Math.floor(rand() * recent.length)];
      const v = rand();
      email = v < 0.4 ? original.toUpperCase() : v < 0.7 ? ` ${original} ` : v < 0.85 ? original.replace(/^./, (c) => c.toUpperCase()) : original;
      duplicates++;
    } else {
      const role = rand() < 0.01;
      const local = role ? `${ROLES[Math.floor(rand() * ROLES.length)]}` : `${f}.${l}${i.toString(36)}`;
      if (r < duplicateShare + invalidShare) {
        email = breakAddress(local, domain.name, rand);
        invalid++;
      } else {
        email = role && rand() < 0.5 ? `${local}+${i.toString(36)}@${domain.name}` : `${local}@${domain.name}`;
        distinct++;
        if (recent.length < 5000) recent.push(email);
        else recent[Math.floor(rand() * recent.length)] = email;
      }
    }
    const created = new Date(day0 + Math.floor(rand() * 1.5e11)).toISOString().slice(0, 10);
    buffer += `${i + 1},${csvCell(email)},${f[0].toUpperCase()}${f.slice(1)},${l[0].toUpperCase()}${l.slice(1)},${created}\n`;
    if (buffer.length > 1 << 20) {
      writeSync(fd, buffer);
      buffer = '';
    }
  }
  writeSync(fd, buffer);
  closeSync(fd);
  return { path, rows, domains: used.size, invalid, duplicates, distinctAddressesApprox: distinct, model, usedDomains: used };
}

/** The DNS zone for a domain model (plus the canary domains, which are providers here too). */
export function makeZone(model) {
  const zone = {};
  let a = 0;
  const ip = () => {
    a++;
    return `93.${184 + ((a >> 16) & 7)}.${(a >> 8) & 255}.${(a & 255) || 1}`;
  };
  for (const [host, info] of model.hostInfo) zone[host] = { A: [info.usable ? ip() : `10.0.${(a >> 8) & 255}.${a++ & 255}`] };
  for (const d of model.list) {
    switch (d.kind) {
      case 'mx':
      case 'mxInvalid':
        zone[d.name] = { MX: d.mx.map((exchange, k) => ({ preference: 10 * (k + 1), exchange })) };
        break;
      case 'nullMx':
        zone[d.name] = { MX: [{ preference: 0, exchange: '.' }] };
        break;
      case 'aOnly':
        zone[d.name] = { A: [ip()] };
        break;
      case 'servfail':
        zone[d.name] = { MX: [{ preference: 10, exchange: `mx.${d.name}` }], behavior: 'servfail' };
        break;
      case 'drop':
        zone[d.name] = { MX: [{ preference: 10, exchange: `mx.${d.name}` }], behavior: 'drop' };
        break;
      case 'nxdomain':
      default:
        break; // not in the zone: NXDOMAIN
    }
  }
  // mxInvalid hosts have a private A and no AAAA (NODATA): A then AAAA are both needed.
  return zone;
}
