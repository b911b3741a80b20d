/**
 * The CLI's single entry and single exit: dispatch to a command, turn every error into a message and
 * an exit code. User mistakes print one line, never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { isListscrubError } from '../errors.js';
import { runCheck } from './check.js';
import { EXIT, exitCodeFor, type CliIo } from './io.js';
import { terminalSafe, terminalSafeLines } from './output.js';

export const MAIN_HELP = `Usage: listscrub <command> [options]

Commands:
  clean <list.csv>        write a cleaned list and a report of removed rows
  check <address...>      check addresses and print one verdict each
  preflight --domain D    will receivers accept mail from this sender? (SPF, DKIM, DMARC, PTR, block lists)
  bounces classify FILES  classify bounce logs and reports; say which point at the sender
  history <file>          show the last runs recorded with --history
  schedule --cron EXPR    run a clean job on a schedule

Run "listscrub <command> --help" for a command's options.`;

type Command = (args: string[], io: CliIo) => Promise<number>;

async function lazy(name: string): Promise<Command | undefined> {
  // Commands load on demand so `check` does not pay for the CSV stack.
  switch (name) {
    case 'check':
      return runCheck;
    case 'clean':
      return (await import('./clean.js')).runClean;
    case 'preflight':
      return (await import('./preflight.js')).runPreflight;
    case 'bounces':
      return (await import('./bounces.js')).runBounces;
    case 'history':
      return (await import('./history.js')).runHistory;
    case 'schedule':
      return (await import('./schedule.js')).runSchedule;
    default:
      return undefined;
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined) {
      // No command is a usage error: the usage goes to stderr, so stdout stays empty for scripts.
      io.stderr.write(`${MAIN_HELP}\n`);
      return EXIT.usage;
    }
    if (name === '-h' || name === '--help' || name === 'help') {
      io.stdout.write(`${MAIN_HELP}\n`);
      return EXIT.ok;
    }
    if (name === '--version' || name === '-v') {
      io.stdout.write(`${version()}\n`);
      return EXIT.ok;
    }
    const command = await lazy(name);
    if (command === undefined) {
      io.stderr.write(`listscrub: unknown command "${terminalSafe(name)}".\n\n${MAIN_HELP}\n`);
      return EXIT.usage;
    }
    return await command(rest, io);
  } catch (error) {
    // `listscrub clean list.csv -o - | head`: the reader closed the pipe. That is its choice, not a
    // failure: no message, exit 0 (the run stopped, its temporary files are gone, and the report
    // was not replaced, as for an interrupted run).
    if (isClosedPipe(error)) return EXIT.ok;
    const code = exitCodeFor(error);
    if (isListscrubError(error)) {
      // Messages quote paths, lock files and job-file values, which anyone may have written.
      io.stderr.write(`listscrub: ${terminalSafe(error.message)}\n`);
      if (code === EXIT.usage && error.code === 'E_USAGE') io.stderr.write(`Run "listscrub ${terminalSafe(name ?? '')} --help" for usage.\n`);
    } else {
      // A bug, not a user mistake: keep the stack so it can be reported.
      io.stderr.write(`listscrub: internal error: ${terminalSafeLines(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`);
    }
    return code;
  }
}

function isClosedPipe(error: unknown): boolean {
  return isListscrubError(error) && error.code === 'E_OUTPUT' && (error.cause as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}
