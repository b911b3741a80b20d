/**
 * `listscrub schedule --cron ... --config job.json`, spawned as a service manager would. Cron
 * granularity is one second, so this takes a few real seconds; it waits on log lines and the lock
 * file, never on timers.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DnsServer, ZoneEntry } from '../support/dns-server.js';
import { runCli, startCli, tempDirEach } from '../support/spawn.js';
import { exists, nightlyZone, useNightlyServer, waitForJsonFile, writeList } from './helpers.js';

// slow1.com and slow2.com answer after 700 ms each, asked one after the other (concurrency 1), so
// every run outlasts a one-second cron tick: overlap would show. (Two short delays rather than one
// long one: an answer slower than ~1 s costs a second query, see src/dns/resolver.ts.)
const slow: ZoneEntry = { MX: [{ preference: 10, exchange: 'mail.good.com' }], behavior: 'delay:700' };

let server: DnsServer;
let dir: string;
useNightlyServer(
  (s) => (server = s),
  () => nightlyZone({ 'slow1.com': structuredClone(slow), 'slow2.com': structuredClone(slow) }),
);
tempDirEach((d) => (dir = d));

async function writeJob(extra: Record<string, unknown> = {}): Promise<string> {
  await writeList(join(dir, 'list.csv'), ['ann@good.com', 'sam@slow1.com', 'sue@slow2.com', 'dee@missing.com']);
  const job = join(dir, 'job.json');
  await writeFile(
    job,
    JSON.stringify({
      input: 'list.csv',
      history: 'history.jsonl',
      concurrency: 1,
      dns: { servers: [server.address], timeoutMs: 5000, retries: 0, canary: ['gmail.com'] },
      ...extra,
    }),
  );
  return job;
}

const FINISHED = /run finished: exit code (\d+) after/g;

describe('listscrub schedule', () => {
  it('fires every second, never runs two at once, and SIGTERM stops it after the current run (exit 0)', async () => {
    const job = await writeJob();
    const schedule = startCli(['schedule', '--cron', '* * * * * *', '--config', job], { cwd: dir });
    try {
      await schedule.waitFor(/listscrub: scheduled "\* \* \* \* \* \*" with .*job\.json; next run \d{4}-/);
      await schedule.waitFor(/(run finished: exit code 0 after[^\n]*\n[^]*){2}/);

      // Stop it in the middle of a run: the next run's lock file says it has started, and the slow
      // domains keep it busy for over a second after that.
      const output = join(dir, 'list.clean.csv');
      const lock = await waitForJsonFile<{ pid: number }>(`${output}.lock`);
      expect(lock.pid).toBe(schedule.child.pid);
      schedule.child.kill('SIGTERM');
      const result = await schedule.done;

      expect(result.code).toBe(0);
      expect(result.signal).toBeNull();
      const lines = result.stderr.trimEnd().split('\n');
      const stopAt = lines.findIndex((l) => l === 'listscrub: SIGTERM received; stopping after the current run');
      expect(stopAt).toBeGreaterThan(0);
      // The run in progress finished (exit 0) after the signal, and it was the last thing logged.
      expect(lines.slice(stopAt + 1)).toHaveLength(1);
      expect(lines[stopAt + 1]).toMatch(/ run finished: exit code 0 after /);
      // Each run's line says when it finished and what it counted.
      expect(lines[stopAt + 1]).toMatch(/; finished \d{4}-\d\d-\d\dT[\d:.]+Z; 4 rows, 3 kept, 1 removed$/);
      expect(await exists(`${output}.lock`)).toBe(false);
      expect(await readFile(output, 'utf8')).toBe('email\nann@good.com\nsam@slow1.com\nsue@slow2.com\n');

      const finished = [...result.stderr.matchAll(FINISHED)].map((m) => m[1]);
      expect(finished.length).toBeGreaterThanOrEqual(3);
      expect(new Set(finished)).toEqual(new Set(['0']));
      // Runs outlast a tick, so ticks were skipped rather than started on top of a run.
      expect(result.stderr).toMatch(/ skipped: previous run still active/);
      expect(result.stderr).not.toMatch(/holds the lock|internal error/);

      // Never two at once: the history's [start, start + duration] intervals do not overlap.
      const runs = (await readFile(join(dir, 'history.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { time: string; durationMs: number; exitCode: number; statuses: Record<string, number> });
      expect(runs).toHaveLength(finished.length);
      for (let i = 1; i < runs.length; i++) {
        const previousEnd = Date.parse(runs[i - 1]!.time) + runs[i - 1]!.durationMs;
        expect(Date.parse(runs[i]!.time)).toBeGreaterThanOrEqual(previousEnd);
      }
      expect(runs.map((r) => [r.exitCode, r.statuses.unknown, r.durationMs >= 1400])).toEqual(runs.map(() => [0, 0, true]));
    } finally {
      if (schedule.child.exitCode === null && schedule.child.signalCode === null) schedule.child.kill('SIGKILL');
    }
  });

  it('SIGTERM while idle stops at once with exit 0', async () => {
    const job = await writeJob();
    const schedule = startCli(['schedule', '--cron', '0 3 * * *', '--config', job], { cwd: dir });
    await schedule.waitFor(/listscrub: scheduled "0 3 \* \* \*"/);
    schedule.child.kill('SIGTERM');
    const result = await schedule.done;
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/SIGTERM received; stopping after the current run\n$/);
    expect(server.queries).toEqual([]);
  });

  it('a broken job file is refused at start (exit 2), not at 3 a.m.', async () => {
    const job = await writeJob({ maxInvalidRate: 20 });
    const result = await runCli(['schedule', '--cron', '0 3 * * *', '--config', job], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/"maxInvalidRate" must be a number from 0 to 1; got 20/);
  });

  it('a bad cron expression is exit 2', async () => {
    const job = await writeJob();
    const result = await runCli(['schedule', '--cron', '61 * * * *', '--config', job], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/"61 \* \* \* \*" is not a valid cron schedule/);
  });
});
