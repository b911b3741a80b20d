/** File-system error codes in plain words, for the one-line messages users see instead of stacks. */
const CAUSES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EPIPE: 'the reading end was closed',
};

/**
 * Why a read or write failed, in words. ENOENT means a missing file when reading and a missing
 * directory when writing (the file itself is created), so the caller says which.
 */
export function describeFsError(error: unknown, whenMissing: 'no such file' | 'no such directory'): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return whenMissing;
  if (code !== undefined && CAUSES[code] !== undefined) return CAUSES[code];
  return error instanceof Error ? error.message : String(error);
}
