/**
 * `listscrub bounces classify FILE...`: every bounce event with its class and rule, then what the
 * bounces say about the sender. Also the `--bounces` flags `clean` shares.
 */
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { createAtomicFileWriter, createCsvWriter, neutralizeFormula } from '../csv/write.js';
import { ListscrubError } from '../errors.js';
import { collectBounces, type BounceOptions, type BounceSummary } from '../bounces/load.js';
import { BOUNCE_FORMATS, type BounceEvent, type BounceFormat } from '../bounces/types.js';
import { numberFlag, parseFlags, stringFlag, type ParsedValues } from './args.js';
import { EXIT, type CliIo } from './io.js';
import { printable, terminalSafe, terminalSafeJson, terminalSafeLines } from './output.js';

/** Flags shared by `clean` and `bounces classify`. */
export const BOUNCE_FLAGS = {
  bounces: { type: 'string', multiple: true },
  'bounces-since': { type: 'string' },
  'bounce-format': { type: 'string' },
  'bounce-min-events': { type: 'string' },
  'bounce-storm': { type: 'string' },
  'max-bounce-share': { type: 'string' },
} as const;

export const BOUNCE_HELP = `Bounces (see README "Bounces"):
  --bounces FILE...       the sender's bounce files: Postfix logs (.gz too), RFC 3464 reports (.eml,
                          mbox), SES / SendGrid / Mailgun / Postmark JSON, CSV exports; every
                          argument after it up to the next option (put the list before it).
                          Addresses they prove dead are removed as "bounced"
  --bounces-since SPAN    only bounces newer than 90d, 12w, 48h or a date (default: all)
  --bounce-format F       ${BOUNCE_FORMATS.join(', ')} (default: detected per file)
  --bounce-min-events N   "mailbox disabled / inactive" bounces needed to remove (default 2)
  --bounce-storm N        distinct recipients one provider rejects in a day with one sender-class
                          text for a sender incident (default 20)
  --max-bounce-share R    replace nothing and exit 4 if more than R (0..1) of the rows would be
                          removed as bounced (default 0.1)`;

/**
 * `--bounces a.log b.log c.json` (what a shell glob gives) as `--bounces=a.log --bounces=b.log ...`,
 * for parseArgs: the files run up to the next option.
 */
export function gatherBounceFiles(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    if (arg !== '--bounces') {
      out.push(arg);
      continue;
    }
    let taken = 0;
    while (i + 1 < args.length && !(args[i + 1] as string).startsWith('-')) {
      out.push(`--bounces=${args[i + 1] as string}`);
      i += 1;
      taken += 1;
    }
    if (taken === 0) throw new ListscrubError('E_USAGE', '--bounces needs at least one bounce file.');
  }
  return out;
}

/** The bounce flags as job-file keys (only those given). */
export function bounceJobFromFlags(values: ParsedValues): BounceOptions {
  const job: BounceOptions = {};
  const files = values.bounces;
  if (Array.isArray(files) && files.length > 0) job.bounces = files.map(String);
  const since = stringFlag(values, 'bounces-since');
  if (since !== undefined) job.bouncesSince = since;
  const format = stringFlag(values, 'bounce-format');
  if (format !== undefined) {
    if (!(BOUNCE_FORMATS as readonly string[]).includes(format)) throw new ListscrubError('E_USAGE', `--bounce-format must be one of ${BOUNCE_FORMATS.join(', ')}; got "${format}".`);
    job.bounceFormat = format as BounceFormat;
  }
  const minEvents = numberFlag(values, 'bounce-min-events', { integer: true, min: 1 });
  if (minEvents !== undefined) job.bounceMinEvents = minEvents;
  const storm = numberFlag(values, 'bounce-storm', { integer: true, min: 1 });
  if (storm !== undefined) job.bounceStorm = storm;
  const share = numberFlag(values, 'max-bounce-share', { min: 0 });
  if (share !== undefined) {
    if (share > 1) throw new ListscrubError('E_USAGE', `--max-bounce-share is a share from 0 to 1 (e.g. 0.1); got ${share}.`);
    job.maxBounceShare = share;
  }
  return job;
}

/** The lines `clean` adds to its human summary. */
export function formatBounceLines(summary: BounceSummary, bounced: number): string[] {
  const n = (value: number): string => value.toLocaleString('en-US');
  const c = summary.byClass;
  const lines = [
    `  bounces: ${n(summary.events)} events (sender ${n(c.sender)}, recipient ${n(c.recipient)}, domain ${n(c.domain)}, transient ${n(c.transient)}, unknown ${n(c.unknown)}); ${n(summary.deadAddresses)} addresses proven dead, ${n(bounced)} rows removed as bounced`,
  ];
  for (const incident of summary.incidents.slice(0, 5)) lines.push(`  sender incident: ${incident.detail}`);
  for (const problem of summary.senderProblems.slice(0, 3)) lines.push(`  sender problem: ${problem.detail}`);
  if (summary.persistent.count > 0) lines.push(`  bounces: ${n(summary.persistent.count)} addresses failed temporarily on 3 or more days with no delivery since (kept; see the JSON summary)`);
  if (summary.problems > 0) lines.push(`  bounces: ${n(summary.problems)} unreadable lines, first: ${summary.problemSamples[0] ?? ''}`);
  return lines;
}

export const BOUNCES_HELP = `Usage: listscrub bounces classify [options] <FILE...>

Reads bounce files and prints every bounce event with its class (sender, recipient, domain,
transient, unknown), the rule that decided, its codes, stage, provider, time and source line; then
a summary of what the bounces say about the sender (block lists, authentication, incidents). Reads
no list and changes nothing; "listscrub clean LIST --bounces FILE..." removes the dead addresses.

Options:
  --json                  one JSON object per event on stdout; the summary goes to stderr
  -o, --output FILE       write the events as CSV to FILE; the summary goes to stderr
  --bounce-format F       ${BOUNCE_FORMATS.join(', ')} (default: detected per file)
  --bounces-since SPAN    only events newer than 90d, 12w, 48h or a date (default: all)
  --bounce-min-events N   "mailbox disabled" events needed to count (default 2)
  --bounce-storm N        distinct recipients for a sender incident (default 20)
  -h, --help              show this help

Exit codes: 0 done (unreadable lines are reported, not fatal); 1 a file cannot be read; 2 usage error.`;

const CLASSIFY_FLAGS = {
  json: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  'bounce-format': { type: 'string' },
  'bounces-since': { type: 'string' },
  'bounce-min-events': { type: 'string' },
  'bounce-storm': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const EVENT_COLUMNS = ['address', 'class', 'category', 'rule', 'code', 'enhanced', 'stage', 'provider', 'ip', 'time', 'file', 'line', 'text'] as const;

function eventRecord(event: BounceEvent): Record<(typeof EVENT_COLUMNS)[number], string | number | null> {
  return {
    address: event.address,
    class: event.class,
    category: event.category,
    rule: event.rule,
    code: event.basic ?? null,
    enhanced: event.enhanced ?? null,
    stage: event.stage ?? null,
    provider: event.provider,
    ip: event.ip ?? null,
    time: event.time === null ? null : new Date(event.time).toISOString(),
    file: event.file,
    line: event.line,
    text: event.text,
  };
}

const TABLE_WIDTHS = [20, 32, 9, 22, 11, 6, 12] as const;

function tableLine(cells: string[]): string {
  return cells.map((cell, i) => (i < TABLE_WIDTHS.length ? printable(cell, TABLE_WIDTHS[i]).padEnd(TABLE_WIDTHS[i] as number) : cell)).join('  ').trimEnd();
}

function eventRow(event: BounceEvent): string {
  const time = event.time === null ? '-' : new Date(event.time).toISOString().slice(0, 19).replace('T', ' ');
  const code = [event.basic, event.enhanced].filter((c) => c !== undefined).join(' ') || '-';
  return tableLine([time, event.address, event.class, event.rule, code, event.stage ?? '-', event.provider, `${event.file}:${event.line}  ${printable(event.text, 100)}`]);
}

export function formatClassifySummary(summary: BounceSummary, files: number): string {
  const n = (value: number): string => value.toLocaleString('en-US');
  const c = summary.byClass;
  const lines = [
    `listscrub: ${n(summary.events)} bounce events from ${n(files)} file${files === 1 ? '' : 's'}: sender ${n(c.sender)}, recipient ${n(c.recipient)}, domain ${n(c.domain)}, transient ${n(c.transient)}, unknown ${n(c.unknown)}; ${n(summary.delivered)} deliveries; ${n(summary.skipped)} lines or records were not bounces`,
    `  would remove: ${n(summary.deadAddresses)} addresses proven dead by recipient bounces${summary.domainChecks.notConfirmed > 0 ? `; ${n(summary.domainChecks.notConfirmed)} more if "clean" finds their domain dead in DNS now` : ''}`,
  ];
  const d = summary.discounted;
  if (d.cancelled + d.storm + d.old + d.belowMinEvents > 0) {
    lines.push(`  not counted: ${n(d.cancelled)} cancelled by a later delivery, ${n(d.storm)} during a sender incident, ${n(d.old)} too old, ${n(d.belowMinEvents)} below --bounce-min-events`);
  }
  if (summary.senderProblems.length > 0) lines.push('Sender problems:');
  for (const problem of summary.senderProblems.slice(0, 20)) lines.push(`  ${problem.detail}. e.g. "${printable(problem.text, 120)}"`);
  if (summary.incidents.length > 0) lines.push('Sender incidents (storm guard: these bounces remove nothing):');
  for (const incident of summary.incidents) lines.push(`  ${incident.detail}`);
  if (summary.persistent.count > 0) {
    lines.push(`Persistent temporary failures (kept): ${n(summary.persistent.count)} addresses, e.g. ${summary.persistent.sample.slice(0, 5).join(', ')}`);
  }
  if (summary.problems > 0) {
    lines.push(`Unreadable lines: ${n(summary.problems)}`);
    for (const message of summary.problemSamples) lines.push(`  ${message}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function runBounces(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '-h' || sub === '--help' || sub === 'help') {
    (sub === undefined ? io.stderr : io.stdout).write(`${BOUNCES_HELP}\n`);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (sub !== 'classify') throw new ListscrubError('E_USAGE', `unknown bounces command "${sub}"${sub.startsWith('cl') ? ' (did you mean "classify"?)' : ''}; the command is "listscrub bounces classify FILE...".`);
  const { values, positionals } = parseFlags(rest, CLASSIFY_FLAGS);
  if (values.help === true) {
    io.stdout.write(`${BOUNCES_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new ListscrubError('E_USAGE', 'bounces classify needs at least one bounce file.');
  const options = bounceJobFromFlags(values);
  const output = stringFlag(values, 'output');
  const json = values.json === true;
  if (json && output !== undefined) throw new ListscrubError('E_USAGE', '--json and --output both choose the event format; give one.');
  return classifyFiles(positionals, { ...options, ...(output === undefined ? {} : { output }), json }, io);
}

/** Write, and when the stream is full, a promise of its 'drain' (the reading waits for it). */
function write(stream: NodeJS.WritableStream, chunk: unknown): Promise<void> | undefined {
  if ((stream as { write(chunk: unknown): boolean }).write(chunk)) return undefined;
  return once(stream as NodeJS.EventEmitter, 'drain').then(() => undefined);
}

async function classifyFiles(files: string[], options: BounceOptions & { output?: string; json: boolean }, io: CliIo): Promise<number> {
  const writer = options.output === undefined ? null : await createAtomicFileWriter(options.output);
  const csv = writer === null ? null : createCsvWriter({ header: [...EVENT_COLUMNS] });
  const csvDone = writer === null || csv === null ? null : pipeline(csv, writer.stream);
  csvDone?.catch(() => undefined);
  const table = !options.json && writer === null;
  // The header goes out with the first row (or at the end), so a file that cannot be read is one
  // clean error line, not a header followed by it.
  let headerDue = table;
  const header = (): string => {
    if (!headerDue) return '';
    headerDue = false;
    return `${tableLine(['TIME', 'ADDRESS', 'CLASS', 'RULE', 'CODE', 'STAGE', 'PROVIDER', 'SOURCE  TEXT'])}\n`;
  };
  const emit = (event: BounceEvent): Promise<void> | undefined => {
    if (event.kind === 'delivered') return undefined;
    if (csv !== null) {
      const record = eventRecord(event);
      return write(csv, EVENT_COLUMNS.map((column) => neutralizeFormula(String(record[column] ?? ''))));
    }
    // Log lines are anyone's text: nothing in them may drive the terminal.
    return write(io.stdout, options.json ? `${terminalSafeJson(JSON.stringify(eventRecord(event)))}\n` : `${header()}${terminalSafe(eventRow(event))}\n`);
  };
  try {
    const { summary } = await collectBounces(files, { ...options, onEvent: emit });
    if (csv !== null && writer !== null) {
      csv.end();
      await csvDone;
      await writer.commit();
    }
    (table ? io.stdout : io.stderr).write(header() + terminalSafeLines(formatClassifySummary(summary, files.length)));
    return EXIT.ok;
  } catch (error) {
    await writer?.abort();
    throw error;
  }
}
