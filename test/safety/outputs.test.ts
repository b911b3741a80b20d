/**
 * Writing files as root in directories others can write, taking the attacker's part: another user
 * (nobody, through setpriv) plants a link, a pipe or a file at the paths a root run will write,
 * then the built CLI runs as root. Run as a normal user, the same scenarios run with our own
 * plants in a 1777 directory (another user's files cannot be made without root), which checks the
 * rules that do not depend on the owner: special files, modes, cache targets.
 */
import { execFileSync } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, STACK_LINE } from '../support/spawn.js';

const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/** Run a command as `nobody` when we are root (the attacker), else as ourselves. */
function plant(command: string, ...args: string[]): void {
  if (asRoot) execFileSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', command, ...args]);
  else execFileSync(command, args);
}

let base: string;
let drop: string;
let input: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'listscrub-root-'));
  await chmod(base, 0o755);
  drop = join(base, 'drop');
  await mkdir(drop);
  await chmod(drop, 0o1777); // a shared drop directory, like /tmp
  input = join(base, 'subscribers.csv');
  await writeFile(input, 'name,email\nAnn,ann@example.com\nBob,bob@@example.com\n', { mode: 0o600 });
  await chmod(input, 0o600);
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('links and special files at output paths', () => {
  it('a link planted by another user at -o, -r, --summary or --history never writes through to its target', async () => {
    const secret = join(base, 'secret.txt');
    await writeFile(secret, 'root only\n', { mode: 0o600 });
    for (const [flag, name] of [['-o', 'out.csv'], ['-r', 'report.csv'], ['--summary', 'summary.json']] as const) {
      const link = join(drop, name);
      plant('ln', '-s', secret, link);
      const result = await runCli(['clean', input, '-o', join(base, `o-${name}`), '-r', join(base, `r-${name}`), flag, link, '--no-dns', '-q']);
      if (asRoot) {
        expect(result.code, flag).toBe(1);
        expect(result.stderr, flag).toBe(`listscrub: refusing to write ${link}: it is a symbolic link owned by another user (uid ${NOBODY}) in ${drop}, a directory others can write; nothing was written.\n`);
        expect((await readdir(base)).filter((f) => f.startsWith('o-') || f.startsWith('r-')), flag).toEqual([]);
      } else {
        // Our own link is followed (its target replaced, the link kept), as documented.
        expect(result.code, flag).toBe(0);
        await writeFile(secret, 'root only\n', { mode: 0o600 });
      }
      expect((await lstat(link)).isSymbolicLink()).toBe(true);
      await rm(link);
      if (asRoot) expect(await readFile(secret, 'utf8')).toBe('root only\n');
    }
    // The history never follows a link at all: the run keeps its exit code, warns, and appends nothing.
    const link = join(drop, 'history.jsonl');
    plant('ln', '-s', secret, link);
    const result = await runCli(['clean', input, '-o', join(base, 'h.csv'), '-r', join(base, 'h.report.csv'), '--history', link, '--no-dns', '--json']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/cannot append to the history file .*history\.jsonl: it is a symbolic link, which the history never follows; this run is not in the history/);
    expect(await readFile(secret, 'utf8')).toBe('root only\n');
  });

  it('a named pipe planted at -o is refused at once: no row leaks to whoever reads it', async () => {
    const pipe = join(drop, 'pipe.csv');
    plant('mkfifo', pipe);
    const result = await runCli(['clean', input, '-o', pipe, '-r', join(base, 'p.report.csv'), '--no-dns'], { killAfterMs: 30_000 });
    if (asRoot) {
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^listscrub: refusing to write .*pipe\.csv: it is a named pipe \(FIFO\), not a regular file/);
      expect(result.stderr).not.toContain(STACK_LINE);
      expect(await readdir(base)).not.toContain('p.report.csv');
    }
    await rm(pipe);
  });

  it('--cache at a device node is never replaced', async () => {
    const device = join(drop, 'cache-device');
    if (asRoot) execFileSync('mknod', [device, 'c', '1', '3']); // /dev/null's numbers
    else await symlink('/dev/null', device);
    for (const cache of [device]) {
      const result = await runCli(['clean', input, '-o', join(base, 'c.csv'), '-r', join(base, 'c.report.csv'), '--cache', cache, '--dns', '127.0.0.1:9', '--dns-canary', '', '--dns-timeout', '50', '--dns-retries', '0', '--json']);
      expect([0, 3]).toContain(result.code);
      expect(result.stdout).toMatch(/refusing to write .*cache-device: it is a device.*nothing was written; the next run will query DNS/);
      expect((await stat(cache)).isCharacterDevice()).toBe(true);
    }
    await rm(device);
  });
});

describe('file modes', () => {
  it('outputs take the input\'s permission bits; another user\'s 0777 file is never adopted; the history is 0600', async () => {
    const out = join(base, 'm.clean.csv');
    const report = join(drop, 'm.report.csv');
    plant('sh', '-c', `umask 0; : > '${report}' && chmod 0777 '${report}'`);
    const history = join(base, 'm.history.jsonl');
    const summary = join(base, 'm.summary.json');
    const result = await runCli(['clean', input, '-o', out, '-r', report, '--summary', summary, '--history', history, '--no-dns', '-q']);
    expect(result.code, result.stderr).toBe(0);
    for (const path of [out, report, summary, history]) expect((await stat(path)).mode & 0o777, path).toBe(0o600);
    expect((await stat(report)).uid).toBe(process.getuid?.());
  });
});
