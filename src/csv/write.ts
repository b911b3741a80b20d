/**
 * Writing: atomic files (temp file beside the target, fsync, rename), CSV formatting that keeps the
 * input's delimiter and quotes only where needed, and formula neutralization for report cells.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, createWriteStream } from 'node:fs';
import { lstat, open, readdir, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Transform, Writable, type TransformCallback } from 'node:stream';
import { Stringifier, type Options as StringifyOptions } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';
import { ListscrubError } from '../errors.js';
import { describeFsError } from './fs-error.js';

// ---------------------------------------------------------------------------------------------
// Atomic file writer

export interface AtomicWriter {
  /** Write the content here (strings are UTF-8). Do not end it yourself unless you then commit. */
  readonly stream: Writable;
  /** The target path ('-' for the injected stdout). */
  readonly path: string;
  /** The temp file being written, or null for stdout. */
  readonly tempPath: string | null;
  /** Finish writing, fsync and rename over the target. Rejects with E_OUTPUT (temp removed). */
  commit(): Promise<void>;
  /** Discard: destroy the stream and remove the temp file; the target is untouched. Idempotent. */
  abort(reason?: unknown): Promise<void>;
}

export interface AtomicWriterOptions {
  /** Where '-' writes (the CLI passes process.stdout). It is never ended. */
  stdout?: Writable;
  /**
   * Permission bits of a new file (before the umask); default 0o666. Outputs pass the input's
   * (outputModeFor), state files 0o600. An existing file of ours keeps its mode where narrower.
   */
  mode?: number;
}

/** What stands at an output path, once the rules below say it may be written. */
type OutputTarget =
  | { kind: 'absent'; path: string }
  | { kind: 'regular'; path: string; mode: number; ownedByUs: boolean }
  | { kind: 'special'; path: string };

/** The effective uid (null where there is none, e.g. Windows). */
function ourUid(): number | null {
  return typeof process.geteuid === 'function' ? process.geteuid() : null;
}

/**
 * Decide whether `path` may be written, and what is there. Refused (E_OUTPUT, naming the path and
 * why), as a run as root in a directory others can write must not be turned against its owner:
 * - a symbolic link in a directory others can write, owned by neither us nor the directory's owner
 *   (the kernel's protected_symlinks rule): another user planted it to point us at their target;
 * - anything but a regular file (a named pipe, a device, a socket), unless the user named it
 *   explicitly as a device under /dev (/dev/null, /dev/stdout) or it is a named pipe of their own
 *   named directly: a pipe another user planted at an output path would hand every row to whoever
 *   reads it. '-' never comes here.
 * A link we may follow is followed: its target is replaced and the link kept.
 */
export async function inspectOutputTarget(targetPath: string): Promise<OutputTarget> {
  const given = resolve(targetPath);
  const refuse = (why: string): never => {
    throw new ListscrubError('E_OUTPUT', `refusing to write ${targetPath}: ${why}; nothing was written.`);
  };
  let link: Stats;
  try {
    link = await lstat(given);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent', path: given };
    throw outputError(targetPath, error);
  }
  const uid = ourUid();
  if (link.isSymbolicLink()) {
    const dir = await stat(dirname(given)).catch(() => null);
    const othersCanWrite = dir !== null && (dir.mode & 0o002) !== 0;
    if (othersCanWrite && uid !== null && link.uid !== uid && link.uid !== dir.uid) {
      refuse(`it is a symbolic link owned by another user (uid ${link.uid}) in ${dirname(given)}, a directory others can write`);
    }
  }
  let found: Stats;
  try {
    found = await stat(given);
  } catch (error) {
    // A dangling link: the new file replaces the link itself, never its missing target.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent', path: given };
    throw outputError(targetPath, error);
  }
  if (found.isDirectory()) throw outputError(targetPath, Object.assign(new Error('is a directory'), { code: 'EISDIR' }));
  if (!found.isFile()) {
    // A device named under /dev, or a pipe the user made (theirs, named directly): written in place.
    const ourPipe = found.isFIFO() && !link.isSymbolicLink() && (uid === null || found.uid === uid);
    if (!(targetPath.startsWith('/dev/') || ourPipe)) {
      refuse(`it is ${describeSpecial(found)}${link.isSymbolicLink() ? ' reached through a symbolic link' : ''}, not a regular file (outputs go to regular files, "-", a device named under /dev such as /dev/null, or a named pipe of your own)`);
    }
    return { kind: 'special', path: given };
  }
  return { kind: 'regular', path: await realpath(given), mode: found.mode & 0o777, ownedByUs: uid === null || found.uid === uid };
}

function describeSpecial(found: Stats): string {
  if (found.isFIFO()) return 'a named pipe (FIFO)';
  if (found.isCharacterDevice() || found.isBlockDevice()) return 'a device';
  if (found.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The mode for the files a run writes from its input: the input's permission bits (read and write
 * only), so a 0600 list never becomes a 0644 cleaned list; 0600 for standard input.
 */
export async function outputModeFor(input: string): Promise<number> {
  if (input === '-') return 0o600;
  return stat(input).then(
    (found) => (found.isFile() ? found.mode & 0o666 : 0o600),
    () => 0o600,
  );
}


const TEMP_SUFFIX = '.tmp';

/** The temp-file name for a target: `.<name>.<pid>.<random>.tmp`, in the target's directory. */
export function tempFileName(name: string, pid: number = process.pid): string {
  return `.${name}.${pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
}

/** An error met while writing `path` ('-' for stdout), as E_OUTPUT with a plain-English cause. */
export function outputError(path: string, error: unknown): ListscrubError {
  if (error instanceof ListscrubError) return error;
  const label = path === '-' ? 'standard output' : path;
  return new ListscrubError('E_OUTPUT', `cannot write ${label}: ${describeFsError(error, 'no such directory')}`, { cause: error });
}

/** Wait until everything written to `stream` is flushed; fail with the first error it reported. */
async function finishWriting(stream: Writable, firstError: () => Error | null): Promise<void> {
  const before = firstError();
  if (before !== null) throw before;
  await waitFinished(stream);
  const after = firstError();
  if (after !== null) throw after;
}

function waitFinished(stream: Writable): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    if (stream.writableFinished) return resolvePromise();
    const errored = (stream as Writable & { errored?: Error | null }).errored;
    if (errored) return reject(errored);
    if (stream.destroyed) return reject(new Error('the stream was destroyed before it finished'));
    const onFinish = () => {
      cleanup();
      resolvePromise();
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      if (stream.writableFinished) resolvePromise();
      else reject(new Error('the stream was closed before it finished'));
    };
    const cleanup = () => {
      stream.off('finish', onFinish);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    stream.on('finish', onFinish);
    stream.on('error', onError);
    stream.on('close', onClose);
    if (!stream.writableEnded) stream.end();
  });
}

/**
 * Open an atomic writer for `targetPath`. Content goes to a temp file beside the target
 * (`.<name>.<pid>.<random>.tmp`, created exclusively, with the target's permissions when it exists);
 * commit() fsyncs and renames it over the target, abort() removes it. Under the target name there is
 * only ever the old file or the complete new one. '-' writes to `options.stdout` (never ended; no
 * atomicity is possible there).
 *
 * A symlink is followed: the file it points to is replaced and the link is kept. A target that
 * exists and is not a regular file (/dev/null, /dev/stdout, a named pipe) is written in place:
 * renaming a temp file over it would replace the device or pipe itself with a regular file (as root,
 * `-r /dev/null` did exactly that to /dev/null), and a reader of the pipe would never see the data.
 */
export async function createAtomicFileWriter(
  targetPath: string,
  options: AtomicWriterOptions = {},
): Promise<AtomicWriter> {
  if (targetPath === '-') return createStdoutWriter(options.stdout);
  const found = await inspectOutputTarget(targetPath);
  if (found.kind === 'special') return createInPlaceWriter(targetPath, found.path);
  const target = found.path;
  const wanted = options.mode ?? 0o666;
  // An existing file of ours keeps its (narrower) mode; another user's file is never adopted.
  const adopt = found.kind === 'regular' && found.ownedByUs;
  const mode = adopt ? found.mode & wanted : wanted;
  const dir = dirname(target);
  const name = basename(target);
  const tempPath = join(dir, tempFileName(name));
  let handle: FileHandle;
  try {
    // Never reuse an existing file, never follow a link; the mode goes through the umask.
    handle = await open(tempPath, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW, mode);
  } catch (error) {
    throw outputError(targetPath, error);
  }
  if (adopt) await handle.chmod(mode).catch(() => undefined);
  const stream = handle.createWriteStream({ autoClose: false, highWaterMark: 64 * 1024 });
  let streamError: Error | null = null;
  stream.on('error', (error) => {
    streamError ??= error;
  });

  let state: 'open' | 'committing' | 'committed' | 'aborted' = 'open';
  let handleClosed = false;
  // FileHandle.close() waits for the streams made from it: release the stream first.
  const closeHandle = async () => {
    if (handleClosed) return;
    handleClosed = true;
    if (!stream.closed) {
      const closed = new Promise<void>((resolveClose) => stream.once('close', () => resolveClose()));
      stream.destroy();
      await closed;
    }
    await handle.close();
  };
  const removeTemp = async () => {
    await closeHandle().catch(() => undefined);
    await unlink(tempPath).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  };

  return {
    stream,
    path: targetPath,
    tempPath,
    async commit() {
      if (state !== 'open') throw new ListscrubError('E_OUTPUT', `cannot commit ${targetPath}: the writer is ${state}`);
      state = 'committing';
      try {
        await finishWriting(stream, () => streamError);
        await handle.sync();
        // A stream made from a FileHandle holds a reference on it: FileHandle.close() waits until the
        // stream is closed too (autoClose is off, so this does not close the descriptor itself).
        if (!stream.closed) {
          const closed = new Promise<void>((done) => stream.once('close', () => done()));
          stream.destroy();
          await closed;
        }
        await closeHandle();
        await rename(tempPath, target);
        state = 'committed';
      } catch (error) {
        state = 'aborted';
        await removeTemp().catch(() => undefined);
        throw outputError(targetPath, error);
      }
      // Make the rename durable; not all platforms can fsync a directory.
      try {
        const dirHandle = await open(dir, 'r');
        try {
          await dirHandle.sync();
        } finally {
          await dirHandle.close();
        }
      } catch {
        // best effort
      }
    },
    async abort() {
      if (state === 'committed' || state === 'aborted') return;
      state = 'aborted';
      await removeTemp().catch(() => undefined);
    },
  };
}

/** True when `path` exists and is neither a regular file nor a directory (a device, pipe or socket). */
export async function isSpecialFile(path: string): Promise<boolean> {
  if (path === '-') return false;
  return stat(path).then(
    (s) => !s.isFile() && !s.isDirectory(),
    () => false,
  );
}

/**
 * A target that is not a regular file (/dev/null, /dev/stdout, a named pipe): written in place, like
 * standard output. No temp file and no rename; commit() ends the stream and reports its errors.
 */
function createInPlaceWriter(targetPath: string, target: string): AtomicWriter {
  const stream = createWriteStream(target, { flags: 'w', highWaterMark: 64 * 1024 });
  let streamError: Error | null = null;
  stream.on('error', (error) => {
    streamError ??= error;
  });
  let state: 'open' | 'committing' | 'committed' | 'aborted' = 'open';
  return {
    stream,
    path: targetPath,
    tempPath: null,
    async commit() {
      if (state !== 'open') throw new ListscrubError('E_OUTPUT', `cannot commit ${targetPath}: the writer is ${state}`);
      state = 'committing';
      try {
        await finishWriting(stream, () => streamError);
        state = 'committed';
      } catch (error) {
        state = 'aborted';
        stream.destroy();
        throw outputError(targetPath, error);
      }
    },
    async abort() {
      if (state === 'committed' || state === 'aborted') return;
      state = 'aborted';
      stream.destroy();
    },
  };
}

function createStdoutWriter(stdout: Writable | undefined): AtomicWriter {
  if (stdout === undefined) throw new ListscrubError('E_OPTION', "output '-' needs a stdout stream");
  let targetError: Error | null = null;
  const onTargetError = (error: Error) => {
    targetError = error;
    stream.destroy(outputError('-', error));
  };
  stdout.on('error', onTargetError);
  // Forwards with backpressure and never ends the target.
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, encoding: BufferEncoding, callback) {
      if (targetError !== null) return callback(outputError('-', targetError));
      const ok = typeof chunk === 'string' ? stdout.write(chunk, encoding) : stdout.write(chunk);
      if (ok) callback();
      else stdout.once('drain', () => callback());
    },
    final(callback) {
      callback(targetError === null ? null : outputError('-', targetError));
    },
  });
  stream.on('error', () => undefined); // reported by commit()
  let state: 'open' | 'committed' | 'aborted' = 'open';
  return {
    stream,
    path: '-',
    tempPath: null,
    async commit() {
      if (state !== 'open') throw new ListscrubError('E_OUTPUT', `cannot commit standard output: the writer is ${state}`);
      try {
        await waitFinished(stream);
        state = 'committed';
      } catch (error) {
        state = 'aborted';
        throw outputError('-', targetError ?? error);
      } finally {
        stdout.off('error', onTargetError);
      }
    },
    async abort() {
      if (state !== 'open') return;
      state = 'aborted';
      stream.destroy();
      stdout.off('error', onTargetError);
    },
  };
}

/**
 * Remove temp files of `name` left in `dir` by processes that no longer run (a crash or kill -9
 * between open and commit). Files of live processes, including this one, are kept. Returns the
 * removed paths.
 */
export async function cleanStaleTempFiles(
  dir: string,
  name: string,
  options: { isAlive?: (pid: number) => boolean; ownPid?: number } = {},
): Promise<string[]> {
  const isAlive = options.isAlive ?? processIsAlive;
  const ownPid = options.ownPid ?? process.pid;
  const pattern = new RegExp(`^\\.${escapeRegExp(name)}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    const match = pattern.exec(entry);
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid === ownPid || isAlive(pid)) continue;
    const path = join(dir, entry);
    try {
      await unlink(path);
      removed.push(path);
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// CSV formatting

export interface CsvWriterOptions {
  /** Written first when given. */
  header?: readonly string[] | null;
  /** One character; default ','. Use the input's delimiter to keep the format. */
  delimiter?: string;
  /** Default '\n'. Use the input's line ending to keep the format. */
  lineEnding?: '\n' | '\r\n' | '\r';
  /** Start with a UTF-8 byte-order mark (for spreadsheets). Default false. */
  bom?: boolean;
}

/**
 * csv-stringify, set up so that what openCsvInput reads back is the same values: quotes only where
 * needed (delimiter, quote, CR or LF inside; csv-stringify's default), plus the two cases where an
 * unquoted cell would not survive reading: a record that is one blank cell (it would read as a blank
 * line) and a cell starting with U+FEFF (it would read as a byte-order mark at the start of a file).
 */
class RoundTripStringifier extends Stringifier {
  /** Set while a one-cell record is being formatted. */
  loneCell = false;

  override _transform(chunk: unknown, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.loneCell = Array.isArray(chunk) && chunk.length === 1;
    super._transform(chunk, encoding, callback);
  }
}

function csvWriterOptions(options: CsvWriterOptions, loneCell: () => boolean): StringifyOptions {
  const delimiter = options.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new ListscrubError('E_OPTION', `invalid output delimiter ${JSON.stringify(delimiter)}`);
  }
  return {
    delimiter,
    record_delimiter: options.lineEnding ?? '\n',
    // csv-stringify turns this off whenever record_delimiter is given; CR or LF in a value must be quoted.
    quote_record_delimiter: true,
    quote: '"',
    escape: '"',
    bom: options.bom ?? false,
    quoted_match: /^\uFEFF/,
    cast: {
      string: (value: string) =>
        loneCell() && /^[ \t]*$/.test(value)
          ? ({ value, quoted: true, quoted_empty: true } as unknown as string)
          : value,
    },
  };
}

export function createCsvWriter(options: CsvWriterOptions = {}): Stringifier {
  let writer: RoundTripStringifier | null = null;
  const stringifyOptions = csvWriterOptions(options, () => writer?.loneCell === true);
  writer = new RoundTripStringifier(stringifyOptions);
  if (options.header !== undefined && options.header !== null) writer.write([...options.header]);
  return writer;
}

const BOM_UTF8 = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The same CSV as createCsvWriter(), byte for byte, but written a batch of records at a time: each
 * write() takes an array of records (string arrays) and pushes one string, formatted by
 * csv-stringify's sync API with the same options. A stream hop and a pushed chunk per batch instead
 * of per record: on a 1M-row list the per-record Stringifier cost ~1.5 s of CPU (its Transform, the
 * pushed chunk per record, one file-stream write per record).
 */
export class CsvBatchWriter extends Transform {
  /** The batch being formatted: the cast looks up whether its record is a one-cell record. */
  private current: readonly (readonly unknown[])[] = [];
  /** For batches with a cell that needs the round-trip rules (see needsRoundTripRules). */
  private readonly stringifyOptions: StringifyOptions;
  /**
   * For all other batches: the same options without the cast and quoted_match, which csv-stringify
   * would otherwise run on every cell (a function call and a regex test each, ~0.3 s per million
   * 5-column rows) to change nothing.
   */
  private readonly plainOptions: StringifyOptions;
  private readonly bom: boolean;
  private started = false;

  constructor(options: CsvWriterOptions = {}) {
    super({ writableObjectMode: true });
    // context.records is the record's position in the array given to one stringifySync() call.
    this.stringifyOptions = csvWriterOptions({ ...options, bom: false }, () => false);
    this.stringifyOptions.cast = {
      string: (value: string, context: { records: number }) =>
        this.current[context.records]?.length === 1 && /^[ \t]*$/.test(value)
          ? ({ value, quoted: true, quoted_empty: true } as unknown as string)
          : value,
    };
    const { cast: _cast, quoted_match: _quotedMatch, ...plain } = this.stringifyOptions;
    this.plainOptions = plain;
    this.bom = options.bom ?? false;
    if (options.header !== undefined && options.header !== null) this.write([[...options.header]]);
  }

  override _transform(batch: unknown[][], _encoding: BufferEncoding, callback: TransformCallback): void {
    if (batch.length === 0) return callback();
    let text: string;
    try {
      this.current = batch;
      text = stringifySync(batch, needsRoundTripRules(batch) ? this.stringifyOptions : this.plainOptions);
    } catch (error) {
      return callback(error as Error);
    } finally {
      this.current = [];
    }
    if (!this.started) {
      this.started = true;
      if (this.bom) this.push(BOM_UTF8);
    }
    callback(null, text);
  }

  override _flush(callback: TransformCallback): void {
    if (!this.started && this.bom) this.push(BOM_UTF8);
    callback();
  }
}

/** Whether a batch holds a one-cell record or a cell starting with U+FEFF (csvWriterOptions' two rules). */
function needsRoundTripRules(batch: readonly (readonly unknown[])[]): boolean {
  for (let r = 0; r < batch.length; r++) {
    const record = batch[r]!;
    if (record.length === 1) return true;
    for (let c = 0; c < record.length; c++) {
      const cell = record[c];
      if (typeof cell !== 'string' || cell.charCodeAt(0) === 0xfeff) return true;
    }
  }
  return false;
}

export function createCsvBatchWriter(options: CsvWriterOptions = {}): CsvBatchWriter {
  return new CsvBatchWriter(options);
}

/**
 * OWASP CSV injection: a cell starting with `=`, `+`, `-`, `@`, tab or CR (or their full-width forms)
 * could run as a formula in a spreadsheet; prefix it with `'`. For the report only: the cleaned list
 * keeps the values exactly as they were.
 */
export function neutralizeFormula(cell: string): string {
  return FORMULA_START.has(cell.charCodeAt(0)) ? `'${cell}` : cell;
}

/** = + - @ tab CR and the full-width = + - @ (a Set of char codes: no regex run per report cell). */
const FORMULA_START: ReadonlySet<number> = new Set([0x3d, 0x2b, 0x2d, 0x40, 0x09, 0x0d, 0xff1d, 0xff0b, 0xff0d, 0xff20]);
