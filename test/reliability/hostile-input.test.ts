/**
 * Hostile inputs and paths through the spawned CLI: each gives a clear one-line error or is handled
 * cleanly, never a crash or a stack trace. Where a run fails, outputs that existed before are
 * untouched and nothing new (temp file, lock) is left.
 */
import { execFileSync } from 'node:child_process';
import { chmod, lstat, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deadPid, parseCsv, runCli, STACK_LINE, tempDir, type CliResult, type SummaryJson } from '../support/spawn.js';
import { leftovers, makeWorkspace, type Workspace } from './helpers.js';

let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir: root, cleanup } = await tempDir('listscrub-hostile-')));
afterAll(async () => cleanup());

const OLD = 'previous content\n';
const workspace = (): Promise<Workspace> => makeWorkspace(root, { output: OLD, report: OLD });

function expectCleanFailure(result: CliResult, code: number, message: RegExp): void {
  expect(result.stderr).not.toContain(STACK_LINE);
  expect(result.stderr).not.toMatch(/internal error/);
  expect(result.stderr).toMatch(message);
  // One line of explanation (plus, for usage errors, one line of where to get help).
  expect(result.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  expect(result.code).toBe(code);
}

/** Run clean on `content` written to a file; outputs pre-exist with known content. */
async function cleanFile(content: Buffer | string, extra: string[] = [], nodeArgs: string[] = []) {
  const ws = await workspace();
  const input = join(ws.dir, 'in.csv');
  await writeFile(input, content);
  const result = await runCli(['clean', input, '-o', ws.output, '-r', ws.report, '--no-dns', ...extra], { nodeArgs });
  return { ...ws, input, result };
}

async function expectUntouched(ws: Workspace): Promise<void> {
  expect(await readFile(ws.output, 'utf8')).toBe(OLD);
  expect(await readFile(ws.report, 'utf8')).toBe(OLD);
  expect(await leftovers(ws.dir)).toEqual([]);
}

describe('inputs that are not CSV lists', () => {
  test('a binary file', async () => {
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) % 256;
    const run = await cleanFile(bytes);
    expectCleanFailure(run.result, 1, /looks like a binary file/);
    await expectUntouched(run);
  });

  test('a gzip file', async () => {
    const run = await cleanFile(gzipSync('email\nann@example.com\n'));
    expectCleanFailure(run.result, 1, /looks like a gzip file; decompress it first/);
    await expectUntouched(run);
  });

  test('UTF-16 without a byte-order mark: a hint, and with --encoding utf16le it reads', async () => {
    const text = Buffer.from('name,email\r\nZoë,zoe@example.com\r\nJosé,jose@example.es\r\n', 'utf16le');
    const run = await cleanFile(text);
    expectCleanFailure(run.result, 1, /looks like UTF-16LE text without a byte-order mark; try --encoding utf16le/);
    await expectUntouched(run);
    const again = await runCli(['clean', run.input, '-o', run.output, '-r', run.report, '--no-dns', '--encoding', 'utf16le', '--json']);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as SummaryJson).kept).toBe(2);
    // Written back as it came: UTF-16LE (no byte-order mark, as the input had none).
    expect(parseCsv((await readFile(run.output)).toString('utf16le'))).toEqual([['name', 'email'], ['Zoë', 'zoe@example.com'], ['José', 'jose@example.es']]);
  });

  test('mixed encodings (a Latin-1 byte in a UTF-8 file, far down): the line is named, nothing replaced', async () => {
    const head = 'email,name\n' + 'ann@example.com,Zoë\n'.repeat(500);
    const run = await cleanFile(Buffer.concat([Buffer.from(head), Buffer.from('bob@example.com,Zo\xeb\n', 'latin1')]));
    expectCleanFailure(run.result, 1, /invalid UTF-8 at line 502 .*try --encoding latin1/);
    await expectUntouched(run);
  });

  test('NUL bytes at the start: not a CSV list', async () => {
    const run = await cleanFile(Buffer.from('email\0,name\0\nann@example.com,Ann\n'));
    expectCleanFailure(run.result, 1, /contains NUL bytes/);
    await expectUntouched(run);
  });

  test('a NUL byte in an address far into the file: that row is invalid (control character), every row accounted for', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `user${i}@example.com,Name ${i}`);
    rows.push('bad\0one@example.com,Nul');
    const run = await cleanFile(`email,name\n${rows.join('\n')}\n`, ['--json']);
    expect(run.result.stderr).toBe('');
    expect(run.result.code).toBe(0);
    const summary = JSON.parse(run.result.stdout) as SummaryJson;
    expect([summary.rows, summary.kept, summary.removed, summary.statuses.invalid]).toEqual([201, 200, 1, 1]);
    const reported = parseCsv(await readFile(run.report, 'utf8')).slice(1);
    expect(reported.map((row) => [row[0], row[2], row[8]])).toEqual([['201', 'invalid', 'bad\0one@example.com']]);
    expect(reported[0]?.[4]).toMatch(/control character \(U\+0000\)/);
  });

  test('an empty file: zero rows; the previous outputs stay (exit 4) unless --allow-empty', async () => {
    const run = await cleanFile('', ['--json']);
    expect(run.result.stderr).toBe('');
    expect(run.result.code).toBe(4);
    expect(JSON.parse(run.result.stdout) as SummaryJson).toMatchObject({ rows: 0, guard: { kind: 'empty_input' }, output: null });
    await expectUntouched(run);
    const allowed = await runCli(['clean', run.input, '-o', run.output, '-r', run.report, '--no-dns', '--json', '--allow-empty']);
    expect(allowed.code).toBe(0);
    expect((JSON.parse(allowed.stdout) as SummaryJson).rows).toBe(0);
    expect(await readFile(run.output, 'utf8')).toBe('');
    expect(parseCsv(await readFile(run.report, 'utf8'))).toEqual([['row', 'line', 'status', 'reason', 'detail', 'suggestion', 'bounce', 'raw']]);
  });

  test('header only: zero rows, the header kept', async () => {
    const run = await cleanFile('id,email,name\r\n', ['--json']);
    expect(run.result.code).toBe(0);
    expect((JSON.parse(run.result.stdout) as SummaryJson).rows).toBe(0);
    expect(await readFile(run.output, 'utf8')).toBe('id,email,name\r\n');
  });

  test('a 100,000-column header (and one row): read, the email column found, the row kept whole', async () => {
    const header = Array.from({ length: 100_000 }, (_, i) => (i === 99_998 ? 'email' : `c${i}`));
    const row = header.map((_, i) => (i === 99_998 ? 'ann@example.com' : String(i)));
    const run = await cleanFile(`${header.join(',')}\n${row.join(',')}\n`, ['--json']);
    expect(run.result.stderr).toBe('');
    expect(run.result.code).toBe(0);
    const summary = JSON.parse(run.result.stdout) as SummaryJson & { column: { index: number } };
    expect([summary.rows, summary.kept, summary.column.index]).toEqual([1, 1, 99_998]);
    expect(parseCsv(await readFile(run.output, 'utf8'))).toEqual([header, row]);
  });

  test('a 100,000-column header alone', async () => {
    const header = Array.from({ length: 100_000 }, (_, i) => `c${i}`);
    header[5] = 'email';
    const run = await cleanFile(`${header.join(',')}\n`, ['--json']);
    expect(run.result.code).toBe(0);
    expect((JSON.parse(run.result.stdout) as SummaryJson).rows).toBe(0);
  });
});

describe('a 50 MB single line, with the heap capped at 48 MB', () => {
  async function writeLongLine(path: string, prefix: string, suffix = '\nann@example.com,after the long line\n'): Promise<void> {
    const out = createWriteStream(path);
    out.write(prefix);
    const chunk = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 50; i++) if (!out.write(chunk)) await once(out, 'drain');
    out.end(suffix);
    await once(out, 'finish');
  }

  test('after a header: one malformed row (over the record limit), the rows after it kept, memory bounded', async () => {
    const ws = await workspace();
    const input = join(ws.dir, 'long.csv');
    await writeLongLine(input, 'email,name\n');
    // A reader that held the line in memory (50 M characters) could not run under a 48 MB heap.
    const result = await runCli(['clean', input, '-o', ws.output, '-r', ws.report, '--no-dns', '--json'], { nodeArgs: ['--max-old-space-size=48'] });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    expect([summary.rows, summary.kept, summary.statuses.malformed]).toEqual([2, 1, 1]);
    const reported = parseCsv(await readFile(ws.report, 'utf8')).slice(1);
    expect(reported.map((row) => row.slice(0, 4))).toEqual([['1', '2', 'malformed', 'malformed_row']]);
    expect(reported[0]?.[4]).toMatch(/longer than the limit/);
    expect(parseCsv(await readFile(ws.output, 'utf8'))).toEqual([['email', 'name'], ['ann@example.com', 'after the long line']]);
  });

  test('as the whole file: not a CSV list, a clear error, nothing replaced', async () => {
    const ws = await workspace();
    const input = join(ws.dir, 'long.csv');
    await writeLongLine(input, '', '');
    const result = await runCli(['clean', input, '-o', ws.output, '-r', ws.report, '--no-dns'], { nodeArgs: ['--max-old-space-size=48'] });
    expectCleanFailure(result, 1, /does not look like a CSV list: .*longer than the limit/);
    await expectUntouched(ws);
  });

  test('as the first line, a row after it: both rows accounted for (the long one malformed)', async () => {
    const ws = await workspace();
    const input = join(ws.dir, 'long.csv');
    await writeLongLine(input, '');
    const result = await runCli(['clean', input, '-o', ws.output, '-r', ws.report, '--no-dns', '--json'], { nodeArgs: ['--max-old-space-size=48'] });
    expect(result.stderr).not.toContain(STACK_LINE);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    expect([summary.rows, summary.kept, summary.statuses.malformed]).toEqual([2, 1, 1]);
    expect(parseCsv(await readFile(ws.output, 'utf8'))).toEqual([['ann@example.com', 'after the long line']]);
  });
});

describe('paths', () => {
  test('a directory as input', async () => {
    const ws = await workspace();
    const result = await runCli(['clean', ws.dir, '-o', ws.output, '-r', ws.report, '--no-dns']);
    expectCleanFailure(result, 1, /cannot read .*: is a directory/);
    await expectUntouched(ws);
  });

  test('a missing input file', async () => {
    const ws = await workspace();
    const result = await runCli(['clean', join(ws.dir, 'nope.csv'), '-o', ws.output, '-r', ws.report, '--no-dns']);
    expectCleanFailure(result, 1, /cannot read .*nope\.csv: no such file/);
    await expectUntouched(ws);
  });

  test.each([
    ['under a regular file (ENOTDIR)', (dir: string) => join(dir, 'in.csv', 'out.csv'), /not a directory/],
    ['in a directory that does not exist', (dir: string) => join(dir, 'missing', 'out.csv'), /no such (file or )?directory/i],
  ])('an output path %s: exit 1, a clear message, the report untouched', async (_label, outputOf, message) => {
    for (const lock of [[], ['--no-lock']]) {
      const ws = await workspace();
      const input = join(ws.dir, 'in.csv');
      await writeFile(input, 'email\nann@example.com\n');
      const result = await runCli(['clean', input, '-o', outputOf(ws.dir), '-r', ws.report, '--no-dns', ...lock]);
      expectCleanFailure(result, 1, message);
      expect(await readFile(ws.report, 'utf8')).toBe(OLD);
      expect(await leftovers(ws.dir)).toEqual([]);
    }
  });

  test('a report path under a regular file: exit 1, the cleaned list not replaced either', async () => {
    const ws = await workspace();
    const input = join(ws.dir, 'in.csv');
    await writeFile(input, 'email\nann@example.com\n');
    const result = await runCli(['clean', input, '-o', ws.output, '-r', join(input, 'report.csv'), '--no-dns']);
    expectCleanFailure(result, 1, /cannot write .*report\.csv: a part of the path is not a directory/);
    expect(await readFile(ws.output, 'utf8')).toBe(OLD);
    expect(await leftovers(ws.dir)).toEqual([]);
  });

  test('the same path for input and output (also through a symlink, and for the report): refused, the input intact', async () => {
    const ws = await workspace();
    const input = join(ws.dir, 'in.csv');
    const content = 'email\nann@example.com\nnot-an-address\n';
    await writeFile(input, content);
    const link = join(ws.dir, 'link.csv');
    await symlink(input, link);
    for (const args of [
      ['-o', input, '-r', ws.report],
      ['-o', link, '-r', ws.report],
      ['-o', ws.output, '-r', input],
      ['-o', ws.output, '-r', ws.output],
    ]) {
      const result = await runCli(['clean', input, ...args, '--no-dns']);
      expectCleanFailure(result, 2, /is the input file|both go to/);
      expect(await readFile(input, 'utf8')).toBe(content);
    }
    await expectUntouched(ws);
  });

  test('"-" for input and output: stdin to stdout, the report beside (stdin.report.csv)', async () => {
    const ws = await workspace();
    const result = await runCli(['clean', '-', '-o', '-', '--no-dns', '-q'], {
      cwd: ws.dir,
      input: 'email,name\nann@example.com,Ann\nnot-an-address,Bob\nann@example.com,Ann again\n',
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('email,name\nann@example.com,Ann\n');
    const reported = parseCsv(await readFile(join(ws.dir, 'stdin.report.csv'), 'utf8')).slice(1);
    expect(reported.map((row) => [row[0], row[2]])).toEqual([
      ['2', 'invalid'],
      ['3', 'duplicate'],
    ]);
    expect(await leftovers(ws.dir)).toEqual([]);
  });

  test('outputs that are symlinks: the file they point to is replaced, the link is kept', async () => {
    const ws = await workspace();
    const input = join(ws.dir, 'in.csv');
    await writeFile(input, 'email\nann@example.com\nnot-an-address\n');
    await mkdir(join(ws.dir, 'lists'));
    const real = join(ws.dir, 'lists', 'real.csv');
    await writeFile(real, OLD);
    const link = join(ws.dir, 'current.csv');
    await symlink(real, link);
    // A temp file a killed run left beside the real file: cleaned up there too.
    const stale = join(ws.dir, 'lists', `.real.csv.${await deadPid()}.abc123.tmp`);
    await writeFile(stale, 'half a fi');
    const result = await runCli(['clean', input, '-o', link, '-r', ws.report, '--no-dns', '-q']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readFile(real, 'utf8')).toBe('email\nann@example.com\n');
    expect(await leftovers(ws.dir)).toEqual([]);
    expect(await leftovers(join(ws.dir, 'lists'))).toEqual([]);
  });

  test('a named pipe of ours is written in place; a device reached through a link is refused', async () => {
    const ws = await workspace();
    const input = join(ws.dir, 'in.csv');
    await writeFile(input, 'email\nann@example.com\nnot-an-address\n');
    const devnull = join(ws.dir, 'discard');
    await symlink('/dev/null', devnull);
    const fifo = join(ws.dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    // The pipe's reader, as a shell's `listscrub ... -o pipe & consumer < pipe` would have.
    const read = (async () => {
      let text = '';
      for await (const chunk of createReadStream(fifo, 'utf8')) text += chunk as string;
      return text;
    })();
    const result = await runCli(['clean', input, '-o', fifo, '-r', join(ws.dir, 'report.csv'), '--no-dns', '-q']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await read).toBe('email\nann@example.com\n');
    // Special files are accepted only when named directly: not through a link.
    const linked = await runCli(['clean', input, '-o', join(ws.dir, 'o.csv'), '-r', devnull, '--no-dns', '-q']);
    expect(linked.code).toBe(1);
    expect(linked.stderr).toMatch(/^listscrub: refusing to write .*discard: it is a device reached through a symbolic link, not a regular file/);
    await rm(join(ws.dir, 'report.csv'));
    expect((await lstat(fifo)).isFIFO()).toBe(true);
    expect((await lstat(devnull)).isSymbolicLink()).toBe(true);
    expect((await stat(devnull)).isCharacterDevice()).toBe(true);
    expect(await leftovers(ws.dir)).toEqual([]);
  });

  test('-o /dev/null (only the report wanted) works for an unprivileged user: no lock or temp file in /dev', async () => {
    // Run as nobody when the tests run as root: then a regression could not touch the real /dev.
    const { dir, cleanup: done } = await tempDir('listscrub-devnull-');
    try {
      await chmod(dir, 0o777);
      const input = join(dir, 'in.csv');
      await writeFile(input, 'email\nann@example.com\nnot-an-address\n', { mode: 0o644 });
      const report = join(dir, 'report.csv');
      const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      const result = await runCli(['clean', input, '-o', '/dev/null', '-r', report, '--no-dns', '-q'], { spawn: asNobody });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(parseCsv(await readFile(report, 'utf8')).slice(1).map((row) => row[8])).toEqual(['not-an-address']);
      expect(await leftovers(dir)).toEqual([]);
      expect((await stat('/dev/null')).isCharacterDevice()).toBe(true);
    } finally {
      await done();
    }
  });

  test('"-" as the report is refused (usage, exit 2)', async () => {
    const ws = await workspace();
    const result = await runCli(['clean', '-', '-o', ws.output, '-r', '-', '--no-dns'], { input: 'email\nann@example.com\n' });
    expectCleanFailure(result, 2, /report cannot go to standard output/);
    expect((await readdir(ws.dir)).sort()).toEqual(['out.csv', 'report.csv']);
  });
});
