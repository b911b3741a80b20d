import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startSchedule, type Schedule } from '../../src/jobs/schedule.js';

/** A promise with its resolve exposed, to hold a run open for as long as a test needs. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

let schedule: Schedule | undefined;
beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2024-05-01T06:00:00.000Z') });
});
afterEach(async () => {
  // A run may be waiting on a fake timer: let pending timers fire so stop() can finish.
  const stopping = schedule?.stop();
  await vi.runOnlyPendingTimersAsync();
  await stopping;
  schedule = undefined;
  vi.useRealTimers();
});

describe('startSchedule', () => {
  it('runs the job on each tick and logs start time, exit code and duration', async () => {
    const log: string[] = [];
    const run = vi.fn(async () => {
      await new Promise((r) => setTimeout(r, 200)); // the job takes 200 ms of (fake) time
      return run.mock.calls.length === 2 ? 2 : 0;
    });
    schedule = startSchedule({ cron: '* * * * * *', run, log: (line) => log.push(line) });
    expect(schedule.nextRun()?.toISOString()).toBe('2024-05-01T06:00:01.000Z');

    await vi.advanceTimersByTimeAsync(3200);
    expect(run).toHaveBeenCalledTimes(3);
    expect(log).toEqual([
      '2024-05-01T06:00:01.000Z run finished: exit code 0 after 200ms',
      '2024-05-01T06:00:02.000Z run finished: exit code 2 after 200ms',
      '2024-05-01T06:00:03.000Z run finished: exit code 0 after 200ms',
    ]);
  });

  it('never runs two jobs at once: ticks during a run are logged as skipped', async () => {
    const log: string[] = [];
    const gate = deferred<number>();
    const run = vi.fn(() => gate.promise);
    schedule = startSchedule({ cron: '* * * * * *', run, log: (line) => log.push(line) });

    await vi.advanceTimersByTimeAsync(3000);
    expect(run).toHaveBeenCalledTimes(1);
    expect(log).toEqual([
      '2024-05-01T06:00:02.000Z skipped: previous run still active',
      '2024-05-01T06:00:03.000Z skipped: previous run still active',
    ]);

    gate.resolve(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(log.at(-1)).toBe('2024-05-01T06:00:01.000Z run finished: exit code 0 after 2.0s');
    await vi.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(2); // the schedule carries on after the long run
  });

  it('stop() resolves only after the current run has finished, and no run starts after it', async () => {
    const gate = deferred<number>();
    const run = vi.fn(() => gate.promise);
    const log: string[] = [];
    schedule = startSchedule({ cron: '* * * * * *', run, log: (line) => log.push(line) });
    await vi.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(1);

    let stopped = false;
    const stopping = schedule.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(5000);
    expect(stopped).toBe(false);
    expect(schedule.nextRun()).toBeNull();

    gate.resolve(0);
    await stopping;
    expect(stopped).toBe(true);
    expect(run).toHaveBeenCalledTimes(1);
    expect(log).toEqual(['2024-05-01T06:00:01.000Z run finished: exit code 0 after 5.0s']);
  });

  it('logs a rejected run and keeps the schedule going', async () => {
    const log: string[] = [];
    const run = vi.fn().mockRejectedValueOnce(new Error('disk full')).mockResolvedValue(0);
    schedule = startSchedule({ cron: '* * * * * *', run, log: (line) => log.push(line) });
    await vi.advanceTimersByTimeAsync(2000);
    expect(log).toEqual([
      '2024-05-01T06:00:01.000Z run failed after 0ms: disk full',
      '2024-05-01T06:00:02.000Z run finished: exit code 0 after 0ms',
    ]);
  });

  it('accepts 5-field patterns and reports the next run', () => {
    schedule = startSchedule({ cron: '30 2 * * *', run: async () => 0, log: () => {}, timezone: 'UTC' });
    expect(schedule.nextRun()?.toISOString()).toBe('2024-05-02T02:30:00.000Z');
  });

  it('rejects bad or never-firing patterns with E_OPTION', () => {
    const start = (cron: string) => () => startSchedule({ cron, run: async () => 0, log: () => {} });
    expect(start('every night')).toThrow(expect.objectContaining({ code: 'E_OPTION', message: expect.stringContaining('"every night" is not a valid cron schedule') }));
    expect(start('61 * * * *')).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
    expect(start('0 0 30 2 *')).toThrow(expect.objectContaining({ code: 'E_OPTION', message: 'the cron schedule "0 0 30 2 *" never fires' }));
  });
});
