/**
 * Opening a file that must be a regular file (an input list, a job file, the DNS cache, the history,
 * a lock file) without ever blocking.
 *
 * A plain open() of a named pipe (FIFO) waits in a libuv threadpool thread until a writer appears,
 * which with a planted FIFO is never. Node cannot cancel that open, and process.exit() joins the
 * threadpool at exit, so not even a second SIGTERM ended the process. O_NONBLOCK makes the open of a
 * FIFO return at once (it has no effect on regular files); fstat on what was opened then tells what
 * it is, and anything but a regular file is refused.
 */
import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

const READ_NO_WAIT = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/** What a non-regular file is, in words for an error message. */
export function fileKind(info: Stats): string {
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  if (info.isDirectory()) return 'a directory';
  if (info.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/**
 * An error like the ones fs throws, so describeFsError and callers that look at `code` treat it
 * alike: EISDIR for a directory (as open+read would say), EFTYPE ("wrong file type") otherwise.
 */
function notRegularError(info: Stats): NodeJS.ErrnoException {
  const kind = fileKind(info);
  const code = info.isDirectory() ? 'EISDIR' : 'EFTYPE';
  return Object.assign(new Error(kind === 'a directory' ? 'is a directory' : `is ${kind}, not a regular file`), { code });
}

/** Open `path` for reading without blocking; throws (fs-style errors) unless it is a regular file. */
export async function openRegularFile(path: string): Promise<{ handle: FileHandle; info: Stats }> {
  const handle = await open(path, READ_NO_WAIT);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw notRegularError(info);
    return { handle, info };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/** The whole text of a regular file (see openRegularFile). */
export async function readRegularFile(path: string): Promise<{ text: string; info: Stats }> {
  const { handle, info } = await openRegularFile(path);
  try {
    return { text: await handle.readFile('utf8'), info };
  } finally {
    await handle.close();
  }
}
