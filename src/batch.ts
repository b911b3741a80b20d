/**
 * scrubCsv(): the whole clean job, as the CLI runs it. Reads the list, checks every row through one
 * Scrubber, routes each row to the cleaned list or the report, and commits both files atomically.
 * Every input record ends up in exactly one output; the summary proves it.
 */
import { basename, dirname, extname, join } from 'node:path';
import { constants as fsConstants } from 'node:fs';
import { open } from 'node:fs/promises';
import { Writable, type Readable } from 'node:stream';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { openCsvInput, parseDelimiter, type InputEncoding } from './csv/read.js';
import { cleanStaleTempFiles, createAtomicFileWriter, outputModeFor, createCsvBatchWriter, isSpecialFile, neutralizeFormula, outputError, type AtomicWriter } from './csv/write.js';
import { applyBounceEvidence, bounceGuard, DEFAULT_MAX_BOUNCE_SHARE, loadBounceEvidence, validateBounceOptions, type BounceEvidence, type BounceOptions, type BounceSummary } from './bounces/load.js';
import { ListscrubError } from './errors.js';
import { TextEncodeStream, fitOwnText, normalizeOutputEncoding, outputEncodingFor, unencodable, type OutputEncoding } from './csv/encode.js';
import { cacheFileIdentity, loadCacheFile, saveCacheFile, type CacheSnapshot, type LoadedCache } from './jobs/cache-file.js';
import { acquireLock, lockPathFor, type LockHandle } from './jobs/lock.js';
import { sameAddressPolicy } from './dns/cache.js';
import { assertDistinctPaths, realTarget } from './jobs/paths.js';
import { describe, rejectUnknownOptions, validateCheckOptions } from './options.js';
import { createScrubber, type Scrubber } from './scrubber.js';
import type { HistoryEntry } from './jobs/history.js';
import { openRunReport, type RunReport } from './report/index.js';
import { DedupeSet, createScrubStream, markDuplicates, recordChars, type ScrubbedRow } from './stream/index.js';
import { DROP_CHOICES, REASON_CODES, type CheckOptions, type DnsHealth, type ReasonCode, type RowStatus, type RowVerdict } from './types.js';
import { REASONS } from './verdict.js';
import { createSplitter } from './split.js';
import { ANNOTATE_COLUMNS, RESULT_COLUMNS, annotatedRow, appendLayout, judgeWritten, mxHost, resultRow, severalEmailColumns, suggestionToApply, validateApplySuggestions } from './results.js';


/** Statuses removed whatever --drop says. */
const ALWAYS_REMOVED: ReadonlySet<RowStatus> = new Set(['invalid', 'duplicate', 'malformed']);

/**
 * What `--drop` can never remove a row for: a check that could not be made (the `unknown` status
 * and every reason with that status: DNS timeouts, server failures, an untrusted resolver). Such a
 * row is kept, whatever `--drop` lists; only a finding that was made (its offline finding, in
 * `alsoFound`) can remove it. Derived from the reason table, so a new "could not check" reason is
 * covered as soon as it exists.
 */
const UNCHECKED: ReadonlySet<string> = new Set([
  'unknown',
  ...REASON_CODES.filter((reason) => REASONS[reason].status === 'unknown'),
]);

/**
 * Why --drop removes a row, or undefined: its status or its reason. Never a check that could not be
 * made: an `unknown` row stays, and so does the DNS reason a risky row carries in `alsoFound`.
 */
export function dropMatch(verdict: RowVerdict, drop: ReadonlySet<string>): string | undefined {
  if (drop.size === 0 || verdict.status === 'unknown') return undefined;
  if (drop.has(verdict.status)) return verdict.status;
  return drop.has(verdict.reason) ? verdict.reason : undefined;
}

export interface ScrubCsvOptions extends CheckOptions, BounceOptions {
  /** Path of the list, or '-' for `stdin`. */
  input: string;
  /** Cleaned list path; default `<input-name>.clean.csv` beside the input; '-' for `stdout`. */
  output?: string;
  /** Report path; default `<input-name>.report.csv` beside the cleaned list (beside the input when that is '-'). */
  report?: string;
  /** Result file: every input row once, in order, with the verdict columns (RESULT_COLUMNS) appended. */
  results?: string;
  /**
   * Write the suggestion in place of the address: `true` for certain repairs (reason `repaired`),
   * or a list of reason codes to accept as well (`['typo_domain']`).
   */
  applySuggestions?: boolean | string[];
  /** One row per address for cells that list several (`a@x.com; b@y.com`), other columns copied. */
  split?: boolean;
  /** Email column: header name, or 1-based number. Default: detected. */
  column?: string | number;
  delimiter?: string;
  encoding?: InputEncoding;
  /** false for files without a header row (`--no-header`). */
  header?: boolean;
  /** Statuses or reason codes to remove on top of invalid, duplicate and malformed. */
  drop?: string[];
  keepDuplicates?: boolean;
  /** Append email_status, email_reason and email_suggestion columns to the cleaned list (replacing earlier ones). */
  annotate?: boolean;
  /** Write the normalized address in place of the original cell. */
  normalize?: boolean;
  /**
   * Refuse to replace outputs when more than this share of rows would be removed (0..1): rows
   * removed for any reason (invalid, duplicate, malformed, --drop) over all rows read.
   */
  maxInvalidRate?: number;
  /**
   * Replace a cleaned list that has rows with an empty one when the input has no data row. Default
   * false: a run that reads no data row leaves existing outputs alone and reports guard `empty_input`.
   */
  allowEmpty?: boolean;
  /**
   * With `baselineRows` (the rows of the last successful run; the CLI takes them from --history):
   * refuse to replace outputs when the list shrank by more than this share (0..1). Default 0.5.
   */
  maxShrink?: number;
  baselineRows?: number;
  /** Characters one record may have before it is reported as malformed. Default 1 MiB. */
  maxRecordSize?: number;
  /** Encoding of both outputs. Default: the input's (with its byte-order mark, if it had one). */
  outputEncoding?: string;
  /** Delimiter of both outputs. Default: the input's. */
  outputDelimiter?: string;
  /** DNS cache file kept between runs (domain outcomes and MX host addresses, with expiry). */
  cache?: string;
  /** Hold `<output>.lock` so two runs over the same outputs never overlap (default true). */
  lock?: boolean;
  /** Streams used for '-' paths (the library never touches process). */
  stdin?: Readable;
  stdout?: Writable;
  /** Stop the run: outputs are not replaced, temporary files are removed. */
  signal?: AbortSignal;
  /** Called now and then with the progress so far. */
  onProgress?: (progress: Progress) => void;
  /** Reuse a scrubber (its cache and limiter); it is not closed. */
  scrubber?: Scrubber;
  /** Also write a self-contained HTML page about the run here (src/report/). */
  html?: string;
  /** Earlier runs (oldest first, from the history file) to show as a trend on the HTML page. */
  htmlHistory?: readonly HistoryEntry[];
}

/** Every key of ScrubCsvOptions (typed: adding an option without listing it here fails the build). */
const SCRUB_CSV_KEYS: Record<keyof ScrubCsvOptions, true> = {
  input: true, output: true, report: true, results: true, applySuggestions: true, split: true, column: true,
  delimiter: true, encoding: true, header: true, drop: true, keepDuplicates: true, annotate: true, normalize: true,
  maxInvalidRate: true, cache: true, lock: true, stdin: true, stdout: true, signal: true, onProgress: true,
  scrubber: true, dns: true, rate: true, concurrency: true, cacheTtl: true,
  allowEmpty: true, maxShrink: true, baselineRows: true, maxRecordSize: true, outputEncoding: true, outputDelimiter: true,
  html: true, htmlHistory: true, bounces: true, bouncesSince: true, bounceFormat: true, bounceMinEvents: true, bounceStorm: true, maxBounceShare: true,
};

export interface Progress {
  rows: number;
  bytesRead: number;
  totalBytes: number | null;
}

export interface Summary {
  /** Input records (malformed ones included). With --split, kept + removed = rows + split.extraRows. */
  rows: number;
  /** Set with --split: the rows it made beyond the input records (one per extra address). */
  split?: { extraRows: number };
  kept: number;
  removed: number;
  /** Every row by status (sums to `rows`). */
  statuses: Record<RowStatus, number>;
  /** Every row by reason (sums to `rows`). */
  reasons: Partial<Record<ReasonCode, number>>;
  /** Removed rows by status (sums to `removed`). */
  removedStatuses: Record<RowStatus, number>;
  /** Rows removed by --drop, by what matched: a status, a reason code or an offline finding. */
  dropped: Record<string, number>;
  /**
   * Rows kept without a full check, by the check that could not be made (DNS timeout, server
   * failure, an untrusted resolver): status `unknown`, or `risky` with that reason in `alsoFound`.
   * --drop never removes a row for what could not be checked.
   */
  unchecked: { rows: number; reasons: Partial<Record<ReasonCode, number>> };
  dns: { enabled: boolean; healthy: boolean; checked: boolean; detail: string; queries: number; domains: number; cacheHits: number };
  durationMs: number;
  input: string;
  /** Paths written, or null when the outputs were not replaced (guard tripped). */
  output: string | null;
  report: string | null;
  /** The result file written (--results), or null when not asked for or not replaced. */
  results?: string | null;
  /** Rows whose address was replaced by its suggestion (--apply-suggestions). */
  applied?: number;
  /** The email column checked, and how it was found (named with --column, by its header, by its content). */
  column: { index: number; name: string | null; source?: 'option' | 'header' | 'content' | 'none' };
  delimiter: string;
  /** Set when a guard stopped the outputs from being replaced (exit 4). */
  guard?: Guard;
  /** What the bounce files said (--bounces). */
  bounces?: BounceSummary;
  /** Warnings worth showing (e.g. encoding notes). */
  warnings: string[];
  /** The job file the options came from, when there was one (set by the CLI). */
  config?: string;
  /** The HTML page written (option html). */
  html?: string;
}

/** Why a run did not replace its outputs: which guard, its numbers, and a sentence. */
export type Guard =
  | { kind: 'max_invalid_rate'; maxInvalidRate: number; removedRate: number; detail: string }
  | { kind: 'empty_input'; detail: string }
  | { kind: 'max_shrink'; maxShrink: number; baselineRows: number; rows: number; detail: string }
  | { kind: 'max_bounce_share'; maxBounceShare: number; removedRate: number; detail: string };

/** Default of maxShrink: a list that lost more than half its rows since the last good run. */
export const DEFAULT_MAX_SHRINK = 0.5;

/**
 * Default paths: the cleaned list beside the input (standard output for input '-', as csvkit does);
 * the report beside the cleaned list when that is a file named with -o.
 */
export function defaultOutputPaths(input: string, output?: string): { output: string; report: string } {
  const base = input === '-' ? 'stdin' : basename(input, extname(input));
  const dir = output !== undefined && output !== '-' ? dirname(output) : input === '-' ? '.' : dirname(input);
  return { output: input === '-' ? '-' : join(dir, `${base}.clean.csv`), report: join(dir, `${base}.report.csv`) };
}

function validateDrop(drop: unknown): Set<string> {
  if (drop === undefined) return new Set();
  if (!Array.isArray(drop) || !drop.every((item) => typeof item === 'string')) {
    throw new ListscrubError('E_OPTION', `Option "drop" must be a list of statuses or reason codes; got ${describe(drop)}.`);
  }
  for (const item of drop) {
    if (!DROP_CHOICES.includes(item)) {
      throw new ListscrubError('E_OPTION', `Option "drop" has "${item}", which is neither a status nor a reason code. Choices: ${DROP_CHOICES.join(', ')}.`);
    }
  }
  return new Set(drop);
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

function emptyCounts(): Record<RowStatus, number> {
  return { valid: 0, risky: 0, invalid: 0, unknown: 0, duplicate: 0, malformed: 0 };
}

/**
 * Write a batch of rows; when the stream is full, a promise of its 'drain' (until `signal` says the run
 * stopped); otherwise undefined, so the common case costs no promise.
 */
function writeBatch(stream: Writable, rows: unknown[][], signal: AbortSignal): Promise<void> | undefined {
  if (stream.write(rows)) return undefined;
  return once(stream, 'drain', { signal }).then(() => undefined);
}

/**
 * Rows in flight in the scrub stream for a whole job (the stream's own default is 256). The stream
 * keeps output in input order, so one slow domain (a SERVFAIL retried with backoff: ~360 ms) holds
 * back every row behind it; 256 rows filled up in milliseconds and the DNS queries stopped flowing
 * (the bench's DNS phase ran at many times its lower bound). 8192 rows hide such a stall at full
 * query speed and cost a few MB (a row is a few hundred bytes).
 */
const JOB_WINDOW = 8192;

/** Rows the router gathers per output before formatting and writing them in one go. */
const ROUTE_BATCH = 256;
/** ...or fewer, once they hold this many characters. */
const ROUTE_CHARS = 4 * 1024 * 1024;

export async function scrubCsv(options: ScrubCsvOptions): Promise<Summary> {
  const started = Date.now();
  validateCheckOptions(options);
  rejectUnknownOptions(options, Object.keys(SCRUB_CSV_KEYS), 'scrubCsv()');
  const drop = validateDrop(options.drop);
  validateBounceOptions(options);
  if (options.maxInvalidRate !== undefined && !(typeof options.maxInvalidRate === 'number' && options.maxInvalidRate >= 0 && options.maxInvalidRate <= 1)) {
    throw new ListscrubError('E_OPTION', `Option "maxInvalidRate" must be a number from 0 to 1; got ${describe(options.maxInvalidRate)}.`);
  }
  if (options.maxShrink !== undefined && !(typeof options.maxShrink === 'number' && options.maxShrink >= 0 && options.maxShrink <= 1)) {
    throw new ListscrubError('E_OPTION', `Option "maxShrink" must be a number from 0 to 1; got ${describe(options.maxShrink)}.`);
  }
  const outputEncoding = options.outputEncoding === undefined ? undefined : normalizeOutputEncoding(options.outputEncoding);
  const defaults = defaultOutputPaths(options.input, options.output);
  const outputPath = options.output ?? defaults.output;
  const reportPath = options.report ?? defaults.report;
  if (reportPath === '-') throw new ListscrubError('E_OPTION', 'The report cannot go to standard output; give it a file name.');
  validateApplySuggestions(options.applySuggestions);
  if (options.results === '-') throw new ListscrubError('E_OPTION', 'The result file cannot go to standard output; give it a file name.');
  assertDistinctPaths([
    ['input', options.input],
    ['cleaned list', outputPath],
    ['report', reportPath],
    ['result file', options.results],
    ['DNS cache', options.cache],
    ['HTML report', typeof options.html === 'string' ? options.html : undefined],
  ]);
  if (outputPath === '-' && options.stdout === undefined) throw new ListscrubError('E_OPTION', 'output "-" needs a stdout stream.');

  // Taken before anything is read, so a second run fails fast (exit 5) and touches nothing.
  // The lock sits beside the first output that is a file: not beside '-', nor beside /dev/null or a
  // named pipe (an unprivileged user cannot create /dev/null.lock, so `-o /dev/null` failed).
  const lockTarget = (await isSpecialFile(outputPath)) || outputPath === '-' ? reportPath : outputPath;
  const lock: LockHandle | null =
    options.lock === false || (await isSpecialFile(lockTarget)) ? null : await acquireLock(lockPathFor(lockTarget));
  try {
    return await runJob(options, { outputPath, reportPath, drop, started, outputEncoding });
  } finally {
    await lock?.release();
  }
}

interface JobPlan {
  outputPath: string;
  reportPath: string;
  drop: Set<string>;
  started: number;
  outputEncoding: OutputEncoding | undefined;
}

async function runJob(options: ScrubCsvOptions, { outputPath, reportPath, drop, started, outputEncoding: encodingOption }: JobPlan): Promise<Summary> {
  const input = await openCsvInput({
    input: options.input,
    stdin: options.stdin,
    encoding: options.encoding,
    delimiter: options.delimiter,
    column: options.column,
    header: options.header,
    ...(options.maxRecordSize === undefined ? {} : { maxRecordSize: options.maxRecordSize }),
  });

  const { dns, rate, concurrency, cacheTtl } = options;
  const scrubber = options.scrubber ?? createScrubber({ dns, rate, concurrency, ...(cacheTtl === undefined ? {} : { cacheTtl }) });
  const ownsScrubber = options.scrubber === undefined;
  const writers: AtomicWriter[] = [];
  const warnings = [...input.warnings];
  const neverDropped = [...drop].filter((item) => UNCHECKED.has(item));
  if (neverDropped.length > 0) {
    warnings.push(
      `--drop ${neverDropped.join(',')} removes nothing: a row that could not be checked is always kept ` +
        '(what was found offline still counts: --drop risky or --drop disposable); the summary counts such rows as "unchecked".',
    );
  }
  // The first failure of an output stream (disk full, `-o -` piped into `head`), as E_OUTPUT.
  let outputFailure: ListscrubError | undefined;
  // Stops the main pipeline (and any wait for 'drain') on an interrupt or an output failure.
  const stop = new AbortController();
  let page: RunReport | null = null;
  const onInterrupt = (): void => stop.abort(options.signal?.reason);
  if (options.signal?.aborted) onInterrupt();
  else options.signal?.addEventListener('abort', onInterrupt, { once: true });
  try {
    // The canary check starts now and runs while the cache is loaded, the outputs are prepared and
    // the first rows are read: every domain check waits for it anyway (DomainChecker.check), so no
    // verdict depends on DNS before it is done.
    const healthCheck: Promise<DnsHealth> = scrubber.ready();
    let cacheLoaded: LoadedCache | undefined;
    if (options.cache !== undefined && scrubber.domains !== null) {
      cacheLoaded = await loadCacheFile(options.cache, { now: Date.now(), ...(options.cacheTtl?.max === undefined ? {} : { maxTtlSeconds: options.cacheTtl.max }) });
      if (cacheLoaded.warning !== undefined) warnings.push(cacheLoaded.warning);
      scrubber.domains.cache.import(cacheLoaded.snapshot);
    }
    // Before any output is prepared: a bounce file that cannot be read fails the run (exit 1).
    const bounceEvidence: BounceEvidence | null =
      options.bounces === undefined || options.bounces.length === 0 ? null : await loadBounceEvidence(options.bounces, options, scrubber.domains);
    const header = input.header;
    const annotateLayout = options.annotate ? appendLayout(header, ANNOTATE_COLUMNS) : null;
    const cleanedHeader = annotateLayout === null ? header : annotateLayout.header;
    const resultsLayout = options.results === undefined ? null : appendLayout(header, RESULT_COLUMNS);
    const accepted = validateApplySuggestions(options.applySuggestions);
    const columnWarning = input.column.source === 'option' ? undefined : severalEmailColumns(header, input.column.index);
    if (columnWarning !== undefined) warnings.push(columnWarning);
    const originalNames = header ?? [];
    // `raw`: the complete source text of a malformed record, so it can always be recovered.
    // The input's header names are cells like any other in the report: neutralized the same way.
    const reportHeader = ['row', 'line', 'status', 'reason', 'detail', 'suggestion', 'bounce', 'raw', ...originalNames].map(neutralizeFormula);
    // Both outputs open in the spreadsheet the list came from: its encoding and byte-order mark,
    // delimiter and line endings, unless the options say otherwise.
    const outputEncoding = encodingOption ?? outputEncodingFor(input.encoding);
    const outputBom = encodingOption === undefined ? input.bom : outputEncoding !== 'windows-1252' && input.bom;
    const outputDelimiter = parseDelimiter(options.outputDelimiter, 'outputDelimiter') ?? input.delimiter;
    const checkEncoding = outputEncoding === 'windows-1252';

    // Temporary files left by a killed run (SIGKILL, power loss) are removed before writing anew.
    for (const path of [outputPath, reportPath, ...(options.results === undefined ? [] : [options.results])]) {
      if (path === '-') continue;
      // Beside the file a symlink points to: that is where the writer puts its temp files.
      const real = realTarget(path);
      await cleanStaleTempFiles(dirname(real), basename(real)).catch(() => []);
    }
    // Never more open than the list they come from (personal data): the input's permission bits.
    const mode = await outputModeFor(options.input);
    const cleanedTarget = await createAtomicFileWriter(outputPath, { stdout: options.stdout, mode });
    writers.push(cleanedTarget);
    const reportTarget = await createAtomicFileWriter(reportPath, { mode });
    writers.push(reportTarget);
    if (options.html !== undefined) {
      page = await openRunReport(options.html, { delimiter: input.delimiter, startedAt: new Date(started) });
    }
    const resultsTarget = options.results === undefined ? null : await createAtomicFileWriter(options.results, { mode });
    if (resultsTarget !== null) writers.push(resultsTarget);

    // The cleaned list keeps the input's delimiter and line ending; the report is plain CSV.
    // Rows are formatted a batch at a time (ROUTE_BATCH rows per write: one stream hop and one string
    // per batch), with the same csv-stringify options as createCsvWriter().
    const cleanedCsv = createCsvBatchWriter({ delimiter: outputDelimiter, lineEnding: input.lineEnding, header: cleanedHeader });
    const reportCsv = createCsvBatchWriter({ delimiter: outputDelimiter, lineEnding: input.lineEnding, header: reportHeader });
    // The result file is shaped like the cleaned list (its delimiter, line ending and encoding).
    const resultsCsv =
      resultsLayout === null ? null : createCsvBatchWriter({ delimiter: outputDelimiter, lineEnding: input.lineEnding, header: resultsLayout.header });
    let cleanedBatch: string[][] = [];
    let reportBatch: string[][] = [];
    let resultsBatch: string[][] = [];
    /** Write the gathered rows; a promise when an output is full (resolved on its 'drain'). */
    const flushBatches = (): Promise<void> | undefined => {
      let waitCleaned: Promise<void> | undefined;
      let waitReport: Promise<void> | undefined;
      if (cleanedBatch.length > 0) {
        waitCleaned = writeBatch(cleanedCsv, cleanedBatch, stop.signal);
        cleanedBatch = [];
      }
      if (reportBatch.length > 0) {
        waitReport = writeBatch(reportCsv, reportBatch, stop.signal);
        reportBatch = [];
      }
      if (resultsCsv !== null && resultsBatch.length > 0) {
        const waitResults = writeBatch(resultsCsv, resultsBatch, stop.signal);
        resultsBatch = [];
        if (waitResults !== undefined) waitReport = waitReport === undefined ? waitResults : Promise.all([waitReport, waitResults]).then(() => undefined);
      }
      if (waitCleaned === undefined) return waitReport;
      if (waitReport === undefined) return waitCleaned;
      return Promise.all([waitCleaned, waitReport]).then(() => undefined);
    };
    const cleanedDone = pipeline(cleanedCsv, new TextEncodeStream(outputEncoding, outputBom), cleanedTarget.stream, { end: cleanedTarget.tempPath !== null });
    const reportDone = pipeline(reportCsv, new TextEncodeStream(outputEncoding, outputBom), reportTarget.stream);
    const resultsDone = resultsCsv === null || resultsTarget === null ? Promise.resolve() : pipeline(resultsCsv, new TextEncodeStream(outputEncoding, outputBom), resultsTarget.stream);
    // A failed output stops the run at once. Without this the row loop waited for a 'drain' that
    // never comes from a destroyed stream: the process hung until Node gave up on the unsettled
    // top-level await (exit 13), leaving the temp files and the lock behind. The handlers also mark
    // these promises handled: when the main pipeline fails (interrupt, bad bytes mid-file) they are
    // never awaited, and the writers' abort() makes them reject with ERR_STREAM_PREMATURE_CLOSE,
    // which unhandled would kill the process. The happy path still awaits them and sees their errors.
    for (const [done, path] of [[cleanedDone, outputPath], [reportDone, reportPath], [resultsDone, options.results ?? '']] as const) {
      done.catch((error: unknown) => {
        outputFailure ??= outputError(path, error);
        stop.abort(outputFailure);
      });
    }

    const statuses = emptyCounts();
    const reasons: Partial<Record<ReasonCode, number>> = {};
    const removedStatuses = emptyCounts();
    const dropped: Record<string, number> = {};
    const unchecked: Summary['unchecked'] = { rows: 0, reasons: {} };
    let rows = 0;
    let kept = 0;
    let removed = 0;
    let applied = 0;
    let lastProgress = 0;
    const columnIndex = input.column.index;
    const splitter = options.split === true ? createSplitter(columnIndex) : null;

    // The router is a synchronous object-mode sink: a row costs no promise unless an output is full
    // (then the write callback waits for its 'drain'). Iterating the scrub stream with for-await and
    // awaiting every write cost two promise round trips per row (~0.6 s per 1M rows in the profile).
    const routeRow = (row: ScrubbedRow<string[]>): void => {
      // Bounces that prove a mailbox dead come first; a repaired cell written as its repaired address
      // is judged on what is written.
      const found = bounceEvidence === null ? row.verdict : applyBounceEvidence(row.verdict, bounceEvidence.dead);
      const suggestion = suggestionToApply(found, accepted);
      const verdict = options.normalize || suggestion !== undefined ? judgeWritten(found) : found;
      rows += 1;
      statuses[verdict.status] += 1;
      reasons[verdict.reason] = (reasons[verdict.reason] ?? 0) + 1;
      const dropBy = ALWAYS_REMOVED.has(verdict.status) ? undefined : dropMatch(verdict, drop);
      const remove = dropBy !== undefined || ALWAYS_REMOVED.has(verdict.status);
      const record = Array.isArray(row.record) ? row.record : [];
      page?.add(verdict === row.verdict ? row : { ...row, verdict });
      if (resultsLayout !== null) {
        const domain = verdict.address === null || verdict.status === 'invalid' ? null : verdict.address.slice(verdict.address.lastIndexOf('@') + 1);
        const mx = domain === null || scrubber.domains === null ? '' : mxHost(scrubber.domains.cache.get(domain));
        resultsBatch.push(resultRow(record, resultsLayout, verdict, mx).map(neutralizeFormula));
      }
      if (remove) {
        removed += 1;
        removedStatuses[verdict.status] += 1;
        if (dropBy !== undefined) dropped[dropBy] = (dropped[dropBy] ?? 0) + 1;
        const cells = [
          String(row.index),
          row.line === undefined ? '' : String(row.line),
          verdict.status,
          verdict.reason,
          fitOwnText(verdict.detail, outputEncoding),
          verdict.suggestion ?? '',
          verdict.bounce ?? '',
          verdict.status === 'malformed' ? verdict.input : '',
          ...record,
        ];
        if (checkEncoding) assertEncodable(cells, outputEncoding, row);
        reportBatch.push(cells.map(neutralizeFormula));
      } else {
        kept += 1;
        // Kept without a full check: unknown, or risky with the DNS reason in alsoFound.
        const notChecked = verdict.status === 'unknown' ? verdict.reason : verdict.alsoFound !== undefined && UNCHECKED.has(verdict.alsoFound) ? verdict.alsoFound : undefined;
        if (notChecked !== undefined) {
          unchecked.rows += 1;
          unchecked.reasons[notChecked] = (unchecked.reasons[notChecked] ?? 0) + 1;
        }
        let cells = record;
        const written = suggestion ?? (options.normalize && verdict.address !== null ? verdict.address : undefined);
        if (written !== undefined && columnIndex < cells.length) {
          cells = cells.slice();
          cells[columnIndex] = written;
          if (suggestion !== undefined) applied += 1;
        }
        if (annotateLayout !== null) cells = annotatedRow(cells, annotateLayout, verdict);
        if (checkEncoding) assertEncodable(cells, outputEncoding, row);
        cleanedBatch.push(cells);
      }
      if (options.onProgress !== undefined && (rows - lastProgress >= 1000 || rows === 1)) {
        lastProgress = rows;
        options.onProgress({ rows, bytesRead: input.bytesRead(), totalBytes: input.totalBytes });
      }
    };

    // The duplicate index is kept here, not in the scrub stream: the router takes rows ROUTE_BATCH at
    // a time anyway, and checking a batch together (DedupeSet.insertBatch) overlaps the index's cache
    // misses, one per new address in a table of tens of MB (~0.5 s per million rows on a busy VM).
    // At most one distinct address per record: the index is sized once, up front, instead of
    // doubling through a file (on 5M rows the last doubling held 48 + 96 MB of tables at once).
    const seen = options.keepDuplicates === true ? null : new DedupeSet();
    if (seen !== null && input.estimatedRecords !== null) seen.reserve(input.estimatedRecords);
    let pendingRows: ScrubbedRow<string[]>[] = [];
    /**
     * Decide the duplicates among the rows gathered (in input order), route them, and write both
     * batches together: a row held longer (a report row waiting for 256 removed rows) kept its cells,
     * and the 64 KB input chunk they are cut from, alive through more young-generation collections.
     */
    let pendingChars = 0;
    // The first batches are small (1, 2, 4, ... rows, up to ROUTE_BATCH): the first rows reach the
    // outputs (and the progress line) as soon as their verdicts are known, instead of after the 256th
    // row's DNS answer (1.4 s into a 20k-row run at --rate 200 even with ideal DNS).
    let batchSize = 1;
    const routePending = (): Promise<void> | undefined => {
      const gathered = pendingRows;
      pendingRows = [];
      pendingChars = 0;
      // Split rows carry the number of the record they came from (report, duplicate details).
      if (splitter !== null) for (const row of gathered) row.index = splitter.nextSource();
      if (seen !== null) markDuplicates(gathered, seen);
      for (const row of gathered) routeRow(row);
      return flushBatches();
    };
    const route = new Writable({
      objectMode: true,
      write(row: ScrubbedRow<string[]>, _encoding, callback) {
        let wait: Promise<void> | undefined;
        try {
          pendingRows.push(row);
          // A batch is bounded by characters too: 256 rows near the record size limit are 512 MB.
          pendingChars += recordChars(row.record);
          if (pendingRows.length >= batchSize || pendingChars >= ROUTE_CHARS) {
            wait = routePending();
            if (batchSize < ROUTE_BATCH) batchSize = Math.min(batchSize * 2, ROUTE_BATCH);
          }
        } catch (error) {
          return callback(error as Error);
        }
        if (wait === undefined) return callback();
        wait.then(() => callback(), (error: Error) => callback(error));
      },
      final(callback) {
        try {
          // Nothing waits for these drains: end() below flushes what is buffered.
          routePending()?.catch(() => undefined);
        } catch (error) {
          return callback(error as Error);
        }
        cleanedCsv.end();
        reportCsv.end();
        resultsCsv?.end();
        callback();
      },
    });

    // keepDuplicates: the router decides duplicates itself (above), in the same order.
    const scrub = createScrubStream<string[]>({ column: columnIndex, scrubber, keepDuplicates: true, window: JOB_WINDOW });
    if (splitter === null) await pipeline(input.records, scrub, route, { signal: stop.signal });
    else await pipeline(input.records, splitter.transform, scrub, route, { signal: stop.signal });
    await Promise.all([cleanedDone, reportDone, resultsDone]);
    options.onProgress?.({ rows, bytesRead: input.bytesRead(), totalBytes: input.totalBytes });

    if (kept + removed !== rows) {
      throw new Error(`row accounting failed: ${rows} rows, ${kept} kept + ${removed} removed`);
    }

    const summary: Summary = {
      rows: rows - (splitter?.extraRows ?? 0),
      ...(splitter === null ? {} : { split: { extraRows: splitter.extraRows } }),
      kept,
      removed,
      statuses,
      reasons,
      removedStatuses,
      dropped,
      unchecked,
      dns: dnsSummary(scrubber, await healthCheck),
      durationMs: 0,
      input: options.input,
      output: outputPath,
      report: reportPath,
      ...(options.results === undefined ? {} : { results: options.results }),
      ...(accepted === null ? {} : { applied }),
      column: input.column,
      delimiter: input.delimiter,
      warnings,
    };
    if (bounceEvidence !== null) summary.bounces = bounceEvidence.summary;
    // A block-list incident read as dead mailboxes must not wipe a list either (--max-bounce-share).
    const guard =
      (await decideGuard(options, { rows, removed, empty: reasons.empty ?? 0, malformed: statuses.malformed, outputPath, hasHeader: header !== null })) ??
      (bounceEvidence === null ? undefined : bounceGuard(reasons.bounced ?? 0, rows, options.maxBounceShare ?? DEFAULT_MAX_BOUNCE_SHARE));
    if (guard !== undefined) {
      // A broken export or a DNS problem must not wipe a list: keep the previous outputs.
      await Promise.all(writers.map((writer) => writer.abort()));
      summary.output = null;
      summary.report = null;
      if (summary.results !== undefined) summary.results = null;
      summary.guard = guard;
    } else {
      if (rows === 0) warnings.push('The input has no data rows; the outputs hold only the header.');
      for (const writer of writers) await writer.commit();
    }
    // Answers are worth keeping even when the guard tripped; unknowns are never stored.
    // The outputs are committed by now, so a cache that cannot be written (missing directory, disk
    // full) is a warning, not a failed run: the next run just asks DNS again.
    // A run that learned nothing (every domain came from the file, which was read whole) leaves the
    // file as it is: rewriting 5 MB to say the same thing took ~0.4 s of a warm 1M-row run.
    const cacheUpToDate = cacheLoaded?.identity !== undefined && cacheLoaded.warning === undefined && !scrubber.domains?.cache.changed;
    if (options.cache !== undefined && scrubber.domains !== null && !cacheUpToDate) {
      try {
        await saveSharedCache(options.cache, scrubber.domains.cache.export(), cacheLoaded?.identity);
      } catch (error) {
        summary.warnings.push(`${(error as Error).message.replace(/\.$/, '')}; the next run will query DNS for these domains again.`);
      }
    }
    summary.durationMs = Date.now() - started;
    if (page !== null) summary.html = await page.finish(summary, options.htmlHistory);
    return summary;
  } catch (error) {
    // Taken before abort(): aborting the writers makes their pipelines fail too (premature close).
    const failure = outputFailure ?? error;
    await Promise.allSettled([...writers, ...(page === null ? [] : [page])].map((writer) => writer.abort()));
    if (options.signal?.aborted) throw new ListscrubError('E_ABORTED', 'The run was interrupted; previous outputs were left untouched.', { cause: error });
    throw failure;
  } finally {
    options.signal?.removeEventListener('abort', onInterrupt);
    input.records.destroy();
    if (ownsScrubber) await scrubber.close();
  }
}

const KEPT = 'the previous outputs were left untouched.';

/**
 * The guards, in order: an input with no data row (an empty or broken export) must not replace a
 * cleaned list that has rows; a list that shrank far below the last good run (--max-shrink, with
 * baselineRows); too many rows removed (--max-invalid-rate). The first that trips wins.
 */
async function decideGuard(
  options: ScrubCsvOptions,
  run: { rows: number; removed: number; empty: number; malformed: number; outputPath: string; hasHeader: boolean },
): Promise<Guard | undefined> {
  const dataRows = run.rows - run.malformed;
  if (dataRows === 0 && options.allowEmpty !== true && (await hasDataRows(run.outputPath, run.hasHeader))) {
    return {
      kind: 'empty_input',
      detail: `the input has no data rows (an empty or broken export?) and ${run.outputPath} has rows: ${KEPT} Pass --allow-empty (allowEmpty) to replace it with an empty list.`,
    };
  }
  const maxShrink = options.maxShrink ?? DEFAULT_MAX_SHRINK;
  const baseline = options.baselineRows;
  if (baseline !== undefined && dataRows > 0 && run.rows < baseline * (1 - maxShrink)) {
    const shrank = 1 - run.rows / baseline;
    return {
      kind: 'max_shrink',
      maxShrink,
      baselineRows: baseline,
      rows: run.rows,
      detail: `the list has ${run.rows} rows, ${(shrank * 100).toFixed(1)}% fewer than the ${baseline} of the last successful run, above the --max-shrink of ${(maxShrink * 100).toFixed(1)}%; ${KEPT}`,
    };
  }
  // Empty email cells are not counted: a list with blank rows is not a broken export.
  const removedRate = run.rows === 0 ? 0 : (run.removed - run.empty) / run.rows;
  if (options.maxInvalidRate !== undefined && removedRate > options.maxInvalidRate) {
    return {
      kind: 'max_invalid_rate',
      maxInvalidRate: options.maxInvalidRate,
      removedRate,
      detail: `${(removedRate * 100).toFixed(1)}% of rows would be removed, above the --max-invalid-rate of ${(options.maxInvalidRate * 100).toFixed(1)}%; ${KEPT}`,
    };
  }
  return undefined;
}

/**
 * Whether an existing cleaned list holds at least one data row: a non-blank byte after its first
 * line (its header), or any non-blank byte without a header. Works on the bytes, so it holds for
 * every encoding listscrub writes. Standard output, a missing or special file: nothing to protect.
 */
async function hasDataRows(path: string, hasHeader: boolean): Promise<boolean> {
  if (path === '-') return false;
  let handle;
  try {
    handle = await open(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    if (!(await handle.stat()).isFile()) return false;
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, 0);
    let at = hasHeader ? buffer.indexOf(0x0a) : 0;
    if (at === -1 || at >= bytesRead) return false;
    for (; at < bytesRead; at++) if (!BLANK_BYTES.has(buffer[at] as number)) return true;
    return false;
  } finally {
    await handle.close();
  }
}

/** LF, CR, space, tab, and the zero byte of UTF-16 text. */
const BLANK_BYTES: ReadonlySet<number> = new Set([0x0a, 0x0d, 0x20, 0x09, 0x00]);

/**
 * Save the cache so that jobs sharing the file do not undo each other's work: under `<cache>.lock`,
 * re-read the file, keep its entries for the names this run did not look at, and write. Without the
 * lock two jobs finishing together could both read, then the later rename drops the other's names.
 * The lock is held for milliseconds, so a busy one is waited for (briefly); one left by a crashed
 * run is taken over (dead pid). If it stays busy, the save goes ahead unmerged: a lost entry only
 * costs a DNS query next run.
 */
async function saveSharedCache(path: string, snapshot: CacheSnapshot, loadedIdentity: string | undefined): Promise<void> {
  let lock: LockHandle | null = null;
  for (let attempt = 0; lock === null && attempt < CACHE_LOCK_ATTEMPTS; attempt++) {
    try {
      lock = await acquireLock(`${path}.lock`);
    } catch (error) {
      if (!(error instanceof ListscrubError && error.code === 'E_LOCKED')) throw error;
      await new Promise((resolveWait) => setTimeout(resolveWait, CACHE_LOCK_WAIT_MS));
    }
  }
  try {
    // Unchanged since this run loaded it: everything in it was imported, so there is nothing to merge.
    if (loadedIdentity === undefined || (await cacheFileIdentity(path)) !== loadedIdentity) {
      const current = await loadCacheFile(path, { now: Date.now() });
      if (current.warning === undefined) mergeMissing(snapshot, current.snapshot);
    }
    await saveCacheFile(path, snapshot);
  } finally {
    await lock?.release();
  }
}

const CACHE_LOCK_ATTEMPTS = 100;
const CACHE_LOCK_WAIT_MS = 20;

/**
 * Copy into `mine` the entries of `theirs` (the file as another run left it) for names `mine` does
 * not have. Only when both were computed under the same allowPrivate/allowLoopback settings, since deliverable and
 * mx_invalid outcomes depend on it; loadCacheFile already dropped expired entries.
 */
function mergeMissing(mine: CacheSnapshot, theirs: CacheSnapshot): void {
  if (!sameAddressPolicy(theirs, mine)) return;
  for (const [name, entry] of theirs.domains) if (!mine.domains.has(name)) mine.domains.set(name, entry);
  for (const [name, entry] of theirs.hosts) if (!mine.hosts.has(name)) mine.hosts.set(name, entry);
}

function dnsSummary(scrubber: Scrubber, initial: DnsHealth): Summary['dns'] {
  const health = scrubber.health() ?? initial;
  const stats = scrubber.stats();
  return {
    enabled: scrubber.domains !== null,
    healthy: health.healthy,
    checked: health.checked,
    detail: health.detail,
    queries: stats.queries,
    domains: stats.domains,
    cacheHits: stats.cacheHits,
  };
}
