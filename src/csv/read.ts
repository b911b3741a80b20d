/**
 * Reading a CSV list: bytes -> sniff + decode -> delimiter detection -> tokenizer -> items.
 *
 * Every record of the input comes out as exactly one item, in input order:
 *   { record, info: { line, index } }            a record with the expected number of fields
 *   { malformed: { line, index, message, raw } } anything else (wrong field count, unclosed quote,
 *                                                 over-long record); never dropped, never fatal
 * Operational failures (unreadable input, not a CSV, bad encoding, no email column) are
 * ListscrubErrors: thrown by openCsvInput when found in the first rows, emitted as an error on
 * `records` when found later (e.g. an invalid byte at line 90 000).
 */
import type { FileHandle } from 'node:fs/promises';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { ListscrubError, isListscrubError } from '../errors.js';
import { openRegularFile } from '../files/open-regular.js';
import { describeFsError } from './fs-error.js';
import { InputDecoder, normalizeEncoding, type CsvEncoding, type InputEncoding } from './decode.js';
import { didYouMean } from '../did-you-mean.js';
import { detectDelimiter, findEmailColumn, looksLikeAddress, normalizeHeaderName } from './detect.js';
import { CsvTokenizer, type TokenEvent } from './tokenizer.js';

export { detectDelimiter, findEmailColumn } from './detect.js';
export type { CsvEncoding, InputEncoding } from './decode.js';

/** Default limit for one record: 1 MiB of characters. */
export const DEFAULT_MAX_RECORD_SIZE = 1024 * 1024;
/** Data rows looked at to find the email column. */
export const SAMPLE_ROWS = 50;
/** Items held while peeking at most (malformed ones included): memory stays bounded. */
const PEEK_LIMIT = 1000;
/** Text looked at to detect the delimiter (or 20 line breaks, whichever comes first). */
const DELIMITER_SAMPLE_CHARS = 64 * 1024;
const DELIMITER_SAMPLE_LINES = 20;

export interface CsvInputOptions {
  /** A file path, or '-' for `stdin`. */
  input: string;
  /** The stream read when input is '-' (the CLI passes process.stdin). */
  stdin?: Readable;
  /** Default utf8. A byte-order mark, when present, wins. */
  encoding?: InputEncoding;
  /** One character; default: detected among `,` `;` tab `|`. 'tab' and '\t' (backslash t) mean tab. */
  delimiter?: string;
  /**
   * Email column: a header name (case-insensitive, trimmed) or a 1-based number; or several, as a
   * list or as one comma-separated string (a header name that holds a comma wins). Default: detected.
   */
  column?: string | number | ReadonlyArray<string | number>;
  /** Whether the first record is a header. Default true. */
  header?: boolean;
  /** Characters one record may have before it is reported as malformed. Default 1 MiB. */
  maxRecordSize?: number;
}

export interface CsvRecordItem {
  record: string[];
  info: {
    /** 1-based line where the record starts. */
    line: number;
    /** 1-based record number, header excluded, malformed records included. */
    index: number;
  };
}

export interface CsvMalformedItem {
  malformed: {
    /** 1-based line where the record starts. */
    line: number;
    /** 1-based record number, as for good records. */
    index: number;
    /** One sentence with the line number. */
    message: string;
    /** The record's text (truncated for over-long records). */
    raw?: string;
    /** The parsed fields, when the record parsed but has the wrong field count. */
    fields?: string[];
  };
}

export type CsvInputItem = CsvRecordItem | CsvMalformedItem;

export function isMalformedItem(item: CsvInputItem): item is CsvMalformedItem {
  return 'malformed' in item;
}

export interface CsvColumn {
  /** 0-based index. */
  index: number;
  /** Header name, or null without a header. */
  name: string | null;
  /** option: given by the caller; header/content: detected; none: no data rows to decide on. */
  source: 'option' | 'header' | 'content' | 'none';
}

export interface CsvInput {
  /** Object-mode stream of CsvInputItem, with backpressure. */
  records: Readable;
  /** The header fields, or null (no header, or an empty input). */
  header: string[] | null;
  delimiter: string;
  /** The (first) email column. */
  column: CsvColumn;
  /** Every email column to check, in the order named; `column` is the first. */
  columns: CsvColumn[];
  encoding: CsvEncoding;
  /** Whether the input started with a byte-order mark. */
  bom: boolean;
  /** The first line ending seen ('\n' when none), to write the output the same way. */
  lineEnding: '\n' | '\r\n' | '\r';
  /** Notes for the user (e.g. the first row was read as data). */
  warnings: string[];
  /** Bytes read from the input so far. */
  bytesRead(): number;
  /** Input size in bytes for a regular file (progress), else null. */
  totalBytes: number | null;
  /**
   * About how many records a regular file holds (its size over the bytes per line of the text read
   * so far), to size the duplicate index up front; null when the size is not known.
   */
  estimatedRecords: number | null;
}

/** Bytes -> TokenEvents. Sniffs the encoding and detects the delimiter from the first text. */
class CsvEventStream extends Transform {
  bytes = 0;
  readonly decoder: InputDecoder;
  tokenizer: CsvTokenizer | null = null;
  private sample = '';
  private sampleLines = 0;
  private readonly fixedDelimiter: string | undefined;
  private readonly maxRecordSize: number;
  private readonly firstRecordName: string;

  constructor(options: { encoding: InputEncoding; label: string; delimiter?: string; maxRecordSize: number; header: boolean }) {
    // Each pushed chunk is the array of events one input chunk completed (~1,000 records of 64 KB):
    // an object-mode push and read() per record cost ~0.3 us each on a 1M-row list.
    super({ readableObjectMode: true, readableHighWaterMark: 1 });
    this.decoder = new InputDecoder(options.encoding, options.label);
    this.fixedDelimiter = options.delimiter;
    this.maxRecordSize = options.maxRecordSize;
    this.firstRecordName = options.header ? 'the header' : 'the first row';
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      this.bytes += bytes.length;
      this.text(this.decoder.write(bytes), false);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.text(this.decoder.end(), true);
      this.emitEvents((this.tokenizer as CsvTokenizer).end());
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  private text(text: string, final: boolean): void {
    if (this.tokenizer === null) {
      this.sample += text;
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.sampleLines++;
      if (!final && this.sample.length < DELIMITER_SAMPLE_CHARS && this.sampleLines < DELIMITER_SAMPLE_LINES) return;
      const delimiter = this.fixedDelimiter ?? detectDelimiter(this.sample, final);
      this.tokenizer = new CsvTokenizer({
        delimiter,
        maxRecordSize: this.maxRecordSize,
        firstRecordName: this.firstRecordName,
      });
      text = this.sample;
      this.sample = '';
    }
    if (text.length > 0) this.emitEvents(this.tokenizer.push(text));
  }

  private emitEvents(events: TokenEvent[]): void {
    // Bounded by one input chunk; the Transform does not take the next chunk before these are read.
    if (events.length > 0) this.push(events);
  }
}

/** A delimiter option (`delimiter`, `outputDelimiter`): one character, or tab/comma/semicolon/pipe. */
export function parseDelimiter(value: string | undefined, option = 'delimiter'): string | undefined {
  if (value === undefined) return undefined;
  const aliases: Record<string, string> = { tab: '\t', '\\t': '\t', comma: ',', semicolon: ';', pipe: '|' };
  const delimiter = aliases[value.toLowerCase()] ?? value;
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new ListscrubError(
      'E_OPTION',
      `invalid ${option} ${JSON.stringify(value)}: use one character such as , ; | or tab`,
    );
  }
  return delimiter;
}

function inputError(label: string, error: unknown): ListscrubError {
  if (isListscrubError(error)) return error;
  return new ListscrubError('E_INPUT', `cannot read ${label}: ${describeFsError(error, 'no such file')}`, { cause: error });
}

/**
 * Open a CSV list for reading. Reads the first rows to detect the encoding, delimiter, header and
 * email column, then returns a stream of items starting from the first record.
 *
 * Header: with `header: true` (the default) the first record is the header, unless it holds a cell
 * that looks like an email address and no cell is an email header name (a list of addresses without
 * a header): then it is read as data and a warning says so. Pass `header: false` for files without a
 * header; a named column then is an error.
 */
export async function openCsvInput(options: CsvInputOptions): Promise<CsvInput> {
  const encoding = normalizeEncoding(options.encoding);
  const delimiterOption = parseDelimiter(options.delimiter);
  const maxRecordSize = options.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE;
  if (!Number.isSafeInteger(maxRecordSize) || maxRecordSize < 1) {
    throw new ListscrubError('E_OPTION', `maxRecordSize must be a positive integer, got ${String(options.maxRecordSize)}`);
  }
  const column = options.column;
  for (const one of Array.isArray(column) ? column : [column]) {
    if (typeof one === 'number' && (!Number.isInteger(one) || one < 1)) {
      throw new ListscrubError('E_OPTION', `column number must be 1 or more, got ${one}`);
    }
    if (typeof one === 'string' && one.trim() === '') {
      throw new ListscrubError('E_OPTION', 'column name must not be empty');
    }
  }
  if (Array.isArray(column) && column.length === 0) throw new ListscrubError('E_OPTION', 'the list of columns must not be empty');
  let wantHeader = options.header ?? true;
  const label = options.input === '-' ? 'standard input' : options.input;

  // The source.
  let source: Readable;
  let totalBytes: number | null = null;
  if (options.input === '-') {
    if (options.stdin === undefined) throw new ListscrubError('E_OPTION', "input '-' needs a stdin stream");
    source = options.stdin;
  } else {
    let handle: FileHandle;
    try {
      // A regular file only: a planted FIFO would block the open for ever (standard input is "-").
      const opened = await openRegularFile(options.input);
      handle = opened.handle;
      totalBytes = opened.info.size;
    } catch (error) {
      throw inputError(label, error);
    }
    // autoClose: the handle is closed when the stream ends or is destroyed.
    source = handle.createReadStream({ highWaterMark: 64 * 1024 });
  }

  const events = new CsvEventStream({
    encoding,
    label,
    ...(delimiterOption === undefined ? {} : { delimiter: delimiterOption }),
    maxRecordSize,
    header: wantHeader,
  });
  const onSourceError = (error: Error) => events.destroy(inputError(label, error));
  source.on('error', onSourceError);
  source.pipe(events);
  // A file stream is ours: destroy it when reading stops early. Injected stdin is only unpiped.
  if (options.input !== '-') events.once('close', () => source.destroy());
  // Events are taken with events.read() (no async iterator): one promise per input chunk at most,
  // not one per record. `wake` is the one waiter (the peek below, then the records stream's pump).
  let sourceEnded = false;
  let sourceError: unknown = null;
  let wake: (() => void) | null = null;
  const poke = () => {
    const waiter = wake;
    wake = null;
    waiter?.();
  };
  events.on('readable', poke);
  events.on('end', () => {
    sourceEnded = true;
    poke();
  });
  events.on('error', (error) => {
    sourceError ??= error;
    poke();
  });
  /** The events of the chunk being taken (events pushes one array per input chunk). */
  let chunkEvents: TokenEvent[] = [];
  let chunkPosition = 0;
  /** The next event; null at the end; undefined when none is buffered yet. Throws the source's error. */
  const take = (): TokenEvent | null | undefined => {
    if (sourceError !== null) throw sourceError;
    if (chunkPosition < chunkEvents.length) return chunkEvents[chunkPosition++] as TokenEvent;
    const next = events.read() as TokenEvent[] | null;
    if (next !== null) {
      chunkEvents = next;
      chunkPosition = 1;
      return next[0] as TokenEvent;
    }
    chunkEvents = [];
    chunkPosition = 0;
    if (sourceEnded) return null;
    return undefined;
  };
  const nextEvent = async (): Promise<TokenEvent | null> => {
    for (;;) {
      const event = take();
      if (event !== undefined) return event;
      await new Promise<void>((resolveWait) => (wake = resolveWait));
    }
  };
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    source.off('error', onSourceError);
    if (options.input === '-') source.unpipe(events);
    events.destroy();
  };

  // Peek: the header and the first data rows.
  const peeked: TokenEvent[] = [];
  let done = false;
  let goodRecords = 0;
  try {
    while (goodRecords < SAMPLE_ROWS + 1 && peeked.length < PEEK_LIMIT) {
      const next = await nextEvent();
      if (next === null) {
        done = true;
        break;
      }
      peeked.push(next);
      if (next.kind === 'record') goodRecords++;
    }
  } catch (error) {
    release();
    throw inputError(label, error);
  }

  if (goodRecords === 0 && peeked.length > 0) {
    // Not one record parsed (e.g. one endless line, or a lone unclosed quote): not a CSV list.
    release();
    const first = peeked[0] as Extract<TokenEvent, { kind: 'malformed' }>;
    throw new ListscrubError(
      'E_NOT_CSV',
      `${label} does not look like a CSV list: no record could be read (${done ? '' : 'in the first rows; '}first problem: ${first.message})`,
      { line: first.line },
    );
  }

  const tokenizer = events.tokenizer;
  const delimiter = tokenizer?.delimiter ?? delimiterOption ?? ',';
  const warnings: string[] = [];

  // Header.
  let header: string[] | null = null;
  let headerPosition = -1;
  if (wantHeader) {
    headerPosition = peeked.findIndex((event) => event.kind === 'record');
    const first = peeked[headerPosition];
    if (first !== undefined && first.kind === 'record') {
      const looksLikeData =
        !(Array.isArray(column) ? column : [column]).some((one) => typeof one === 'string') &&
        first.fields.some(looksLikeAddress) &&
        findEmailColumn(first.fields, []) === null;
      if (looksLikeData) {
        wantHeader = false;
        headerPosition = -1;
        warnings.push(
          `line ${first.line} holds an email address, so it was read as data, not as a header; ` +
            'pass --no-header (option header: false) to say so explicitly',
        );
      } else {
        header = first.fields;
      }
    }
  }
  const sampleRows = peeked
    .filter((event, position) => event.kind === 'record' && position !== headerPosition)
    .slice(0, SAMPLE_ROWS)
    .map((event) => (event as { fields: string[] }).fields);
  const width = header?.length ?? tokenizer?.expectedFields ?? sampleRows[0]?.length ?? 0;

  let resolved: CsvColumn[];
  try {
    resolved = resolveColumns(column, (one) => resolveColumn(one, header, sampleRows, width, wantHeader, peeked.length > 0), header);
  } catch (error) {
    release();
    throw error;
  }

  let index = 0;
  const toItem = (event: TokenEvent): CsvInputItem => {
    index++;
    if (event.kind === 'record') return { record: event.fields, info: { line: event.line, index } };
    const malformed: CsvMalformedItem['malformed'] = { line: event.line, index, message: event.message, raw: event.raw };
    if (event.fields !== undefined) malformed.fields = event.fields;
    return { malformed };
  };

  // The records stream pulls events synchronously (events.read()) when its reader wants more:
  // no promise per record. The peeked events go first (the header excluded).
  let position = 0;
  let finished = done;
  const pump = (): void => {
    for (;;) {
      let event: TokenEvent | null | undefined;
      if (position < peeked.length) {
        if (position === headerPosition) {
          position++;
          continue;
        }
        event = peeked[position++] as TokenEvent;
        if (position === peeked.length) {
          peeked.length = 0;
          position = 0;
          headerPosition = -1;
        }
      } else {
        if (finished) {
          release();
          records.push(null);
          return;
        }
        try {
          event = take();
        } catch (error) {
          records.destroy(inputError(label, error));
          return;
        }
        if (event === undefined) {
          wake = pump;
          return;
        }
        if (event === null) {
          finished = true;
          continue;
        }
      }
      if (!records.push(toItem(event))) return;
    }
  };
  const records = new Readable({
    objectMode: true,
    highWaterMark: 16,
    read: pump,
    destroy(error, callback) {
      wake = null;
      release();
      callback(error);
    },
  });
  const decoder = events.decoder;
  const linesRead = (tokenizer?.lineBreaks ?? 0) + 1;
  const estimatedRecords = totalBytes === null || events.bytes === 0 ? null : Math.ceil((totalBytes * linesRead) / events.bytes);
  return {
    records,
    header,
    delimiter,
    column: resolved[0] as CsvColumn,
    columns: resolved,
    encoding: decoder.encoding ?? encoding,
    bom: decoder.bom,
    lineEnding: tokenizer?.lineEnding ?? '\n',
    warnings,
    bytesRead: () => events.bytes,
    totalBytes,
    estimatedRecords,
  };
}

function quoteList(names: readonly string[]): string {
  const shown = names.slice(0, 20).map((name) => JSON.stringify(name));
  return shown.join(', ') + (names.length > 20 ? `, … (${names.length} columns)` : '');
}

/**
 * "the columns are ...", naming the header's cells only when they are column names. A first row
 * holding an address is a subscriber's row read as a header (a headerless file): its cells are
 * personal data, which must not reach stderr or the run history, so only the count is given.
 */
/** Did-you-mean among the header's names, unless the "header" is a subscriber's row (personal data). */
function columnHint(column: string, header: readonly string[]): string {
  return header.some((cell) => cell.includes('@')) ? '' : didYouMean(column, header);
}

function describeColumns(header: readonly string[]): string {
  if (header.some((cell) => cell.includes('@'))) {
    return `the first row holds an address, so the file seems to have no header row (add --no-header, option header: false); it has ${header.length} column${header.length === 1 ? '' : 's'}`;
  }
  return `the columns are ${quoteList(header)}`;
}

/**
 * The columns named (each resolved by `resolve`), in order, each once. A string that is not a header
 * name is split on commas: `Work Email,Personal Email`, `3,5`; a header name holding a comma is found
 * whole first.
 */
function resolveColumns(
  column: string | number | ReadonlyArray<string | number> | undefined,
  resolve: (one: string | number | undefined) => CsvColumn,
  header: readonly string[] | null,
): CsvColumn[] {
  const named = (Array.isArray(column) ? column : [column]).flatMap((one: string | number | undefined) =>
    typeof one === 'string' && one.includes(',') && headerIndex(header, one) === -1
      ? one.split(',').map((part) => part.trim()).filter((part) => part !== '')
      : [one],
  );
  const columns: CsvColumn[] = [];
  for (const one of named) {
    const found = resolve(one);
    if (!columns.some((seen) => seen.index === found.index)) columns.push(found);
  }
  return columns;
}

/** The header's column with this name (trimmed, case-insensitive, then loosely), or -1. */
function headerIndex(header: readonly string[] | null, column: string): number {
  if (header === null) return -1;
  const wanted = column.trim().toLowerCase();
  const index = header.findIndex((name) => name.trim().toLowerCase() === wanted);
  return index !== -1 ? index : header.findIndex((name) => normalizeHeaderName(name) === normalizeHeaderName(column));
}

function resolveColumn(
  column: string | number | undefined,
  header: string[] | null,
  sampleRows: string[][],
  width: number,
  hasHeader: boolean,
  anyRecord: boolean,
): CsvColumn {
  const nameAt = (index: number) => header?.[index] ?? null;
  if (typeof column === 'string') {
    const index = headerIndex(header, column);
    if (index !== -1) return { index, name: nameAt(index), source: 'option' };
    if (/^\d+$/.test(column.trim())) return resolveColumn(Number(column.trim()), header, sampleRows, width, hasHeader, anyRecord);
    if (!anyRecord) return { index: 0, name: null, source: 'none' };
    if (header === null) {
      throw new ListscrubError(
        'E_NO_EMAIL_COLUMN',
        hasHeader
          ? `no column named ${JSON.stringify(column)}: the input has no header row; give the column by number (--column 3, option column: 3)`
          : `cannot find a column named ${JSON.stringify(column)} without a header row; give the column by number (--column 3, option column: 3)`,
      );
    }
    throw new ListscrubError(
      'E_NO_EMAIL_COLUMN',
      `no column named ${JSON.stringify(column)}${columnHint(column, header)}; ${describeColumns(header)} — pass a column name or number with --column (option column)`,
    );
  }
  if (typeof column === 'number') {
    if (anyRecord && width > 0 && column > width) {
      throw new ListscrubError(
        'E_NO_EMAIL_COLUMN',
        `column ${column} does not exist: the input has ${width} column${width === 1 ? '' : 's'}` +
          (header === null ? '' : ` (${describeColumns(header)})`),
      );
    }
    return { index: column - 1, name: nameAt(column - 1), source: 'option' };
  }
  const found = findEmailColumn(header, sampleRows);
  if (found !== null) return { index: found.index, name: nameAt(found.index), source: found.source };
  if (sampleRows.length === 0) return { index: 0, name: nameAt(0), source: 'none' };
  const columns =
    header === null
      ? `the input has no header and no column of ${width === 1 ? 'its 1 column' : `its ${width} columns`} holds addresses`
      : describeColumns(header);
  throw new ListscrubError(
    'E_NO_EMAIL_COLUMN',
    `no email column found: ${columns}; name it with --column <name|number> (option column)`,
  );
}
