/**
 * A lock file that keeps two unattended runs from writing the same cleaned list at once.
 *
 * The caller derives the lock path from the cleaned-output path (`<output>.lock`), so two jobs that
 * write different outputs never block each other.
 *
 * File content (JSON): `{ "pid": 1234, "hostname": "box", "startedAt": "<ISO>", "token": "<random>" }`.
 * `token` tells two holders apart even when they share a pid (two acquisitions in one process), so
 * release and takeover can check "is this still ours?" by content, not by pid.
 *
 * When a lock counts as stale (and is taken over):
 * - same host, and `process.kill(pid, 0)` says the process does not exist (ESRCH): the run died;
 * - another host (a shared filesystem), where the pid cannot be checked: only when `staleMs` is given
 *   and the lock is older than that;
 * - the file is unreadable JSON (a crash between create and write) and older than `staleMs`
 *   or, without `staleMs`, older than CORRUPT_GRACE_MS.
 * A live pid on this host is never stale, however old: a long run must not lose its lock.
 *
 * What a lock says is only believed when it can only have been written by a listscrub run of ours:
 * a regular file (not a link, FIFO or device) owned by the running user or root. Anything else at
 * the lock path (a `{"pid": 1}` planted by another user in a shared directory, say) is not trusted
 * and is replaced at once like a stale lock; if it cannot be replaced (another user's file in a
 * sticky directory, for a non-root run), the run stops with an error saying so.
 */
import { randomBytes } from 'node:crypto';
import { lstat, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname as osHostname, userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ListscrubError } from '../errors.js';
import { fileKind, readRegularFile } from '../files/open-regular.js';

export interface LockOptions {
  /** Age in ms after which a lock whose holder cannot be checked (another host, corrupt file) is stale. */
  staleMs?: number;
  /** Clock, epoch ms (tests). Default Date.now. */
  now?: () => number;
}

export interface LockHandle {
  /** Remove the lock if it is still ours. Safe to call more than once. */
  release(): Promise<void>;
}

interface LockContent {
  pid: number;
  hostname: string;
  startedAt: string;
  token: string;
}

/** The lock path for a cleaned-output path: jobs writing different outputs never block each other. */
export function lockPathFor(outputPath: string): string {
  return `${outputPath}.lock`;
}

/** How long an unparseable lock file is presumed to be mid-creation by another process. */
const CORRUPT_GRACE_MS = 10_000;

export async function acquireLock(path: string, options: LockOptions = {}): Promise<LockHandle> {
  const now = options.now ?? Date.now;
  const mine: LockContent = {
    pid: process.pid,
    hostname: osHostname(),
    startedAt: new Date(now()).toISOString(),
    token: randomBytes(12).toString('hex'),
  };
  const text = `${JSON.stringify(mine)}\n`;

  // Two rounds: the holder may release between our EEXIST and our read, so try creating once more.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await tryCreate(path, text)) return handle(path, mine.token);

    const existing = await readLock(path);
    if (existing === 'missing') continue; // released meanwhile: try creating again
    if (!(await isStale(path, existing, options.staleMs, now))) throw lockedError(path, existing);

    if (!(await takeOver(path, existing, text))) continue; // vanished meanwhile: create it normally
    const confirmed = await readLock(path);
    if (confirmed !== 'missing' && confirmed !== 'corrupt' && !isUntrusted(confirmed) && confirmed.token === mine.token) {
      return handle(path, mine.token);
    }
    // Someone else took it over in the same instant and won the rename.
    throw lockedError(path, confirmed === 'missing' ? 'corrupt' : confirmed);
  }
  throw new ListscrubError('E_LOCKED', `could not acquire the lock ${path}: it keeps changing hands; try again`);
}

/** Create the lock exclusively ('wx'); false if it already exists. */
async function tryCreate(path: string, text: string): Promise<boolean> {
  let file;
  try {
    file = await open(path, 'wx', 0o600); // private: it names the host and pid of the run
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new ListscrubError('E_OUTPUT', `cannot create the lock file ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    await file.writeFile(text);
  } catch (error) {
    // Do not leave an empty lock behind (disk full): it would block the next run for a while.
    await file.close();
    await rm(path, { force: true });
    throw new ListscrubError('E_OUTPUT', `cannot write the lock file ${path}: ${(error as Error).message}`, { cause: error });
  }
  await file.close();
  return true;
}

/** A file at the lock path whose content is not believed (see the top of this file), and why. */
interface Untrusted {
  untrusted: string;
  /** Which file it was (device:inode), so a takeover replaces only the file judged. */
  identity: string;
}

type LockState = LockContent | 'missing' | 'corrupt' | Untrusted;

function isUntrusted(state: LockState): state is Untrusted {
  return typeof state === 'object' && 'untrusted' in state;
}

async function readLock(path: string): Promise<LockState> {
  let raw: string;
  try {
    const link = await lstat(path);
    const identity = `${link.dev}:${link.ino}`;
    if (!link.isFile()) return { untrusted: `it is ${fileKind(link)}`, identity };
    const me = userInfo().uid;
    if (link.uid !== me && link.uid !== 0) return { untrusted: `it is owned by uid ${link.uid}, not by this user (uid ${me}) or root`, identity };
    const read = await readRegularFile(path);
    // Swapped between the lstat and the open: judge again next round.
    if (`${read.info.dev}:${read.info.ino}` !== identity) return { untrusted: 'it changed while being read', identity };
    raw = read.text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw new ListscrubError('E_OUTPUT', `cannot read the lock file ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const value = JSON.parse(raw) as Partial<LockContent>;
    if (
      typeof value === 'object' && value !== null &&
      Number.isInteger(value.pid) && (value.pid as number) > 0 &&
      typeof value.hostname === 'string' && typeof value.startedAt === 'string'
    ) {
      return { pid: value.pid as number, hostname: value.hostname, startedAt: value.startedAt, token: String(value.token ?? '') };
    }
  } catch {
    // fall through: corrupt
  }
  return 'corrupt';
}

async function isStale(path: string, lock: Exclude<LockState, 'missing'>, staleMs: number | undefined, now: () => number): Promise<boolean> {
  if (isUntrusted(lock)) return true;
  if (lock !== 'corrupt' && lock.hostname === osHostname()) return !isAlive(lock.pid);
  if (lock === 'corrupt') {
    // Age from mtime: the content cannot be trusted.
    const mtime = await stat(path).then((s) => s.mtimeMs, () => now());
    return now() - mtime > (staleMs ?? CORRUPT_GRACE_MS);
  }
  if (staleMs === undefined) return false;
  const started = Date.parse(lock.startedAt);
  return Number.isFinite(started) && now() - started > staleMs;
}

/** process.kill(pid, 0) checks existence without sending a signal; EPERM means alive (another user). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Replace a stale lock atomically: the new content goes to a temp file in the same directory and is
 * renamed over the lock, so no reader ever sees a missing or half-written lock. Right before the
 * rename we check the stale lock is still the one we judged, which narrows (it cannot close) the
 * window where two takers race; the caller's re-read decides who won. Returns false if the lock
 * vanished, so the caller goes back to the exclusive create.
 */
async function takeOver(path: string, stale: Exclude<LockState, 'missing'>, text: string): Promise<boolean> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(temp, text, { flag: 'wx', mode: 0o600 });
  try {
    const current = await readLock(path);
    // Gone: a rename now could clobber a lock someone creates with 'wx' this instant; go back to 'wx'.
    if (current === 'missing') return false;
    if (!sameLock(current, stale)) throw lockedError(path, current);
    try {
      await rename(temp, path);
    } catch (error) {
      if (!isUntrusted(stale)) throw error;
      throw new ListscrubError(
        'E_LOCKED',
        `the lock file ${path} is not trusted (${stale.untrusted}) and cannot be replaced (${(error as Error).message}); remove it`,
        { cause: error },
      );
    }
    return true;
  } finally {
    await rm(temp, { force: true });
  }
}

function sameLock(current: Exclude<LockState, 'missing'>, judged: Exclude<LockState, 'missing'>): boolean {
  if (isUntrusted(judged)) return isUntrusted(current) && current.identity === judged.identity;
  if (judged === 'corrupt' || current === 'corrupt' || isUntrusted(current)) return current === judged;
  return current.token === judged.token && current.pid === judged.pid;
}

function handle(path: string, token: string): LockHandle {
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      const current = await readLock(path).catch(() => 'missing' as const);
      // Only remove it if it is still ours: a takeover after a long pause must not be undone.
      if (current !== 'missing' && current !== 'corrupt' && !isUntrusted(current) && current.token === token) await rm(path, { force: true });
    },
  };
}

function lockedError(path: string, lock: Exclude<LockState, 'missing'>): ListscrubError {
  if (isUntrusted(lock)) return new ListscrubError('E_LOCKED', `the lock file ${path} changed hands while being replaced (${lock.untrusted}); try again`);
  if (lock === 'corrupt') {
    return new ListscrubError('E_LOCKED', `another listscrub run is creating the lock ${path}; if no run is active, delete it`);
  }
  const where = lock.hostname === osHostname() ? `pid ${lock.pid}` : `pid ${lock.pid} on ${lock.hostname}`;
  return new ListscrubError(
    'E_LOCKED',
    `another listscrub run (${where}, started ${lock.startedAt}) holds the lock ${path}; if no run is active, delete it`,
  );
}
