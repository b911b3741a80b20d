/** `listscrub clean <list.csv>`: the main job. A thin wrapper over scrubCsv(). */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { scrubCsv, type Progress, type ScrubCsvOptions, type Summary } from '../batch.js';
import { ListscrubError } from '../errors.js';
import { ROW_STATUSES } from '../types.js';
import { ENCODINGS, findJobConfig, loadJobConfig, mergeConfig, type JobConfig } from '../jobs/config.js';
import { appendHistory, formatDuration } from '../jobs/history.js';
import { DNS_FLAGS, DNS_HELP, dnsOptionsFromFlags, listFlag, numberFlag, parseFlags, stringFlag, type ParsedValues } from './args.js';
import { EXIT, exitCodeFor, useColor, type CliIo } from './io.js';
import { paintStatus } from './output.js';
import { BOUNCE_FLAGS, BOUNCE_HELP, bounceJobFromFlags, formatBounceLines, gatherBounceFiles } from './bounces.js';

export const CLEAN_HELP = `Usage: listscrub clean [options] <list.csv | ->

Reads a CSV mailing list, checks every address, and writes a cleaned list (original columns kept) and
a report of every removed row with its reason. Both files are written atomically.

Input:
  --column NAME|NUMBER    the email column (default: detected from the header or the content)
  --no-header             the file has no header row
  --delimiter CHAR        field delimiter (default: detected among , ; tab |)
  --encoding NAME         utf8 (default), utf16le, latin1 or windows-1252
Output:
  -o, --output FILE       cleaned list (default <input-name>.clean.csv beside the input; - for stdout)
  -r, --report FILE       report of removed rows (default <input-name>.report.csv)
  --annotate              append email_status and email_reason columns to the cleaned list
  --normalize             write the normalized address in place of the original
  --summary FILE          write the JSON summary to FILE
  --json                  print the JSON summary on stdout instead of the human summary
  -q, --quiet             no progress bar and no human summary
Policy:
  --drop LIST             also remove these statuses or reason codes (e.g. risky,unknown or
                          disposable,role_account); invalid, duplicate and malformed rows are
                          always removed
  --keep-duplicates       keep repeated addresses
  --max-invalid-rate R    replace nothing and exit 4 if more than R (0..1) of the rows would be removed
Unattended runs:
  --config FILE           job file with any of these options in camelCase (default:
                          ./listscrub.config.json when present); flags override it
  --cache FILE            DNS cache kept between runs (created if missing)
  --cache-ttl MIN:MAX     bounds in seconds for cached DNS answers (default 60:86400)
  --history FILE          append one JSON line per run (see "listscrub history")
  --no-lock               do not hold <output>.lock (two runs could then overlap)
  -h, --help              show this help

${DNS_HELP}

${BOUNCE_HELP}

Exit codes: 0 done; 1 runtime failure; 2 usage error; 3 done, but DNS was unhealthy so DNS-dependent
rows are "unknown"; 4 --max-invalid-rate or --max-bounce-share tripped, outputs untouched; 5 another run holds the lock;
130/143 interrupted.`;

export const CLEAN_FLAGS = {
  ...DNS_FLAGS,
  ...BOUNCE_FLAGS,
  output: { type: 'string', short: 'o' },
  report: { type: 'string', short: 'r' },
  column: { type: 'string' },
  'no-header': { type: 'boolean' },
  delimiter: { type: 'string' },
  encoding: { type: 'string' },
  drop: { type: 'string' },
  'keep-duplicates': { type: 'boolean' },
  annotate: { type: 'boolean' },
  normalize: { type: 'boolean' },
  'max-invalid-rate': { type: 'string' },
  summary: { type: 'string' },
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
  const column = stringFlag(values, 'column');
  if (column !== undefined) job.column = /^\d+$/.test(column) ? Number(column) : column;
  if (values['no-header'] === true) job.header = false;
  const delimiter = stringFlag(values, 'delimiter');
  if (delimiter !== undefined) {
    const char = delimiter === '\\t' || delimiter.toLowerCase() === 'tab' ? '\t' : delimiter;
    if (char.length !== 1) throw new ListscrubError('E_USAGE', `--delimiter takes one character (or "tab"); got "${delimiter}".`);
    job.delimiter = char;
  }
  const encoding = stringFlag(values, 'encoding')?.toLowerCase().replace(/^utf-/, 'utf');
  if (encoding !== undefined) {
    if (!(ENCODINGS as readonly string[]).includes(encoding)) {
      throw new ListscrubError('E_USAGE', `--encoding must be one of ${ENCODINGS.join(', ')}; got "${encoding}".`);
    }
    job.encoding = encoding as JobConfig['encoding'];
  }
  const drop = listFlag(stringFlag(values, 'drop'));
  if (drop !== undefined) job.drop = drop as JobConfig['drop'];
  if (values['keep-duplicates'] === true) job.keepDuplicates = true;
  if (values.annotate === true) job.annotate = true;
  if (values.normalize === true) job.normalize = true;
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
  if (values.quiet === true) job.quiet = true;
  if (values.json === true) job.json = true;
  Object.assign(job, bounceJobFromFlags(values));
  return job;
}

/** One line, redrawn in place on a terminal. */
function progressLine(progress: Progress, startedAt: number): string {
  const seconds = Math.max((Date.now() - startedAt) / 1000, 0.001);
  const rate = Math.round(progress.rows / seconds).toLocaleString('en-US');
  const percent = progress.totalBytes ? ` ${Math.min(100, Math.floor((progress.bytesRead / progress.totalBytes) * 100))}%` : '';
  return `\r\u001b[2K  ${progress.rows.toLocaleString('en-US')} rows  ${rate} rows/s${percent}`;
}

export function formatSummary(summary: Summary, color: boolean): string {
  const n = (value: number): string => value.toLocaleString('en-US');
  const lines: string[] = [];
  lines.push(`listscrub: ${n(summary.rows)} rows from ${summary.input} in ${formatDuration(summary.durationMs)}: ${n(summary.kept)} kept, ${n(summary.removed)} removed`);
  lines.push(
    `  ${ROW_STATUSES.filter((status) => summary.statuses[status] > 0)
      .map((status) => `${paintStatus(status, status, color)} ${n(summary.statuses[status])}`)
      .join('  ') || 'no rows'}`,
  );
  const top = Object.entries(summary.reasons)
    .filter(([reason]) => reason !== 'ok')
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .slice(0, 6)
    .map(([reason, count]) => `${reason} ${n(count ?? 0)}`);
  if (top.length > 0) lines.push(`  reasons: ${top.join(', ')}`);
  const dns = summary.dns;
  if (!dns.enabled) lines.push('  DNS: off (--no-dns): domains were not checked');
  else if (!dns.healthy) lines.push(`  DNS: UNHEALTHY. ${dns.detail}`);
  else lines.push(`  DNS: healthy; ${n(dns.queries)} queries for ${n(dns.domains)} domains, ${n(dns.cacheHits)} cache hits`);
  if (summary.bounces !== undefined) lines.push(...formatBounceLines(summary.bounces, summary.reasons.bounced ?? 0));
  if (summary.guard !== undefined) lines.push(`  NOT REPLACED: ${summary.guard.detail}`);
  else {
    if (summary.output !== null && summary.output !== '-') lines.push(`  cleaned list: ${summary.output}`);
    if (summary.report !== null) lines.push(`  report:       ${summary.report}`);
  }
  for (const warning of summary.warnings) lines.push(`  warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}

export function exitCodeForSummary(summary: Summary): number {
  if (summary.guard !== undefined) return EXIT.guardTripped;
  if (summary.dns.enabled && !summary.dns.healthy) return EXIT.dnsUnhealthy;
  return EXIT.ok;
}

export async function runClean(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(gatherBounceFiles(args), CLEAN_FLAGS);
  if (values.help === true) {
    io.stdout.write(`${CLEAN_HELP}\n`);
    return EXIT.ok;
  }
  const flags = jobConfigFromFlags(values, positionals);
  const configPath = stringFlag(values, 'config') ?? (await findJobConfig(io.cwd));
  const fileConfig = configPath === null ? {} : await loadJobConfig(resolve(io.cwd, configPath));
  return runCleanJob(mergeConfig(fileConfig, flags), io);
}

/** Run one clean job (flags and job file already merged): the command and the scheduler share this. */
export async function runCleanJob(job: JobConfig, io: CliIo): Promise<number> {
  if (job.input === undefined) {
    const hint = job.bounces === undefined ? '' : ' (--bounces takes every file after it up to the next option: put the list before --bounces)';
    throw new ListscrubError('E_USAGE', `clean needs an input file (or "-" for standard input), on the command line or as "input" in the job file${hint}.`);
  }
  const json = job.json === true;
  if (json && job.output === '-') throw new ListscrubError('E_USAGE', '--json and "-o -" both want standard output; use --summary FILE for the JSON.');
  const quiet = job.quiet === true;
  const showProgress = !quiet && !json && io.stderr.isTTY === true;
  const { history, summary: summaryPath, quiet: _quiet, json: _json, cacheTtl, ...rest } = job;
  const options: ScrubCsvOptions = { ...rest, input: job.input };
  if (cacheTtl !== undefined) options.cacheTtl = cacheTtl;
  // Precedence for resolvers: flags, then the job file, then $LISTSCRUB_DNS, then the system's.
  if (options.dns !== false && options.dns?.servers === undefined && io.env.LISTSCRUB_DNS) {
    options.dns = { ...options.dns, servers: listFlag(io.env.LISTSCRUB_DNS) ?? [] };
  }

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
  try {
    summary = await scrubCsv({
      ...options,
      stdin: io.stdin,
      stdout: io.stdout,
      signal: controller.signal,
      ...(showProgress ? { onProgress: (progress: Progress) => io.stderr.write(progressLine(progress, startedAt)) } : {}),
    });
    code = exitCodeForSummary(summary);
  } catch (error) {
    failure = error;
    code = signal === undefined ? exitCodeFor(error) : signal === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
  } finally {
    if (showProgress) io.stderr.write('\r\u001b[2K');
  }
  if (history !== undefined) {
    // Failed runs are recorded too, a refused one (exit 5, another run held the lock) included: a
    // nightly job's history should show the nights it did not run, and why.
    const error =
      summary === undefined
        ? signal !== undefined
          ? `interrupted (${signal})`
          : failure instanceof Error ? failure.message : String(failure)
        : summary.guard !== undefined
          ? summary.guard.detail
          : code === EXIT.dnsUnhealthy ? summary.dns.detail : undefined;
    const entry = {
      time: new Date(startedAt).toISOString(),
      exitCode: code,
      durationMs: Date.now() - startedAt,
      rows: summary?.rows ?? 0,
      kept: summary?.kept ?? 0,
      removed: summary?.removed ?? 0,
      statuses: summary?.statuses ?? {},
      reasons: (summary?.reasons ?? {}) as Record<string, number>,
      dns: summary === undefined || !summary.dns.enabled ? null : { healthy: summary.dns.healthy, queries: summary.dns.queries, cacheHits: summary.dns.cacheHits },
      input: job.input,
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
      if (summary === undefined) io.stderr.write(`listscrub: warning: ${warning}\n`);
      else summary.warnings.push(warning);
    }
  }
  if (summary === undefined) {
    if (signal !== undefined) {
      io.stderr.write(`listscrub: interrupted (${signal}); previous outputs were left untouched.\n`);
      return code;
    }
    throw failure;
  }
  const document = `${JSON.stringify({ ...summary, exitCode: code }, null, 2)}\n`;
  if (summaryPath !== undefined) {
    try {
      await writeFile(summaryPath, document);
    } catch (error) {
      throw new ListscrubError('E_OUTPUT', `cannot write the summary to ${summaryPath}: ${(error as Error).message}`, { cause: error });
    }
  }
  if (json) io.stdout.write(document);
  else if (!quiet) io.stderr.write(formatSummary(summary, useColor(io.stderr, io.env)));
  return code;
}
