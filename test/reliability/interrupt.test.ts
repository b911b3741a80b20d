/**
 * Interruptions of a long run (the spawned CLI on a 300,000-row list, --no-dns): signals, SIGKILL,
 * a reader that closes the pipe, a full disk, a file-size limit. Whatever happens, the previous
 * outputs stay whole under their names, nothing half-written appears there, and temp files and the
 * lock are removed (or, after SIGKILL, cleaned up by the next run).
 * Signals are sent once the run has written rows: the temp file of the cleaned list has grown past
 * 64 KiB (fs.watch events, no sleeps).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDnsServer } from '../support/dns-server.js';
import { writeBigList } from '../support/gen.js';
import { BIN, deadPid, parseCsv, runCli, STACK_LINE, startCli, tempDir, waitForFile } from '../support/spawn.js';
import { leftovers, makeWorkspace, type Workspace } from './helpers.js';

const ROWS = 300_000;
const OLD_OUTPUT = 'previous cleaned list\n';
const OLD_REPORT = 'previous report\n';

let root: string;
let cleanup: () => Promise<void>;
let big: string;
beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir('listscrub-interrupt-'));
  big = join(root, 'big.csv');
  await writeBigList(big, ROWS);
});
afterAll(async () => cleanup());

/** A fresh directory with previous outputs of known content. */
const workspace = (): Promise<Workspace> => makeWorkspace(root, { output: OLD_OUTPUT, report: OLD_REPORT });

const TEMP_OF_OUTPUT = /^\.out\.csv\.\d+\.[0-9a-f]+\.tmp$/;

async function expectPreviousOutputsIntact(output: string, report: string): Promise<void> {
  expect(await readFile(output, 'utf8')).toBe(OLD_OUTPUT);
  expect(await readFile(report, 'utf8')).toBe(OLD_REPORT);
}

describe('signals', () => {
  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s mid-run: exit %i, previous outputs intact, no temp or lock file left', async (signal, code) => {
    const { dir, output, report } = await workspace();
    const cli = startCli(['clean', big, '-o', output, '-r', report, '--no-dns', '-q']);
    await waitForFile(dir, TEMP_OF_OUTPUT, 64 * 1024, cli.done);
    cli.child.kill(signal);
    const result = await cli.done;
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(`interrupted (${signal})`);
    expect(result.stderr).not.toContain(STACK_LINE);
    await expectPreviousOutputsIntact(output, report);
    expect(await leftovers(dir)).toEqual([]);
  });

  test('SIGTERM while the run waits for more input on stdin: exit 143, nothing replaced, nothing left', async () => {
    const { dir, output, report } = await workspace();
    const cli = startCli(['clean', '-', '-o', output, '-r', report, '--no-dns', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdin = cli.child.stdin!;
    stdin.on('error', () => undefined);
    let rows = 'id,email\n';
    for (let i = 1; i <= 20_000; i++) rows += `${i},user${i}@example.com\n`;
    stdin.write(rows); // and keep stdin open: the run cannot finish on its own
    await waitForFile(dir, TEMP_OF_OUTPUT, 64 * 1024, cli.done);
    cli.child.kill('SIGTERM');
    const result = await cli.done;
    expect(result.code).toBe(143);
    expect(result.stderr).not.toContain(STACK_LINE);
    await expectPreviousOutputsIntact(output, report);
    expect(await leftovers(dir)).toEqual([]);
  });
});

describe('interrupting the DNS canary check', () => {
  test('SIGINT while the canaries wait on a silent resolver: exit 130 at once, previous outputs intact', async () => {
    // The canary check runs beside the pipeline, so an interrupt does not wait for it to time out
    // (here it would take 3 attempts x 5 s, far past the test's time limit).
    const server = await startDnsServer({}, { mode: 'drop' });
    try {
      const firstQuestion = new Promise<void>((resolve) => {
        const push = server.queries.push.bind(server.queries);
        server.queries.push = (...entries) => {
          resolve();
          return push(...entries);
        };
      });
      const { dir, output, report } = await workspace();
      const cli = startCli(['clean', big, '-o', output, '-r', report, '--dns', server.address, '--dns-timeout', '5000', '-q']);
      await Promise.race([firstQuestion, cli.done]);
      cli.child.kill('SIGINT');
      const result = await cli.done;
      expect(result.code).toBe(130);
      expect(result.stderr).toContain('interrupted (SIGINT)');
      expect(result.stderr).not.toContain(STACK_LINE);
      await expectPreviousOutputsIntact(output, report);
      expect(await leftovers(dir)).toEqual([]);
      // It exited before any canary question timed out: the server saw first attempts only (a
      // run that waited for the check would have asked each canary again after every timeout).
      const asked = server.queries.map((q) => `${q.name} ${q.type}`);
      expect(asked.length).toBeGreaterThan(0);
      expect(new Set(asked).size).toBe(asked.length);
      for (const question of asked) expect(['gmail.com MX', 'outlook.com MX', 'yahoo.com MX']).toContain(question);
    } finally {
      await server.close();
    }
  });
});

describe('SIGKILL and the next run', () => {
  test('kill -9 mid-run leaves the previous outputs whole; the next run removes its temp files, takes over its lock, and completes', async () => {
    const { dir, output, report } = await workspace();
    const cli = startCli(['clean', big, '-o', output, '-r', report, '--no-dns', '-q']);
    await waitForFile(dir, TEMP_OF_OUTPUT, 64 * 1024, cli.done);
    cli.child.kill('SIGKILL');
    const killed = await cli.done;
    expect(killed.signal).toBe('SIGKILL');
    await expectPreviousOutputsIntact(output, report);
    // What a killed run leaves: its temp files and its lock, all named after its (now dead) pid.
    const left = await leftovers(dir);
    expect(left).toContain('out.csv.lock');
    expect(left.filter((name) => TEMP_OF_OUTPUT.test(name))).toHaveLength(1);
    expect(JSON.parse(await readFile(join(dir, 'out.csv.lock'), 'utf8'))).toMatchObject({ pid: cli.child.pid });

    const next = await runCli(['clean', big, '-o', output, '-r', report, '--no-dns', '-q']);
    expect(next.stderr).toBe('');
    expect(next.code).toBe(0);
    expect(await leftovers(dir)).toEqual([]);
    const cleaned = parseCsv(await readFile(output, 'utf8'));
    expect(cleaned).toHaveLength(ROWS + 1);
    expect(cleaned[ROWS]).toEqual([String(ROWS), `user${ROWS}@example${ROWS % 1000}.com`, `Name ${ROWS}`, '']);
    expect(parseCsv(await readFile(report, 'utf8'))).toHaveLength(1);
  });

  test('a stale lock and stale temp files of a dead pid are taken over and removed; a live holder is respected', async () => {
    const { dir, output, report } = await workspace();
    const pid = await deadPid();
    const lock = { pid, hostname: hostname(), startedAt: new Date().toISOString(), token: 'stale' };
    await writeFile(join(dir, 'out.csv.lock'), `${JSON.stringify(lock)}\n`);
    await writeFile(join(dir, `.out.csv.${pid}.abcdef.tmp`), 'half a fi');
    await writeFile(join(dir, `.report.csv.${pid}.012345.tmp`), 'half a rep');
    const small = join(dir, 'small.csv');
    await writeFile(small, 'email\nann@example.com\nnot-an-address\n');

    const result = await runCli(['clean', small, '-o', output, '-r', report, '--no-dns', '-q']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await leftovers(dir)).toEqual([]);
    expect(await readFile(output, 'utf8')).toBe('email\nann@example.com\n');

    // The same lock held by a live process (this test runner) is not taken over: exit 5, untouched.
    await writeFile(join(dir, 'out.csv.lock'), `${JSON.stringify({ ...lock, pid: process.pid })}\n`);
    const blocked = await runCli(['clean', small, '-o', output, '-r', report, '--no-dns', '-q']);
    expect(blocked.code).toBe(5);
    expect(blocked.stderr).toMatch(/holds the lock/);
    expect(blocked.stderr).not.toContain(STACK_LINE);
    expect(await readFile(join(dir, 'out.csv.lock'), 'utf8')).toContain(`"pid":${process.pid}`);
  });
});

describe('the reader goes away, the disk fills up', () => {
  test('EPIPE: stdout closed after a few lines ends quietly (exit 0, no message), nothing half-written, nothing left', async () => {
    const { dir, output: _output, report } = await workspace();
    const cli = startCli(['clean', big, '-o', '-', '-r', report, '--no-dns', '-q']);
    const stdout = cli.child.stdout!;
    const firstLines = await new Promise<string[]>((resolve) => {
      let text = '';
      const onData = (chunk: string): void => {
        text += chunk;
        const lines = text.split('\n');
        if (lines.length > 5) {
          stdout.off('data', onData);
          stdout.destroy(); // the reading end of the pipe closes, as `head -n 5` does
          resolve(lines.slice(0, 5));
        }
      };
      stdout.on('data', onData);
    });
    expect(firstLines[0]).toBe('id,email,name,notes');
    expect(firstLines[1]).toBe('1,user1@example1.com,Name 1,');
    const result = await cli.done;
    expect(result.code).toBe(0);
    expect(result.signal).toBeNull();
    expect(result.stderr).toBe('');
    // The run stopped, so the report was not replaced; its temp file and the lock are gone.
    expect(await readFile(report, 'utf8')).toBe(OLD_REPORT);
    expect(await leftovers(dir)).toEqual([]);
  });

  test('`clean big.csv -o - | head -n 5` in a shell: five lines, status 0, no stack trace, no EPIPE message', async () => {
    const { dir, report } = await workspace();
    const child = spawn('bash', ['-c', 'node "$0" clean "$1" -o - -r "$2" --no-dns -q | head -n 5; echo "status=${PIPESTATUS[0]}" >&2', BIN, big, report], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    await new Promise((resolve) => child.once('close', resolve));
    expect(stdout.split('\n')).toEqual(['id,email,name,notes', '1,user1@example1.com,Name 1,', '2,user2@example2.com,Name 2,', '3,user3@example3.com,Name 3,', '4,user4@example4.com,Name 4,', '']);
    expect(stderr).toBe('status=0\n');
    expect(await leftovers(dir)).toEqual([]);
  });

  test('disk full on stdout (/dev/full): exit 1 with a clear message, report not replaced, nothing left', async () => {
    const { dir, report } = await workspace();
    const full = openSync('/dev/full', 'w');
    try {
      const result = await runCli(['clean', big, '-o', '-', '-r', report, '--no-dns', '-q'], { stdio: ['ignore', full, 'pipe'] });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('listscrub: cannot write standard output: no space left on the device\n');
    } finally {
      closeSync(full);
    }
    expect(await readFile(report, 'utf8')).toBe(OLD_REPORT);
    expect(await leftovers(dir)).toEqual([]);
  });

  test('`check` on a full stdout (/dev/full) or a closed pipe: exit 1 with a message, or exit 0 quietly; never a stack trace', async () => {
    const addresses = Array.from({ length: 20_000 }, (_, i) => `user${i}@example.com`).join('\n');
    const full = openSync('/dev/full', 'w');
    try {
      const result = await runCli(['check', '--no-dns', '--json', '-'], { input: addresses, stdio: ['pipe', full, 'pipe'] });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^listscrub: cannot write standard output: .*no space left on device.*\n$/i);
    } finally {
      closeSync(full);
    }
    const cli = startCli(['check', '--no-dns', '--json', '-'], { input: addresses });
    const stdout = cli.child.stdout!;
    await new Promise<void>((resolve) => {
      stdout.once('data', () => {
        stdout.destroy();
        resolve();
      });
    });
    const closed = await cli.done;
    expect(closed.code).toBe(0);
    expect(closed.stderr).toBe('');
  });

  test('a write error on the cleaned file (file-size limit: EFBIG) mid-run: exit 1, clear message, no partial target', async () => {
    const { dir, output, report } = await workspace();
    // ulimit -f 64: files may grow to 64 KiB. Node ignores SIGXFSZ, so the write fails with EFBIG,
    // as it would with ENOSPC on a full disk, well after the run has started writing.
    const child = spawn('bash', ['-c', 'ulimit -f 64; exec node "$0" clean "$1" -o "$2" -r "$3" --no-dns -q', BIN, big, output, report], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/^listscrub: cannot write .*out\.csv: .*(file too large|EFBIG).*\n$/);
    expect(stderr).not.toContain(STACK_LINE);
    await expectPreviousOutputsIntact(output, report);
    expect(await leftovers(dir)).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(['out.csv', 'report.csv']);
  });
});
