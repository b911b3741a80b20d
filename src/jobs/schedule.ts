/**
 * In-process scheduling for `listscrub clean --schedule "<cron>"`: run the job on a cron pattern,
 * never two at once, one log line per run.
 *
 * croner does the calendar arithmetic (5-field patterns, or 6 with seconds first, nicknames such as
 * "@hourly"). Overlap is prevented with our own flag rather than croner's `protect`, because we also
 * need the running promise itself: stop() must wait for it, so a SIGTERM handler can let the current
 * run finish writing its files before the process exits.
 *
 * `run` owns its failures and returns an exit code; if it rejects anyway the error is logged and the
 * schedule carries on, since one bad night must not end an unattended schedule.
 */
import { Cron } from 'croner';
import { ListscrubError } from '../errors.js';
import { formatDuration } from './history.js';

export interface ScheduleOptions {
  /** Cron pattern: "m h dom mon dow", or with seconds first, or a nickname ("@daily"). */
  cron: string;
  /** One run of the job; resolves to its exit code, or to it and a note for the log line (counts). */
  run: () => Promise<number | { code: number; note: string }>;
  /** Receives one line per run (and per skipped tick), without a trailing newline. */
  log: (line: string) => void;
  /** Clock, epoch ms, for log times and durations. Default Date.now. */
  now?: () => number;
  /** IANA time zone for the pattern (default: the system's). */
  timezone?: string;
}

export interface Schedule {
  /** Stop scheduling; resolves once the run in progress (if any) has finished. */
  stop(): Promise<void>;
  /** When the next run is due, or null once stopped. */
  nextRun(): Date | null;
}

export function startSchedule(options: ScheduleOptions): Schedule {
  const now = options.now ?? Date.now;
  let current: Promise<void> | null = null;

  const tick = (): void => {
    const startedAt = now();
    const when = new Date(startedAt).toISOString();
    if (current) {
      options.log(`${when} skipped: previous run still active`);
      return;
    }
    current = (async () => {
      try {
        const outcome = await options.run();
        const code = typeof outcome === 'number' ? outcome : outcome.code;
        // With a note, the line also says when the run finished (the line's time is its start).
        const note = typeof outcome === 'number' ? '' : `; finished ${new Date(now()).toISOString()}; ${outcome.note}`;
        options.log(`${when} run finished: exit code ${code} after ${formatDuration(now() - startedAt)}${note}`);
      } catch (error) {
        options.log(`${when} run failed after ${formatDuration(now() - startedAt)}: ${(error as Error)?.message ?? String(error)}`);
      } finally {
        current = null;
      }
    })();
  };

  let job: Cron;
  try {
    job = new Cron(options.cron, { paused: true, ...(options.timezone ? { timezone: options.timezone } : {}) }, tick);
  } catch (error) {
    throw new ListscrubError('E_OPTION', `"${options.cron}" is not a valid cron schedule: ${(error as Error).message}`, { cause: error });
  }
  // A valid pattern may still never match (e.g. "0 0 30 2 *"): waiting forever helps nobody.
  if (job.nextRun() === null) {
    job.stop();
    throw new ListscrubError('E_OPTION', `the cron schedule "${options.cron}" never fires`);
  }
  job.resume();

  return {
    async stop() {
      job.stop();
      await current;
    },
    nextRun() {
      return job.isStopped() ? null : job.nextRun();
    },
  };
}
