/**
 * The scrub transform: CSV records in, one ScrubbedRow per record out, in input order.
 *
 * Rows are checked through a Scrubber. Offline verdicts come back synchronously and go straight out
 * (no promise, no queue). A row that needs DNS takes a slot in a ring of `window` slots; the ring is the
 * in-order queue, and its fill level is the only concurrency control:
 *
 *   - input:  the transform callback (which lets the writable side hand us the next record) is held
 *             back while `window` rows are pending, so at most `window` rows are in flight;
 *   - output: when push() returns false, completed rows stay in the ring until the reader calls
 *             _read(); they still count against the window, so a slow reader stops the input too.
 *
 * Memory is bounded by: writable buffer (16 records) + window + readable buffer (16 rows).
 *
 * Duplicates are decided when a row leaves the ring, i.e. in input order, so the first occurrence wins
 * even when a later copy's DNS answer arrives first.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { ListscrubError } from '../errors.js';
import { checkCells, dedupeAddress, firstAddressCell, type CellToCheck } from '../columns.js';
import { positiveNumber } from '../options.js';
import type { RowVerdict, Verdict } from '../types.js';
import { DedupeSet } from './dedupe.js';

/**
 * What the transform needs of a Scrubber (src/scrubber.ts implements it). Named here so that this
 * module does not import the scrubber, which builds its stream() from this module.
 */
export interface RowChecker {
  evaluate(input: string): Verdict | Promise<Verdict>;
  close(): Promise<void>;
}

/** A csv-parse record: an array (no `columns`) or an object keyed by header name (`columns: true`). */
export type CsvRecord = string[] | Record<string, string>;

/** Where a record came from: src/csv's reader gives `line`; csv-parse (option `info: true`) gives `lines`. */
export interface RecordInfo {
  /** 1-based line the record starts on (src/csv's reader). */
  line?: number;
  /** csv-parse: line count when the record was emitted, i.e. the line the record ends on. */
  lines?: number;
  /** csv-parse: the column descriptors (`[{ name }]`) when parsing with `columns`. */
  columns?: unknown;
  /** The reader's record number; the stream counts items itself (the same numbers, from 1). */
  index?: number;
}

/** A record with its position, as src/csv's reader or csv-parse (`info: true`) emit it. */
export interface RecordEnvelope<R extends CsvRecord = CsvRecord> {
  record: R;
  info?: RecordInfo;
  /** 1-based line the record starts on; wins over `info` when given. */
  line?: number;
}

/** A record the CSV reader could not parse, injected in order so it is reported, not lost. */
export interface MalformedEnvelope {
  malformed: {
    line: number;
    message: string;
    /** The record's text, shown as the verdict's input. */
    raw?: string;
    /** The partial record (src/csv's reader calls it `fields`), passed on as the row's record. */
    record?: unknown;
    fields?: unknown;
    index?: number;
  };
}

export type ScrubInput<R extends CsvRecord = CsvRecord> = R | RecordEnvelope<R> | MalformedEnvelope;

/**
 * The scrub transform, typed: iterating it (`for await`) gives ScrubbedRow objects, in input order.
 * An intersection rather than an override, so it still fits node:stream's pipeline() signatures.
 */
export type ScrubTransform<R extends CsvRecord = CsvRecord> = Transform & AsyncIterable<ScrubbedRow<R>>;

export interface ScrubbedRow<R extends CsvRecord = CsvRecord> {
  /** The record as given. For a malformed row: the partial record the reader passed, or an empty one. */
  record: R;
  verdict: RowVerdict;
  /** 1-based record number, counting every input item (malformed ones too). */
  index: number;
  /** 1-based line the record starts on, when the input carried positions. */
  line?: number;
}

/** The transform's own options (the Scrubber's stream() takes exactly these). */
export interface ScrubTransformOptions {
  /**
   * Email column: 0-based position for array records, header name for object records. Or several:
   * the row is then a contact, kept when one of its cells holds a good or unchecked address, and
   * deduplicated on its first address (src/columns.ts).
   */
  column: string | number | ReadonlyArray<string | number>;
  /** Keep repeated addresses instead of marking them 'duplicate'. */
  keepDuplicates?: boolean;
  /** Rows in flight (waiting for DNS or for the reader). Default 256. */
  window?: number;
}

export const DEFAULT_WINDOW = 256;

/** Marks a row whose verdict has not arrived yet. */
const PENDING: RowVerdict = Object.freeze({ input: '', address: null, status: 'unknown', reason: 'ok', detail: '' });

function fail(message: string): never {
  throw new ListscrubError('E_OPTION', message);
}

/** Check the transform's options. Bad options throw here, synchronously, with code E_OPTION. */
export function checkTransformOptions(options: ScrubTransformOptions): Required<ScrubTransformOptions> {
  if (typeof options !== 'object' || options === null) fail('Scrub stream options must be an object.');
  const { column } = options;
  const isColumn = (value: unknown): boolean => (typeof value === 'number' && Number.isInteger(value) && value >= 0) || (typeof value === 'string' && value !== '');
  if (Array.isArray(column) ? column.length === 0 || !column.every(isColumn) : !isColumn(column)) {
    fail('Option "column" must be a 0-based position or a header name, or a list of them.');
  }
  const window = positiveNumber('window', options.window, { integer: true }) ?? DEFAULT_WINDOW;
  if (options.keepDuplicates !== undefined && typeof options.keepDuplicates !== 'boolean') {
    fail('Option "keepDuplicates" must be true or false.');
  }
  return { column, window, keepDuplicates: options.keepDuplicates === true };
}

/** The transform over checked options; closes `checker` at the end only when it `owns` it. */
export function scrubTransform<R extends CsvRecord = CsvRecord>(
  checker: RowChecker,
  owns: boolean,
  options: Required<ScrubTransformOptions>,
  /** How a row's detail names each of several columns (default: the header name, or "column N"). */
  labels?: readonly string[],
): ScrubTransform<R> {
  const columns: ReadonlyArray<string | number> = Array.isArray(options.column) ? options.column : [options.column as string | number];
  const named = columns.map((column, at) => labels?.[at] ?? (typeof column === 'number' ? `column ${column + 1}` : column));
  return new ScrubStream<R>(checker, owns, columns, named, options.window, options.keepDuplicates) as unknown as ScrubTransform<R>;
}

/**
 * Only addresses that stay on the list claim the "first occurrence": an invalid address is reported
 * with its own reason every time, which tells the owner more than "duplicate".
 */
function claimsFirstOccurrence(verdict: RowVerdict): boolean {
  return dedupeAddress(verdict) !== null && verdict.status !== 'invalid';
}

function duplicateVerdict(verdict: RowVerdict, first: number): RowVerdict {
  // Several columns: the row's first address decided it; say which column that is.
  const column = firstAddressCell(verdict)?.label;
  const detail = column === undefined ? `Same address as row ${first}.` : `Same first address (${column}) as row ${first}.`;
  return { input: verdict.input, address: verdict.address, status: 'duplicate', reason: 'duplicate', detail };
}

/**
 * For scrubCsv (not part of the public API): decide the duplicates among rows that come in order
 * from a stream made with keepDuplicates, a batch at a time, exactly as the stream itself would
 * one row at a time (DedupeSet.insertBatch overlaps the index's cache misses).
 */
export function markDuplicates(rows: readonly ScrubbedRow<CsvRecord>[], seen: DedupeSet): void {
  const addresses: string[] = [];
  const indexes: number[] = [];
  const positions: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const { verdict, index } = rows[i]!;
    if (!claimsFirstOccurrence(verdict)) continue;
    addresses.push(dedupeAddress(verdict) as string);
    indexes.push(index);
    positions.push(i);
  }
  const firsts = new Int32Array(addresses.length);
  seen.insertBatch(addresses, indexes, firsts);
  for (let j = 0; j < positions.length; j++) {
    const first = firsts[j] as number;
    if (first === -1) continue;
    const row = rows[positions[j] as number]!;
    row.verdict = duplicateVerdict(row.verdict, first);
  }
}

/**
 * Characters the rows waiting in the window may hold in all. The window is counted in rows (8,192 for
 * a clean job), which is a few MB for ordinary rows; wide or long rows behind one slow domain made
 * the same window hundreds of MB (a 200 MB file ran out of heap). The window is full at whichever
 * bound comes first.
 */
export const WINDOW_CHARS = 16 * 1024 * 1024;

/** About what a record costs in memory, in characters: its text plus a string header per cell. */
export function recordChars(record: unknown): number {
  const cells = Array.isArray(record) ? record : typeof record === 'object' && record !== null ? Object.values(record) : [];
  let chars = 0;
  for (const cell of cells) chars += (typeof cell === 'string' ? cell.length : 0) + 16;
  return chars;
}

class ScrubStream<R extends CsvRecord> extends Transform {
  /** Rows accepted but not yet pushed, in input order: ring[head] is the oldest. */
  private readonly ring: (ScrubbedRow<R> | undefined)[];
  /** recordChars() of each ring slot's row, and their sum. */
  private readonly sizes: number[];
  private ringChars = 0;
  private head = 0;
  private pending = 0;
  private count = 0;
  /** push() said the reader is full; cleared by _read(). */
  private outputBlocked = false;
  /** The transform callback held back while the window is full. */
  private waiting: TransformCallback | null = null;
  /** The flush callback, once the input ended, until the ring is empty. */
  private flushing: TransformCallback | null = null;
  private closing: Promise<void> | null = null;
  private columnChecked = false;
  private readonly seen: DedupeSet | null;
  /** For line numbers from csv-parse's info: see startLine(). */
  private lastParserLine = 0;
  private parserDrift = 0;

  constructor(
    private readonly scrubber: RowChecker,
    private readonly ownsScrubber: boolean,
    private readonly columns: ReadonlyArray<string | number>,
    private readonly labels: readonly string[],
    private readonly window: number,
    keepDuplicates: boolean,
  ) {
    super({ objectMode: true });
    this.ring = new Array<ScrubbedRow<R> | undefined>(window).fill(undefined);
    this.sizes = new Array<number>(window).fill(0);
    this.seen = keepDuplicates ? null : new DedupeSet();
  }

  override _transform(item: ScrubInput<R>, _encoding: BufferEncoding, callback: TransformCallback): void {
    const index = ++this.count;
    let row: ScrubbedRow<R>;
    if (Array.isArray(item) || !isObject((item as Partial<MalformedEnvelope>).malformed)) {
      let record: R;
      let line: number | undefined;
      let info: RecordInfo | undefined;
      if (!Array.isArray(item) && isObject((item as Partial<RecordEnvelope<R>>).record)) {
        const envelope = item as RecordEnvelope<R>;
        record = envelope.record;
        info = envelope.info;
        line = envelope.line ?? info?.line ?? this.startLine(record, info);
      } else {
        record = item as R;
      }
      if (!this.columnChecked) {
        const error = this.checkColumn(record, info, line);
        if (error !== null) return callback(error);
      }
      let result: RowVerdict | Promise<RowVerdict>;
      try {
        result = this.check(record as Record<string | number, unknown>);
      } catch (error) {
        return callback(error as Error);
      }
      if (typeof (result as Partial<Promise<RowVerdict>>).then !== 'function') {
        row = { record, verdict: result as RowVerdict, index, line };
        // Fast path: nothing queued ahead of this row, so it goes out now, without a ring slot.
        if (this.pending === 0 && !this.outputBlocked) {
          this.pushRow(row);
          return callback();
        }
      } else {
        row = { record, verdict: PENDING, index, line };
        this.track(row, result as Promise<RowVerdict>);
      }
    } else {
      row = this.malformedRow((item as MalformedEnvelope).malformed, index);
      if (this.pending === 0 && !this.outputBlocked) {
        this.pushRow(row);
        return callback();
      }
    }
    const slot = (this.head + this.pending) % this.window;
    this.ring[slot] = row;
    this.sizes[slot] = recordChars(row.record);
    this.ringChars += this.sizes[slot] as number;
    this.pending += 1;
    if (!this.full()) callback();
    else this.waiting = callback;
  }

  override _read(size: number): void {
    this.outputBlocked = false;
    this.drain();
    // Transform's own _read releases a write callback it held back because the readable buffer was full.
    super._read(size);
  }

  override _flush(callback: TransformCallback): void {
    this.flushing = callback;
    if (this.pending === 0) this.finish();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Late verdicts check `destroyed` and are dropped; forget the queue so rows can be collected.
    this.ring.fill(undefined);
    this.pending = 0;
    this.ringChars = 0;
    this.waiting = null;
    this.flushing = null;
    this.closeScrubber().then(
      () => callback(error),
      (closeError: unknown) => callback(error ?? (closeError as Error)),
    );
  }

  /** One email column: its cell's verdict. Several: every cell checked, the verdicts combined. */
  private check(record: Record<string | number, unknown>): RowVerdict | Promise<RowVerdict> {
    if (this.columns.length === 1) return this.scrubber.evaluate(cellText(record[this.columns[0] as string | number]));
    const cells: CellToCheck[] = this.columns.map((column, at) => ({ column, label: this.labels[at] as string, text: cellText(record[column]) }));
    return checkCells((input) => this.scrubber.evaluate(input), cells);
  }

  /** Fill the row's verdict when it arrives; push it if it is the oldest pending row. */
  private track(row: ScrubbedRow<R>, verdict: Promise<RowVerdict>): void {
    verdict.then(
      (value) => {
        if (this.destroyed) return;
        row.verdict = value;
        if (this.ring[this.head] === row) this.drain();
      },
      (error: unknown) => {
        // A scrubber reports bad addresses as verdicts; a rejection is an operational failure.
        if (!this.destroyed) this.destroy(error instanceof Error ? error : new Error(String(error)));
      },
    );
  }

  /** No more input until rows leave: the window is full in rows or in characters. */
  private full(): boolean {
    return this.pending >= this.window || this.ringChars >= WINDOW_CHARS;
  }

  /** Push completed rows from the head of the ring, then let input or the end proceed. */
  private drain(): void {
    while (this.pending > 0 && !this.outputBlocked && !this.destroyed) {
      const row = this.ring[this.head] as ScrubbedRow<R>;
      if (row.verdict === PENDING) break;
      this.ring[this.head] = undefined;
      this.ringChars -= this.sizes[this.head] as number;
      this.head = (this.head + 1) % this.window;
      this.pending -= 1;
      this.pushRow(row);
    }
    if (this.destroyed) return;
    if (this.waiting !== null && !this.full()) {
      const callback = this.waiting;
      this.waiting = null;
      callback();
    }
    if (this.flushing !== null && this.pending === 0) this.finish();
  }

  /** Rows leave here, in input order: the place where duplicates are decided. */
  private pushRow(row: ScrubbedRow<R>): void {
    if (this.seen !== null && claimsFirstOccurrence(row.verdict)) {
      const first = this.seen.insert(dedupeAddress(row.verdict) as string, row.index);
      if (first !== -1) row.verdict = duplicateVerdict(row.verdict, first);
    }
    if (!this.push(row)) this.outputBlocked = true;
  }

  private finish(): void {
    const callback = this.flushing as TransformCallback;
    this.flushing = null;
    this.closeScrubber().then(
      () => {
        if (!this.destroyed) callback();
      },
      (error: unknown) => callback(error as Error),
    );
  }

  private closeScrubber(): Promise<void> {
    if (!this.ownsScrubber) return Promise.resolve();
    this.closing ??= Promise.resolve().then(() => this.scrubber.close());
    return this.closing;
  }

  private malformedRow(malformed: MalformedEnvelope['malformed'], index: number): ScrubbedRow<R> {
    const partial = malformed.record ?? malformed.fields;
    const byPosition = typeof this.columns[0] === 'number';
    const fits = byPosition ? Array.isArray(partial) : isObject(partial) && !Array.isArray(partial);
    const record = (fits ? partial : byPosition ? [] : {}) as R;
    const verdict: RowVerdict = {
      input: malformed.raw ?? '',
      address: null,
      status: 'malformed',
      reason: 'malformed_row',
      detail: `The CSV record at line ${malformed.line} could not be parsed: ${malformed.message}`,
    };
    return { record, verdict, index, line: malformed.line };
  }

  /**
   * The line a record starts on, from csv-parse's info. `info.lines` is the line the parser was on
   * when the record ended, so a record spanning lines (a quoted field with line breaks) must subtract
   * the breaks inside it. csv-parse counts every CR and LF inside a field as a line, so a CRLF inside a
   * field makes all later counts one too high: `parserDrift` takes those back out. Records that follow
   * the previous one on the next line cannot contain breaks, so the fields are only scanned otherwise.
   */
  private startLine(record: R, info: RecordInfo | undefined): number | undefined {
    if (info === undefined || typeof info.lines !== 'number') return undefined;
    const parserLine = info.lines;
    let start = parserLine - this.parserDrift;
    if (parserLine - this.lastParserLine > 1) {
      let breaks = 0;
      let pairs = 0;
      for (const field of Array.isArray(record) ? record : Object.values(record)) {
        if (typeof field !== 'string' || field.search(/[\r\n]/) === -1) continue;
        for (let i = 0; i < field.length; i++) {
          const c = field.charCodeAt(i);
          if (c === 13 || c === 10) breaks += 1;
          if (c === 13 && field.charCodeAt(i + 1) === 10) pairs += 1;
        }
      }
      start -= breaks;
      this.parserDrift += pairs;
    }
    this.lastParserLine = parserLine;
    return start;
  }

  /** The first record tells whether the columns fit the records: a caller error, reported once. */
  private checkColumn(record: unknown, info: RecordInfo | undefined, line: number | undefined): ListscrubError | null {
    this.columnChecked = true;
    for (const column of this.columns) {
      const error = this.checkOneColumn(column, record, info, line);
      if (error !== null) return error;
    }
    return null;
  }

  private checkOneColumn(column: string | number, record: unknown, info: RecordInfo | undefined, line: number | undefined): ListscrubError | null {
    const at = line === undefined ? {} : { line };
    if (typeof column === 'number') {
      if (Array.isArray(record)) return null;
      return new ListscrubError(
        'E_NO_EMAIL_COLUMN',
        `The email column is given by position (${column}), but the records are not arrays; give the column by its header name.`,
        at,
      );
    }
    if (!isObject(record) || Array.isArray(record)) {
      return new ListscrubError(
        'E_NO_EMAIL_COLUMN',
        `The email column is given by name ("${column}"), but the records have no header names; give the column by position.`,
        at,
      );
    }
    // Prefer the header (csv-parse's info.columns): a short first row may lack the key.
    const names = Array.isArray(info?.columns)
      ? info.columns.map((descriptor: unknown) => (isObject(descriptor) ? String((descriptor as { name?: unknown }).name) : ''))
      : Object.keys(record);
    if (names.includes(column)) return null;
    return new ListscrubError(
      'E_NO_EMAIL_COLUMN',
      `There is no column named "${column}"; the columns are: ${names.map((name) => JSON.stringify(name)).join(', ')}.`,
      at,
    );
  }
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** A missing cell (short row) is the empty string, which the address engine reports as empty. */
function cellText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null || typeof value === 'function' || typeof value === 'object') return '';
  return String(value);
}
