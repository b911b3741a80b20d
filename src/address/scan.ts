/**
 * A cheap, linear structural scan of one addr-spec (display name already removed). It finds the
 * definite errors with a precise sentence (no @, several @, several addresses, stray dots, spaces,
 * forbidden characters, unclosed quotes/comments/literals) BEFORE the full RFC 5322 parser runs, and
 * caps comment nesting so hostile input cannot make that parser slow.
 */

export interface ScanOk {
  ok: true;
  /** Local part as written, comments removed, quotes kept. */
  local: string;
  /** Domain as written, comments removed (may be an `[...]` literal). */
  domain: string;
  quoted: boolean;
  comment: boolean;
  /**
   * The RFC 5322 grammar accepts this addr-spec as it is, so the full parser need not run: no comment,
   * no domain literal, and the local part a dot-atom or ONE quoted string of qtext, quoted pairs and
   * spaces. (The scan has already checked the dot-atoms: atext or non-ASCII between single dots.)
   */
  grammatical: boolean;
}

export interface ScanError {
  ok: false;
  detail: string;
}

export type ScanResult = ScanOk | ScanError;

/** Comment nesting and count limits: real addresses have none; RFC forms rarely more than one. */
const MAX_COMMENT_DEPTH = 4;
const MAX_COMMENTS = 8;

const ATEXT_ASCII = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]$/;
const SPACE = /^[\s\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]$/;

function fail(detail: string): ScanError {
  return { ok: false, detail };
}

function show(c: string): string {
  if (c === "'") return '"\'"';
  return `'${c}'`;
}

/** Local-part check outside quoted strings: dots and characters. */
function checkLocal(local: string): string | undefined {
  if (local.length === 0) return 'There is nothing before the @ sign.';
  let inQuote = false;
  let prevDot = false;
  for (let i = 0; i < local.length; i++) {
    const c = local[i]!;
    if (inQuote) {
      if (c === '\\') i++;
      else if (c === '"') inQuote = false;
      prevDot = false;
      continue;
    }
    if (c === '"') {
      inQuote = true;
      prevDot = false;
      continue;
    }
    if (c === '.') {
      if (i === 0) return 'The local part (before the @) starts with a dot.';
      if (prevDot) return 'There are two consecutive dots in the local part.';
      if (i === local.length - 1) return 'The local part (before the @) ends with a dot.';
      prevDot = true;
      continue;
    }
    prevDot = false;
    if (c.charCodeAt(0) >= 0x80) continue; // RFC 6532 UTF-8; judged later
    if (!ATEXT_ASCII.test(c)) {
      if (c === '<' || c === '>') return `The address contains an unmatched ${show(c)}.`;
      return `The local part contains ${show(c)}, which is not allowed outside a quoted string.`;
    }
  }
  return undefined;
}

function checkDomain(domain: string): string | undefined {
  if (domain.length === 0) return 'There is nothing after the @ sign.';
  if (domain.startsWith('[')) {
    if (!domain.endsWith(']') || domain.indexOf(']') !== domain.length - 1) {
      return 'Text follows the IP address literal in brackets.';
    }
    return undefined;
  }
  if (domain.startsWith('.')) return 'The domain starts with a dot.';
  if (domain.endsWith('.')) return 'The domain ends with a dot (a trailing dot is not allowed in an email address).';
  if (domain.includes('..')) return 'The domain contains two consecutive dots.';
  for (const c of domain) {
    if (c === '.' || c.charCodeAt(0) >= 0x80 || ATEXT_ASCII.test(c)) continue;
    if (c === '<' || c === '>') return `The address contains an unmatched ${show(c)}.`;
    return `The domain contains ${show(c)}; a host name may only use letters, digits and hyphens.`;
  }
  return undefined;
}

/**
 * `local` is exactly one quoted-string (RFC 5322 3.2.4, with RFC 6532's UTF-8): qtext (printable
 * ASCII but '"' and '\\', or non-ASCII), white space, and quoted pairs ('\\' + VCHAR or WSP).
 */
function isQuotedString(local: string): boolean {
  const last = local.length - 1;
  if (last < 1 || local.charCodeAt(0) !== 0x22 || local.charCodeAt(last) !== 0x22) return false;
  for (let i = 1; i < last; i++) {
    let c = local.charCodeAt(i);
    if (c === 0x5c) {
      if (++i >= last) return false;
      c = local.charCodeAt(i);
      if (c === 0x22 || c === 0x5c) continue;
    }
    const qtextOrSpace = c === 0x20 || c === 0x09 || c === 0x21 || (c >= 0x23 && c <= 0x7e && c !== 0x5c) || c >= 0x80;
    if (!qtextOrSpace) return false;
  }
  return true;
}

/** Scan an addr-spec. `s` is trimmed, well-formed UTF-16 without control characters. */
export function scanAddrSpec(s: string): ScanResult {
  let out = '';
  const ats: number[] = [];
  const seps: number[] = [];
  let depth = 0;
  let comments = 0;
  let inQuote = false;
  let inLiteral = false;
  let quoted = false;
  let space = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (depth > 0) {
      if (c === '\\') i++;
      else if (c === '(') {
        if (++depth > MAX_COMMENT_DEPTH) return fail('The address has comments nested too deeply.');
      } else if (c === ')') depth--;
      continue;
    }
    if (inQuote) {
      out += c;
      if (c === '\\' && i + 1 < s.length) out += s[++i];
      else if (c === '"') inQuote = false;
      continue;
    }
    if (inLiteral) {
      out += c;
      if (c === ']') inLiteral = false;
      else if (c === '[' || c === '\\') return fail(`The IP address literal contains ${show(c)}.`);
      continue;
    }
    switch (c) {
      case '"':
        inQuote = true;
        if (ats.length === 0) quoted = true;
        out += c;
        break;
      case '(':
        depth = 1;
        if (++comments > MAX_COMMENTS) return fail('The address has too many comments in parentheses.');
        break;
      case ')':
        return fail("The address has a ')' without a matching '('.");
      case '[':
        inLiteral = true;
        out += c;
        break;
      case '@':
        ats.push(out.length);
        out += c;
        break;
      case ',':
      case ';':
        seps.push(out.length);
        out += c;
        break;
      default:
        if (SPACE.test(c)) {
          space = true;
          seps.push(out.length);
        }
        out += c;
    }
  }
  if (depth > 0) return fail("The address has an unclosed comment: '(' without ')'.");
  if (inQuote) return fail('The address has an unclosed quotation mark.');
  if (inLiteral) return fail("The address has an unclosed '[' (IP address literal).");
  if (ats.length === 0) return fail('The address has no @ sign.');
  if (ats.length > 1) {
    const first = ats[0]!;
    const last = ats[ats.length - 1]!;
    if (seps.some((p) => p > first && p < last)) {
      return fail('The cell holds more than one address (separated by a comma, semicolon or space).');
    }
    return fail(`The address has ${ats.length} @ signs; only one is allowed outside a quoted string.`);
  }
  if (space) return fail('The address contains a space outside a quoted string.');
  const at = ats[0]!;
  const local = out.slice(0, at);
  const domain = out.slice(at + 1);
  const localError = checkLocal(local);
  if (localError !== undefined) return fail(localError);
  const domainError = checkDomain(domain);
  if (domainError !== undefined) return fail(domainError);
  const grammatical = comments === 0 && !domain.startsWith('[') && (!quoted || isQuotedString(local));
  return { ok: true, local, domain, quoted, comment: comments > 0, grammatical };
}
