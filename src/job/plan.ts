/**
 * Step 1 of the job: the options checked once, the paths decided, the lock taken. Nothing is read
 * or written before these pass, so a bad option or a second run touches nothing.
 */
import { basename, dirname, extname, join } from 'node:path';
import { validateBounceOptions } from '../bounces/load.js';
import { normalizeOutputEncoding, type OutputEncoding } from '../csv/encode.js';
import { isSpecialFile } from '../csv/write.js';
import { ListscrubError } from '../errors.js';
import { acquireLock, lockPathFor, type LockHandle } from '../jobs/lock.js';
import { assertDistinctPaths } from '../jobs/paths.js';
import { describe, rejectUnknownOptions, validateCheckOptions } from '../options.js';
import { validateApplySuggestions } from '../results.js';
import { validateSmtpOptions } from '../smtp/index.js';
import { DROP_CHOICES, type ReasonCode } from '../types.js';
import type { ScrubCsvOptions } from './types.js';

/** The checked options and what follows from them. */
export interface JobPlan {
  options: ScrubCsvOptions;
  outputPath: string;
  reportPath: string;
  /** Statuses and reasons --drop removes on top of invalid, duplicate and malformed. */
  drop: Set<string>;
  /** Reasons whose suggestion is written in place of the address (--apply-suggestions), or null. */
  accepted: ReadonlySet<ReasonCode> | null;
  /** --output-encoding, when given. */
  outputEncoding: OutputEncoding | undefined;
  started: number;
}

/** Every key of ScrubCsvOptions (typed: adding an option without listing it here fails the build). */
const SCRUB_CSV_KEYS: Record<keyof ScrubCsvOptions, true> = {
  input: true, output: true, report: true, results: true, applySuggestions: true, split: true, column: true,
  delimiter: true, encoding: true, header: true, drop: true, keepDuplicates: true, annotate: true, normalize: true,
  maxInvalidRate: true, cache: true, lock: true, stdin: true, stdout: true, signal: true, onProgress: true,
  scrubber: true, dns: true, rate: true, concurrency: true, cacheTtl: true,
  allowEmpty: true, maxShrink: true, baselineRows: true, maxRecordSize: true, outputEncoding: true, outputDelimiter: true,
  smtp: true, html: true, htmlHistory: true, bounces: true, bouncesSince: true, bounceFormat: true, bounceMinEvents: true, bounceStorm: true, maxBounceShare: true,
};

/**
 * Default paths: the cleaned list beside the input (standard output for input '-', as csvkit does);
 * the report beside the cleaned list when that is a file named with -o.
 */
export function defaultOutputPaths(input: string, output?: string): { output: string; report: string } {
  const base = input === '-' ? 'stdin' : basename(input, extname(input));
  const dir = output !== undefined && output !== '-' ? dirname(output) : input === '-' ? '.' : dirname(input);
  return { output: input === '-' ? '-' : join(dir, `${base}.clean.csv`), report: join(dir, `${base}.report.csv`) };
}

export function planJob(options: ScrubCsvOptions): JobPlan {
  const started = Date.now();
  validateCheckOptions(options);
  if (options.smtp !== undefined) validateSmtpOptions(options.smtp);
  rejectUnknownOptions(options, Object.keys(SCRUB_CSV_KEYS), 'scrubCsv()');
  const drop = validateDrop(options.drop);
  validateBounceOptions(options);
  checkShare(options.maxInvalidRate, 'maxInvalidRate');
  checkShare(options.maxShrink, 'maxShrink');
  const outputEncoding = options.outputEncoding === undefined ? undefined : normalizeOutputEncoding(options.outputEncoding);
  const defaults = defaultOutputPaths(options.input, options.output);
  const outputPath = options.output ?? defaults.output;
  const reportPath = options.report ?? defaults.report;
  if (reportPath === '-') throw new ListscrubError('E_OPTION', 'The report cannot go to standard output; give it a file name.');
  const accepted = validateApplySuggestions(options.applySuggestions);
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
  return { options, outputPath, reportPath, drop, accepted, outputEncoding, started };
}

/**
 * Step 2: the lock, taken before anything is read, so a second run fails fast (exit 5) and touches
 * nothing. It sits beside the first output that is a file: not beside '-', nor beside /dev/null or
 * a named pipe (an unprivileged user cannot create /dev/null.lock, so `-o /dev/null` failed).
 */
export async function takeLock(plan: JobPlan): Promise<LockHandle | null> {
  const { outputPath, reportPath, options } = plan;
  const lockTarget = (await isSpecialFile(outputPath)) || outputPath === '-' ? reportPath : outputPath;
  if (options.lock === false || (await isSpecialFile(lockTarget))) return null;
  return acquireLock(lockPathFor(lockTarget));
}

function checkShare(value: unknown, name: 'maxInvalidRate' | 'maxShrink'): void {
  if (value !== undefined && !(typeof value === 'number' && value >= 0 && value <= 1)) {
    throw new ListscrubError('E_OPTION', `Option "${name}" must be a number from 0 to 1; got ${describe(value)}.`);
  }
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
