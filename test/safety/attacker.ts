/**
 * The attacker's part in the safety tests (issue 18): a second local user who can write a shared
 * drop directory plants links, FIFOs and files there, then the built CLI runs as we do (root in CI).
 *
 * As root the attacker is `nobody` (uid 65534, via setpriv), so ownership checks meet a real other
 * user. Run as a normal user (a developer's clone), a process cannot create files owned by someone
 * else: the attacker is then ourselves, and each test says what it does instead (the same scenario
 * with the modes an attacker's file would have, or a link where a file is expected), so the refusal
 * logic still runs. Nothing is skipped.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

export const IS_ROOT = process.getuid?.() === 0;
export const NOBODY = 65534;

/** Run a command as the attacker: `nobody` when we are root, ourselves otherwise. */
export function asAttacker(command: string, args: string[]): void {
  const argv = IS_ROOT ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', command, ...args] : [command, ...args];
  execFileSync(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Write `text` to `path` as the attacker (a file the attacker owns, mode 0644 under umask 022). */
export function plantFile(path: string, text: string): void {
  asAttacker('sh', ['-c', 'umask 022; printf %s "$1" > "$2"', 'sh', text, path]);
}

/** A named pipe at `path`, made by the attacker, that nobody ever opens. */
export function plantFifo(path: string): void {
  asAttacker('mkfifo', [path]);
}

/** A symbolic link `path -> target`, made by the attacker. */
export function plantLink(target: string, path: string): void {
  asAttacker('ln', ['-s', target, path]);
}

/**
 * A fresh drop directory for each test of the calling file: mode 1777 (world-writable and sticky,
 * like /tmp or an upload directory) inside a temporary directory others can traverse. Removed after.
 */
export function useDropDir(set: (dir: string) => void): void {
  let root = '';
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'listscrub-safety-'));
    await chmod(root, 0o755);
    const drop = join(root, 'drop');
    await mkdir(drop);
    await chmod(drop, 0o1777);
    set(drop);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });
}
