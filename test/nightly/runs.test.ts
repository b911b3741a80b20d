/**
 * The safety rails of an unattended run: the --max-invalid-rate guard, the `<output>.lock` file, and
 * the --history log (with `listscrub history`). All through the built command line.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../src/jobs/history.js';
import type { DnsServer } from '../support/dns-server.js';
import { runCli, startCli, tempDirEach, type SummaryJson } from '../support/spawn.js';
import { dnsFlags, exists, readJson, useNightlyServer, waitForJsonFile, writeList } from './helpers.js';

let server: DnsServer;
let dir: string;
useNightlyServer((s) => (server = s));
tempDirEach((d) => (dir = d));

const PREVIOUS_CLEAN = 'email\nold@good.com\n';
const PREVIOUS_REPORT = 'row,line,status,reason\n1,2,invalid,syntax\n';

describe('the --max-invalid-rate guard', () => {
  // 3 of 5 rows would be removed (60%): a broken export, say.
  const EMAILS = ['ann@good.com', 'bob@fine.org', 'cy@nullmx.org', 'dee@missing.com', 'not-an-address'];

  async function precreate(): Promise<{ output: string; report: string }> {
    const output = join(dir, 'list.clean.csv');
    const report = join(dir, 'list.report.csv');
    await writeFile(output, PREVIOUS_CLEAN);
    await writeFile(report, PREVIOUS_REPORT);
    return { output, report };
  }

  it('leaves the previous outputs byte for byte, exits 4, and the JSON summary says why', async () => {
    const list = await writeList(join(dir, 'list.csv'), EMAILS);
    const { output, report } = await precreate();
    const summaryFile = join(dir, 'summary.json');
    const result = await runCli(['clean', list, '--max-invalid-rate', '0.2', '--json', '--summary', summaryFile, ...dnsFlags(server)], { cwd: dir });
    expect(result.code).toBe(4);
    expect(await readFile(output, 'utf8')).toBe(PREVIOUS_CLEAN);
    expect(await readFile(report, 'utf8')).toBe(PREVIOUS_REPORT);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    expect(summary).toMatchObject({ exitCode: 4, rows: 5, removed: 3, output: null, report: null });
    expect(summary.guard).toEqual({
      kind: 'max_invalid_rate',
      maxInvalidRate: 0.2,
      removedRate: 0.6,
      detail: expect.stringMatching(/60\.0% of rows would be removed, above the --max-invalid-rate of 20\.0%; the previous outputs were left untouched/),
    });
    expect(await readJson(summaryFile)).toEqual(summary);
    // No temp files, no lock left behind.
    expect((await readdir(dir)).sort()).toEqual(['list.clean.csv', 'list.csv', 'list.report.csv', 'summary.json']);
  });

  it('the human summary on stderr says NOT REPLACED and why', async () => {
    const list = await writeList(join(dir, 'list.csv'), EMAILS);
    await precreate();
    const result = await runCli(['clean', list, '--max-invalid-rate', '0.2', ...dnsFlags(server)], { cwd: dir });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/NOT REPLACED: 60\.0% of rows would be removed/);
  });

  it('at or under the limit, the outputs are replaced and the exit is 0', async () => {
    const list = await writeList(join(dir, 'list.csv'), ['ann@good.com', 'bob@fine.org', 'eve@good.com', 'fay@other.net', 'dee@missing.com']);
    const { output } = await precreate();
    const result = await runCli(['clean', list, '--max-invalid-rate', '0.2', '--json', ...dnsFlags(server)], { cwd: dir });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as SummaryJson).guard).toBeUndefined();
    expect(await readFile(output, 'utf8')).toBe('email\nann@good.com\nbob@fine.org\neve@good.com\nfay@other.net\n');
  });
});

describe('the <output>.lock', () => {
  it('a second run over the same outputs exits 5 and says who holds the lock; the first is unharmed', async () => {
    // hang.com never answers and the first run waits up to a minute for it: it is surely running
    // while the second starts. We stop it ourselves (SIGTERM) once the second run has been refused.
    server.setRecord('hang.com', { behavior: 'drop' });
    const list = await writeList(join(dir, 'list.csv'), ['ann@good.com', 'hal@hang.com']);
    const output = join(dir, 'list.clean.csv');
    await writeFile(output, PREVIOUS_CLEAN);
    const history = join(dir, 'history.jsonl');
    const flags = [...dnsFlags(server), '--dns-timeout', '60000', '--dns-retries', '0', '--history', history];
    const first = startCli(['clean', list, ...flags], { cwd: dir });
    const lock = await waitForJsonFile<{ pid: number; hostname: string; startedAt: string }>(`${output}.lock`);
    expect(lock.pid).toBe(first.child.pid);

    const second = await runCli(['clean', list, ...flags], { cwd: dir });
    expect(second.code).toBe(5);
    expect(second.stderr).toBe(
      `listscrub: another listscrub run (pid ${first.child.pid}, started ${lock.startedAt}) holds the lock ${output}.lock; if no run is active, delete it\n`,
    );
    expect(await exists(`${output}.lock`)).toBe(true); // the refused run did not remove someone else's lock

    first.child.kill('SIGTERM');
    const firstResult = await first.done;
    expect(firstResult.code).toBe(143);
    expect(firstResult.stderr).toMatch(/interrupted \(SIGTERM\); previous outputs were left untouched/);
    expect(firstResult.stderr).not.toMatch(/internal error|ERR_STREAM|Premature close/);
    expect(await readFile(output, 'utf8')).toBe(PREVIOUS_CLEAN);
    expect(await exists(`${output}.lock`)).toBe(false);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // Both nights are in the history: the refused one (5) and the interrupted one (143).
    const entries = (await readFile(history, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { exitCode: number; error?: string });
    expect(entries.map((e) => e.exitCode)).toEqual([5, 143]);
    expect(entries[0]!.error).toMatch(/holds the lock/);

    // With the lock gone, the next run goes through.
    server.setRecord('hang.com', undefined);
    const third = await runCli(['clean', list, ...dnsFlags(server)], { cwd: dir });
    expect(third.code).toBe(0);
  });

  it('a stale lock left by a crashed run (dead pid, this host) is taken over', async () => {
    const dead = spawn(process.execPath, ['-e', '']);
    const [code] = await once(dead, 'exit');
    expect(code).toBe(0);
    const list = await writeList(join(dir, 'list.csv'), ['ann@good.com']);
    const output = join(dir, 'list.clean.csv');
    await writeFile(`${output}.lock`, JSON.stringify({ pid: dead.pid, hostname: hostname(), startedAt: '2024-01-01T03:00:00.000Z', token: 'crashed' }));
    const result = await runCli(['clean', list, ...dnsFlags(server)], { cwd: dir });
    expect(result.code).toBe(0);
    expect(await readFile(output, 'utf8')).toBe('email\nann@good.com\n');
    expect(await exists(`${output}.lock`)).toBe(false);
  });

  it('a lock held by a live process is respected even when old', async () => {
    const list = await writeList(join(dir, 'list.csv'), ['ann@good.com']);
    const output = join(dir, 'list.clean.csv');
    // This test process is alive: its lock is not stale, however old.
    await writeFile(`${output}.lock`, JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: '2020-01-01T03:00:00.000Z', token: 'alive' }));
    const result = await runCli(['clean', list, ...dnsFlags(server)], { cwd: dir });
    expect(result.code).toBe(5);
    expect(await exists(output)).toBe(false);
    expect(await exists(`${output}.lock`)).toBe(true);
  });

  it('--no-lock neither takes nor checks the lock', async () => {
    const list = await writeList(join(dir, 'list.csv'), ['ann@good.com']);
    const output = join(dir, 'list.clean.csv');
    await writeFile(`${output}.lock`, JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: '2020-01-01T03:00:00.000Z', token: 'alive' }));
    const result = await runCli(['clean', list, '--no-lock', ...dnsFlags(server)], { cwd: dir });
    expect(result.code).toBe(0);
  });
});

describe('--history and `listscrub history`', () => {
  it('appends one JSON line per run, failed runs included, and prints them as a table', async () => {
    const history = join(dir, 'history.jsonl');
    const list = await writeList(join(dir, 'list.csv'), ['ann@good.com', 'bob@fine.org', 'dee@missing.com', 'cy@nullmx.org', 'bad']);
    const before = Date.now();
    // 1: a normal run (exit 0)
    expect((await runCli(['clean', list, '--history', history, ...dnsFlags(server)], { cwd: dir })).code).toBe(0);
    // 2: the guard trips (exit 4)
    expect((await runCli(['clean', list, '--history', history, '--max-invalid-rate', '0.1', ...dnsFlags(server)], { cwd: dir })).code).toBe(4);
    // 3: the input is gone (exit 1)
    expect((await runCli(['clean', join(dir, 'gone.csv'), '--history', history, ...dnsFlags(server)], { cwd: dir })).code).toBe(1);
    // 4: the resolver lies (exit 3, DNS unhealthy)
    server.setMode('lie');
    expect((await runCli(['clean', list, '--history', history, ...dnsFlags(server)], { cwd: dir })).code).toBe(3);
    server.setMode('normal');

    const lines = (await readFile(history, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(4);
    const entries = lines.map((line) => JSON.parse(line) as HistoryEntry);
    expect(entries.map((e) => e.exitCode)).toEqual([0, 4, 1, 3]);
    for (const entry of entries) {
      expect(Date.parse(entry.time)).toBeGreaterThanOrEqual(before - 1000);
      expect(entry.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(entries[0]).toMatchObject({
      rows: 5,
      kept: 2,
      removed: 3,
      statuses: { valid: 2, invalid: 3, risky: 0, unknown: 0, duplicate: 0, malformed: 0 },
      reasons: { ok: 2, domain_not_found: 1, null_mx: 1, syntax: 1 },
      dns: { healthy: true },
      output: join(dir, 'list.clean.csv'),
    });
    expect(entries[0]!.dns!.queries).toBeGreaterThan(0);
    expect(entries[0]!.error).toBeUndefined();
    expect(entries[1]).toMatchObject({ rows: 5, removed: 3, output: '' });
    expect(entries[1]!.error).toMatch(/previous outputs were left untouched/);
    expect(entries[2]).toMatchObject({ rows: 0, dns: null });
    expect(entries[2]!.error).toMatch(/gone\.csv/);
    expect(entries[3]).toMatchObject({ dns: { healthy: false }, statuses: { invalid: 1, unknown: 4 } });

    const table = await runCli(['history', history]);
    expect(table.code).toBe(0);
    const rows = table.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^time\s+exit\s+rows\s+kept\s+removed\s+invalid\s+unknown\s+dns healthy\s+duration\s+input\s+error$/);
    expect(rows).toHaveLength(5);
    expect(rows.slice(1).map((r) => r.split(/\s+/)[2])).toEqual(['0', '4', '1', '3']);
    expect(rows[1]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+0\s+5\s+2\s+3\s+3\s+0\s+yes\s/);
    expect(rows[3]).toMatch(/\soffline\s/);
    expect(rows[4]).toMatch(/\sno\s/);

    const last2 = await runCli(['history', history, '--last', '2']);
    expect(last2.stdout.trimEnd().split('\n').slice(1).map((r) => r.split(/\s+/)[2])).toEqual(['1', '3']);

    const json = await runCli(['history', history, '--last', '1', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(entries[3]);
  });

  it('a missing history file is an error (exit 1); a damaged line is skipped and reported', async () => {
    const history = join(dir, 'history.jsonl');
    const missing = await runCli(['history', history]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no history file at /);
    const list = await writeList(join(dir, 'list.csv'), ['ann@good.com']);
    await runCli(['clean', list, '--history', history, ...dnsFlags(server)], { cwd: dir });
    await writeFile(history, `${await readFile(history, 'utf8')}{"time": "2024-01-01T0`, { flag: 'w' });
    const result = await runCli(['history', history]);
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(result.stderr).toBe('listscrub: skipped line 2 of the history: not valid JSON\n');
  });

  it('a history file that cannot be written neither hides the error of the run nor fails a good run', async () => {
    const history = join(dir, 'no-such-dir', 'history.jsonl');
    const list = await writeList(join(dir, 'list.csv'), ['ann@good.com']);
    // The run itself fails (its output directory is missing): that error is the one reported.
    const failed = await runCli(['clean', list, '-o', join(dir, 'missing-out', 'clean.csv'), '--history', history, ...dnsFlags(server)], { cwd: dir });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^listscrub: warning: cannot append to the history file .*; this run is not in the history\.\n/);
    expect(failed.stderr).toMatch(/\nlistscrub: cannot create the lock file .*missing-out\/clean\.csv\.lock/);
    // A good run keeps exit 0 and its summary, with the history problem as a warning.
    const ok = await runCli(['clean', list, '--json', '--history', history, ...dnsFlags(server)], { cwd: dir });
    expect(ok.code).toBe(0);
    const summary = JSON.parse(ok.stdout) as SummaryJson;
    expect(summary.output).toBe(join(dir, 'list.clean.csv'));
    expect(summary.warnings).toEqual([expect.stringMatching(/cannot append to the history file .*; this run is not in the history\./)]);
  });

  it('--last takes a whole number of at least 1', async () => {
    const result = await runCli(['history', join(dir, 'h.jsonl'), '--last', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--last takes a whole number of at least 1/);
  });
});
