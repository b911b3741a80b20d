/** `listscrub history <file>`: the last runs recorded with --history, as a table. */
import { existsSync } from 'node:fs';
import { formatHistoryTable, readHistory } from '../jobs/history.js';
import { ListscrubError } from '../errors.js';
import { renderHistoryPage, TREND_RUNS, writeHtmlFile } from '../report/index.js';
import { numberFlag, parseFlags, stringFlag } from './args.js';
import { EXIT, type CliIo } from './io.js';
import { terminalSafe, terminalSafeJson, terminalSafeLines } from './output.js';

export const HISTORY_HELP = `Usage: listscrub history [options] <history.jsonl>

Prints the last runs recorded by "listscrub clean --history FILE".

Options:
  --last N      how many runs (default 20)
  --json        the entries as JSON Lines
  --html OUT    write the last 30 runs as a self-contained HTML page (a trend chart and a
                table) to OUT instead of printing them
  -h, --help    show this help`;

export async function runHistory(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    last: { type: 'string' },
    json: { type: 'boolean' },
    html: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) {
    io.stdout.write(`${HISTORY_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new ListscrubError('E_USAGE', 'history takes one history file.');
  const html = stringFlag(values, 'html');
  if (html !== undefined && values.json === true) throw new ListscrubError('E_USAGE', '--html and --json each choose the output; give one.');
  const last = numberFlag(values, 'last', { integer: true, min: 1 }) ?? (html === undefined ? 20 : TREND_RUNS);
  const source = positionals[0] as string;
  // A missing file is a mistake (a wrong path), not an empty history: the run that names it in
  // --history creates it, so it exists once any run was recorded.
  if (!existsSync(source)) throw new ListscrubError('E_INPUT', `no history file at ${terminalSafe(source)} (runs are recorded there by "listscrub clean --history ${terminalSafe(source)}").`);
  const { entries, skipped } = await readHistory(source, { last });
  if (html !== undefined) {
    await writeHtmlFile(html, renderHistoryPage({ source, entries, skipped, generatedAt: new Date() }));
    io.stderr.write(`listscrub: wrote the last ${entries.length} run${entries.length === 1 ? '' : 's'} of ${terminalSafe(source)} to ${terminalSafe(html)}\n`);
  } else if (values.json === true) for (const entry of entries) io.stdout.write(`${terminalSafeJson(JSON.stringify(entry))}\n`);
  // A history line is anyone's text once the file is writable by them: no cell may drive the terminal.
  else io.stdout.write(`${terminalSafeLines(formatHistoryTable(entries))}\n`);
  for (const line of skipped) io.stderr.write(`listscrub: skipped line ${line.line} of the history: ${terminalSafe(line.reason)}\n`);
  return EXIT.ok;
}
