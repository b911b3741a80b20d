/**
 * `listscrub clean` end to end, the unhappy paths: exit codes 1-5, files that are not lists, paths
 * that must be refused, and the promise that a failed run leaves the outputs as they were. User
 * mistakes print one clear line, never a stack trace.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvRecords, cliZone, removeWorkdirs, workdir } from '../support/cli.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { parseCsv, run, STACK_LINE, type CliResult, type SummaryJson } from '../support/spawn.js';

let server: DnsServer;
let liar: DnsServer;
let dns: string[];

beforeAll(async () => {
  [server, liar] = await Promise.all([startDnsServer(cliZone()), startDnsServer(cliZone(), { mode: 'lie' })]);
  dns = ['--dns', server.address];
});
afterAll(async () => {
  await Promise.all([server.close(), liar.close()]);
  await removeWorkdirs();
});

/** One line (or two, with the --help hint) on stderr, nothing on stdout, no stack. */
function expectCleanFailure(result: CliResult, code: number, message: RegExp): void {
  expect(result.code, result.stderr).toBe(code);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).toMatch(/^listscrub: /);
  expect(result.stderr).not.toMatch(STACK_LINE);
  expect(result.stderr).not.toMatch(/internal error/);
}

describe('clean: lists with nothing in them', () => {
  it('an empty file is 0 rows, exit 0: empty cleaned list, report with its header only', async () => {
    const dir = await workdir(['empty.csv']);
    const result = await run(['clean', 'empty.csv', ...dns, '--json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: 0, kept: 0, removed: 0, exitCode: 0 });
    expect(await readFile(join(dir, 'empty.clean.csv'), 'utf8')).toBe('');
    expect(parseCsv(await readFile(join(dir, 'empty.report.csv')))).toEqual([['row', 'line', 'status', 'reason', 'detail', 'suggestion', 'bounce', 'raw']]);
  });

  it('a header-only file is 0 rows, exit 0, and both outputs carry the header', async () => {
    const dir = await workdir(['header-only.csv']);
    const result = await run(['clean', 'header-only.csv', ...dns, '--json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: 0, kept: 0, removed: 0, column: { name: 'email' } });
    expect(await readFile(join(dir, 'header-only.clean.csv'), 'utf8')).toBe('first_name,last_name,email\n');
    expect(parseCsv(await readFile(join(dir, 'header-only.report.csv')))).toEqual([
      ['row', 'line', 'status', 'reason', 'detail', 'suggestion', 'bounce', 'raw', 'first_name', 'last_name', 'email'],
    ]);
  });
});

describe('clean: exit 1, input that cannot be read and output that cannot be written', () => {
  it('binary, gzip and UTF-16 without BOM files stop with a clear message and create no output files', async () => {
    const files = ['binary.bin', 'gzip.csv.gz', 'utf16le-nobom.csv'];
    const dir = await workdir(files);
    const [binary, gzip, utf16] = await Promise.all(files.map((file) => run(['clean', file, ...dns], { cwd: dir })));
    expectCleanFailure(binary as CliResult, 1, /binary\.bin looks like a binary file/);
    expectCleanFailure(gzip as CliResult, 1, /gzip\.csv\.gz looks like a gzip file; decompress it first/);
    expectCleanFailure(utf16 as CliResult, 1, /UTF-16LE.*--encoding utf16le/);
    expect((await readdir(dir)).sort()).toEqual([...files].sort());

    const decoded = await run(['clean', 'utf16le-nobom.csv', '--encoding', 'utf16le', ...dns, '--json'], { cwd: dir });
    expect(decoded.code, decoded.stderr).toBe(0);
    expect(JSON.parse(decoded.stdout)).toMatchObject({ rows: 2, kept: 2 });
  });

  it('a missing file and a directory are refused', async () => {
    const dir = await workdir();
    await mkdir(join(dir, 'lists'));
    const [missing, directory] = await Promise.all([
      run(['clean', 'missing.csv', ...dns], { cwd: dir }),
      run(['clean', 'lists', ...dns], { cwd: dir }),
    ]);
    expectCleanFailure(missing, 1, /cannot read missing\.csv: no such file/);
    expectCleanFailure(directory, 1, /cannot read lists: is a directory/);
    expect(await readdir(dir)).toEqual(['lists']);
  });

  it('refuses to write over the input (as cleaned list or as report) and leaves it intact', async () => {
    const dir = await workdir(['duplicates.csv']);
    const before = await readFile(join(dir, 'duplicates.csv'));
    const [asOutput, asReport] = await Promise.all([
      run(['clean', 'duplicates.csv', ...dns, '-o', 'duplicates.csv'], { cwd: dir }),
      // Another spelling of the same file.
      run(['clean', 'duplicates.csv', ...dns, '-r', `${dir}/./duplicates.csv`], { cwd: dir }),
    ]);
    expectCleanFailure(asOutput, 2, /cleaned list path duplicates\.csv is the input file/);
    expectCleanFailure(asReport, 2, /report path .*duplicates\.csv is the input file/);
    expect(await readFile(join(dir, 'duplicates.csv'))).toEqual(before);
    expect(await readdir(dir)).toEqual(['duplicates.csv']);
  });

  it('an output in a directory that does not exist is exit 1 (with and without the lock)', async () => {
    const dir = await workdir(['duplicates.csv']);
    const [locked, unlocked, report] = await Promise.all([
      run(['clean', 'duplicates.csv', ...dns, '-o', 'nowhere/clean.csv'], { cwd: dir }),
      run(['clean', 'duplicates.csv', ...dns, '-o', 'nowhere/clean.csv', '--no-lock'], { cwd: dir }),
      run(['clean', 'duplicates.csv', ...dns, '-r', 'nowhere/report.csv', '--no-lock'], { cwd: dir }),
    ]);
    expectCleanFailure(locked, 1, /nowhere\/clean\.csv/);
    expectCleanFailure(unlocked, 1, /cannot write nowhere\/clean\.csv/);
    expectCleanFailure(report, 1, /nowhere\/report\.csv/);
    // No half-written cleaned list from the run whose report failed.
    expect(await readdir(dir)).toEqual(['duplicates.csv']);
  });
});

describe('clean: exit 2, usage errors', () => {
  it('unknown flag, bad --encoding, bad numbers, no input, two inputs and no email column', async () => {
    const dir = await workdir(['duplicates.csv']);
    await writeFile(join(dir, 'no-email.csv'), 'name,city\nAnn,Paris\nBob,Lyon\n');
    // More flag validation is covered by the check tests (same parser) and the unit tests.
    const cases: Array<[string[], RegExp]> = [
      [['duplicates.csv', '--bogus'], /Unknown option '--bogus'/],
      [['duplicates.csv', '--encoding', 'ebcdic'], /--encoding must be one of utf8, utf16le, latin1, windows-1252 \(or utf-8, utf-16, iso-8859-1, latin-1, cp1252\); got "ebcdic"/],
      [['duplicates.csv', '--max-invalid-rate', '1.5'], /--max-invalid-rate/],
      [[], /clean needs an input file/],
      [['no-email.csv'], /no email column found: the columns are "name", "city"/],
      [['duplicates.csv', '--column', 'mail'], /no column named "mail"/],
    ];
    const results = await Promise.all(cases.map(([args]) => run(['clean', ...args, ...dns], { cwd: dir })));
    for (const [i, [args, message]] of cases.entries()) {
      const result = results[i] as CliResult;
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expectCleanFailure(result, 2, message);
      expect(result.stdout).toBe('');
    }
    expect((await readdir(dir)).sort()).toEqual(['duplicates.csv', 'no-email.csv']);
  });
});

describe('clean: exit 3, 4 and 5', () => {
  it('exit 3 with a lying resolver: nothing is called invalid on DNS grounds, the rows are kept as unknown', async () => {
    const dir = await workdir();
    await writeFile(join(dir, 'list.csv'), 'email\nann@example.com\nbad@@example.com\npaul@oakridge-supplies-defunct.com\n');
    const result = await run(['clean', 'list.csv', '--dns', liar.address, '--summary', 'summary.json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/DNS: UNHEALTHY\. The DNS resolver at 127\.0\.0\.1:\d+ answered NXDOMAIN/);
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as SummaryJson;
    expect(summary.exitCode).toBe(3);
    expect(summary.dns.healthy).toBe(false);
    expect(summary.dns.detail).toMatch(/NXDOMAIN/);
    expect(summary.statuses).toMatchObject({ unknown: 2, invalid: 1 });
    expect(summary.reasons).toMatchObject({ dns_unavailable: 2, syntax: 1 });
    expect((await csvRecords(join(dir, 'list.clean.csv'))).map((r) => r.email)).toEqual(['ann@example.com', 'paul@oakridge-supplies-defunct.com']);
    expect((await csvRecords(join(dir, 'list.report.csv'))).map((r) => r.reason)).toEqual(['syntax']);
  });

  it('exit 4 when --max-invalid-rate trips: the previous outputs are left untouched', async () => {
    const dir = await workdir(['duplicates.csv']);
    await writeFile(join(dir, 'duplicates.clean.csv'), 'previous cleaned list\n');
    await writeFile(join(dir, 'duplicates.report.csv'), 'previous report\n');
    const [tripped, fine] = await Promise.all([
      run(['clean', 'duplicates.csv', ...dns, '--max-invalid-rate', '0.5', '--summary', 'summary.json'], { cwd: dir }),
      run(['clean', 'duplicates.csv', ...dns, '--max-invalid-rate', '0.6', '--json', '-o', 'ok.csv', '-r', 'ok-report.csv'], { cwd: dir }),
    ]);
    expect(tripped.code, tripped.stderr).toBe(4);
    expect(tripped.stderr).toMatch(/NOT REPLACED: 60\.0% of rows would be removed, above the --max-invalid-rate of 50\.0%/);
    expect(JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'))).toMatchObject({
      rows: 5,
      removed: 3,
      output: null,
      report: null,
      guard: { maxInvalidRate: 0.5, removedRate: 0.6 },
      exitCode: 4,
    });
    expect(await readFile(join(dir, 'duplicates.clean.csv'), 'utf8')).toBe('previous cleaned list\n');
    expect(await readFile(join(dir, 'duplicates.report.csv'), 'utf8')).toBe('previous report\n');
    // 60% removed is not above 0.6.
    expect(fine.code, fine.stderr).toBe(0);
    expect(existsSync(join(dir, 'ok.csv'))).toBe(true);
    expect((await readdir(dir)).filter((name) => name.includes('.tmp') || name.endsWith('.lock'))).toEqual([]);
  });

  it('exit 5 while another live run holds <output>.lock, touching nothing', async () => {
    const dir = await workdir(['duplicates.csv']);
    const lock = `${JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), token: 'held-by-the-test' })}\n`;
    await writeFile(join(dir, 'duplicates.clean.csv.lock'), lock);
    const result = await run(['clean', 'duplicates.csv', ...dns], { cwd: dir });
    expectCleanFailure(result, 5, /lock/);
    expect(await readFile(join(dir, 'duplicates.clean.csv.lock'), 'utf8')).toBe(lock);
    expect((await readdir(dir)).sort()).toEqual(['duplicates.clean.csv.lock', 'duplicates.csv']);

    // --no-lock runs anyway; a lock left by a dead process is taken over.
    await writeFile(join(dir, 'other.clean.csv.lock'), JSON.stringify({ pid: 2 ** 22 + 7, hostname: hostname(), startedAt: new Date().toISOString(), token: 'dead' }));
    const [unlocked, takeover] = await Promise.all([
      run(['clean', 'duplicates.csv', ...dns, '--no-lock', '-q'], { cwd: dir }),
      run(['clean', 'duplicates.csv', ...dns, '-o', 'other.clean.csv', '-r', 'other.report.csv', '-q'], { cwd: dir }),
    ]);
    expect(unlocked.code, unlocked.stderr).toBe(0);
    expect(takeover.code, takeover.stderr).toBe(0);
    expect(existsSync(join(dir, 'other.clean.csv.lock'))).toBe(false);
  });
});
