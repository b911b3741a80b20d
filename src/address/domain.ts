/**
 * Everything the address engine decides from the domain alone: IDN -> ASCII, RFC 1035 host-name
 * rules, the IANA TLD list, the disposable list and typo suggestions. Results are cached per raw
 * domain string in a bounded map, since lists repeat a few domains a great deal.
 */
import { createRequire } from 'node:module';
import { domainToASCII } from 'node:url';
import { disposableEmailBlocklistSet } from 'disposable-email-domains-js';
import { confusableToAscii } from './confusables.js';
import { suggestDomain } from './typo.js';

const require = createRequire(import.meta.url);

/** IANA root-zone TLDs in ASCII (punycode) form. */
const TLDS: ReadonlySet<string> = new Set(
  (require('tlds') as string[]).map((t) => (/^[\x00-\x7f]*$/.test(t) ? t.toLowerCase() : domainToASCII(t))),
);

const DISPOSABLE: ReadonlySet<string> = disposableEmailBlocklistSet();

export function isRealTld(tld: string): boolean {
  return TLDS.has(tld);
}

export interface DomainInfo {
  /** Lower-case ASCII form (punycode for IDNs); best effort when invalid, '' if none. */
  ascii: string;
  /** Why the domain cannot receive mail by syntax alone (one sentence), or undefined when fine. */
  error?: string;
  /** The domain the user probably meant (typo or repaired TLD). */
  suggestion?: string;
  /** The disposable-list entry this domain falls under (itself or a parent), if any. */
  disposable?: string;
  /** The plain-ASCII reading of a domain that mixes Latin with look-alike letters (`gmаil.com`). */
  confusable?: string;
}

const LDH = /^[a-z0-9-]+$/;
const NON_ASCII = /[^\x00-\x7f]/;
/** Non-ASCII code points a domain may hold: letters, marks, digits (IDNA2008), emoji (some ccTLDs register them), full stops. */
const IDN_CHAR = /^[\p{L}\p{M}\p{N}\p{Extended_Pictographic}\u3002\uff0e\uff61]$/u;
const DOT_LIKE = /[.\u3002\uff0e\uff61]/;

function quote(s: string, max = 40): string {
  return `'${s.length > max ? `${s.slice(0, max)}…` : s}'`;
}

function octets(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Syntax problem of an ASCII, lower-case domain, or undefined. */
function domainError(d: string): string | undefined {
  if (d.length === 0) return 'There is nothing after the @ sign.';
  if (d.startsWith('.')) return 'The domain starts with a dot.';
  if (d.endsWith('.')) return 'The domain ends with a dot (a trailing dot is not allowed in an email address).';
  if (d.includes('..')) return 'The domain contains two consecutive dots.';
  const len = octets(d);
  if (len > 253) return `The domain is ${len} octets long; the limit is 253.`;
  const labels = d.split('.');
  for (const label of labels) {
    if (label.length > 63) return `The domain label ${quote(label, 20)} is ${label.length} octets long; the limit is 63.`;
    if (!LDH.test(label)) {
      const bad = [...label].find((c) => !/[a-z0-9-]/.test(c)) ?? '?';
      return `The domain contains ${quote(bad)}; a host name may only use letters, digits and hyphens.`;
    }
    if (label.startsWith('-')) return `The domain label ${quote(label, 20)} starts with a hyphen.`;
    if (label.endsWith('-')) return `The domain label ${quote(label, 20)} ends with a hyphen.`;
  }
  if (labels.length < 2) {
    return `The domain ${quote(d)} has no dot; a single-label domain cannot receive Internet mail.`;
  }
  const tld = labels[labels.length - 1]!;
  if (/^[0-9]+$/.test(tld)) return `The top-level domain ${quote(tld)} is numeric; it cannot be a real domain.`;
  if (!TLDS.has(tld)) return `The top-level domain ${quote('.' + tld)} does not exist (not in the IANA list).`;
  if (tld === 'arpa') return 'The domain is under .arpa, the infrastructure top-level domain, which receives no mail.';
  return undefined;
}

function findDisposable(d: string): string | undefined {
  let rest = d;
  for (;;) {
    if (DISPOSABLE.has(rest)) return rest;
    const dot = rest.indexOf('.');
    if (dot < 0) return undefined;
    rest = rest.slice(dot + 1);
    if (!rest.includes('.')) return undefined;
  }
}

function computeDomainInfo(raw: string): DomainInfo {
  let ascii: string;
  let error: string | undefined;
  if (NON_ASCII.test(raw)) {
    for (const c of raw) {
      if (c.charCodeAt(0) >= 0x80 && !IDN_CHAR.test(c)) {
        return { ascii: '', error: `The domain contains ${quote(c)}, which is not allowed in a domain name.` };
      }
    }
    ascii = domainToASCII(raw);
    if (ascii === '') {
      return { ascii: '', error: `The domain ${quote(raw)} is not a valid internationalized domain name.` };
    }
    ascii = ascii.toLowerCase();
    // Full-width or other look-alike forms of ASCII letters: the mapping gives a plain ASCII label.
    const rawLabels = raw.split(DOT_LIKE);
    const asciiLabels = ascii.split('.');
    if (
      rawLabels.length === asciiLabels.length &&
      rawLabels.some((l, i) => NON_ASCII.test(l) && !asciiLabels[i]!.startsWith('xn--'))
    ) {
      error = `The domain is written with full-width or look-alike characters; in plain ASCII it is '${ascii}'.`;
    }
  } else {
    ascii = raw.toLowerCase();
  }
  const info: DomainInfo = { ascii };
  const lookAlike = NON_ASCII.test(raw) && error === undefined ? confusableToAscii(raw.toLowerCase()) : undefined;
  if (lookAlike !== undefined && domainError(lookAlike) === undefined) {
    info.confusable = lookAlike;
    info.suggestion = suggestDomain(lookAlike, isRealTld) ?? lookAlike;
    return info;
  }
  error ??= domainError(ascii);
  if (error !== undefined) info.error = error;
  const suggestion = suggestDomain(ascii, isRealTld) ?? (error !== undefined && domainError(ascii) === undefined ? ascii : undefined);
  if (suggestion !== undefined && (suggestion !== ascii || error !== undefined)) info.suggestion = suggestion;
  if (error === undefined) {
    const disposable = findDisposable(ascii);
    if (disposable !== undefined) info.disposable = disposable;
  }
  return info;
}

/**
 * Bounded cache in two generations: new entries go to `young`; when it is full it becomes `old` and
 * the previous `old` is dropped. A hit in `old` moves the entry back to `young`, so the hot domains
 * (the big providers) survive every turnover. (Clearing one map wholesale made lists with more than
 * CACHE_LIMIT distinct domains recompute gmail.com and friends after every clear: measured 1.0 s of
 * 11 s on a 1M-row list with 20,000 domains.) At most 2 x CACHE_LIMIT entries are held (an entry
 * is ~200 bytes: 20 MB at most). 10,000 was still below the working set of such a list: its
 * entries moved between generations on most rows.
 */
const CACHE_LIMIT = 50_000;
let young = new Map<string, DomainInfo>();
let old = new Map<string, DomainInfo>();

function remember(raw: string, info: DomainInfo): void {
  if (young.size >= CACHE_LIMIT) {
    old = young;
    young = new Map();
  }
  young.set(raw, info);
}

/**
 * In front of the two maps: a direct-mapped table indexed by a hash computed here, in JavaScript.
 * Map.get() with a domain freshly cut from a cell (a new string every row) hashes it in the runtime
 * and compared it the slow way: ~400 ns a row, 8% of a 1M-row run. Here a hit costs the hash loop and
 * one string comparison. A slot holds the last domain that hashed to it; a miss falls through to the
 * maps, so the answers are the same, only found faster. Bounded: FRONT_SIZE entries.
 */
const FRONT_SIZE = 1 << 16;
let frontKeys: (string | undefined)[] = new Array<string | undefined>(FRONT_SIZE).fill(undefined);
let frontInfo: (DomainInfo | undefined)[] = new Array<DomainInfo | undefined>(FRONT_SIZE).fill(undefined);

function frontSlot(raw: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < raw.length; i++) h = Math.imul(h ^ raw.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 15)) & (FRONT_SIZE - 1);
}

/** Domain facts for a domain as written (any case, Unicode or ASCII). Never throws. */
export function domainInfo(raw: string): DomainInfo {
  const slot = frontSlot(raw);
  if (frontKeys[slot] === raw) return frontInfo[slot] as DomainInfo;
  // A domain cut from a CSV cell is a slice of the whole decoded input chunk (64 KB): kept as a
  // cache key (and in `ascii`, which is the same string when already lower case) it would pin that
  // chunk in memory. Measured on 1M rows / 20,000 domains: ~100 MB of retained chunks. Copy it.
  const key = detach(raw);
  const info = mapInfo(key);
  frontKeys[slot] = key;
  frontInfo[slot] = info;
  return info;
}

function mapInfo(key: string): DomainInfo {
  const hit = young.get(key);
  if (hit !== undefined) return hit;
  const warm = old.get(key);
  if (warm !== undefined) {
    old.delete(key);
    remember(key, warm);
    return warm;
  }
  const info = computeDomainInfo(key);
  remember(key, info);
  return info;
}

/** A flat copy of a string that shares no memory with the string it was cut from. */
function detach(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

/** For tests: forget every cached domain. */
export function clearDomainCache(): void {
  young.clear();
  old.clear();
  frontKeys = new Array<string | undefined>(FRONT_SIZE).fill(undefined);
  frontInfo = new Array<DomainInfo | undefined>(FRONT_SIZE).fill(undefined);
}
