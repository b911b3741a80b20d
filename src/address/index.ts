/**
 * The pure address engine: one cell in, one offline verdict out (syntax, unusual forms, disposable,
 * role and typo domains) plus the ASCII domain DNS should verify. No I/O; never throws.
 *
 * Two paths share every rule after parsing:
 * - the fast path: a precompiled regex for the common plain ASCII `dot-atom@ldh-domain` form;
 * - the full path: a linear structural scan (precise error sentences, bounded work), then the
 *   RFC 5322 parser from `email-addresses` for quotes, comments, literals and non-ASCII text.
 * On every input the fast path accepts, both give deep-equal results (a property test checks it).
 *
 * Precedence of findings: invalid (syntax) first; then among risky findings
 * typo_domain > disposable > role_account > unusual_syntax (a typo is the one the list owner can
 * fix, and it makes the other findings about the wrong domain moot).
 */
import { isIPv6 } from 'node:net';
import emailAddresses from 'email-addresses';
import type { AddressAnalysis } from '../types.js';
import { makeVerdict } from '../verdict.js';
import { describeRepairs, splitAddressList, unwrapCell } from './cell.js';
import { confusableToAscii } from './confusables.js';
import { domainInfo, type DomainInfo } from './domain.js';
import { ROLE_LOCAL_PARTS } from './lists.js';
import { scanAddrSpec } from './scan.js';

export { damerauLevenshtein, suggestDomain, LEGIT_DOMAINS } from './typo.js';
export { domainInfo, clearDomainCache, isRealTld } from './domain.js';
export { ROLE_LOCAL_PARTS, MAJOR_PROVIDERS } from './lists.js';
export { splitAddressList, unwrapCell } from './cell.js';

/** Longest cell (after trimming) the engine will look at; longer cells are rejected unparsed. */
export const MAX_INPUT_LENGTH = 1000;

/** White space trimmed from both ends of a cell (CR/LF and other controls are not white space here). */
const EDGE_SPACE = /^[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\ufeff]+|[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\ufeff]+$/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** C0/C1 controls except TAB, DEL, line/paragraph separators. */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]/;
/**
 * Bidirectional controls: they reorder what a reader sees, so no repair is certain. (Invisible
 * characters that change nothing on screen, zero-width spaces and the like, are repaired: cell.ts.)
 */
const BIDI_CONTROL = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const MAILTO = /^mailto:/i;
const NON_ASCII = /[^\x00-\x7f]/;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * The fast path's grammar: plain ASCII dot-atom local part @ letters/digits/hyphens labels, i.e.
 *   /^([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)$/
 * which FAST_PATTERN spells out and plainAt() implements as a scan over a character table: the
 * regex's match array and capture strings cost ~100 ns a row, the scan allocates nothing. A
 * property test checks that the two agree on every input.
 */
export const FAST_PATTERN = /^([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)$/;

/** Character classes of the fast path: atext (RFC 5322 3.2.3, ASCII) and a domain label's LDH. */
const ATEXT = 1;
const LDH = 2;
const CHAR_CLASS = new Uint8Array(128);
for (const c of "!#$%&'*+/=?^_`{|}~") CHAR_CLASS[c.charCodeAt(0)] = ATEXT;
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-') CHAR_CLASS[c.charCodeAt(0)] = ATEXT | LDH;

/**
 * From `from`, a run of `cls` characters in dot-separated parts, up to `stop` (a char code) or the
 * end: where it ends, or -1 when it is empty, a dot leads, trails or doubles, or another character
 * comes first.
 */
function dotPartsEnd(s: string, from: number, cls: number, stop: number): number {
  let afterDot = true; // at the start, as after a dot: a dot here would be leading
  let i = from;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2e) {
      if (afterDot) return -1;
      afterDot = true;
    } else if (c === stop) {
      break;
    } else if (c < 128 && (CHAR_CLASS[c]! & cls) !== 0) {
      afterDot = false;
    } else {
      return -1;
    }
  }
  return afterDot ? -1 : i;
}

/** Where the '@' is when `s` matches FAST_PATTERN whole, else -1. */
export function plainAt(s: string): number {
  const at = dotPartsEnd(s, 0, ATEXT, 0x40);
  if (at < 0 || at === s.length) return -1; // a bad local part, or no '@'
  // The domain: no stop character, so a second '@' is just a character that is not LDH.
  return dotPartsEnd(s, at + 1, LDH, -1) === s.length ? at : -1;
}

interface Flags {
  quoted: boolean;
  comment: boolean;
  /** The cell wrapped the address (`Name <addr>`, `<addr>`): not importable as is. */
  wrapped: boolean;
  /** Certain repairs made to the cell (quotes, invisible characters, markup, mailto:), in words. */
  repairs: readonly string[];
}

const NO_REPAIRS: readonly string[] = [];
const NO_FLAGS: Flags = { quoted: false, comment: false, wrapped: false, repairs: NO_REPAIRS };

function octets(s: string): number {
  // Fast for ASCII; Buffer.byteLength for the rest.
  return NON_ASCII.test(s) ? Buffer.byteLength(s, 'utf8') : s.length;
}

function codePoint(c: string): string {
  return `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

function invalid(input: string, detail: string, suggestion?: string, repairs: readonly string[] = NO_REPAIRS): AddressAnalysis {
  const also = repairs.length === 0 ? '' : ` (Also: ${repairs.join('; ')}.)`;
  return { verdict: makeVerdict(input, null, 'syntax', detail + also, suggestion), domain: null };
}

/**
 * (length, first letter folded) of every role name: a plain ASCII local part whose pair is not here
 * cannot be a role name (ASCII lower-casing keeps the length and folds only A-Z), so most rows skip
 * the slice, the lower-casing and the set lookup on a fresh string (~200 ns a row).
 */
const ROLE_SHAPES: ReadonlySet<number> = new Set([...ROLE_LOCAL_PARTS].map((role) => role.length * 128 + role.charCodeAt(0)));

export function isRoleAccount(local: string): boolean {
  const plus = local.indexOf('+');
  const end = plus >= 0 ? plus : local.length;
  let first = local.charCodeAt(0);
  if (first >= 0x41 && first <= 0x5a) first += 0x20;
  if (first < 0x80 && !ROLE_SHAPES.has(end * 128 + first)) {
    let ascii = true;
    for (let i = 1; i < end; i++) {
      if (local.charCodeAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return false;
  }
  const base = (plus >= 0 ? local.slice(0, plus) : local).toLowerCase();
  return ROLE_LOCAL_PARTS.has(base);
}

type Pre = { ok: true; s: string; wrapped: boolean; repairs: readonly string[] } | { ok: false; result: AddressAnalysis };

function empty(input: string, repairs: readonly string[]): AddressAnalysis {
  const what = repairs.length === 0 ? '' : ` (it held only ${repairs.join('; ')})`;
  return { verdict: makeVerdict(input, null, 'empty', `The cell is empty${what}: there is no address to check.`), domain: null };
}

/**
 * Shared first step: noise off (cell.ts), length cap, broken characters, `Name <addr>`.
 * Returns the bare addr-spec text, or a finished (invalid) analysis.
 */
function prepare(input: string): Pre {
  const cell = input.length > MAX_INPUT_LENGTH * 2 ? { text: input.replace(EDGE_SPACE, ''), repairs: NO_REPAIRS } : unwrapCell(input);
  let s = cell.text;
  const repairs = cell.repairs.length === 0 ? NO_REPAIRS : cell.repairs;
  if (s.length === 0) return { ok: false, result: empty(input, repairs) };
  if (s.length > MAX_INPUT_LENGTH) {
    return {
      ok: false,
      result: invalid(input, `The cell is ${s.length} characters long; no email address is longer than 254.`),
    };
  }
  if (LONE_SURROGATE.test(s)) {
    return { ok: false, result: invalid(input, 'The address contains a broken character (an unpaired UTF-16 surrogate).') };
  }
  const ctl = CONTROL.exec(s);
  if (ctl !== null) {
    return { ok: false, result: invalid(input, `The address contains a control character (${codePoint(ctl[0])}).`) };
  }
  const bidi = BIDI_CONTROL.exec(s);
  if (bidi !== null) {
    return { ok: false, result: invalid(input, `The address contains an invisible formatting character (${codePoint(bidi[0])}).`) };
  }
  let wrapped = false;
  if (s.endsWith('>')) {
    wrapped = true;
    // `Display Name <addr>`: find the last '<' outside quoted strings.
    let lt = -1;
    let inQuote = false;
    for (let i = 0; i < s.length - 1; i++) {
      const c = s[i];
      if (inQuote) {
        if (c === '\\') i++;
        else if (c === '"') inQuote = false;
      } else if (c === '"') inQuote = true;
      else if (c === '<') lt = i;
    }
    if (lt < 0) return { ok: false, result: invalid(input, "The address contains an unmatched '>'.") };
    const display = s.slice(0, lt);
    if (/@/.test(display.replace(/"(?:[^"\\]|\\.)*"/g, ''))) {
      const list = emailAddresses.parseAddressList({ input: s, rfc6532: true });
      const parts = list?.map((item) => (item.type === 'mailbox' ? item.address : '')) ?? [];
      return {
        ok: false,
        result:
          multipleAddresses(input, parts) ??
          invalid(input, 'The cell holds more than one address (separated by a comma, semicolon or space).', undefined, repairs),
      };
    }
    s = s.slice(lt + 1, -1).replace(EDGE_SPACE, '');
    if (MAILTO.test(s)) s = s.slice(7).replace(EDGE_SPACE, '');
    if (s.length === 0) return { ok: false, result: invalid(input, 'The angle brackets <> hold no address.') };
  }
  return { ok: true, s, wrapped, repairs };
}

/**
 * The verdict for a cell that lists several addresses, each well formed on its own (a part that is
 * invalid makes the whole cell a syntax error), or undefined. Risky, not invalid: removing the row
 * would throw every subscriber in it away; `--split` writes one row per address.
 */
function multipleAddresses(input: string, parts: readonly string[]): AddressAnalysis | undefined {
  if (parts.length < 2) return undefined;
  const found: string[] = [];
  for (const part of parts) {
    const { verdict } = analyzeAddress(part);
    if (verdict.status === 'invalid' || verdict.reason === 'multiple_addresses') return undefined;
    found.push(verdict.suggestion ?? verdict.address ?? part);
  }
  const detail = `The cell holds ${found.length} addresses: ${found.join(', ')}.`;
  return { verdict: makeVerdict(input, null, 'multiple_addresses', detail), domain: null };
}

function checkLiteral(input: string, local: string, literal: string, flags: Flags): AddressAnalysis {
  const inner = literal.slice(1, -1);
  let ok = IPV4.test(inner);
  if (!ok && /^ipv6:/i.test(inner)) {
    const v6 = inner.slice(5);
    ok = !v6.includes('%') && isIPv6(v6);
  }
  if (!ok) return invalid(input, `The IP address literal ${literal.slice(0, 60)} is malformed.`);
  const address = `${local}@${literal}`;
  const len = octets(address);
  if (len > 254) return invalid(input, `The address is ${len} octets long; the limit is 254.`);
  const detail = flags.quoted
    ? 'The address uses a quoted local part and an IP address literal, which most sending platforms refuse.'
    : 'The domain is an IP address literal, which most sending platforms refuse.';
  return { verdict: makeVerdict(input, address, 'unusual_syntax', detail), domain: null };
}

/**
 * A non-ASCII local part in NFC, so NFC and NFD spellings are one address (and duplicates). Not
 * when NFC would make it ASCII (U+037E becomes ';'): that text was never checked as ASCII.
 */
function nfcLocal(local: string): string {
  if (!NON_ASCII.test(local)) return local;
  const nfc = local.normalize('NFC');
  return NON_ASCII.test(nfc) ? nfc : local;
}

/** Every rule after parsing. Both paths end here, so they agree by construction. */
function finish(input: string, rawLocal: string, rawDomain: string, flags: Flags, asciiLocal = false, exact = false): AddressAnalysis {
  // asciiLocal: the fast path's regex already proved the local part ASCII, so octets are characters.
  // exact: the input is `${local}@${rawDomain}` as it stands (the fast path matched it whole).
  const local = asciiLocal ? rawLocal : nfcLocal(rawLocal);
  const localLen = asciiLocal ? local.length : octets(local);
  if (localLen > 64) return invalid(input, `The local part (before the @) is ${localLen} octets long; the limit is 64.`, undefined, flags.repairs);
  if (rawDomain.startsWith('[')) return checkLiteral(input, local, rawDomain, flags);

  const info = domainInfo(rawDomain);
  // Most cells are already normal: reuse the input rather than building an equal string, which
  // the duplicate index would then have to flatten (a concatenation is a tree until read).
  const address = exact && rawDomain === info.ascii ? input : `${local}@${info.ascii}`;
  const asciiLocalForm = asciiLocal ? undefined : confusableToAscii(local);
  const suggestion = suggestionFor(address, local, info, flags, asciiLocalForm);
  if (info.error !== undefined) return invalid(input, info.error, suggestion, flags.repairs);
  // info.ascii is ASCII by construction, so with an ASCII local part the whole address is.
  const len = asciiLocal ? address.length : octets(address);
  if (len > 254) return invalid(input, `The address is ${len} octets long; the limit is 254.`, suggestion, flags.repairs);
  const domain = info.ascii;
  let reason: 'ok' | 'typo_domain' | 'confusable' | 'disposable' | 'role_account' | 'repaired' | 'unusual_syntax' = 'ok';
  let detail = 'The address is well formed.';
  if (info.suggestion !== undefined && info.confusable === undefined) {
    reason = 'typo_domain';
    detail = `The domain '${domain}' looks like a misspelling of '${info.suggestion}'.`;
  } else if (info.confusable !== undefined || asciiLocalForm !== undefined) {
    reason = 'confusable';
    detail = `The address mixes look-alike letters from another script; in plain ASCII it reads '${suggestion}'.`;
  } else if (info.disposable !== undefined) {
    reason = 'disposable';
    detail =
      info.disposable === domain
        ? `The domain '${domain}' is a disposable (throwaway) mail provider.`
        : `The domain '${domain}' belongs to the disposable mail provider '${info.disposable}'.`;
  } else if (!flags.quoted && isRoleAccount(local)) {
    reason = 'role_account';
    detail = `'${local}' is a role mailbox that reaches a team or a system, not a person.`;
  } else if (flags.repairs.length > 0 && !flags.quoted && !flags.comment && !flags.wrapped) {
    reason = 'repaired';
    detail = describeRepairs(flags.repairs, address);
  } else if (flags.quoted) {
    reason = 'unusual_syntax';
    detail = 'The local part is a quoted string, which most sending platforms refuse.';
  } else if (flags.comment) {
    reason = 'unusual_syntax';
    detail = 'The address contains a comment in parentheses, which most sending platforms refuse.';
  } else if (flags.wrapped) {
    reason = 'unusual_syntax';
    detail = 'The cell wraps the address (display name or angle brackets); import tools expect it bare, which --normalize writes.';
  } else if (!asciiLocal && NON_ASCII.test(local)) {
    reason = 'unusual_syntax';
    detail = 'The local part contains non-ASCII characters (it needs SMTPUTF8), which most sending platforms refuse.';
  }
  // Noise taken off the cell is worth knowing whatever else was found.
  if (flags.repairs.length > 0 && reason !== 'repaired') detail += ` Also: ${flags.repairs.join('; ')}.`;
  return { verdict: makeVerdict(input, address, reason, detail, suggestion), domain };
}

/**
 * The address the list owner most likely wants: the typo or look-alike fixed, else the bare address
 * of a wrapped or repaired cell. Only ever an address that is itself valid (isCleanSuggestion).
 */
function suggestionFor(address: string, local: string, info: DomainInfo, flags: Flags, asciiLocalForm: string | undefined): string | undefined {
  const fixedLocal = asciiLocalForm ?? local;
  if (info.suggestion !== undefined || asciiLocalForm !== undefined) {
    const candidate = `${fixedLocal}@${info.suggestion ?? info.ascii}`;
    return isCleanSuggestion(candidate) ? candidate : undefined;
  }
  if ((flags.wrapped || flags.repairs.length > 0) && info.error === undefined) return address;
  return undefined;
}

/** Whether a suggested address is itself a valid address with nothing left to fix. */
function isCleanSuggestion(candidate: string): boolean {
  const at = plainAt(candidate);
  const { verdict } = at >= 0 ? finish(candidate, candidate.slice(0, at), candidate.slice(at + 1), NO_FLAGS, true, true) : analyzeAddressFull(candidate);
  return verdict.status !== 'invalid' && verdict.suggestion === undefined;
}

/**
 * The fast path alone: a result for plain ASCII `dot-atom@domain` cells, or undefined when the cell
 * needs the full parser. Exported for the equivalence property test.
 */
export function analyzeAddressFast(input: string): AddressAnalysis | undefined {
  // Most cells are already bare printable ASCII: the regex alone proves prepare() would not change them.
  const direct = input.length <= MAX_INPUT_LENGTH ? plainAt(input) : -1;
  if (direct >= 0) return finish(input, input.slice(0, direct), input.slice(direct + 1), NO_FLAGS, true, true);
  const pre = prepare(input);
  if (!pre.ok) return pre.result;
  const at = plainAt(pre.s);
  if (at < 0) return undefined;
  const flags = pre.wrapped || pre.repairs.length > 0 ? { ...NO_FLAGS, wrapped: pre.wrapped, repairs: pre.repairs } : NO_FLAGS;
  return finish(input, pre.s.slice(0, at), pre.s.slice(at + 1), flags, true);
}

/** A repaired spelling of a broken plain address (spaces, stray dots, comma for dot), if it passes. */
function repair(s: string, parser: ParserUse): string | undefined {
  if (/["()[\]\\<>]/.test(s)) return undefined;
  let t = s.replace(/\s+/g, '').replace(/\.{2,}/g, '.').replace(/@{2,}/g, '@');
  const at = t.indexOf('@');
  if (at <= 0 || t.indexOf('@', at + 1) >= 0) return undefined;
  const local = t.slice(0, at).replace(/^\.+|\.+$/g, '');
  const domain = t
    .slice(at + 1)
    .replace(/[,;]/g, '.')
    .replace(/^\.+|\.+$/g, '')
    .replace(/\.{2,}/g, '.');
  t = `${local}@${domain}`;
  if (t === s || local.length === 0) return undefined;
  // The repaired text is usually a plain dot-atom@domain: the fast path gives the same verdict as the
  // full parser there (see analyzeAddressFast), without a pass through email-addresses (~50 us).
  const fast = t.length <= MAX_INPUT_LENGTH && plainAt(t) >= 0 ? analyzeAddressFast(t) : undefined;
  const v = (fast ?? analyzeFullInner(t, t, false, false, NO_REPAIRS, parser)).verdict;
  if (v.status === 'invalid') return undefined;
  return v.suggestion ?? v.address ?? undefined;
}

/** Whether the full path runs the RFC 5322 parser on every sane addr-spec, or only where the scan cannot tell. */
export type ParserUse = 'when-needed' | 'always';

function analyzeFullInner(
  input: string,
  s: string,
  tryRepair: boolean,
  wrapped = false,
  repairs = NO_REPAIRS,
  parser: ParserUse = 'when-needed',
): AddressAnalysis {
  const scan = scanAddrSpec(s);
  if (!scan.ok) {
    const list = tryRepair ? splitAddressList(s) : null;
    return (list === null ? undefined : multipleAddresses(input, list)) ?? invalid(input, scan.detail, tryRepair ? repair(s, parser) : undefined, repairs);
  }
  // The structure is sane and bounded: let the RFC 5322 parser judge the exact grammar, unless the
  // scan saw a form the grammar accepts (~20 us a row saved; a property test checks the verdicts).
  if (!scan.grammatical || parser === 'always') {
    const parsed = emailAddresses.parseOneAddress({ input: s, rfc6532: true });
    if (parsed === null || parsed.type !== 'mailbox') {
      return invalid(input, 'The address does not follow the RFC 5322 grammar.', tryRepair ? repair(s, parser) : undefined, repairs);
    }
  }
  return finish(input, scan.local, scan.domain, { quoted: scan.quoted, comment: scan.comment, wrapped, repairs });
}

/**
 * The full path on every input (the reference the fast path must agree with). Never throws.
 * `parser: 'always'` is the reference of the scan's own shortcut (for the property test).
 */
export function analyzeAddressFull(input: string, parser: ParserUse = 'when-needed'): AddressAnalysis {
  try {
    const pre = prepare(input);
    if (!pre.ok) return pre.result;
    return analyzeFullInner(input, pre.s, true, pre.wrapped, pre.repairs, parser);
  } catch (err) {
    return internalError(input, err);
  }
}

function internalError(input: string, err: unknown): AddressAnalysis {
  const why = err instanceof Error ? err.message : String(err);
  return invalid(typeof input === 'string' ? input : String(input), `The address could not be analyzed (${why.slice(0, 80)}).`);
}

/**
 * Analyze one cell: the offline verdict and the ASCII domain for DNS (null when syntax-invalid or an
 * IP literal). Never throws, whatever the string.
 */
export function analyzeAddress(input: string): AddressAnalysis {
  try {
    if (typeof input !== 'string') input = String(input);
    return analyzeAddressFast(input) ?? analyzeAddressFull(input);
  } catch (err) {
    return internalError(input, err);
  }
}

/**
 * The addresses of a cell that lists several (reason `multiple_addresses`), as written, or null for
 * any other cell. `--split` writes one row per address.
 */
export function addressesInCell(input: string): string[] | null {
  // Every address of a multiple_addresses cell has its own '@' from the cell (the cell is only ever
  // trimmed, never rewritten): a cell with one '@' or none is skipped without a second analysis.
  if (input.indexOf('@') === input.lastIndexOf('@')) return null;
  if (analyzeAddress(input).verdict.reason !== 'multiple_addresses') return null;
  const s = unwrapCell(input).text;
  const parts = splitAddressList(s) ?? emailAddresses.parseAddressList({ input: s, rfc6532: true })?.map((item) => (item.type === 'mailbox' ? item.address : ''));
  return parts === undefined || parts.length < 2 ? null : parts;
}

/** The normalized address (domain lower-case ASCII, local part as written), or null if invalid. */
export function normalizeAddress(input: string): string | null {
  return analyzeAddress(input).verdict.address;
}

/** A likely corrected address (typo domain, repaired syntax), or undefined. */
export function suggestCorrection(address: string): string | undefined {
  return analyzeAddress(address).verdict.suggestion;
}
