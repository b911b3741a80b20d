/**
 * scrubCsv(): the whole clean job, as the CLI runs it. Reads the list, checks every row through one
 * Scrubber, routes each row to the cleaned list or the report, and commits both files atomically.
 * Every input record ends up in exactly one output; the summary proves it.
 */
import { basename, dirname, extname, join, resolve } from 'node:path';
import { realpathSync } from 'node:fs';
import { Writable, type Readable } from 'node:stream';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { openCsvInput, type InputEncoding } from './csv/read.js';
import { cleanStaleTempFiles, createAtomicFileWriter, createCsvBatchWriter, isSpecialFile, neutralizeFormula, outputError, type AtomicWriter } from './csv/write.js';
import { applyBounceEvidence, bounceGuard, DEFAULT_MAX_BOUNCE_SHARE, loadBounceEvidence, validateBounceOptions, type BounceEvidence, type BounceOptions, type BounceSummary } from './bounces/load.js';
import { ListscrubError } from './errors.js';
import { cacheFileIdentity, loadCacheFile, saveCacheFile, type CacheSnapshot, type LoadedCache } from './jobs/cache-file.js';
import { acquireLock, lockPathFor, type LockHandle } from './jobs/lock.js';
import { describe, validateCheckOptions } from './options.js';
import { createScrubber, type Scrubber } from './scrubber.js';
import { DedupeSet, createScrubStream, markDuplicates, type ScrubbedRow } from './stream/index.js';
import { DROP_CHOICES, type CheckOptions, type DnsHealth, type ReasonCode, type RowStatus } from './types.js';


/** Statuses removed whatever --drop says. */
const ALWAYS_REMOVED: ReadonlySet<RowStatus> = new Set(['invalid', 'duplicate', 'malformed']);

export interface ScrubCsvOptions extends CheckOptions, BounceOptions {
  /** Path of the list, or '-' for `stdin`. */
  input: string;
  /** Cleaned list path; default `<input-name>.clean.csv` beside the input; '-' for `stdout`. */
  output?: string;
  /** Report path; default `<input-name>.report.csv` beside the input. */
  report?: string;
  /** Email column: header name, or 1-based number. Default: detected. */
  column?: string | number;
  delimiter?: string;
  encoding?: InputEncoding;
  /** false for files without a header row (`--no-header`). */
  header?: boolean;
  /** Statuses or reason codes to remove on top of invalid, duplicate and malformed. */
  drop?: string[];
  keepDuplicates?: boolean;
  /** Append email_status and email_reason columns to the cleaned list. */
  annotate?: boolean;
  /** Write the normalized address in place of the original cell. */
  normalize?: boolean;
  /** Refuse to replace outputs when more than this share of rows would be removed (0..1). */
  maxInvalidRate?: number;
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
}

export interface Progress {
  rows: number;
  bytesRead: number;
  totalBytes: number | null;
}

export interface Summary {
  /** Input records (malformed ones included). */
  rows: number;
  kept: number;
  removed: number;
  statuses: Record<RowStatus, number>;
  reasons: Partial<Record<ReasonCode, number>>;
  dns: { enabled: boolean; healthy: boolean; checked: boolean; detail: string; queries: number; domains: number; cacheHits: number };
  durationMs: number;
  input: string;
  /** Paths written, or null when the outputs were not replaced (guard tripped). */
  output: string | null;
  report: string | null;
  column: { index: number; name: string | null };
  delimiter: string;
  /** Set when --max-invalid-rate (or --max-bounce-share: removedRate is then the bounced share) stopped the outputs from being replaced. */
  guard?: { kind?: 'max_bounce_share'; maxInvalidRate?: number; maxBounceShare?: number; removedRate: number; detail: string };
  /** What the bounce files said (--bounces). */
  bounces?: BounceSummary;
  /** Warnings worth showing (e.g. encoding notes). */
  warnings: string[];
}

export function defaultOutputPaths(input: string): { output: string; report: string } {
  const base = input === '-' ? 'stdin' : basename(input, extname(input));
  const dir = input === '-' ? '.' : dirname(input);
  return { output: join(dir, `${base}.clean.csv`), report: join(dir, `${base}.report.csv`) };
}

/** The path with symlinks resolved, or just made absolute when it does not exist yet. */
function realTarget(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function sameFile(a: string, b: string): boolean {
  if (a === '-' || b === '-') return false;
  return realTarget(a) === realTarget(b);
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

export async function scrubCsv(options: ScrubCsvOptions): Promise<Summary> {
  const started = Date.now();
  validateCheckOptions(options);
  const drop = validateDrop(options.drop);
  validateBounceOptions(options);
  if (options.maxInvalidRate !== undefined && !(typeof options.maxInvalidRate === 'number' && options.maxInvalidRate >= 0 && options.maxInvalidRate <= 1)) {
    throw new ListscrubError('E_OPTION', `Option "maxInvalidRate" must be a number from 0 to 1; got ${describe(options.maxInvalidRate)}.`);
  }
  const defaults = defaultOutputPaths(options.input);
  const outputPath = options.output ?? defaults.output;
  const reportPath = options.report ?? defaults.report;
  if (reportPath === '-') throw new ListscrubError('E_OPTION', 'The report cannot go to standard output; give it a file name.');
  for (const [label, path] of [['cleaned list', outputPath], ['report', reportPath]] as const) {
    if (sameFile(options.input, path)) {
      throw new ListscrubError('E_SAME_PATH', `The ${label} path ${path} is the input file; choose another path so the input is not overwritten.`);
    }
  }
  if (sameFile(outputPath, reportPath)) throw new ListscrubError('E_SAME_PATH', `The cleaned list and the report both go to ${outputPath}.`);
  if (outputPath === '-' && options.stdout === undefined) throw new ListscrubError('E_OPTION', 'output "-" needs a stdout stream.');

  // Taken before anything is read, so a second run fails fast (exit 5) and touches nothing.
  // The lock sits beside the first output that is a file: not beside '-', nor beside /dev/null or a
  // named pipe (an unprivileged user cannot create /dev/null.lock, so `-o /dev/null` failed).
  const lockTarget = (await isSpecialFile(outputPath)) || outputPath === '-' ? reportPath : outputPath;
  const lock: LockHandle | null =
    options.lock === false || (await isSpecialFile(lockTarget)) ? null : await acquireLock(lockPathFor(lockTarget));
  try {
    return await runJob(options, { outputPath, reportPath, drop, started });
  } finally {
    await lock?.release();
  }
}

interface JobPlan {
  outputPath: string;
  reportPath: string;
  drop: Set<string>;
  started: number;
}

async function runJob(options: ScrubCsvOptions, { outputPath, reportPath, drop, started }: JobPlan): Promise<Summary> {
  const input = await openCsvInput({
    input: options.input,
    stdin: options.stdin,
    encoding: options.encoding,
    delimiter: options.delimiter,
    column: options.column,
    header: options.header,
  });

  const scrubber = options.scrubber ?? createScrubber(options);
  const ownsScrubber = options.scrubber === undefined;
  const writers: AtomicWriter[] = [];
  const warnings = [...input.warnings];
  // The first failure of an output stream (disk full, `-o -` piped into `head`), as E_OUTPUT.
  let outputFailure: ListscrubError | undefined;
  // Stops the main pipeline (and any wait for 'drain') on an interrupt or an output failure.
  const stop = new AbortController();
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
      cacheLoaded = await loadCacheFile(options.cache, { now: Date.now() });
      if (cacheLoaded.warning !== undefined) warnings.push(cacheLoaded.warning);
      scrubber.domains.cache.import(cacheLoaded.snapshot);
    }
    // Before any output is prepared: a bounce file that cannot be read fails the run (exit 1).
    const bounceEvidence: BounceEvidence | null =
      options.bounces === undefined || options.bounces.length === 0 ? null : await loadBounceEvidence(options.bounces, options, scrubber.domains);
    const header = input.header;
    const cleanedHeader = header === null ? null : options.annotate ? [...header, 'email_status', 'email_reason'] : header;
    const originalNames = header ?? [];
    const reportHeader = ['row', 'line', 'status', 'reason', 'detail', 'suggestion', 'bounce', ...originalNames];

    // Temporary files left by a killed run (SIGKILL, power loss) are removed before writing anew.
    for (const path of [outputPath, reportPath]) {
      if (path === '-') continue;
      // Beside the file a symlink points to: that is where the writer puts its temp files.
      const real = realTarget(path);
      await cleanStaleTempFiles(dirname(real), basename(real)).catch(() => []);
    }
    const cleanedTarget = await createAtomicFileWriter(outputPath, { stdout: options.stdout });
    writers.push(cleanedTarget);
    const reportTarget = await createAtomicFileWriter(reportPath);
    writers.push(reportTarget);

    // The cleaned list keeps the input's delimiter and line ending; the report is plain CSV.
    // Rows are formatted a batch at a time (ROUTE_BATCH rows per write: one stream hop and one string
    // per batch), with the same csv-stringify options as createCsvWriter().
    const cleanedCsv = createCsvBatchWriter({ delimiter: input.delimiter, lineEnding: input.lineEnding, header: cleanedHeader });
    const reportCsv = createCsvBatchWriter({ delimiter: ',', header: reportHeader });
    let cleanedBatch: string[][] = [];
    let reportBatch: string[][] = [];
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
      if (waitCleaned === undefined) return waitReport;
      if (waitReport === undefined) return waitCleaned;
      return Promise.all([waitCleaned, waitReport]).then(() => undefined);
    };
    const cleanedDone = pipeline(cleanedCsv, cleanedTarget.stream, { end: cleanedTarget.tempPath !== null });
    const reportDone = pipeline(reportCsv, reportTarget.stream);
    // A failed output stops the run at once. Without this the row loop waited for a 'drain' that
    // never comes from a destroyed stream: the process hung until Node gave up on the unsettled
    // top-level await (exit 13), leaving the temp files and the lock behind. The handlers also mark
    // these promises handled: when the main pipeline fails (interrupt, bad bytes mid-file) they are
    // never awaited, and the writers' abort() makes them reject with ERR_STREAM_PREMATURE_CLOSE,
    // which unhandled would kill the process. The happy path still awaits them and sees their errors.
    for (const [done, path] of [[cleanedDone, outputPath], [reportDone, reportPath]] as const) {
      done.catch((error: unknown) => {
        outputFailure ??= outputError(path, error);
        stop.abort(outputFailure);
      });
    }

    const statuses = emptyCounts();
    const reasons: Partial<Record<ReasonCode, number>> = {};
    let rows = 0;
    let kept = 0;
    let removed = 0;
    let lastProgress = 0;
    const columnIndex = input.column.index;

    // The router is a synchronous object-mode sink: a row costs no promise unless an output is full
    // (then the write callback waits for its 'drain'). Iterating the scrub stream with for-await and
    // awaiting every write cost two promise round trips per row (~0.6 s per 1M rows in the profile).
    const routeRow = (row: ScrubbedRow<string[]>): void => {
      const verdict = bounceEvidence === null ? row.verdict : applyBounceEvidence(row.verdict, bounceEvidence.dead);
      rows += 1;
      statuses[verdict.status] += 1;
      reasons[verdict.reason] = (reasons[verdict.reason] ?? 0) + 1;
      const remove =
        ALWAYS_REMOVED.has(verdict.status) ||
        drop.has(verdict.status) ||
        drop.has(verdict.reason) ||
        (verdict.alsoFound !== undefined && drop.has(verdict.alsoFound));
      const record = Array.isArray(row.record) ? row.record : [];
      if (remove) {
        removed += 1;
        const cells = [
          String(row.index),
          row.line === undefined ? '' : String(row.line),
          verdict.status,
          verdict.reason,
          verdict.detail,
          verdict.suggestion ?? '',
          verdict.bounce ?? '',
          ...record,
        ];
        reportBatch.push(cells.map(neutralizeFormula));
      } else {
        kept += 1;
        let cells = record;
        if (options.normalize && verdict.address !== null && columnIndex < cells.length) {
          cells = cells.slice();
          cells[columnIndex] = verdict.address;
        }
        if (options.annotate) cells = [...cells, verdict.status, verdict.reason];
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
    const routePending = (): Promise<void> | undefined => {
      const gathered = pendingRows;
      pendingRows = [];
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
          if (pendingRows.length >= ROUTE_BATCH) wait = routePending();
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
        callback();
      },
    });

    // keepDuplicates: the router decides duplicates itself (above), in the same order.
    const scrub = createScrubStream<string[]>({ column: columnIndex, scrubber, keepDuplicates: true, window: JOB_WINDOW });
    await pipeline(
      input.records,
      scrub,
      route,
      { signal: stop.signal },
    );
    await Promise.all([cleanedDone, reportDone]);
    options.onProgress?.({ rows, bytesRead: input.bytesRead(), totalBytes: input.totalBytes });

    if (kept + removed !== rows) {
      throw new Error(`row accounting failed: ${rows} rows, ${kept} kept + ${removed} removed`);
    }

    const summary: Summary = {
      rows,
      kept,
      removed,
      statuses,
      reasons,
      dns: dnsSummary(scrubber, await healthCheck),
      durationMs: 0,
      input: options.input,
      output: outputPath,
      report: reportPath,
      column: input.column,
      delimiter: input.delimiter,
      warnings,
    };
    if (bounceEvidence !== null) summary.bounces = bounceEvidence.summary;
    const removedRate = rows === 0 ? 0 : removed / rows;
    // A block-list incident read as dead mailboxes must not wipe a list either.
    const tripped: Summary['guard'] =
      options.maxInvalidRate !== undefined && removedRate > options.maxInvalidRate
        ? {
            maxInvalidRate: options.maxInvalidRate,
            removedRate,
            detail: `${(removedRate * 100).toFixed(1)}% of rows would be removed, above the --max-invalid-rate of ${(options.maxInvalidRate * 100).toFixed(1)}%; the previous outputs were left untouched.`,
          }
        : bounceEvidence === null ? undefined : bounceGuard(reasons.bounced ?? 0, rows, options.maxBounceShare ?? DEFAULT_MAX_BOUNCE_SHARE);
    if (tripped !== undefined) {
      // A broken export or a DNS problem must not wipe a list: keep the previous outputs.
      await Promise.all(writers.map((writer) => writer.abort()));
      summary.output = null;
      summary.report = null;
      summary.guard = tripped;
    } else {
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
        summary.warnings.push(`${(error as Error).message}; the next run will query DNS for these domains again.`);
      }
    }
    summary.durationMs = Date.now() - started;
    return summary;
  } catch (error) {
    // Taken before abort(): aborting the writers makes their pipelines fail too (premature close).
    const failure = outputFailure ?? error;
    await Promise.allSettled(writers.map((writer) => writer.abort()));
    if (options.signal?.aborted) throw new ListscrubError('E_ABORTED', 'The run was interrupted; previous outputs were left untouched.', { cause: error });
    throw failure;
  } finally {
    options.signal?.removeEventListener('abort', onInterrupt);
    input.records.destroy();
    if (ownsScrubber) await scrubber.close();
  }
}

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
 * not have. Only when both were computed under the same allowPrivate setting, since deliverable and
 * mx_invalid outcomes depend on it; loadCacheFile already dropped expired entries.
 */
function mergeMissing(mine: CacheSnapshot, theirs: CacheSnapshot): void {
  if ((theirs.allowPrivate ?? false) !== (mine.allowPrivate ?? false)) return;
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
