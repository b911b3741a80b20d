/**
 * Step 4 of the job: the outputs, opened as temporary files beside their targets (the cleaned list,
 * the report, the result file, the HTML page) and written a batch at a time. Nothing is visible
 * until commit(); abort() leaves the previous files as they were.
 */
import { once } from 'node:events';
import { basename, dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TextEncodeStream, outputEncodingFor, unencodable, type OutputEncoding } from '../csv/encode.js';
import { parseDelimiter, type CsvInput } from '../csv/read.js';
import { cleanStaleTempFiles, createAtomicFileWriter, createCsvBatchWriter, neutralizeFormula, outputError, outputModeFor, type AtomicWriter } from '../csv/write.js';
import { ListscrubError } from '../errors.js';
import { realTarget } from '../jobs/paths.js';
import { openRunReport, type RunReport } from '../report/index.js';
import { ANNOTATE_COLUMNS, RESULT_COLUMNS, RESULT_SMTP_COLUMNS, SMTP_COLUMNS, appendLayout, type OutputLayout } from '../results.js';
import type { ScrubbedRow } from '../stream/index.js';
import type { JobPlan } from './plan.js';

/** Rows gathered for one output, written by flush(). */
type Batch = string[][];

export interface JobOutputs {
  cleaned: Batch;
  report: Batch;
  /** Null without --results. */
  results: Batch | null;
  /** --annotate's columns, or null. */
  annotate: OutputLayout | null;
  /** --results's columns, or null. */
  resultsLayout: OutputLayout | null;
  /** The HTML page's collector (--html), or null. */
  page: RunReport | null;
  /** With --smtp: the report and the result file carry the SMTP reply of every probed row. */
  smtpColumns: boolean;
  encoding: OutputEncoding;
  /** Throws E_ENCODING when the output encoding (windows-1252) cannot hold a cell of the row. */
  assertEncodable(cells: readonly string[], row: ScrubbedRow<string[]>): void;
  /** Write the gathered rows; a promise when an output is full (resolved on its 'drain'). */
  flush(): Promise<void> | undefined;
  /** No more rows: end the CSV writers. */
  end(): void;
  /** Every output written to its temporary file. */
  written(): Promise<void>;
  /** The first failure of an output stream (disk full, `-o -` piped into `head`), as E_OUTPUT. */
  failure(): ListscrubError | undefined;
  commit(): Promise<void>;
  /** A guard tripped: the files are not replaced (the HTML page is still written, it says why). */
  discard(): Promise<void>;
  /** The run failed: nothing is replaced, the HTML page included. */
  abort(): Promise<void>;
}

/**
 * `stop` is aborted on the first output failure: without it the row loop waited for a 'drain' that
 * never comes from a destroyed stream (the process hung until Node gave up, exit 13, leaving the
 * temp files and the lock behind).
 */
export async function openOutputs(plan: JobPlan, input: CsvInput, stop: AbortController): Promise<JobOutputs> {
  const { options, outputPath, reportPath } = plan;
  const header = input.header;
  const annotate = options.annotate ? appendLayout(header, ANNOTATE_COLUMNS) : null;
  const smtpColumns = options.smtp !== undefined;
  const resultsLayout = options.results === undefined ? null : appendLayout(header, smtpColumns ? [...RESULT_COLUMNS, ...RESULT_SMTP_COLUMNS] : RESULT_COLUMNS);
  // `raw`: the complete source text of a malformed record, so it can always be recovered.
  // The input's header names are cells like any other in the report: neutralized the same way.
  const reportHeader = ['row', 'line', 'status', 'reason', 'detail', 'suggestion', 'bounce', 'raw', ...(smtpColumns ? SMTP_COLUMNS : []), ...(header ?? [])].map(neutralizeFormula);
  // All outputs open in the spreadsheet the list came from: its encoding and byte-order mark,
  // delimiter and line endings, unless the options say otherwise.
  const encoding = plan.outputEncoding ?? outputEncodingFor(input.encoding);
  const bom = plan.outputEncoding === undefined ? input.bom : encoding !== 'windows-1252' && input.bom;
  const delimiter = parseDelimiter(options.outputDelimiter, 'outputDelimiter') ?? input.delimiter;
  const csv = (columns: string[] | null) => createCsvBatchWriter({ delimiter, lineEnding: input.lineEnding, header: columns });

  await removeStaleTempFiles([outputPath, reportPath, options.results]);
  // Never more open than the list they come from (personal data): the input's permission bits.
  const mode = await outputModeFor(options.input);
  const writers: AtomicWriter[] = [];
  let page: RunReport | null = null;
  let failure: ListscrubError | undefined;
  const streams: Array<{ csv: ReturnType<typeof csv>; batch: Batch; done: Promise<void> }> = [];
  const abortAll = async (): Promise<void> => {
    await Promise.allSettled([...writers, ...(page === null ? [] : [page])].map((writer) => writer.abort()));
  };
  try {
    const open = async (path: string, columns: string[] | null, cleanedList = false): Promise<Batch> => {
      const writer = await createAtomicFileWriter(path, cleanedList ? { stdout: options.stdout, mode } : { mode });
      writers.push(writer);
      const writerCsv = csv(columns);
      // The cleaned list's stream is not ended when it is standard output (the CLI may still write to
      // it) or a special file (the in-place writer ends it on commit).
      const done = pipeline(writerCsv, new TextEncodeStream(encoding, bom), writer.stream, { end: !cleanedList || writer.tempPath !== null });
      // Also marks `done` handled: when the run fails it is never awaited, and aborting the writers
      // makes it reject with ERR_STREAM_PREMATURE_CLOSE, which unhandled would kill the process.
      done.catch((error: unknown) => {
        failure ??= outputError(path, error);
        stop.abort(failure);
      });
      const batch: Batch = [];
      streams.push({ csv: writerCsv, batch, done });
      return batch;
    };
    const cleaned = await open(outputPath, annotate === null ? header : annotate.header, true);
    const report = await open(reportPath, reportHeader);
    if (options.html !== undefined) page = await openRunReport(options.html, { delimiter: input.delimiter, startedAt: new Date(plan.started) });
    const results = options.results === undefined || resultsLayout === null ? null : await open(options.results, resultsLayout.header);
    return {
      cleaned, report, results, annotate, resultsLayout, page, smtpColumns, encoding,
      assertEncodable: (cells, row) => {
        if (encoding === 'windows-1252') assertEncodable(cells, encoding, row);
      },
      flush: () => flushAll(streams, stop.signal),
      end: () => streams.forEach(({ csv: stream }) => stream.end()),
      written: () => Promise.all(streams.map(({ done }) => done)).then(() => undefined),
      failure: () => failure,
      commit: async () => {
        for (const writer of writers) await writer.commit();
      },
      discard: async () => {
        await Promise.all(writers.map((writer) => writer.abort()));
      },
      abort: abortAll,
    };
  } catch (error) {
    await abortAll();
    throw error;
  }
}

/** Temporary files left by a killed run (SIGKILL, power loss) are removed before writing anew. */
async function removeStaleTempFiles(paths: ReadonlyArray<string | undefined>): Promise<void> {
  for (const path of paths) {
    if (path === undefined || path === '-') continue;
    // Beside the file a symlink points to: that is where the writer puts its temp files.
    const real = realTarget(path);
    await cleanStaleTempFiles(dirname(real), basename(real)).catch(() => []);
  }
}

/** Each output's gathered rows in one write; the waits of the full ones, together. */
function flushAll(streams: ReadonlyArray<{ csv: Writable; batch: Batch }>, signal: AbortSignal): Promise<void> | undefined {
  const waits: Promise<void>[] = [];
  for (const { csv, batch } of streams) {
    if (batch.length === 0) continue;
    // The batch array is the router's: hand over a copy of its rows and empty it in place.
    const wait = writeBatch(csv, batch.splice(0, batch.length), signal);
    if (wait !== undefined) waits.push(wait);
  }
  if (waits.length === 0) return undefined;
  return waits.length === 1 ? waits[0] : Promise.all(waits).then(() => undefined);
}

/**
 * Write a batch of rows; when the stream is full, a promise of its 'drain' (until `signal` says the run
 * stopped); otherwise undefined, so the common case costs no promise.
 */
function writeBatch(stream: Writable, rows: unknown[][], signal: AbortSignal): Promise<void> | undefined {
  if (stream.write(rows)) return undefined;
  return once(stream, 'drain', { signal }).then(() => undefined);
}

/** Stop on a cell the output encoding cannot hold: never a silent '?'. Names the row, not its content. */
function assertEncodable(cells: readonly string[], encoding: OutputEncoding, row: ScrubbedRow<string[]>): void {
  for (const cell of cells) {
    const bad = unencodable(cell, encoding);
    if (bad === undefined) continue;
    const code = `U+${(bad.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
    const where = row.line === undefined ? `row ${row.index}` : `row ${row.index} (line ${row.line})`;
    throw new ListscrubError(
      'E_ENCODING',
      `${where} holds a character (${code}) that ${encoding} cannot hold; write the outputs in UTF-8 (--output-encoding utf8, outputEncoding) instead. Nothing was replaced.`,
      row.line === undefined ? {} : { line: row.line },
    );
  }
}
