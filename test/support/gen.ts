/**
 * Generators for the reliability tests: fast-check arbitraries of CSV documents whose records are
 * known by construction (the oracle), free-form "chaos" text, and large lists produced on the fly.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import fc from 'fast-check';

export const DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];
export type LineEndingMode = 'lf' | 'crlf' | 'cr' | 'mixed';

/** A generated CSV document and what a correct reader must find in it. */
export interface GeneratedCsv {
  /** The bytes as a user's file would hold them (BOM and encoding applied). */
  bytes: Buffer;
  /** The decoded text, BOM excluded. */
  text: string;
  delimiter: Delimiter;
  lineEndings: LineEndingMode;
  bom: 'none' | 'utf8' | 'utf16le' | 'utf16be';
  header: string[];
  /** Data records in input order, as the cells written (wrong field counts included). */
  records: string[][];
  /** 1-based line where each record of `records` starts (then the unclosed tail's, if any). */
  lines: number[];
  /** Per record: written with a field count other than the header's (must be reported malformed). */
  wrongCount: boolean[];
  /** Per record: longer than the reader's 1 MiB record limit (must be reported malformed). */
  overLimit: boolean[];
  /** The document ends with an unclosed quote: one more record, reported malformed. */
  unclosedTail: boolean;
  /** The bytes split at random points, to cross chunk boundaries everywhere. */
  chunks: Buffer[];
}

/** Cells meant for the email column and around it: good, bad, wrapped, odd. */
const emailish = fc.oneof(
  fc.constantFrom(
    'ann@example.com',
    'bob@example.org',
    'ANN@EXAMPLE.COM',
    'info@example.com',
    'not an email',
    'x@',
    '@example.com',
    'Ann <ann@example.com>',
    'mailto:cat@example.net',
    'dan@gmial.com',
    'eve@mailinator.com',
    'zoë@bücher.com',
    'a..b@example.com',
    '=HYPERLINK("http://x","y")@example.com',
    '+1@example.com',
    '-@example.com',
    '',
  ),
  fc
    .tuple(
      fc.string({ unit: fc.constantFrom('a', 'b', '.', '+', '-', '_', 'é', '"', ' ', '\u202e'), minLength: 1, maxLength: 10 }),
      fc.constantFrom('example.com', 'example.org', 'exam ple.com', 'xn--bcher-kva.com', 'localhost', '[127.0.0.1]', 'ex_ample.com'),
    )
    .map(([local, domain]) => `${local}@${domain}`),
);

/** Any other cell: text with every character CSV cares about, unicode, formula starters. */
const cellText = fc.oneof(
  { weight: 80, arbitrary: fc.string({ unit: 'grapheme', maxLength: 16 }) },
  { weight: 40, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }).map(stripControls) },
  {
    weight: 80,
    arbitrary: fc.string({
      unit: fc.constantFrom('"', ',', ';', '\t', '|', '\n', '\r', '\r\n', ' ', 'a', '@', '=', '+', '-', 'é', '😀', '\u200f', '\u202e', '\uFEFF', '\u00a0'),
      maxLength: 12,
    }),
  },
  { weight: 20, arbitrary: fc.integer({ min: 1_000, max: 20_000 }).map((n) => 'y'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 100_000, max: 300_000 }).map((n) => 'y'.repeat(n)) },
);

/** C0 controls other than tab/CR/LF make the sniffer call a file binary: tested on their own elsewhere. */
function stripControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

function needsQuotes(cell: string, delimiter: string, lone: boolean): boolean {
  return (
    cell.includes(delimiter) ||
    cell.includes('"') ||
    cell.includes('\n') ||
    cell.includes('\r') ||
    cell.startsWith('\uFEFF') ||
    // A record that is one blank cell would read as a blank line.
    (lone && /^[ \t]*$/.test(cell))
  );
}

function quote(cell: string): string {
  return `"${cell.replace(/"/g, '""')}"`;
}

/** 1 MiB and a bit: one record over the reader's limit. */
const OVER_LIMIT = 1024 * 1024 + 17;

const recordPlan = (width: number) =>
  fc.record({
    cells: fc.array(fc.oneof({ weight: 1, arbitrary: emailish }, { weight: 2, arbitrary: cellText }), { minLength: width, maxLength: width }),
    email: emailish,
    /** -2..+2 fields; 0 most of the time. */
    countChange: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: -2, max: 2 }) }),
    overLimit: fc.oneof({ weight: 300, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    quoteAll: fc.array(fc.boolean(), { minLength: width + 2, maxLength: width + 2 }),
    blankLinesBefore: fc.array(fc.constantFrom('', ' ', '   '), { maxLength: 2 }),
  });

export const csvDocument: fc.Arbitrary<GeneratedCsv> = fc
  .record({
    width: fc.integer({ min: 1, max: 6 }),
    delimiter: fc.constantFrom(...DELIMITERS),
    lineEndings: fc.constantFrom<LineEndingMode>('lf', 'crlf', 'cr', 'mixed'),
    bom: fc.constantFrom<GeneratedCsv['bom']>('none', 'none', 'none', 'utf8', 'utf16le', 'utf16be'),
    finalNewline: fc.boolean(),
    unclosedTail: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    tailText: fc.string({ unit: fc.constantFrom('a', ' ', ',', ';', 'é', '@'), maxLength: 20 }),
    seed: fc.integer(),
    splits: fc.array(fc.nat(), { maxLength: 8 }),
  })
  .chain((doc) =>
    fc.tuple(
      fc.constant(doc),
      fc.integer({ min: 0, max: doc.width - 1 }),
      fc.array(recordPlan(doc.width), { maxLength: 25 }),
      fc.array(fc.constantFrom<'\n' | '\r\n' | '\r'>('\n', '\r\n', '\r'), { minLength: 60, maxLength: 60 }),
    ),
  )
  .map(([doc, emailAt, plans, mixedEndings]) => {
    const { width } = doc;
    // A one-column file has no delimiter to detect: readers (ours included) call it ','.
    const delimiter: Delimiter = width === 1 ? ',' : doc.delimiter;
    let endingIndex = 0;
    const ending = (): string =>
      doc.lineEndings === 'lf' ? '\n' : doc.lineEndings === 'crlf' ? '\r\n' : doc.lineEndings === 'cr' ? '\r' : (mixedEndings[endingIndex++ % mixedEndings.length] as string);

    const header = Array.from({ length: width }, (_, i) => (i === emailAt ? 'email' : `col${i + 1}`));
    const parts: string[] = [header.join(delimiter)];
    const records: string[][] = [];
    const wrongCount: boolean[] = [];
    const overLimit: boolean[] = [];
    const starts: number[] = [];
    let length = parts[0]!.length;
    const add = (piece: string): void => {
      parts.push(piece);
      length += piece.length;
    };

    for (const plan of plans) {
      let cells = plan.cells.slice();
      cells[emailAt] = plan.email;
      const count = Math.max(1, width + plan.countChange);
      while (cells.length < count) cells.push(`extra${cells.length}`);
      cells = cells.slice(0, count);
      const long = plan.overLimit;
      if (long) {
        // One physical line: no other cell may hold a line break (the reader skips to the line's end).
        cells = cells.map((cell) => cell.replace(/[\r\n]/g, ' '));
        cells[cells.length - 1] = 'z'.repeat(OVER_LIMIT);
      }
      add(ending());
      for (const blank of plan.blankLinesBefore) add(blank + ending());
      starts.push(length);
      const lone = cells.length === 1;
      add(cells.map((cell, i) => (plan.quoteAll[i] || needsQuotes(cell, delimiter, lone) ? quote(cell) : cell)).join(delimiter));
      records.push(cells);
      wrongCount.push(count !== width);
      overLimit.push(long);
    }
    if (doc.unclosedTail) {
      add(ending());
      starts.push(length);
      add(`tail${delimiter}"${doc.tailText}`);
    } else if (doc.finalNewline) {
      add(ending());
    }
    const text = parts.join('');
    const lines = lineNumbersAt(text, starts);

    const body =
      doc.bom === 'utf16le'
        ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
        : doc.bom === 'utf16be'
          ? Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()])
          : Buffer.concat([doc.bom === 'utf8' ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, 'utf8')]);
    return {
      bytes: body,
      text,
      delimiter,
      lineEndings: doc.lineEndings,
      bom: doc.bom,
      header,
      records,
      lines,
      wrongCount,
      overLimit,
      unclosedTail: doc.unclosedTail,
      chunks: splitAt(body, doc.splits),
    };
  });

/** Line (1-based, LF, CR and CRLF each one break) at each offset of `starts` (ascending). */
function lineNumbersAt(text: string, starts: number[]): number[] {
  const out: number[] = [];
  let line = 1;
  let at = 0;
  for (const start of starts) {
    for (; at < start; at++) {
      const c = text.charCodeAt(at);
      if (c === 10) line++;
      else if (c === 13) {
        line++;
        if (text.charCodeAt(at + 1) === 10) at++;
      }
    }
    out.push(line);
  }
  return out;
}

function splitAt(bytes: Buffer, points: number[]): Buffer[] {
  if (bytes.length === 0) return [bytes];
  const cuts = [...new Set(points.map((p) => p % bytes.length))].filter((p) => p > 0).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of cuts) {
    chunks.push(bytes.subarray(from, cut));
    from = cut;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

/**
 * Free-form text built from the characters CSV cares about: stray and unclosed quotes, delimiters of
 * every kind, every line ending, addresses, BOMs in odd places. No structure is promised.
 */
export const chaosDocument: fc.Arbitrary<{ bytes: Buffer; chunks: Buffer[] }> = fc
  .tuple(
    fc.constantFrom('', '\uFEFF'),
    fc.array(
      fc.oneof(
        fc.constantFrom('"', '""', ',', ';', '\t', '|', '\n', '\r', '\r\n', ' ', 'email', 'name', 'a@example.com', 'x@y', '\uFEFF', '=1+1', '@SUM(A1)'),
        fc.string({ unit: 'grapheme', maxLength: 6 }),
      ),
      { maxLength: 120 },
    ),
    fc.array(fc.nat(), { maxLength: 6 }),
  )
  .map(([bom, pieces, splits]) => {
    const bytes = Buffer.from(bom + pieces.join(''), 'utf8');
    return { bytes, chunks: splitAt(bytes, splits) };
  });

/**
 * A large list generated on the fly: `rows` data rows after an `id,email,name,notes` header, each row
 * `filler` bytes of notes long. Addresses are valid and distinct (nothing is a duplicate).
 */
export function bigListStream(rows: number, filler = 0): Readable {
  const notes = 'n'.repeat(filler);
  let i = 0;
  return new Readable({
    read() {
      if (i === 0) this.push('id,email,name,notes\n');
      let chunk = '';
      while (i < rows && chunk.length < 256 * 1024) {
        i++;
        chunk += `${i},user${i}@example${i % 1000}.com,Name ${i},${notes}\n`;
      }
      if (chunk.length > 0) this.push(chunk);
      if (i >= rows) this.push(null);
    },
  });
}

/** Write bigListStream(rows) to `path`. */
export async function writeBigList(path: string, rows: number, filler = 0): Promise<void> {
  const out = createWriteStream(path);
  for await (const chunk of bigListStream(rows, filler)) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
