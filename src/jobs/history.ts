/**
 * Run history: one JSON line per run (JSON Lines), appended, never rewritten.
 *
 * Appending with O_APPEND in a single write means two runs finishing at once cannot interleave
 * their lines, and a crash can at worst leave one partial last line, which readHistory skips and
 * reports instead of failing: the history is for humans and must never stop a run.
 */
import { constants as fsConstants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { readRegularFile } from '../files/open-regular.js';
import { ListscrubError } from '../errors.js';

export interface HistoryEntry {
  /** When the run started, ISO 8601. */
  time: string;
  exitCode: number;
  durationMs: number;
  /** Data rows read. */
  rows: number;
  /** Rows written to the cleaned list. */
  kept: number;
  /** Rows left out of the cleaned list. */
  removed: number;
  /** Row count by status (valid, risky, invalid, unknown, duplicate, malformed). */
  statuses: Record<string, number>;
  /** Row count by reason code. */
  reasons: Record<string, number>;
  /** DNS health and work for the run; null when the run was offline (`dns: false`). */
  dns: { healthy: boolean; queries: number; cacheHits: number } | null;
  input: string;
  output: string;
  /** Why the exit code is not 0 (the error, the guard's or the DNS health's sentence); absent on success. */
  error?: string;
}

export interface SkippedLine {
  /** 1-based line number in the history file. */
  line: number;
  reason: string;
}

export interface HistoryRead {
  entries: HistoryEntry[];
  /** Lines that were not valid entries (a crash mid-write, a hand edit). */
  skipped: SkippedLine[];
}

/** Append one entry as one line, in one write. */
export async function appendHistory(path: string, entry: HistoryEntry): Promise<void> {
  const line = Buffer.from(`${JSON.stringify(entry)}\n`, 'utf8');
  let file;
  try {
    // Not redundant with O_NOFOLLOW below: for a link owned by another user in a sticky directory
    // others can write (a shared drop directory), Linux fails the O_CREAT open with EACCES, not
    // ELOOP, and the user would read "permission denied" instead of why (test/safety/outputs.test.ts).
    if ((await lstat(path).catch(() => null))?.isSymbolicLink()) throw Object.assign(new Error('link'), { code: 'ELOOP' });
    // Never through a link (another user's link would have us append to their target), never into
    // a pipe or device, private to the account that runs the job.
    file = await open(path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_APPEND | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK, 0o600);
    if (!(await file.stat()).isFile()) throw Object.assign(new Error('it is not a regular file'), { code: 'ESPECIAL' });
    let written = 0;
    // A regular file takes the whole buffer in one write; the loop only guards the odd short write.
    while (written < line.length) {
      const { bytesWritten } = await file.write(line, written, line.length - written);
      written += bytesWritten;
    }
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ELOOP' ? 'it is a symbolic link, which the history never follows' : (error as Error).message;
    throw new ListscrubError('E_OUTPUT', `cannot append to the history file ${path}: ${why}`, { cause: error });
  } finally {
    await file?.close();
  }
}

/** Read the history; a missing file is an empty history. `last` keeps only the newest n entries. */
export async function readHistory(path: string, options: { last?: number } = {}): Promise<HistoryRead> {
  let text: string;
  try {
    text = (await readRegularFile(path)).text; // never waits on a FIFO planted at the path
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], skipped: [] };
    throw new ListscrubError('E_INPUT', `cannot read the history file ${path}: ${(error as Error).message}`, { cause: error });
  }
  const entries: HistoryEntry[] = [];
  const skipped: SkippedLine[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      skipped.push({ line: index + 1, reason: 'not valid JSON' });
      return;
    }
    const problem = entryProblem(value);
    if (problem) skipped.push({ line: index + 1, reason: problem });
    else entries.push(value as HistoryEntry);
  });
  const last = options.last;
  return { entries: last !== undefined && last >= 0 ? entries.slice(Math.max(0, entries.length - last)) : entries, skipped };
}

/** Just enough checking that formatting cannot crash on a hand-edited line. */
function entryProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const v = value as Record<string, unknown>;
  if (typeof v.time !== 'string') return '"time" is missing';
  for (const key of ['exitCode', 'durationMs', 'rows', 'kept', 'removed']) {
    if (typeof v[key] !== 'number') return `"${key}" is not a number`;
  }
  for (const key of ['statuses', 'reasons']) {
    if (typeof v[key] !== 'object' || v[key] === null) return `"${key}" is not an object`;
  }
  if (v.dns !== null && (typeof v.dns !== 'object' || typeof (v.dns as Record<string, unknown>).healthy !== 'boolean')) {
    return '"dns" is not null or { healthy, queries, cacheHits }';
  }
  return null;
}

const COLUMNS = ['time', 'exit', 'rows', 'kept', 'removed', 'invalid', 'unknown', 'dns healthy', 'duration', 'input', 'error'] as const;
/** Text columns are left-aligned, counts right-aligned so digits line up. */
const LEFT_ALIGNED = new Set<string>(['time', 'dns healthy', 'input', 'error']);

/** A fixed-width plain-text table, oldest run first. No colour: the CLI may paint it. */
export function formatHistoryTable(entries: readonly HistoryEntry[]): string {
  if (entries.length === 0) return 'No runs recorded yet.';
  const rows: string[][] = entries.map((e) => [
    formatTime(e.time),
    String(e.exitCode),
    String(e.rows),
    String(e.kept),
    String(e.removed),
    String(e.statuses.invalid ?? 0),
    String(e.statuses.unknown ?? 0),
    e.dns === null ? 'offline' : e.dns.healthy ? 'yes' : 'no',
    formatDuration(e.durationMs),
    typeof e.input === 'string' ? e.input : '',
    // A failed run's error (nightly runs fail unattended: the table is where it is read).
    typeof e.error === 'string' ? e.error : '',
  ]);
  const all = [[...COLUMNS], ...rows];
  const widths = COLUMNS.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, c) => (LEFT_ALIGNED.has(COLUMNS[c] as string) ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** "2024-05-01T06:00:00.123Z" -> "2024-05-01 06:00:00Z": seconds are precise enough for a run log. */
function formatTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}Z` : iso;
}

/** 850ms, 12.3s, 4m05s, 2h03m. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m${String(totalSeconds % 60).padStart(2, '0')}s`;
  const totalMinutes = Math.round(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h${String(totalMinutes % 60).padStart(2, '0')}m`;
}
