/**
 * Cells that hold a good address in noise: spreadsheets and CRMs wrap addresses in quotation marks,
 * leave invisible characters in them, append markup or a separator, or paste a whole mailto: link.
 * unwrapCell() takes the noise off and says, in words, what it took off; the address engine then
 * judges what is left. Only certain repairs live here: nothing that could change which mailbox the
 * address names (a space or a comma inside stays a syntax error, with a suggestion).
 *
 * One rule for invisible and space-like characters: ASCII spaces and tabs at the ends of a cell are
 * CSV padding and go silently; every other blank (no-break, ideographic, thin spaces) at the ends and
 * every invisible character anywhere (zero-width space, word joiner, byte-order mark, soft hyphen)
 * is removed and reported as a repair. Bidirectional controls are not removed: they reorder what the
 * reader sees, so the address on screen is not certainly the one stored (that stays invalid).
 */

/** Invisible characters that change nothing a reader sees, with the name used in details. */
const INVISIBLE_NAMES: Readonly<Record<string, string>> = {
  '\u00ad': 'soft hyphen',
  '\u180e': 'Mongolian vowel separator',
  '\u200b': 'zero-width space',
  '\u200c': 'zero-width non-joiner',
  '\u200d': 'zero-width joiner',
  '\u2060': 'word joiner',
  '\u2061': 'invisible function application',
  '\u2062': 'invisible times',
  '\u2063': 'invisible separator',
  '\u2064': 'invisible plus',
  '\ufeff': 'byte-order mark',
};
const INVISIBLE = /[\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff]/g;

/** Blank characters other than ASCII space and tab (those are trimmed silently). */
const OTHER_BLANK = '\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000';
const EDGE_ASCII_BLANK = /^[ \t]+|[ \t]+$/g;
const LEADING_OTHER_BLANK = new RegExp(`^[${OTHER_BLANK} \\t]+`);
const TRAILING_OTHER_BLANK = new RegExp(`[${OTHER_BLANK} \\t]+$`);

/** Opening and closing quotation marks a spreadsheet or a word processor wraps text in. */
const OPENING_QUOTES = '"\'`\u201c\u201d\u201e\u2018\u2019\u201a\u00ab\u00bb\u2039\u203a\u300c\u300e';
const CLOSING_QUOTES = '"\'`\u201c\u201d\u201f\u2018\u2019\u201b\u00ab\u00bb\u2039\u203a\u300d\u300f';
const GUILLEMETS = '\u00ab\u00bb\u2039\u203a';

/** An HTML tag with no @ in it (`<br>`, `<br/>`, `</p>`, `<span class="x">`) at either end of the cell. */
const LEADING_TAG = /^<\/?[A-Za-z][A-Za-z0-9]*(?:\s[^<>@]*)?\/?>/;
const TRAILING_TAG = /<\/?[A-Za-z][A-Za-z0-9]*(?:\s[^<>@]*)?\/?>$/;
const MAILTO = /^mailto:/i;
/** Separators left at the ends of a cell cut from a list (`ivan@gmail.com;`). */
const EDGE_SEPARATORS = /^[;,]+|[;,]+$/g;

export interface UnwrappedCell {
  /** The cell without its noise. */
  text: string;
  /** What was taken off, one phrase each ("the address is wrapped in quotation marks"). */
  repairs: string[];
}

function codePoint(c: string): string {
  return `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Remove invisible characters, naming the first one and where it was (1-based, in the cell as given). */
function dropInvisible(cell: string, repairs: string[]): string {
  const first = /[\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff]/.exec(cell);
  if (first === null) return cell;
  const count = cell.match(INVISIBLE)?.length ?? 1;
  const name = INVISIBLE_NAMES[first[0]] ?? 'invisible character';
  const more = count > 1 ? ` (and ${count - 1} more invisible character${count > 2 ? 's' : ''})` : '';
  repairs.push(`an invisible ${name} (${codePoint(first[0])}) at position ${first.index + 1}${more}`);
  return cell.replace(INVISIBLE, '');
}

function dropOtherBlanks(s: string, repairs: string[]): string {
  const lead = LEADING_OTHER_BLANK.exec(s);
  const trail = TRAILING_OTHER_BLANK.exec(s);
  const blanks = `${lead?.[0] ?? ''}${trail?.[0] ?? ''}`.replace(/[ \t]/g, '');
  if (blanks.length === 0) return s;
  const kind = blanks.includes('\u00a0') ? 'a no-break space' : blanks.includes('\u3000') ? 'an ideographic space' : `a space-like character (${codePoint(blanks[0]!)})`;
  repairs.push(`${kind} at the ${lead !== null && /[^ \t]/.test(lead[0]) ? 'start' : 'end'} of the cell`);
  return s.replace(LEADING_OTHER_BLANK, '').replace(TRAILING_OTHER_BLANK, '');
}

/** One pass of the removable wrappers; returns the text unchanged when none applies. */
function dropWrapper(s: string, repairs: string[]): string {
  const first = s[0] ?? '';
  const last = s[s.length - 1] ?? '';
  if (s.length > 2 && OPENING_QUOTES.includes(first) && CLOSING_QUOTES.includes(last)) {
    const inner = s.slice(1, -1);
    // `"john smith"@example.com` is a quoted local part, not a wrapped address: only a cell that
    // starts and ends with a quote, with no ASCII double quote inside, is unwrapped.
    if (!inner.includes('"') && inner.includes('@')) {
      repairs.push(GUILLEMETS.includes(first) ? 'the address is wrapped in guillemets' : 'the address is wrapped in quotation marks');
      return inner.trim();
    }
  }
  const tag = LEADING_TAG.exec(s) ?? TRAILING_TAG.exec(s);
  if (tag !== null && s.length > tag[0].length) {
    repairs.push(`the cell contains HTML markup (${tag[0].slice(0, 20)})`);
    return s.replace(tag[0], '').trim();
  }
  if (MAILTO.test(s)) {
    const rest = s.slice(7);
    const query = rest.indexOf('?');
    repairs.push(query >= 0 ? 'the cell is a mailto: link with a query (?subject=...)' : 'the cell is a mailto: link');
    return (query >= 0 ? rest.slice(0, query) : rest).trim();
  }
  if (/^[;,]|[;,]$/.test(s) && s.replace(EDGE_SEPARATORS, '').length > 0) {
    repairs.push(`the cell ${/[;,]$/.test(s) ? 'ends' : 'starts'} with a separator ('${/[;,]$/.test(s) ? last : first}')`);
    return s.replace(EDGE_SEPARATORS, '').trim();
  }
  return s;
}

/**
 * Take the certain noise off a cell: invisible characters, blanks other than ASCII ones at the ends,
 * wrapping quotation marks, HTML tags at the ends, a mailto: prefix and its query, separators at the
 * ends. Repeated until nothing changes (`"<br>john@gmail.com";`), a few rounds at most.
 */
export function unwrapCell(cell: string): UnwrappedCell {
  const repairs: string[] = [];
  let s = dropInvisible(cell, repairs).replace(EDGE_ASCII_BLANK, '');
  s = dropOtherBlanks(s, repairs);
  for (let round = 0; round < 6; round++) {
    const next = dropOtherBlanks(dropWrapper(s, repairs), repairs);
    if (next === s) break;
    s = next;
  }
  return { text: s, repairs };
}

/** Sentence for the repairs: "The address is wrapped in quotation marks; the repaired address is 'x'." */
export function describeRepairs(repairs: readonly string[], address: string): string {
  const what = repairs.join('; ');
  return `${what.charAt(0).toUpperCase()}${what.slice(1)}; the repaired address is '${address}'.`;
}

/** Splits a cell at separators between addresses: `;` `,` `|`, blanks, or a slash between blanks. */
const BETWEEN_ADDRESSES = /\s*[;,|]\s*|\s+\/\s+|\s+/;

/**
 * The parts of a cell that holds several addresses (`a@x.com; b@y.com`, `a@x.com / b@y.com`), or
 * null when it does not look like a list: fewer than two parts, or a part without exactly one @.
 * The parts are not checked here; the engine judges each one.
 */
export function splitAddressList(s: string): string[] | null {
  const parts = s.split(BETWEEN_ADDRESSES).filter((part) => part !== '');
  if (parts.length < 2) return null;
  for (const part of parts) {
    const at = part.indexOf('@');
    if (at <= 0 || part.indexOf('@', at + 1) >= 0) return null;
  }
  return parts;
}
