/** Types for dns-server.mjs: a real UDP+TCP DNS server on 127.0.0.1 for tests and benchmarks. */

/** Per-name behaviour: answer normally unless one of these applies. */
export type Behavior = 'servfail' | 'refused' | 'drop' | 'nxdomain' | `delay:${number}`;

export interface MxSpec {
  preference: number;
  /** Host name; '' or '.' is the null MX of RFC 7505. */
  exchange: string;
  ttl?: number;
}

/**
 * Records and behaviour of one name. Names may be Unicode (stored in punycode), any case. A name
 * `*.zone` answers for every name under `zone` without an entry of its own.
 */
export interface ZoneEntry {
  MX?: MxSpec[];
  A?: string[];
  AAAA?: string[];
  CNAME?: string;
  /** One record per item: a string, or its character-strings; any string over 255 bytes is cut into 255-byte ones. */
  TXT?: Array<string | string[]>;
  /** Host names (for names under in-addr.arpa / ip6.arpa). */
  PTR?: string[];
  /** Answer SOA queries at this name (the server's synthetic SOA for it). */
  SOA?: true;
  /** TTL of this name's records (default 300). */
  ttl?: number;
  /** Applies to every query type at this name. */
  behavior?: Behavior;
  /** Overrides `behavior` for one query type (e.g. `{ AAAA: 'drop' }`). */
  behaviorByType?: Partial<Record<'MX' | 'A' | 'AAAA' | 'CNAME' | 'TXT' | 'PTR' | 'SOA', Behavior>>;
}

export type Zone = Record<string, ZoneEntry>;

/** Whole-server modes: 'lie' answers NXDOMAIN for every name; 'drop' never answers. */
export type ServerMode = 'normal' | 'lie' | 'servfail' | 'refused' | 'drop';

export interface DnsServerOptions {
  mode?: ServerMode;
  /** Added to every answer, in milliseconds. */
  latencyMs?: number;
  /** Answer for any name not in the zone (instead of NXDOMAIN). */
  catchAll?: ZoneEntry;
  /** Share of queries silently dropped / answered SERVFAIL, drawn from a seeded PRNG. */
  dropRate?: number;
  servfailRate?: number;
  seed?: number;
  /** TTL and SOA minimum of negative answers (default 300). */
  negativeTtl?: number;
}

export interface QueryLogEntry {
  /** Lower-case name as asked (punycode). */
  name: string;
  type: string;
  transport: 'udp' | 'tcp';
}

export interface DnsServer {
  port: number;
  /** '127.0.0.1:PORT', ready for DnsOptions.servers. */
  address: string;
  /** Every question received (dropped ones included), in arrival order. */
  queries: QueryLogEntry[];
  /** Questions received, optionally only for one name and/or type. */
  count(name?: string, type?: string): number;
  setLatency(ms: number): void;
  setMode(mode: ServerMode): void;
  setZone(zone: Zone): void;
  /** Replace (or with undefined, delete) one name. */
  setRecord(name: string, entry: ZoneEntry | undefined): void;
  setCatchAll(entry: ZoneEntry | undefined): void;
  /** Questions received and not yet answered (dropped ones excluded). */
  readonly inFlight: number;
  /** The highest `inFlight` seen since start or resetStats(). */
  readonly maxInFlight: number;
  /** Clear the query log and the in-flight maximum. */
  resetStats(): void;
  close(): Promise<void>;
}

export function normalizeName(name: string): string;
/** mulberry32: a seeded PRNG returning numbers in [0, 1). */
export function rng(seed: number): () => number;
export function startDnsServer(zone?: Zone, opts?: DnsServerOptions): Promise<DnsServer>;
