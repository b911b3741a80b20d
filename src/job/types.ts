/** The clean job's options and its summary: the library's contract for scrubCsv(). */
import type { Readable, Writable } from 'node:stream';
import type { BounceOptions, BounceSummary } from '../bounces/load.js';
import type { InputEncoding } from '../csv/read.js';
import type { HistoryEntry } from '../jobs/history.js';
import type { Scrubber } from '../scrubber.js';
import type { SmtpSummary } from '../smtp/index.js';
import type { CheckOptions, ReasonCode, RowStatus } from '../types.js';

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
  /**
   * Email column: header name, or 1-based number. Default: detected. Or several (a list, or one
   * comma-separated string unless a header name holds that comma): each row is then a contact, kept
   * when one of its cells holds a good or unchecked address (README, "Several email columns").
   */
  column?: string | number | Array<string | number>;
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
   * removed for any reason (invalid, duplicate, malformed, --drop) over all rows read; rows removed
   * for an empty email cell are not counted.
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
  /** Addresses replaced by their suggestion (--apply-suggestions): one per row with one email column. */
  applied?: number;
  /** The email column checked, and how it was found (named with --column, by its header, by its content). */
  column: { index: number; name: string | null; source?: 'option' | 'header' | 'content' | 'none' };
  /** Set when several email columns were checked (`column` is the first of them). */
  columns?: Array<{ index: number; name: string | null; source?: 'option' | 'header' | 'content' | 'none' }>;
  delimiter: string;
  /** Set when a guard stopped the outputs from being replaced (exit 4). */
  guard?: Guard;
  /** What the bounce files said (--bounces). */
  bounces?: BounceSummary;
  /** The SMTP stage (--smtp): its status (`unreachable`: port 25 closed; `stopped`: breakers), probes, answers, sender problems. */
  smtp?: SmtpSummary;
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
