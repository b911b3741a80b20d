/**
 * `listscrub schedule --cron EXPR --config job.json`: stays running and starts the clean job on the
 * schedule, never two at once, one log line per run. SIGINT/SIGTERM stop it after the current run.
 */
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { ListscrubError } from '../errors.js';
import { assertTrustedJobFile, findJobConfig, loadJobConfig } from '../jobs/config.js';
import { startSchedule } from '../jobs/schedule.js';
import { parseFlags, stringFlag } from './args.js';
import { runCleanJob } from './clean.js';
import { EXIT, exitCodeFor, type CliIo } from './io.js';
import { terminalSafe } from './output.js';

export const SCHEDULE_HELP = `Usage: listscrub schedule --cron "EXPR" [--config job.json]

Keeps running and runs the clean job from the job file on a cron schedule ("0 3 * * *" is 03:00
every day; six fields put seconds first). Never starts a run while one is active; logs one line per
run on standard error. SIGINT or SIGTERM stops it once the current run has finished.

Options:
  --cron EXPR       when to run (required)
  --config FILE     the job file (default ./listscrub.config.json)
  --timezone TZ     IANA time zone for the schedule (default: the system's)
  -h, --help        show this help`;

export async function runSchedule(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    cron: { type: 'string' },
    config: { type: 'string' },
    timezone: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) {
    io.stdout.write(`${SCHEDULE_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new ListscrubError('E_USAGE', 'schedule takes no file arguments; put the input in the job file.');
  const cron = stringFlag(values, 'cron');
  if (cron === undefined) throw new ListscrubError('E_USAGE', 'schedule needs --cron "EXPR", e.g. --cron "0 3 * * *".');
  const explicitConfig = stringFlag(values, 'config');
  const configPath = explicitConfig ?? (await findJobConfig(io.cwd));
  if (explicitConfig === undefined && configPath !== null) await assertTrustedJobFile(configPath);
  if (configPath === null) throw new ListscrubError('E_USAGE', 'schedule needs a job file: --config job.json (or ./listscrub.config.json).');
  const file = resolve(io.cwd, configPath);
  await loadJobConfig(file); // fail now, not at 3 a.m., if the job file is wrong
  const log = (line: string): void => void io.stderr.write(`${terminalSafe(line)}\n`);
  // Runs are unattended: their human output is replaced by the scheduler's one line per run.
  // A signal stops the schedule after the current run, so the run itself is never interrupted.
  const quietIo: CliIo = {
    ...io,
    stderr: new Writable({ write: (_chunk, _encoding, done) => done() }),
    interrupted: new Promise(() => {}),
  };
  const timezone = stringFlag(values, 'timezone');
  const schedule = startSchedule({
    cron,
    ...(timezone === undefined ? {} : { timezone }),
    log,
    run: async () => {
      try {
        // Re-read each time: editing the job file takes effect at the next run (and is checked again).
        if (explicitConfig === undefined) await assertTrustedJobFile(file);
        let note = 'no summary (the run failed)';
        const code = await runCleanJob({ ...(await loadJobConfig(file)), quiet: true }, quietIo, {
          configFile: file,
          onSummary: (summary) => {
            note = `${summary.rows} rows, ${summary.kept} kept, ${summary.removed} removed${summary.guard === undefined ? '' : ', outputs not replaced (guard)'}`;
          },
        });
        return { code, note };
      } catch (error) {
        log(`listscrub: ${error instanceof Error ? error.message : String(error)}`);
        return exitCodeFor(error);
      }
    },
  });
  log(`listscrub: scheduled "${cron}" with ${file}; next run ${schedule.nextRun()?.toISOString() ?? 'never'}`);
  const signal = await io.interrupted;
  log(`listscrub: ${signal} received; stopping after the current run`);
  await schedule.stop();
  return EXIT.ok;
}
