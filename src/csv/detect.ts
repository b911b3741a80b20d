/**
 * Delimiter and email-column detection. Pure functions, no I/O.
 */
import { CsvTokenizer } from './tokenizer.js';

/** Delimiters we detect, in order of preference when scores tie. */
export const DELIMITER_CANDIDATES = [',', ';', '\t', '|'] as const;

/**
 * Guess the field delimiter from the start of a file (decoded text). Each candidate is tried with the
 * real tokenizer, so delimiters inside quoted fields do not count. For each candidate, the mode of the
 * field counts (more than one field) is what the rows agree on. Candidates that split the first record
 * (the header) into that same count come first; among them (or among all, when none does) the winner
 * is the one with the most records agreeing, then the larger field count, then the order `,` `;` tab
 * `|`. With no candidate at all (a one-column file) the answer is `,`.
 *
 * The header goes first because cells of free text (a TSV whose notes hold commas) can make a wrong
 * delimiter split more rows alike than the right one does when some rows have a wrong field count,
 * but they rarely split the header into the same number of columns as well.
 *
 * `complete` says whether `sample` is the whole input; otherwise its last (possibly cut) record is
 * ignored.
 */
export function detectDelimiter(sample: string, complete = true): string {
  let best: { delimiter: string; agree: number; fields: number; headerAgrees: boolean } | null = null;
  for (const delimiter of DELIMITER_CANDIDATES) {
    const tokenizer = new CsvTokenizer({ delimiter, maxRecordSize: Number.MAX_SAFE_INTEGER, checkFieldCount: false });
    const events = tokenizer.push(sample);
    if (complete) events.push(...tokenizer.end());
    const counts: number[] = [];
    for (const event of events) {
      if (event.kind === 'record') counts.push(event.fields.length);
      if (counts.length >= 50) break;
    }
    // Mode of the field counts among records with more than one field.
    const freq = new Map<number, number>();
    for (const c of counts) if (c > 1) freq.set(c, (freq.get(c) ?? 0) + 1);
    let modeFields = 0;
    let agree = 0;
    // Equally frequent counts: the header's first (see below), then the larger.
    for (const [fields, n] of freq) {
      if (n > agree || (n === agree && modeFields !== counts[0] && (fields === counts[0] || fields > modeFields))) {
        modeFields = fields;
        agree = n;
      }
    }
    if (agree === 0) continue;
    const headerAgrees = counts[0] === modeFields;
    if (
      best === null ||
      (headerAgrees && !best.headerAgrees) ||
      (headerAgrees === best.headerAgrees && (agree > best.agree || (agree === best.agree && modeFields > best.fields)))
    ) {
      best = { delimiter, agree, fields: modeFields, headerAgrees };
    }
  }
  return best?.delimiter ?? ',';
}

/**
 * Header names for the email column, normalized (see normalizeHeaderName). Exact matches win over
 * names that merely contain one of EMAIL_HEADER_PARTS.
 */
export const EMAIL_HEADER_NAMES: ReadonlySet<string> = new Set([
  'email',
  'emails',
  'mail',
  'emailaddress',
  'emailaddresses',
  'mailaddress',
  'emailadresse', // de, fr (e-mail-adresse, adresse e-mail reversed below)
  'adresseemail',
  'adressemail',
  'adressecourriel',
  'courriel',
  'mel', // fr administration: mél
  'correo',
  'correoelectronico',
  'direcciondecorreo',
  'direcciondecorreoelectronico',
  'emailadres', // nl
  'epost',
  'epostadresse', // no, da
  'epostadress', // sv
  'postaelettronica',
  'indirizzoemail',
  'enderecodeemail',
  'sahkoposti', // fi: sähköposti
  'eposta', // tr: e-posta
  'adresemail', // pl
  'электроннаяпочта',
  'почта',
  'емейл',
  'メール',
  'メールアドレス',
  '电子邮件',
  '电子邮箱',
  '邮箱',
  '이메일',
]);

/** Parts that make a header a weaker ("contains") match. */
export const EMAIL_HEADER_PARTS = ['email', 'courriel', 'correo', 'epost', 'mailaddress', 'メール', '邮箱', '이메일'];

/** Lower-case, strip accents, keep letters and digits only: "E-mail Address" -> "emailaddress". */
export function normalizeHeaderName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

const ADDRESS_LIKE = /^<?[^\s@<>]+@[^\s@<>]+>?$/;

/** Share of the non-empty cells of a column that look like addresses, and how many do. */
function contentScore(rows: readonly (readonly string[])[], index: number): { score: number; hits: number; nonEmpty: number } {
  let nonEmpty = 0;
  let hits = 0;
  for (const row of rows) {
    const cell = row[index]?.trim();
    if (!cell) continue;
    nonEmpty++;
    if (cell.includes('@') && ADDRESS_LIKE.test(cell)) hits++;
  }
  return { score: nonEmpty === 0 ? 0 : hits / nonEmpty, hits, nonEmpty };
}

export interface EmailColumnMatch {
  /** 0-based column index. */
  index: number;
  /** How it was found. */
  source: 'header' | 'content';
}

/**
 * Find the email column.
 *
 * 1. Header names that are an email word exactly (after normalization: case, accents, spaces,
 *    underscores and hyphens ignored), e.g. `Email`, `E-mail address`, `courriel`, `Correo electrónico`.
 *    With sample rows, the first such column whose cells look like addresses; else the first one.
 * 2. Header names containing an email word (`work_email`, `email_primary`), only when their cells look
 *    like addresses (so `email_opt_in` with yes/no values is not taken), or without sample rows.
 * 3. Content: the column where most non-empty cells look like addresses (at least half of them).
 *
 * Returns null when nothing fits.
 */
export function findEmailColumn(
  header: readonly string[] | null,
  sampleRows: readonly (readonly string[])[],
): EmailColumnMatch | null {
  const rows = sampleRows;
  if (header !== null) {
    const normalized = header.map(normalizeHeaderName);
    const exact = normalized.flatMap((name, index) => (EMAIL_HEADER_NAMES.has(name) ? [index] : []));
    const partial = normalized.flatMap((name, index) =>
      !EMAIL_HEADER_NAMES.has(name) && EMAIL_HEADER_PARTS.some((part) => name.includes(part)) ? [index] : [],
    );
    if (rows.length === 0) {
      const first = exact[0] ?? partial[0];
      return first === undefined ? null : { index: first, source: 'header' };
    }
    for (const index of exact) {
      const { score, nonEmpty } = contentScore(rows, index);
      if (score >= 0.3 || nonEmpty === 0) return { index, source: 'header' };
    }
    let bestPartial: { index: number; score: number } | null = null;
    for (const index of partial) {
      const { score } = contentScore(rows, index);
      if (score >= 0.5 && (bestPartial === null || score > bestPartial.score)) bestPartial = { index, score };
    }
    if (bestPartial !== null) return { index: bestPartial.index, source: 'header' };
    const byContent = findByContent(rows);
    if (byContent !== null) return byContent;
    // The header says so even if the cells are junk: every row will then be reported as invalid.
    if (exact[0] !== undefined) return { index: exact[0], source: 'header' };
    return null;
  }
  return findByContent(rows);
}

function findByContent(rows: readonly (readonly string[])[]): EmailColumnMatch | null {
  const width = rows.reduce((max, row) => Math.max(max, row.length), 0);
  let best: { index: number; score: number; hits: number } | null = null;
  for (let index = 0; index < width; index++) {
    const { score, hits } = contentScore(rows, index);
    if (hits === 0 || score < 0.5) continue;
    if (best === null || hits > best.hits || (hits === best.hits && score > best.score)) best = { index, score, hits };
  }
  return best === null ? null : { index: best.index, source: 'content' };
}

/** Does this cell look like an email address (used to tell a header row from a data row)? */
export function looksLikeAddress(cell: string): boolean {
  const trimmed = cell.trim();
  return trimmed.includes('@') && ADDRESS_LIKE.test(trimmed) && /@[^@]+\.[^@]+$/.test(trimmed);
}
