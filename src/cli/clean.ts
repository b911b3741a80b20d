/** `listscrub clean <list.csv>`: the main job. A thin wrapper over scrubCsv(). */
import { resolve } from 'node:path';
import { defaultOutputPaths, scrubCsv, type Progress, type ScrubCsvOptions, type Summary } from '../batch.js';
import { ListscrubError } from '../errors.js';
import { ROW_STATUSES } from '../types.js';
import { assertTrustedJobFile, ENCODINGS, findJobConfig, loadJobConfig, mergeConfig, type Encoding, type JobConfig } from '../jobs/config.js';
import { normalizeEncoding } from '../csv/decode.js';
import { appendHistory, formatDuration, readHistory, type HistoryEntry } from '../jobs/history.js';
import { assertDistinctPaths } from '../jobs/paths.js';
import { createAtomicFileWriter, outputModeFor, type AtomicWriter } from '../csv/write.js';
import { earlierRuns } from '../report/index.js';
import { DNS_FLAGS, DNS_HELP, dnsOptionsFromFlags, listFlag, numberFlag, parseFlags, stringFlag, type ParsedValues } from './args.js';
import { EXIT, exitCodeFor, useColor, type CliIo } from './io.js';
import { paintStatus, terminalSafe, terminalSafeJson } from './output.js';
import { APPLY_CERTAIN, parseApplySuggestions, withOptionalValue } from './results-flags.js';
import { describeColumn, describeColumns } from '../results.js';
import { checkServers } from './dns-servers.js';
import { clearProgress, progressLine } from './progress.js';
import { BOUNCE_FLAGS, BOUNCE_HELP, bounceJobFromFlags, formatBounceLines, gatherBounceFiles } from './bounces.js';
import { assertSmtpIdentities, formatSmtpLines, SMTP_FLAGS, SMTP_HELP, smtpOptionsFromFlags } from './smtp-flags.js';

export const CLEAN_HELP = `Usage: listscrub clean [options] <list.csv | ->

Reads a CSV mailing list, checks every address, and writes a cleaned list (original columns kept) and
a report of every removed row with its reason. Both files are written atomically.

Input:
  --column NAME|NUMBER    the email column (default: detected from the header or the content);
                          several: repeat it or list them ("Work Email,Personal Email" or 3,5), and
                          a row is kept when one of its addresses is good or could not be checked
  --no-header             the file has no header row
  --delimiter CHAR        field delimiter (default: detected among , ; tab |)
  --encoding NAME         utf8 (default), utf16le, latin1 or windows-1252 (also utf-8, utf-16,
                          iso-8859-1, latin-1, cp1252)
  --max-record-size N     characters one record may have before it is malformed (default 1048576)
Output:
  -o, --output FILE       cleaned list (default <input-name>.clean.csv beside the input; - for stdout,
                          the default when the input is -)
  -r, --report FILE       report of removed rows (default <input-name>.report.csv beside the cleaned list)
  --results FILE          every row once, in order, with email_status, email_reason, email_detail,
                          email_suggestion, email_bounce, email_free, email_role, email_disposable
                          and email_mx appended (kept and removed rows alike)
  --annotate              append email_status, email_reason and email_suggestion columns to the
                          cleaned list (replacing those columns when the input already has them)
  --normalize             write the normalized address in place of the original
  --output-encoding NAME  encoding of both outputs (default: the input's, with its byte-order mark)
  --output-delimiter CHAR delimiter of both outputs (default: the input's)
  --apply-suggestions [R] write the suggestion in place of the address when the row's finding is a
                          certain repair (reason repaired), or one of the reasons R (e.g. typo_domain)
  --split                 one row per address for cells that list several (a@x.com; b@y.com), the
                          other columns copied; the report's row is the source record's number
  --summary FILE          write the JSON summary to FILE
  --html FILE             write a self-contained HTML report of the run to FILE (with --history,
                          it also shows the last 30 runs)
  --json                  print the JSON summary on stdout instead of the human summary
  -q, --quiet             no progress bar and no human summary
Policy:
  --drop LIST             also remove these statuses or reason codes (e.g. risky,unknown or
                          disposable,role_account); invalid, duplicate and malformed rows are
                          always removed
  --keep-duplicates       keep repeated addresses
  --max-invalid-rate R    replace nothing and exit 4 if more than R (0..1) of the rows would be
                          removed (for any reason: invalid, duplicate, malformed, --drop;
                          empty email cells are not counted)
  --allow-empty           let an input with no data rows replace a cleaned list that has rows
                          (default: replace nothing and exit 4)
  --max-shrink R          with --history: replace nothing and exit 4 if the list has more than R
                          (0..1) fewer rows than the last successful run (default 0.5)
Unattended runs:
  --config FILE           job file with any of these options in camelCase (default:
                          ./listscrub.config.json when present and no input is named); flags
                          override it
  --cache FILE            DNS cache kept between runs (created if missing)
  --cache-ttl MIN:MAX     bounds in seconds for cached DNS answers (default 60:86400)
  --history FILE          append one JSON line per run (see "listscrub history")
  --no-lock               do not hold <output>.lock (two runs could then overlap)
  -h, --help              show this help

${DNS_HELP}

${BOUNCE_HELP}

${SMTP_HELP}

Exit codes: 0 done; 1 runtime failure; 2 usage error; 3 done, but a check was unavailable and nothing
was removed on its grounds (DNS unhealthy: DNS-dependent rows are "unknown"; --smtp: no mail server
answered on its port, or the stage stopped); 4 a guard tripped (--max-invalid-rate, empty input, --max-shrink,
--max-bounce-share), outputs untouched; 5 another run holds the lock; 130/143 interrupted.`;

export const CLEAN_FLAGS = {
  ...DNS_FLAGS,
  ...BOUNCE_FLAGS,
  ...SMTP_FLAGS,
  output: { type: 'string', short: 'o' },
  report: { type: 'string', short: 'r' },
  results: { type: 'string' },
  'apply-suggestions': { type: 'string' },
  split: { type: 'boolean' },
  column: { type: 'string', multiple: true },
  'no-header': { type: 'boolean' },
  delimiter: { type: 'string' },
  encoding: { type: 'string' },
  drop: { type: 'string' },
  'keep-duplicates': { type: 'boolean' },
  annotate: { type: 'boolean' },
  normalize: { type: 'boolean' },
  'max-invalid-rate': { type: 'string' },
  'allow-empty': { type: 'boolean' },
  'max-shrink': { type: 'string' },
  'max-record-size': { type: 'string' },
  'output-encoding': { type: 'string' },
  'output-delimiter': { type: 'string' },
  summary: { type: 'string' },
  html: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  config: { type: 'string' },
  cache: { type: 'string' },
  'cache-ttl': { type: 'string' },
  history: { type: 'string' },
  'no-lock': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;


/** Turn clean's flags into a job config (only the keys the user set, so a job file can fill the rest). */
export function jobConfigFromFlags(values: ParsedValues, positionals: string[]): JobConfig {
  if (positionals.length > 1) throw new ListscrubError('E_USAGE', `clean takes one input file; got ${positionals.length}: ${positionals.join(' ')}.`);
  const job: JobConfig = {};
  if (Object.keys(DNS_FLAGS).some((flag) => values[flag] !== undefined)) {
    const { dns, rate, concurrency } = dnsOptionsFromFlags(values, {});
    if (values['no-dns'] === true || Object.keys(dns ?? {}).length > 0) job.dns = dns ?? {};
    if (rate !== undefined) job.rate = rate;
    if (concurrency !== undefined) job.concurrency = concurrency;
  }
  if (positionals[0] !== undefined) job.input = positionals[0];
  const output = stringFlag(values, 'output');
  if (output !== undefined) job.output = output;
  const report = stringFlag(values, 'report');
  if (report !== undefined) job.report = report;
  const columns = columnFlags(values.column);
  if (columns !== undefined) job.column = columns.length === 1 ? (columns[0] as string | number) : columns;
  if (values['no-header'] === true) job.header = false;
  const delimiter = stringFlag(values, 'delimiter');
  if (delimiter !== undefined) job.delimiter = delimiterFlag('delimiter', delimiter);
  const encoding = stringFlag(values, 'encoding');
  if (encoding !== undefined) job.encoding = encodingFlag('encoding', encoding);
  const outputEncoding = stringFlag(values, 'output-encoding');
  if (outputEncoding !== undefined) job.outputEncoding = encodingFlag('output-encoding', outputEncoding);
  const outputDelimiter = stringFlag(values, 'output-delimiter');
  if (outputDelimiter !== undefined) job.outputDelimiter = delimiterFlag('output-delimiter', outputDelimiter);
  const maxRecordSize = numberFlag(values, 'max-record-size', { integer: true, min: 1 });
  if (maxRecordSize !== undefined) job.maxRecordSize = maxRecordSize;
  if (values['allow-empty'] === true) job.allowEmpty = true;
  const maxShrink = numberFlag(values, 'max-shrink', { min: 0 });
  if (maxShrink !== undefined) {
    if (maxShrink > 1) throw new ListscrubError('E_USAGE', `--max-shrink is a share from 0 to 1 (e.g. 0.5); got ${maxShrink}.`);
    job.maxShrink = maxShrink;
  }
  const drop = listFlag(stringFlag(values, 'drop'));
  if (drop !== undefined) job.drop = drop as JobConfig['drop'];
  if (values['keep-duplicates'] === true) job.keepDuplicates = true;
  if (values.annotate === true) job.annotate = true;
  if (values.normalize === true) job.normalize = true;
  if (values.split === true) job.split = true;
  const results = stringFlag(values, 'results');
  if (results !== undefined) job.results = results;
  const apply = stringFlag(values, 'apply-suggestions');
  if (apply !== undefined) job.applySuggestions = apply === APPLY_CERTAIN ? true : parseApplySuggestions(apply);
  const maxInvalidRate = numberFlag(values, 'max-invalid-rate', { min: 0 });
  if (maxInvalidRate !== undefined) {
    if (maxInvalidRate > 1) throw new ListscrubError('E_USAGE', `--max-invalid-rate is a share from 0 to 1 (e.g. 0.2); got ${maxInvalidRate}.`);
    job.maxInvalidRate = maxInvalidRate;
  }
  const cache = stringFlag(values, 'cache');
  if (cache !== undefined) job.cache = cache;
  const cacheTtl = stringFlag(values, 'cache-ttl');
  if (cacheTtl !== undefined) {
    const match = /^(\d*):(\d*)$/.exec(cacheTtl.trim());
    if (match === null || (match[1] === '' && match[2] === '')) {
      throw new ListscrubError('E_USAGE', `--cache-ttl takes MIN:MAX in seconds (either may be empty), e.g. 300:86400; got "${cacheTtl}".`);
    }
    job.cacheTtl = {};
    if (match[1]) job.cacheTtl.min = Number(match[1]);
    if (match[2]) job.cacheTtl.max = Number(match[2]);
  }
  const history = stringFlag(values, 'history');
  if (history !== undefined) job.history = history;
  if (values['no-lock'] === true) job.lock = false;
  const summary = stringFlag(values, 'summary');
  if (summary !== undefined) job.summary = summary;
  const html = stringFlag(values, 'html');
  if (html !== undefined) job.html = html;
  if (values.quiet === true) job.quiet = true;
  if (values.json === true) job.json = true;
  Object.assign(job, bounceJobFromFlags(values));
  const smtp = smtpOptionsFromFlags(values, 'later');
  if (smtp !== undefined) job.smtp = smtp;
  return job;
}

/**
 * --column, given once or more: numbers as numbers, names as given. A comma list stays one string:
 * the reader splits it unless a header name holds that comma.
 */
function columnFlags(values: ParsedValues[string]): Array<string | number> | undefined {
  if (!Array.isArray(values) || values.length === 0) return undefined;
  return values.map((value) => {
    const text = String(value);
    return /^\d+$/.test(text.trim()) ? Number(text.trim()) : text;
  });
}

function delimiterFlag(flag: string, value: string): string {
  const char = value === '\\t' || value.toLowerCase() === 'tab' ? '\t' : value;
  if (char.length !== 1) throw new ListscrubError('E_USAGE', `--${flag} takes one character (or "tab"); got "${value}".`);
  return char;
}

/** An encoding name or alias; the message names the flag and what the user typed. */
function encodingFlag(flag: string, value: string): Encoding {
  try {
    return normalizeEncoding(value.trim());
  } catch {
    throw new ListscrubError('E_USAGE', `--${flag} must be one of ${ENCODINGS.join(', ')} (or utf-8, utf-16, iso-8859-1, latin-1, cp1252); got "${value}".`);
  }
}

export function formatSummary(summary: Summary, color: boolean): string {
  const n = (value: number): string => value.toLocaleString('en-US');
  const lines: string[] = [];
  if (summary.config !== undefined) lines.push(`listscrub: job file ${terminalSafe(summary.config)}`);
  lines.push(`listscrub: ${n(summary.rows)} rows from ${terminalSafe(summary.input)} in ${formatDuration(summary.durationMs)}: ${n(summary.kept)} kept, ${n(summary.removed)} removed`);
  lines.push(
    `  ${ROW_STATUSES.filter((status) => summary.statuses[status] > 0)
      .map((status) => `${paintStatus(status, status, color)} ${n(summary.statuses[status])}`)
      .join('  ') || 'no rows'}`,
  );
  // Every reason, most frequent first: a rare one (null_mx) is often the one worth reading.
  const reasons = Object.entries(summary.reasons)
    .filter(([reason]) => reason !== 'ok')
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .map(([reason, count]) => `${reason} ${n(count ?? 0)}`);
  if (reasons.length > 0) lines.push(`  reasons: ${reasons.join(', ')}`);
  const dropped = Object.entries(summary.dropped).map(([item, count]) => `${item} ${n(count)}`);
  if (dropped.length > 0) lines.push(`  removed by --drop: ${dropped.join(', ')}`);
  if (summary.unchecked.rows > 0) {
    const why = Object.entries(summary.unchecked.reasons).map(([reason, count]) => `${reason} ${n(count ?? 0)}`);
    lines.push(`  kept unchecked: ${n(summary.unchecked.rows)} (${why.join(', ')}): rows that could not be checked are never removed`);
  }
  if (summary.columns === undefined) lines.push(`  email column: ${terminalSafe(describeColumn(summary.column))}`);
  else lines.push(`  email columns: ${terminalSafe(describeColumns(summary.columns))}; a row is kept unless every address in it is invalid`);
  if (summary.applied !== undefined) lines.push(`  suggestions applied: ${n(summary.applied)}`);
  if (summary.split !== undefined) lines.push(`  --split made ${n(summary.split.extraRows)} extra rows (one per extra address in a cell)`);
  const dns = summary.dns;
  if (!dns.enabled) lines.push('  DNS: off (--no-dns): domains were not checked');
  else if (!dns.healthy) lines.push(`  DNS: UNHEALTHY. ${terminalSafe(dns.detail)}`);
  else lines.push(`  DNS: healthy; ${n(dns.queries)} queries for ${n(dns.domains)} domains, ${n(dns.cacheHits)} cache hits`);
  if (summary.bounces !== undefined) lines.push(...formatBounceLines(summary.bounces, summary.reasons.bounced ?? 0).map(terminalSafe));
  if (summary.smtp !== undefined) lines.push(...formatSmtpLines(summary.smtp).map(terminalSafe));
  if (summary.guard !== undefined) lines.push(`  NOT REPLACED: ${terminalSafe(summary.guard.detail)}`);
  else {
    if (summary.output !== null && summary.output !== '-') lines.push(`  cleaned list: ${terminalSafe(summary.output)}`);
    if (summary.report !== null) lines.push(`  report:       ${terminalSafe(summary.report)}`);
    if (summary.html !== undefined) lines.push(`  html report:  ${terminalSafe(summary.html)}`);
    if (summary.results) lines.push(`  results:      ${terminalSafe(summary.results)}`);
  }
  // Warnings quote file names and cache-file keys: anyone who can write those files chose them.
  for (const warning of summary.warnings) lines.push(`  warning: ${terminalSafe(warning)}`);
  return `${lines.join('\n')}\n`;
}

export function exitCodeForSummary(summary: Summary): number {
  if (summary.guard !== undefined) return EXIT.guardTripped;
  if (summary.dns.enabled && !summary.dns.healthy) return EXIT.dnsUnhealthy;
  if (summary.smtp !== undefined && summary.smtp.status !== 'ok') return EXIT.dnsUnhealthy;
  return EXIT.ok;
}

export async function runClean(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(gatherBounceFiles(withOptionalValue(args, '--apply-suggestions', APPLY_CERTAIN)), CLEAN_FLAGS);
  if (values.help === true) {
    io.stdout.write(`${CLEAN_HELP}\n`);
    return EXIT.ok;
  }
  const flags = jobConfigFromFlags(values, positionals);
  // ./listscrub.config.json belongs to the job run from that directory: an ad-hoc
  // `listscrub clean other.csv` there must not take the job's outputs, DNS or --drop. And it is
  // only trusted when nobody else could have planted it.
  const explicitConfig = stringFlag(values, 'config');
  const configPath = explicitConfig ?? (flags.input === undefined ? await findJobConfig(io.cwd) : null);
  if (explicitConfig === undefined && configPath !== null) await assertTrustedJobFile(configPath);
  const configFile = configPath === null ? null : resolve(io.cwd, configPath);
  const fileConfig = configFile === null ? {} : await loadJobConfig(configFile);
  return runCleanJob(mergeConfig(fileConfig, flags), io, { configFile });
}

/** Run one clean job (flags and job file already merged): the command and the scheduler share this. */
/** What the scheduler needs of a run besides its exit code: the job file, and the summary. */
export interface CleanJobHooks {
  configFile?: string | null;
  onSummary?: (summary: Summary) => void;
}

export async function runCleanJob(job: JobConfig, io: CliIo, { configFile = null, onSummary }: CleanJobHooks = {}): Promise<number> {
  if (job.input === undefined) {
    const hint = job.bounces === undefined ? '' : ' (--bounces takes every file after it up to the next option: put the list before --bounces)';
    throw new ListscrubError('E_USAGE', `clean needs an input file (or "-" for standard input), on the command line or as "input" in the job file${hint}.`);
  }
  if (job.smtp !== undefined) assertSmtpIdentities(job.smtp);
  const json = job.json === true;
  if (json && job.output === '-') throw new ListscrubError('E_USAGE', '--json and "-o -" both want standard output; use --summary FILE for the JSON.');
  // Input '-' sends the cleaned list to standard output unless -o names a file.
  if (json && job.output === undefined && job.input === '-') {
    throw new ListscrubError('E_USAGE', 'with input "-" the cleaned list goes to standard output, and so would --json; give -o FILE, or use --summary FILE for the JSON.');
  }
  const quiet = job.quiet === true;
  const showProgress = !quiet && !json && io.stderr.isTTY === true;
  const ansi = io.env.TERM !== 'dumb';
  const { history, summary: summaryPath, quiet: _quiet, json: _json, cacheTtl, ...rest } = job;
  const options: ScrubCsvOptions = { ...rest, input: job.input };
  if (cacheTtl !== undefined) options.cacheTtl = cacheTtl;
  // The HTML page's trend: the runs before this one (the page adds this run itself).
  const trend = job.html !== undefined && history !== undefined ? await earlierRuns(history) : undefined;
  if (trend?.entries !== undefined) options.htmlHistory = trend.entries;
  // Precedence for resolvers: flags, then the job file, then $LISTSCRUB_DNS, then the system's.
  if (options.dns !== false && options.dns?.servers === undefined && io.env.LISTSCRUB_DNS) {
    const servers = listFlag(io.env.LISTSCRUB_DNS) ?? [];
    checkServers(servers, '$LISTSCRUB_DNS');
    options.dns = { ...options.dns, servers };
  }
  // The same defaults scrubCsv() will use (the report goes beside a cleaned list named with -o).
  const defaults = defaultOutputPaths(job.input, job.output);
  assertDistinctPaths([
    ['input', job.input],
    ['cleaned list', job.output ?? defaults.output],
    ['report', job.report ?? defaults.report],
    ['result file', job.results],
    ['DNS cache', job.cache],
    ['summary', summaryPath],
    ['history', history],
    ['HTML report', job.html],
  ]);

  const controller = new AbortController();
  let signal: 'SIGINT' | 'SIGTERM' | undefined;
  void io.interrupted.then((name) => {
    signal = name;
    controller.abort();
  });
  const startedAt = Date.now();
  let summary: Summary | undefined;
  let code: number;
  let failure: unknown;
  let summaryWriter: AtomicWriter | undefined;
  try {
    // The summary is written after the outputs are replaced: a path that cannot take it fails now,
    // while "exit 1: outputs untouched" is still true.
    if (summaryPath !== undefined) summaryWriter = await createAtomicFileWriter(summaryPath, { mode: await outputModeFor(job.input) });
    if (history !== undefined) {
      const baselineRows = await lastGoodRows(history, job.input);
      if (baselineRows !== undefined) options.baselineRows = baselineRows;
    }
    summary = await scrubCsv({
      ...options,
      stdin: io.stdin,
      stdout: io.stdout,
      signal: controller.signal,
      ...(showProgress ? { onProgress: (progress: Progress) => io.stderr.write(progressLine(progress, Date.now() - startedAt, ansi)) } : {}),
    });
    if (configFile !== null) summary.config = configFile;
    code = exitCodeForSummary(summary);
  } catch (error) {
    failure = error;
    code = signal === undefined ? exitCodeFor(error) : signal === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
    await summaryWriter?.abort();
  } finally {
    if (showProgress) io.stderr.write(clearProgress(ansi));
  }
  if (trend?.warning !== undefined) summary?.warnings.push(trend.warning);
  const document = summary === undefined ? undefined : `${JSON.stringify({ ...summary, exitCode: code }, null, 2)}\n`;
  if (summaryWriter !== undefined && document !== undefined && summary !== undefined) {
    // Checked before the run; failing here takes a disk that filled up meanwhile. The outputs are
    // replaced by now, so it is a warning: the exit code stays the run's.
    try {
      summaryWriter.stream.end(document);
      await summaryWriter.commit();
    } catch (error) {
      summary.warnings.push(`${(error as Error).message}; the summary file was not written.`);
    }
  }
  if (history !== undefined) await recordHistory(history, { job, startedAt, code, summary, failure, signal, io });
  if (summary === undefined || document === undefined) {
    if (signal !== undefined) {
      io.stderr.write(`listscrub: interrupted (${signal}); previous outputs were left untouched.\n`);
      return code;
    }
    throw failure;
  }
  onSummary?.(summary);
  // Printed after the history, so its warning (if any) is in what the user sees.
  if (json) io.stdout.write(terminalSafeJson(`${JSON.stringify({ ...summary, exitCode: code }, null, 2)}\n`));
  else if (!quiet) io.stderr.write(formatSummary(summary, useColor(io.stderr, io.env)));
  return code;
}

/** Rows of the last run of this input that replaced its outputs (exit 0 or 3), for --max-shrink. */
async function lastGoodRows(history: string, input: string): Promise<number | undefined> {
  const { entries } = await readHistory(history).catch(() => ({ entries: [] as HistoryEntry[] }));
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i] as HistoryEntry;
    if (entry.input === input && entry.output !== '' && (entry.exitCode === EXIT.ok || entry.exitCode === EXIT.dnsUnhealthy)) return entry.rows;
  }
  return undefined;
}

interface RunRecord {
  job: JobConfig;
  startedAt: number;
  code: number;
  summary: Summary | undefined;
  failure: unknown;
  signal: 'SIGINT' | 'SIGTERM' | undefined;
  io: CliIo;
}

/**
 * Append the run to the history, with its real exit code. Failed runs are recorded too, a refused
 * one (exit 5, another run held the lock) included: a nightly job's history should show the nights
 * it did not run, and why.
 */
async function recordHistory(history: string, { job, startedAt, code, summary, failure, signal, io }: RunRecord): Promise<void> {
  const error =
    summary === undefined
      ? signal !== undefined
        ? `interrupted (${signal})`
        : failure instanceof Error ? failure.message : String(failure)
      : summary.guard !== undefined
        ? summary.guard.detail
        : code === EXIT.dnsUnhealthy ? summary.dns.detail : undefined;
  const entry: HistoryEntry = {
    time: new Date(startedAt).toISOString(),
    exitCode: code,
    durationMs: Date.now() - startedAt,
    rows: summary?.rows ?? 0,
    kept: summary?.kept ?? 0,
    removed: summary?.removed ?? 0,
    statuses: summary?.statuses ?? {},
    reasons: (summary?.reasons ?? {}) as Record<string, number>,
    dns: summary === undefined || !summary.dns.enabled ? null : { healthy: summary.dns.healthy, queries: summary.dns.queries, cacheHits: summary.dns.cacheHits },
    input: job.input ?? '',
    output: summary?.output ?? '',
    ...(error === undefined ? {} : { error }),
  };
  try {
    await appendHistory(history, entry);
  } catch (historyError) {
    // The history must not hide what the run did: a failed run keeps its own error (a missing
    // output directory, say, would otherwise be reported as "cannot append to the history"), and
    // a run that replaced its outputs keeps its exit code and still prints its summary.
    const warning = `${(historyError as Error).message}; this run is not in the history.`;
    if (summary === undefined) io.stderr.write(`listscrub: warning: ${terminalSafe(warning)}\n`);
    else summary.warnings.push(warning);
  }
}
