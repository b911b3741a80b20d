/** `listscrub history <file>`: the last runs recorded with --history, as a table. */
import { existsSync } from 'node:fs';
import { formatHistoryTable, readHistory } from '../jobs/history.js';
import { ListscrubError } from '../errors.js';
import { numberFlag, parseFlags } from './args.js';
import { EXIT, type CliIo } from './io.js';

export const HISTORY_HELP = `Usage: listscrub history [options] <history.jsonl>

Prints the last runs recorded by "listscrub clean --history FILE".

Options:
  --last N      how many runs (default 20)
  --json        the entries as JSON Lines
  -h, --help    show this help`;

export async function runHistory(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    last: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) {
    io.stdout.write(`${HISTORY_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new ListscrubError('E_USAGE', 'history takes one history file.');
  const last = numberFlag(values, 'last', { integer: true, min: 1 }) ?? 20;
  const file = positionals[0] as string;
  // A missing file is a mistake (a wrong path), not an empty history: the run that names it in
  // --history creates it, so it exists once any run was recorded.
  if (!existsSync(file)) throw new ListscrubError('E_INPUT', `no history file at ${file} (runs are recorded there by "listscrub clean --history ${file}").`);
  const { entries, skipped } = await readHistory(file, { last });
  if (values.json === true) for (const entry of entries) io.stdout.write(`${JSON.stringify(entry)}\n`);
  else io.stdout.write(`${formatHistoryTable(entries)}\n`);
  for (const line of skipped) io.stderr.write(`listscrub: skipped line ${line.line} of the history: ${line.reason}\n`);
  return EXIT.ok;
}
