/**
 * A small streaming RFC 4180 tokenizer, tuned for list hygiene rather than general CSV work.
 *
 * Why not csv-parse for reading (it is used for nothing else here, csv-stringify writes): with
 * csv-parse 7 a CRLF inside a quoted field counts as two lines, the record delimiter is fixed by the
 * first line (mixed endings leave `\r` in cells), there is no "line where the record starts", and
 * `max_record_size` together with `skip_records_with_error` reports the same record several times and
 * silently drops the records after it. Every record must come out exactly once here, so this
 * tokenizer owns those rules:
 *
 * - Records end at LF, CRLF or a lone CR outside quotes; lines are counted the same way everywhere.
 * - Quotes open a quoted field only at the start of a field; `""` inside is one quote. A quote in the
 *   middle of an unquoted field is literal (csv-parse `relax_quotes`). A closing quote followed by
 *   something other than a delimiter or line break makes the field literal text (`"ab"cd`), unless
 *   the quoted part spans lines: then it was a stray opening quote (see "runaway quote" below).
 * - Blank lines (empty, or only spaces/tabs and no delimiter) are skipped and counted. A line of only
 *   delimiters is a record.
 * - Field count: the first record (the header, when there is one) sets the expected count; a record
 *   with more or fewer fields is emitted as malformed with its raw text and parsed fields.
 * - Runaway quote: an opening quote that is never closed (end of input, or the quoted field grows past
 *   `maxRecordSize`, or it "closes" on a stray quote after spanning lines) makes the first physical
 *   line of that record malformed; reading resumes on the next line, so the rows after a stray quote
 *   are not lost.
 * - Over-long record on one physical line (> maxRecordSize characters): malformed (raw truncated),
 *   the rest of that line is skipped without buffering. Memory stays bounded by maxRecordSize.
 */

const LF = 10;
const CR = 13;
const QUOTE = 34;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3;
const SKIP_LINE = 4;


/** Fields one record may have; a wider record is malformed (its text kept, its fields not). */
export const MAX_FIELDS = 100_000;

export type TokenEvent =
  | { kind: 'record'; fields: string[]; line: number }
  | { kind: 'malformed'; line: number; message: string; raw: string; fields?: string[] };

export interface TokenizerOptions {
  delimiter: string;
  /** Maximum characters of one record (raw text). */
  maxRecordSize: number;
  /** Check every record against the field count of the first one. Default true. */
  checkFieldCount?: boolean;
  /** Name of the first record in messages: 'the header' or 'the first row'. */
  firstRecordName?: string;
}

export class CsvTokenizer {
  readonly delimiter: string;
  private readonly delim: number;
  private readonly max: number;
  private readonly checkFieldCount: boolean;
  private readonly firstRecordName: string;

  private state = FIELD_START;
  private fields: string[] = [];
  private field = '';
  private quotedInRecord = false;
  /** Raw text of the current record that came in earlier chunks. */
  private rawCarry = '';
  /** Line where the current record starts (1-based). */
  private recordLine = 1;
  /** Current line (1-based). */
  private line = 1;
  /** Line where the current quoted field opened. */
  private quoteLine = 1;
  /** A CR at the end of a chunk, held back to see whether an LF follows. */
  private heldCR = false;
  private ended = false;
  private out: TokenEvent[] = [];

  /** Field count of the first record, once seen. */
  expectedFields: number | null = null;
  /** Blank lines skipped. */
  blankLines = 0;
  /** The first record delimiter seen outside quotes. */
  lineEnding: '\n' | '\r\n' | '\r' | null = null;

  constructor(options: TokenizerOptions) {
    if (options.delimiter.length !== 1) throw new Error('delimiter must be one character');
    this.delimiter = options.delimiter;
    this.delim = options.delimiter.charCodeAt(0);
    this.max = options.maxRecordSize;
    this.checkFieldCount = options.checkFieldCount ?? true;
    this.firstRecordName = options.firstRecordName ?? 'the first row';
  }

  /** Line breaks seen so far (outside and inside quotes). */
  get lineBreaks(): number {
    return this.line - 1;
  }

  /** Feed decoded text; returns the events completed by it. */
  push(text: string): TokenEvent[] {
    if (this.ended) throw new Error('push after end');
    if (this.heldCR) {
      text = '\r' + text;
      this.heldCR = false;
    }
    if (text.length > 0 && text.charCodeAt(text.length - 1) === CR) {
      this.heldCR = true;
      text = text.slice(0, -1);
    }
    this.process(text);
    return this.take();
  }

  /** Signal the end of input; returns the last events. */
  end(): TokenEvent[] {
    if (this.ended) return [];
    if (this.heldCR) {
      this.heldCR = false;
      this.process('\r');
    }
    this.finish();
    this.ended = true;
    return this.take();
  }

  private take(): TokenEvent[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private process(text: string): void {
    let n = text.length;
    const delim = this.delim;
    let i = 0;
    // Where the current record's raw text starts in `text` (it may have started in an earlier chunk).
    let recStart = 0;
    while (i < n) {
      switch (this.state) {
        case FIELD_START: {
          if (text.charCodeAt(i) === QUOTE) {
            this.state = QUOTED;
            this.quotedInRecord = true;
            this.quoteLine = this.line;
            i++;
            continue;
          }
          this.state = UNQUOTED;
          continue;
        }
        case UNQUOTED: {
          let j = i;
          while (j < n) {
            const d = text.charCodeAt(j);
            if (d === delim || d === LF || d === CR) break;
            j++;
          }
          if (this.rawCarry.length + (j - recStart) > this.max) {
            const result = this.overlong(text, recStart, j);
            text = result.text;
            n = text.length;
            i = 0;
            recStart = 0;
            if (result.text.length === 0) return;
            continue;
          }
          this.field += text.slice(i, j);
          if (j === n) {
            i = n;
            break;
          }
          const d = text.charCodeAt(j);
          this.fields.push(this.field);
          this.field = '';
          if (d === delim) {
            this.state = FIELD_START;
            i = j + 1;
            continue;
          }
          i = this.lineBreak(text, j);
          this.endRecord(text, recStart, j);
          recStart = i;
          continue;
        }
        case QUOTED: {
          let j = i;
          while (j < n) {
            const d = text.charCodeAt(j);
            if (d === QUOTE) break;
            if (d === LF || (d === CR && text.charCodeAt(j + 1) !== LF)) this.line++;
            j++;
          }
          if (this.rawCarry.length + (j - recStart) > this.max) {
            const result = this.overlong(text, recStart, j);
            text = result.text;
            n = text.length;
            i = 0;
            recStart = 0;
            if (result.text.length === 0) return;
            continue;
          }
          this.field += text.slice(i, j);
          if (j === n) {
            i = n;
            break;
          }
          this.state = QUOTE_IN_QUOTED;
          i = j + 1;
          continue;
        }
        case QUOTE_IN_QUOTED: {
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            this.field += '"';
            this.state = QUOTED;
            i++;
            continue;
          }
          if (c === delim) {
            this.fields.push(this.field);
            this.field = '';
            this.state = FIELD_START;
            i++;
            continue;
          }
          if (c === LF || c === CR) {
            this.fields.push(this.field);
            this.field = '';
            const next = this.lineBreak(text, i);
            this.endRecord(text, recStart, i);
            i = next;
            recStart = i;
            continue;
          }
          // A quote closed and more text follows: a stray quote.
          if (this.line > this.quoteLine) {
            // The quoted part spans lines: it was an opening quote never meant to open a field.
            text = this.runaway(text, recStart, i);
            n = text.length;
            i = 0;
            recStart = 0;
            continue;
          }
          // Same line: keep the text literally, quotes included (csv-parse relax_quotes does the same).
          this.field = '"' + this.field.replace(/"/g, '""') + '"';
          this.state = UNQUOTED;
          continue;
        }
        case SKIP_LINE: {
          let j = i;
          while (j < n) {
            const d = text.charCodeAt(j);
            if (d === LF || d === CR) break;
            j++;
          }
          if (j === n) {
            i = n;
            break;
          }
          i = this.lineBreak(text, j);
          this.resetRecord();
          recStart = i;
          continue;
        }
      }
    }
    if (this.state !== SKIP_LINE) this.rawCarry += text.slice(recStart);
  }

  /** Consume the line break at `j` (CR, LF or CRLF); returns the index after it. */
  private lineBreak(text: string, j: number): number {
    const isCRLF = text.charCodeAt(j) === CR && text.charCodeAt(j + 1) === LF;
    if (this.lineEnding === null) this.lineEnding = isCRLF ? '\r\n' : text.charCodeAt(j) === CR ? '\r' : '\n';
    this.line++;
    return j + (isCRLF ? 2 : 1);
  }

  /** The record whose fields are complete in this.fields ends at text[end] (exclusive of the break). */
  private endRecord(text: string, recStart: number, end: number): void {
    const fields = this.fields;
    const line = this.recordLine;
    if (fields.length === 1 && !this.quotedInRecord && /^[ \t]*$/.test(fields[0] as string)) {
      this.blankLines++;
    } else {
      this.emitRecord(fields, line, () => this.rawCarry + text.slice(recStart, end));
    }
    this.resetRecord();
  }

  private emitRecord(fields: string[], line: number, raw: () => string): void {
    if (fields.length > MAX_FIELDS) {
      // Its text is kept (bounded by maxRecordSize), its fields are not: 200,000 strings a row held
      // in the window of rows in flight is how a 41 MB file took 2.7 GB.
      this.out.push({
        kind: 'malformed',
        line,
        message: `line ${line}: ${fields.length} fields, more than the ${MAX_FIELDS} a record may have (a wrong delimiter?)`,
        raw: raw(),
      });
      return;
    }
    if (this.expectedFields === null) {
      this.expectedFields = fields.length;
    } else if (this.checkFieldCount && fields.length !== this.expectedFields) {
      const want = this.expectedFields;
      this.out.push({
        kind: 'malformed',
        line,
        message:
          `line ${line}: expected ${want} field${want === 1 ? '' : 's'} like ${this.firstRecordName}, ` +
          `found ${fields.length} (${fields.length > want ? 'too many' : 'too few'}; ` +
          'check quoting and delimiters in this row)',
        raw: raw(),
        fields,
      });
      return;
    }
    this.out.push({ kind: 'record', fields, line });
  }

  private resetRecord(): void {
    this.fields = [];
    this.field = '';
    this.quotedInRecord = false;
    this.rawCarry = '';
    this.state = FIELD_START;
    this.recordLine = this.line;
  }

  /**
   * The record reached maxRecordSize at text[j]. Returns the text to continue with (from index 0).
   */
  private overlong(text: string, recStart: number, j: number): { text: string } {
    if ((this.state === QUOTED || this.state === QUOTE_IN_QUOTED) && this.line > this.quoteLine) {
      return { text: this.runaway(text, recStart, j) };
    }
    // Its first maxRecordSize characters (already in memory); the rest of the line is not buffered.
    const raw = (this.rawCarry + text.slice(recStart, j)).slice(0, this.max);
    this.out.push({
      kind: 'malformed',
      line: this.recordLine,
      message:
        `line ${this.recordLine}: record longer than the limit of ${this.max} characters ` +
        '(a wrong delimiter or a binary file; or raise the limit: --max-record-size, maxRecordSize); ' +
        `its first ${this.max} characters were kept and the rest of this line was skipped`,
      raw,
    });
    this.fields = [];
    this.field = '';
    this.rawCarry = '';
    this.quotedInRecord = false;
    this.state = SKIP_LINE;
    // Skip from the character after the overflow point; line breaks before it were all inside the
    // (single-line) record, so the skip state finds the end of this physical line.
    return { text: text.slice(j) };
  }

  /**
   * An opening quote on line `recordLine`..`quoteLine` swallowed following lines. Emit the record's
   * first physical line as malformed and return the remaining text to parse again from its start.
   */
  private runaway(text: string, recStart: number, upTo: number): string {
    const raw = this.rawCarry + text.slice(recStart, upTo);
    // Set aside the record up to the end of the physical line where the bad quote opened.
    const br = nthLineBreak(raw, this.quoteLine - this.recordLine + 1);
    const firstPart = br === null ? raw : raw.slice(0, br.at);
    const restStart = br === null ? raw.length : br.next;
    const line = this.recordLine;
    const lines = this.quoteLine > line ? `lines ${line}-${this.quoteLine} were` : 'this line was';
    this.out.push({
      kind: 'malformed',
      line,
      message:
        `line ${line}: unclosed quote (the quoted field opened on line ${this.quoteLine} is never closed ` +
        `properly); ${lines} set aside and reading resumed on the next line`,
      raw: firstPart.length > this.max ? firstPart.slice(0, this.max) : firstPart,
    });
    if (br !== null && this.lineEnding === null) this.lineEnding = br.ending;
    this.line = this.quoteLine + 1;
    this.resetRecord();
    return raw.slice(restStart) + text.slice(upTo);
  }

  private finish(): void {
    for (;;) {
      switch (this.state) {
        case QUOTED: {
          // Unclosed quote at the end of input.
          if (this.line > this.quoteLine) {
            const rest = this.runaway('', 0, 0);
            this.process(rest);
            continue; // the re-parsed rest may end in any state
          }
          const raw = this.rawCarry;
          const line = this.recordLine;
          this.out.push({
            kind: 'malformed',
            line,
            message: `line ${line}: unclosed quote at the end of the input`,
            raw,
          });
          this.resetRecord();
          return;
        }
        case SKIP_LINE:
          this.resetRecord();
          return;
        case FIELD_START:
          if (this.fields.length === 0) {
            // Nothing started (or only a blank tail).
            if (this.rawCarry.length > 0) this.blankLines++;
            this.resetRecord();
            return;
          }
          this.fields.push('');
          break;
        default:
          this.fields.push(this.field);
          this.field = '';
      }
      this.endRecord('', 0, 0);
      return;
    }
  }
}

/** The k-th (1-based) line break in s: its index, the index after it and its kind. */
function nthLineBreak(
  s: string,
  k: number,
): { at: number; next: number; ending: '\n' | '\r\n' | '\r' } | null {
  let seen = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== LF && c !== CR) continue;
    const crlf = c === CR && s.charCodeAt(i + 1) === LF;
    if (++seen === k) return { at: i, next: i + (crlf ? 2 : 1), ending: crlf ? '\r\n' : c === CR ? '\r' : '\n' };
    if (crlf) i++;
  }
  return null;
}
