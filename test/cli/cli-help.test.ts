/**
 * Issue 13, a CLI that helps: did-you-mean for unknown flags, resolver mistakes named by the flag or
 * variable at fault, `history` on a missing file and its table of failed runs, the progress line.
 * Spawned as built, except the progress line, which needs a terminal: it runs in process with a
 * stderr that says it is one (CliIo is how the CLI meets the outside world).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runClean } from '../../src/cli/clean.js';
import { progressLine } from '../../src/cli/progress.js';
import type { CliIo } from '../../src/cli/io.js';
import { removeWorkdirs, workdir } from '../support/cli.js';
import { run, STACK_LINE } from '../support/spawn.js';

afterAll(async () => removeWorkdirs());

describe('unknown flags', () => {
  it.each([
    ['--colum', '--column'],
    ['--no-dsn', '--no-dns'],
    ['--anotate', '--annotate'],
  ])('%s: usage error suggesting %s', async (typed, meant) => {
    const result = await run(['clean', 'list.csv', typed]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Unknown option '${typed}' (did you mean "${meant}"?)`);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });
});

describe('resolver addresses', () => {
  it('--dns localhost:53 names the flag and says what to write', async () => {
    const result = await run(['check', 'a@example.com', '--dns', 'localhost:53']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^listscrub: --dns: "localhost:53" is a host name; .*127\.0\.0\.1:53/);
    expect(result.stderr).not.toMatch(/dns\.servers/);
  });

  it('LISTSCRUB_DNS=bogus names the variable, for check and clean', async () => {
    const dir = await workdir();
    await writeFile(join(dir, 'list.csv'), 'email\na@example.com\n');
    for (const args of [['check', 'a@example.com'], ['clean', 'list.csv']]) {
      const result = await run(args, { env: { LISTSCRUB_DNS: 'bogus' }, cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^listscrub: \$LISTSCRUB_DNS: "bogus" is a host name, not an IP address/);
      expect(result.stderr).not.toMatch(STACK_LINE);
    }
  });
});

describe('listscrub history', () => {
  it('a missing file is an error, not an empty history', async () => {
    const dir = await workdir();
    const result = await run(['history', 'nightly.jsonl'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^listscrub: no history file at nightly\.jsonl/);
    expect(result.stdout).toBe('');
  });

  it('the table shows the input and the error of a failed run', async () => {
    const dir = await workdir();
    const entry = (extra: Record<string, unknown>) =>
      JSON.stringify({ time: '2024-05-01T03:00:00.000Z', exitCode: 0, durationMs: 1200, rows: 10, kept: 9, removed: 1, statuses: {}, reasons: {}, dns: null, input: 'lists/a.csv', output: 'a.clean.csv', ...extra });
    await writeFile(join(dir, 'h.jsonl'), `${entry({})}\n${entry({ exitCode: 1, input: 'lists/b.csv', error: 'cannot read lists/b.csv: no such file' })}\n`);
    const result = await run(['history', 'h.jsonl'], { cwd: dir });
    expect(result.code).toBe(0);
    const [header, ok, failed] = result.stdout.trimEnd().split('\n');
    expect(header).toMatch(/\binput\s+error$/);
    expect(ok).toMatch(/lists\/a\.csv$/);
    expect(failed).toMatch(/lists\/b\.csv\s+cannot read lists\/b\.csv: no such file$/);
  });
});

describe('progress on a terminal', () => {
  it('shows rows, rows per second, the share read and an ETA', () => {
    const line = progressLine({ rows: 5000, bytesRead: 250_000, totalBytes: 1_000_000 }, 2000, true);
    expect(line).toBe('\r\u001b[2K  5,000 rows  2,500 rows/s  25%  ETA 6.0s');
    expect(progressLine({ rows: 10, bytesRead: 10, totalBytes: null }, 1000, false)).toMatch(/^\r {2}10 rows {2}10 rows\/s +$/);
  });

  async function cleanOnTerminal(term: string): Promise<string> {
    const dir = await workdir();
    await writeFile(join(dir, 'list.csv'), 'email\nann@example.com\nbob@example.org\n');
    let stderr = '';
    const io: CliIo = {
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      stderr: Object.assign(new Writable({ write: (chunk, _encoding, done) => ((stderr += String(chunk)), done()) }), { isTTY: true }),
      env: { TERM: term, NO_COLOR: '1' },
      cwd: dir,
      interrupted: new Promise(() => {}),
    };
    const code = await runClean([join(dir, 'list.csv'), '--no-dns'], io);
    expect(code).toBe(0);
    return stderr;
  }

  it('draws the line with escape codes on a capable terminal, and none for TERM=dumb', async () => {
    const [capable, dumb] = await Promise.all([cleanOnTerminal('xterm-256color'), cleanOnTerminal('dumb')]);
    expect(capable).toContain('\u001b[2K');
    expect(capable).toMatch(/rows\/s {2}\d+%/);
    expect(dumb).toMatch(/rows\/s {2}\d+%/);
    expect(dumb).not.toContain('\u001b');
    expect(dumb).toContain('2 rows from');
  });
});
