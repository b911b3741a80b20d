/**
 * The router: the end of the pipeline, where each checked row goes to the cleaned list or the
 * report (and the result file), and is counted. A synchronous object-mode sink: a row costs no
 * promise unless an output is full (then the write callback waits for its 'drain'). Iterating the
 * scrub stream with for-await and awaiting every write cost two promise round trips per row (~0.6 s
 * per 1M rows in the profile).
 */
import { Writable } from 'node:stream';
import { applyBounceEvidence, type BounceEvidence } from '../bounces/load.js';
import { fitOwnText } from '../csv/encode.js';
import type { CsvInput } from '../csv/read.js';
import { neutralizeFormula } from '../csv/write.js';
import type { DomainChecker } from '../dns/index.js';
import { combineCells, eachCell, hasUncheckedCell } from '../columns.js';
import { annotatedRow, judgeWritten, mxHost, resultRow, smtpCells, suggestionToApply } from '../results.js';
import type { Splitter } from '../split.js';
import { DedupeSet, markDuplicates, recordChars, type ScrubbedRow } from '../stream/index.js';
import { REASON_CODES, type ReasonCode, type RowStatus, type RowVerdict, type Verdict } from '../types.js';
import { REASONS } from '../verdict.js';
import type { JobOutputs } from './outputs.js';
import type { JobPlan } from './plan.js';
import type { Summary } from './types.js';

/** Statuses removed whatever --drop says. */
const ALWAYS_REMOVED: ReadonlySet<RowStatus> = new Set(['invalid', 'duplicate', 'malformed']);

/**
 * What `--drop` can never remove a row for: a check that could not be made (the `unknown` status
 * and every reason with that status: DNS timeouts, server failures, an untrusted resolver). Such a
 * row is kept, whatever `--drop` lists; only a finding that was made (its offline finding, in
 * `alsoFound`) can remove it. Derived from the reason table, so a new "could not check" reason is
 * covered as soon as it exists.
 */
export const UNCHECKED: ReadonlySet<string> = new Set([
  'unknown',
  ...REASON_CODES.filter((reason) => REASONS[reason].status === 'unknown'),
]);

/**
 * Why --drop removes a row, or undefined: its status or its reason. Never a check that could not be
 * made: an `unknown` row stays, and so does the DNS reason a risky row carries in `alsoFound`.
 */
export function dropMatch(verdict: RowVerdict, drop: ReadonlySet<string>): string | undefined {
  // Several email columns: a cell that could not be checked may hold the contact's good address.
  if (drop.size === 0 || verdict.status === 'unknown' || hasUncheckedCell(verdict)) return undefined;
  if (drop.has(verdict.status)) return verdict.status;
  return drop.has(verdict.reason) ? verdict.reason : undefined;
}

/** The counts the router keeps; the summary is built from them. */
export interface Tally {
  rows: number;
  kept: number;
  removed: number;
  /** Rows whose address was replaced by its suggestion. */
  applied: number;
  statuses: Record<RowStatus, number>;
  reasons: Partial<Record<ReasonCode, number>>;
  removedStatuses: Record<RowStatus, number>;
  dropped: Record<string, number>;
  unchecked: Summary['unchecked'];
}

function emptyCounts(): Record<RowStatus, number> {
  return { valid: 0, risky: 0, invalid: 0, unknown: 0, duplicate: 0, malformed: 0 };
}

/** Rows the router gathers per output before formatting and writing them in one go. */
const ROUTE_BATCH = 256;
/** ...or fewer, once they hold this many characters (256 rows near the record size limit are 512 MB). */
const ROUTE_CHARS = 4 * 1024 * 1024;

export interface RouterContext {
  plan: JobPlan;
  input: CsvInput;
  outputs: JobOutputs;
  bounces: BounceEvidence | null;
  /** The DNS checker, for the MX host in the result file; null offline. */
  domains: DomainChecker | null;
  splitter: Splitter | null;
}

export function createRouter(context: RouterContext): { sink: Writable; tally: Tally } {
  const tally: Tally = {
    rows: 0, kept: 0, removed: 0, applied: 0,
    statuses: emptyCounts(), reasons: {}, removedStatuses: emptyCounts(), dropped: {}, unchecked: { rows: 0, reasons: {} },
  };
  const routeRow = rowRouter(context, tally);
  const { plan, input, outputs, splitter } = context;

  // The duplicate index is kept here, not in the scrub stream: the router takes rows a batch at a
  // time anyway, and checking a batch together (DedupeSet.insertBatch) overlaps the index's cache
  // misses, one per new address in a table of tens of MB (~0.5 s per million rows on a busy VM).
  // At most one distinct address per record: the index is sized once, up front, instead of
  // doubling through a file (on 5M rows the last doubling held 48 + 96 MB of tables at once).
  const seen = plan.options.keepDuplicates === true ? null : new DedupeSet();
  if (seen !== null && input.estimatedRecords !== null) seen.reserve(input.estimatedRecords);
  let pendingRows: ScrubbedRow<string[]>[] = [];
  let pendingChars = 0;
  // The first batches are small (1, 2, 4, ... rows, up to ROUTE_BATCH): the first rows reach the
  // outputs (and the progress line) as soon as their verdicts are known, instead of after the 256th
  // row's DNS answer (1.4 s into a 20k-row run at --rate 200 even with ideal DNS).
  let batchSize = 1;
  /**
   * Decide the duplicates among the rows gathered (in input order), route them, and write the
   * batches together: a row held longer (a report row waiting for 256 removed rows) kept its cells,
   * and the 64 KB input chunk they are cut from, alive through more young-generation collections.
   */
  const routePending = (): Promise<void> | undefined => {
    const gathered = pendingRows;
    pendingRows = [];
    pendingChars = 0;
    // Split rows carry the number of the record they came from (report, duplicate details).
    if (splitter !== null) for (const row of gathered) row.index = splitter.nextSource();
    if (seen !== null) markDuplicates(gathered, seen);
    for (const row of gathered) routeRow(row);
    return outputs.flush();
  };
  const sink = new Writable({
    objectMode: true,
    write(row: ScrubbedRow<string[]>, _encoding, callback) {
      let wait: Promise<void> | undefined;
      try {
        pendingRows.push(row);
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
        // Nothing waits for these drains: end() flushes what is buffered.
        routePending()?.catch(() => undefined);
      } catch (error) {
        return callback(error as Error);
      }
      outputs.end();
      callback();
    },
  });
  return { sink, tally };
}

/** One row: its final verdict, where it goes, what it counts as. */
function rowRouter({ plan, input, outputs, bounces, domains }: RouterContext, tally: Tally): (row: ScrubbedRow<string[]>) => void {
  const { options, drop, accepted } = plan;
  const columnIndex = input.column.index;
  let lastProgress = 0;
  return (row) => {
    // Bounces that prove a mailbox dead come first (per cell); a repaired cell written as its
    // repaired address is judged on what is written.
    const found = bounces === null ? row.verdict : eachCell(row.verdict, (cell) => applyBounceEvidence(cell, bounces.dead));
    const { verdict, writes } = decideWrites(found, columnIndex, accepted, options.normalize === true);
    tally.rows += 1;
    tally.statuses[verdict.status] += 1;
    tally.reasons[verdict.reason] = (tally.reasons[verdict.reason] ?? 0) + 1;
    const dropBy = ALWAYS_REMOVED.has(verdict.status) ? undefined : dropMatch(verdict, drop);
    const record = Array.isArray(row.record) ? row.record : [];
    outputs.page?.add(verdict === row.verdict ? row : { ...row, verdict });
    if (outputs.results !== null && outputs.resultsLayout !== null) {
      const domain = verdict.address === null || verdict.status === 'invalid' ? null : verdict.address.slice(verdict.address.lastIndexOf('@') + 1);
      const mx = domain === null || domains === null ? '' : mxHost(domains.cache.get(domain));
      const cells = resultRow(record, outputs.resultsLayout, verdict, mx);
      if (outputs.smtpColumns) cells.push(...smtpCells(verdict, true));
      outputs.results.push(cells.map(neutralizeFormula));
    }
    if (dropBy !== undefined || ALWAYS_REMOVED.has(verdict.status)) {
      tally.removed += 1;
      tally.removedStatuses[verdict.status] += 1;
      if (dropBy !== undefined) tally.dropped[dropBy] = (tally.dropped[dropBy] ?? 0) + 1;
      const cells = reportCells(row, verdict, record, outputs);
      outputs.assertEncodable(cells, row);
      outputs.report.push(cells.map(neutralizeFormula));
    } else {
      tally.kept += 1;
      countUnchecked(verdict, tally);
      let cells = record;
      for (const { index, value, suggested } of writes) {
        if (index >= cells.length) continue;
        if (cells === record) cells = record.slice();
        cells[index] = value;
        if (suggested) tally.applied += 1;
      }
      if (outputs.annotate !== null) cells = annotatedRow(cells, outputs.annotate, verdict);
      outputs.assertEncodable(cells, row);
      outputs.cleaned.push(cells);
    }
    if (options.onProgress !== undefined && (tally.rows - lastProgress >= 1000 || tally.rows === 1)) {
      lastProgress = tally.rows;
      options.onProgress({ rows: tally.rows, bytesRead: input.bytesRead(), totalBytes: input.totalBytes });
    }
  };
}

/** A cell a kept row writes anew: its normalized (--normalize) or suggested (--apply-suggestions) address. */
interface CellWrite {
  index: number;
  value: string;
  suggested: boolean;
}

/**
 * The row's verdict as written, and what to write: each checked cell as its own normalized or
 * accepted suggested address, judged on what is written (several columns: combined again).
 */
function decideWrites(
  found: RowVerdict,
  columnIndex: number,
  accepted: ReadonlySet<ReasonCode> | null,
  normalize: boolean,
): { verdict: RowVerdict; writes: CellWrite[] } {
  const writes: CellWrite[] = [];
  const judge = (cell: RowVerdict, index: number): RowVerdict => {
    const suggestion = suggestionToApply(cell, accepted);
    if (!normalize && suggestion === undefined) return cell;
    const judged = judgeWritten(cell);
    const value = suggestion ?? judged.address;
    if (value !== null) writes.push({ index, value, suggested: suggestion !== undefined });
    return judged;
  };
  if (found.cells === undefined) return { verdict: judge(found, columnIndex), writes };
  // Job records are arrays: a cell's column is its 0-based position.
  const cells = found.cells.map((cell) => ({ ...cell, verdict: judge(cell.verdict, cell.column as number) as Verdict }));
  return { verdict: writes.length === 0 ? found : combineCells(cells), writes };
}

function reportCells(row: ScrubbedRow<string[]>, verdict: RowVerdict, record: string[], outputs: JobOutputs): string[] {
  return [
    String(row.index),
    row.line === undefined ? '' : String(row.line),
    verdict.status,
    verdict.reason,
    fitOwnText(verdict.detail, outputs.encoding),
    verdict.suggestion ?? '',
    verdict.bounce ?? '',
    verdict.status === 'malformed' ? verdict.input : '',
    ...(outputs.smtpColumns ? smtpCells(verdict, false) : []),
    ...record,
  ];
}

/** A kept row without a full check: unknown, or risky with the DNS reason in alsoFound. */
function countUnchecked(verdict: RowVerdict, tally: Tally): void {
  const notChecked =
    verdict.status === 'unknown' ? verdict.reason : verdict.alsoFound !== undefined && UNCHECKED.has(verdict.alsoFound) ? verdict.alsoFound : undefined;
  if (notChecked === undefined) return;
  tally.unchecked.rows += 1;
  tally.unchecked.reasons[notChecked] = (tally.unchecked.reasons[notChecked] ?? 0) + 1;
}
