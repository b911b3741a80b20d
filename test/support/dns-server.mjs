// A small, real, authoritative-style DNS server for tests and benchmarks.
//
// Plain ESM JavaScript (types in dns-server.d.mts) so that both vitest (through the
// dns-server.ts re-export) and `node bench/*.mjs` can import it without a compile step.
// Its only dependency is dns-packet.
//
// It listens on 127.0.0.1 on one random port for both UDP and TCP (2-byte length prefix).
// Semantics, per RFC 1034/2308/6604:
//   - names are case-insensitive; zone names may be Unicode and are stored in punycode;
//   - NXDOMAIN = rcode 3 + SOA in the authority section; NODATA = NOERROR, empty answer + SOA;
//   - a name that only exists as the parent of zone names (empty non-terminal) is NODATA;
//   - CNAMEs are chased inside the zone for every type but CNAME; the answer holds the chain
//     and the final records; the rcode is that of the last name in the chain;
//   - UDP answers larger than 512 bytes (or the EDNS payload size the client offered) are sent
//     truncated (TC bit, no records) so the client retries over TCP.
//   - TXT entries may be one string (split into 255-byte character-strings when longer, as zone
//     file tools do) or an array of character-strings; PTR entries are host names; SOA is answered
//     at names whose entry says `SOA: true` (NODATA elsewhere, as before);
//   - a name `*.zone` answers for every name under `zone` that has no entry of its own (RFC 4592,
//     simplified: the closest wildcard wins), for block-list zones that list everything.
// Behaviours for failure tests: per-name 'servfail' | 'refused' | 'drop' | 'nxdomain' | 'delay:MS',
// server modes 'lie' (NXDOMAIN for everything), 'servfail', 'refused', 'drop', seeded random
// dropRate/servfailRate, a global latency, and a catch-all entry answered for unknown names.

import dgram from 'node:dgram';
import net from 'node:net';
import { domainToASCII } from 'node:url';
import dnsPacket from 'dns-packet';

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 };
const DEFAULT_TTL = 300;

/** @param {string} name */
export function normalizeName(name) {
  const trimmed = name.replace(/\.$/, '').toLowerCase();
  if (trimmed === '') return '';
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(trimmed)) return trimmed;
  const ascii = domainToASCII(trimmed);
  return ascii === '' ? trimmed : ascii;
}

/** Record data names (MX exchange, CNAME target): punycode if Unicode, case kept otherwise. */
function asciiName(name) {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(name)) return name;
  return domainToASCII(name.replace(/\.$/, '')) || name;
}

/** A TXT record's character-strings: each string (or each item of an array) cut every 255 bytes (RFC 1035 3.3). */
function characterStrings(text) {
  if (Array.isArray(text)) return text.flatMap((item) => characterStrings(item));
  const bytes = Buffer.from(text);
  if (bytes.length <= 255) return [text];
  const chunks = [];
  for (let i = 0; i < bytes.length; i += 255) chunks.push(bytes.subarray(i, i + 255));
  return chunks;
}

/** mulberry32: a tiny seeded PRNG so flaky-server tests (and the bench's generated lists) are reproducible. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** @param {Record<string, any>} zone */
function normalizeZone(zone) {
  const map = new Map();
  for (const [name, entry] of Object.entries(zone)) map.set(normalizeName(name), entry ?? {});
  return map;
}

/** The apex used for the SOA of a name: its last two labels. */
function apexOf(name) {
  const labels = name.split('.');
  return labels.slice(-2).join('.') || '.';
}

/**
 * @param {Record<string, any>} zone
 * @param {import('./dns-server.d.mts').DnsServerOptions} [opts]
 */
export async function startDnsServer(zone = {}, opts = {}) {
  let records = normalizeZone(zone);
  let mode = opts.mode ?? 'normal';
  let latency = opts.latencyMs ?? 0;
  let catchAll = opts.catchAll;
  const random = rng(opts.seed ?? 1);
  const dropRate = opts.dropRate ?? 0;
  const servfailRate = opts.servfailRate ?? 0;
  const negativeTtl = opts.negativeTtl ?? 300;
  /** @type {Array<{name: string, type: string, transport: 'udp' | 'tcp'}>} */
  const queries = [];
  const timers = new Set();
  const sockets = new Set();
  let inFlight = 0;
  let maxInFlight = 0;
  let closed = false;

  function lookup(name) {
    if (records.has(name)) return records.get(name);
    for (let dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
      const wildcard = records.get('*' + name.slice(dot));
      if (wildcard !== undefined) return wildcard;
    }
    if (catchAll !== undefined) return catchAll;
    return undefined;
  }

  function existsAsParent(name) {
    for (const key of records.keys()) if (key.endsWith('.' + name)) return true;
    return false;
  }

  function soa(name) {
    const apex = apexOf(name);
    return {
      name: apex,
      type: 'SOA',
      class: 'IN',
      ttl: negativeTtl,
      data: {
        mname: 'ns1.' + apex,
        rname: 'hostmaster.' + apex,
        serial: 2024010101,
        refresh: 3600,
        retry: 600,
        expire: 604800,
        minimum: negativeTtl,
      },
    };
  }

  function recordsOf(ownerAsAsked, entry, type) {
    const ttl = entry.ttl ?? DEFAULT_TTL;
    const out = [];
    if (type === 'MX' && entry.MX) {
      for (const mx of entry.MX) {
        out.push({
          name: ownerAsAsked,
          type: 'MX',
          class: 'IN',
          ttl: mx.ttl ?? ttl,
          data: { preference: mx.preference, exchange: mx.exchange === '' ? '.' : asciiName(mx.exchange) },
        });
      }
    }
    if ((type === 'A' || type === 'AAAA') && entry[type]) {
      for (const address of entry[type]) {
        out.push({ name: ownerAsAsked, type, class: 'IN', ttl, data: address });
      }
    }
    if (type === 'TXT' && entry.TXT) {
      for (const text of entry.TXT) out.push({ name: ownerAsAsked, type: 'TXT', class: 'IN', ttl, data: characterStrings(text) });
    }
    if (type === 'PTR' && entry.PTR) {
      for (const host of entry.PTR) out.push({ name: ownerAsAsked, type: 'PTR', class: 'IN', ttl, data: asciiName(host) });
    }
    if (type === 'SOA' && entry.SOA) out.push({ ...soa(normalizeName(ownerAsAsked)), name: ownerAsAsked });
    if (type === 'CNAME' && entry.CNAME) {
      out.push({ name: ownerAsAsked, type: 'CNAME', class: 'IN', ttl, data: asciiName(entry.CNAME) });
    }
    return out;
  }

  /** The behaviour that applies to a (name, type), if any. */
  function behaviourOf(entry, type) {
    if (!entry) return undefined;
    if (entry.behaviorByType && entry.behaviorByType[type]) return entry.behaviorByType[type];
    return entry.behavior;
  }

  /**
   * Build the answer for one question. Returns null to drop it; otherwise {rcode, answers,
   * authorities, delay}.
   */
  function answer(question) {
    const asked = question.name;
    const name = normalizeName(asked);
    const type = question.type;
    if (mode === 'drop') return null;
    if (mode === 'lie') return { rcode: RCODE.NXDOMAIN, answers: [], authorities: [soa(name)], delay: 0 };
    if (mode === 'servfail') return { rcode: RCODE.SERVFAIL, answers: [], authorities: [], delay: 0 };
    if (mode === 'refused') return { rcode: RCODE.REFUSED, answers: [], authorities: [], delay: 0 };
    if (dropRate > 0 && random() < dropRate) return null;
    if (servfailRate > 0 && random() < servfailRate) {
      return { rcode: RCODE.SERVFAIL, answers: [], authorities: [], delay: 0 };
    }

    let delay = 0;
    const first = lookup(name);
    const behaviour = behaviourOf(first, type);
    if (behaviour === 'drop') return null;
    if (behaviour === 'servfail') return { rcode: RCODE.SERVFAIL, answers: [], authorities: [], delay: 0 };
    if (behaviour === 'refused') return { rcode: RCODE.REFUSED, answers: [], authorities: [], delay: 0 };
    if (behaviour === 'nxdomain') return { rcode: RCODE.NXDOMAIN, answers: [], authorities: [soa(name)], delay: 0 };
    if (typeof behaviour === 'string' && behaviour.startsWith('delay:')) delay = Number(behaviour.slice(6)) || 0;

    // Chase CNAMEs inside the zone.
    const answers = [];
    let current = name;
    let owner = asked;
    for (let hops = 0; hops < 8; hops++) {
      const entry = lookup(current);
      if (entry === undefined) {
        if (existsAsParent(current)) return { rcode: RCODE.NOERROR, answers, authorities: [soa(current)], delay };
        return { rcode: RCODE.NXDOMAIN, answers, authorities: [soa(current)], delay };
      }
      if (entry.CNAME && type !== 'CNAME') {
        answers.push(...recordsOf(owner, entry, 'CNAME'));
        current = normalizeName(entry.CNAME);
        owner = asciiName(entry.CNAME).replace(/\.$/, '');
        continue;
      }
      const found = recordsOf(owner, entry, type);
      answers.push(...found);
      return { rcode: RCODE.NOERROR, answers, authorities: found.length ? [] : [soa(current)], delay };
    }
    return { rcode: RCODE.SERVFAIL, answers: [], authorities: [], delay };
  }

  /**
   * @param {Buffer} msg
   * @param {'udp' | 'tcp'} transport
   * @param {(buf: Buffer) => void} send
   */
  function handle(msg, transport, send) {
    let query;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return; // garbage: ignore
    }
    if (query.type !== 'query') return;
    const question = query.questions?.[0];
    const opt = (query.additionals ?? []).find((r) => r.type === 'OPT');
    const base = {
      type: 'response',
      id: query.id,
      questions: query.questions ?? [],
      additionals: opt ? [{ name: '.', type: 'OPT', udpPayloadSize: 1232, flags: 0, options: [] }] : [],
    };
    const rdFlag = (query.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
    if (!question) {
      send(dnsPacket.encode({ ...base, flags: 1 /* FORMERR */, answers: [], authorities: [] }));
      return;
    }
    queries.push({ name: normalizeName(question.name), type: question.type, transport });
    const result = answer(question);
    if (result === null) return; // dropped: the client times out
    inFlight++;
    if (inFlight > maxInFlight) maxInFlight = inFlight;
    const flags = dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_AVAILABLE | rdFlag | result.rcode;
    let buf = dnsPacket.encode({ ...base, flags, answers: result.answers, authorities: result.authorities });
    if (transport === 'udp') {
      const limit = opt ? Math.max(512, Math.min(opt.udpPayloadSize ?? 512, 1232)) : 512;
      if (buf.length > limit) {
        buf = dnsPacket.encode({
          ...base,
          flags: flags | dnsPacket.TRUNCATED_RESPONSE,
          answers: [],
          authorities: [],
        });
      }
    }
    const wait = latency + result.delay;
    const finish = () => {
      inFlight--;
      if (!closed) send(buf);
    };
    if (wait > 0) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        finish();
      }, wait);
      timers.add(timer);
    } else {
      finish();
    }
  }

  function makeUdp() {
    const socket = dgram.createSocket('udp4');
    socket.on('message', (msg, rinfo) => {
      handle(msg, 'udp', (buf) => {
        socket.send(buf, rinfo.port, rinfo.address, () => {});
      });
    });
    return socket;
  }

  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2) {
        const length = pending.readUInt16BE(0);
        if (pending.length < 2 + length) break;
        const msg = pending.subarray(2, 2 + length);
        pending = pending.subarray(2 + length);
        handle(msg, 'tcp', (buf) => {
          if (socket.destroyed) return;
          const prefix = Buffer.alloc(2);
          prefix.writeUInt16BE(buf.length, 0);
          socket.write(Buffer.concat([prefix, buf]));
        });
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });

  // One random port for both transports: bind UDP on port 0, then TCP on that port; on a clash,
  // close the UDP socket and try again with a fresh one.
  let udp;
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    const candidate = makeUdp();
    await new Promise((resolve, reject) => {
      candidate.once('error', reject);
      candidate.bind(0, '127.0.0.1', () => {
        candidate.off('error', reject);
        resolve(undefined);
      });
    });
    port = candidate.address().port;
    const ok = await new Promise((resolve) => {
      const onError = () => resolve(false);
      tcp.once('error', onError);
      tcp.listen(port, '127.0.0.1', () => {
        tcp.off('error', onError);
        resolve(true);
      });
    });
    if (ok) {
      udp = candidate;
      break;
    }
    await new Promise((resolve) => candidate.close(() => resolve(undefined)));
    if (attempt >= 20) throw new Error('dns-server: could not bind one port for both UDP and TCP');
  }
  udp.on('error', () => {});
  tcp.on('error', () => {});

  return {
    port,
    address: `127.0.0.1:${port}`,
    queries,
    count(name, type) {
      const wanted = name === undefined ? undefined : normalizeName(name);
      return queries.filter((q) => (wanted === undefined || q.name === wanted) && (type === undefined || q.type === type))
        .length;
    },
    setLatency(ms) {
      latency = ms;
    },
    setMode(next) {
      mode = next;
    },
    setZone(next) {
      records = normalizeZone(next);
    },
    setRecord(name, entry) {
      if (entry === undefined) records.delete(normalizeName(name));
      else records.set(normalizeName(name), entry);
    },
    setCatchAll(entry) {
      catchAll = entry;
    },
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    resetStats() {
      queries.length = 0;
      maxInFlight = inFlight;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        new Promise((resolve) => udp.close(() => resolve(undefined))),
        new Promise((resolve) => tcp.close(() => resolve(undefined))),
      ]);
    },
  };
}
