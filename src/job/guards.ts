/**
 * Step 5 of the job: the guards that keep a broken export, a shrunken list or a bad night from
 * replacing good outputs. The first that trips wins; the outputs are then aborted, not committed.
 */
import { constants as fsConstants } from 'node:fs';
import { open } from 'node:fs/promises';
import { bounceGuard, DEFAULT_MAX_BOUNCE_SHARE, type BounceEvidence } from '../bounces/load.js';
import type { JobPlan } from './plan.js';
import type { Tally } from './route.js';
import type { Guard, ScrubCsvOptions } from './types.js';

/** Default of maxShrink: a list that lost more than half its rows since the last good run. */
const DEFAULT_MAX_SHRINK = 0.5;

/** `records`: the input records (with --split, the rows less those the split made). */
export async function applyGuards(plan: JobPlan, tally: Tally, records: number, hasHeader: boolean, bounces: BounceEvidence | null): Promise<Guard | undefined> {
  const { options, outputPath } = plan;
  const run = { rows: tally.rows, records, removed: tally.removed, empty: tally.reasons.empty ?? 0, malformed: tally.statuses.malformed, outputPath, hasHeader };
  // A block-list incident read as dead mailboxes must not wipe a list either (--max-bounce-share).
  return (
    (await decideGuard(options, run)) ??
    (bounces === null ? undefined : bounceGuard(tally.reasons.bounced ?? 0, tally.rows, options.maxBounceShare ?? DEFAULT_MAX_BOUNCE_SHARE))
  );
}

const KEPT = 'the previous outputs were left untouched.';

/**
 * The guards, in order: an input with no data row (an empty or broken export) must not replace a
 * cleaned list that has rows; a list that shrank far below the last good run (--max-shrink, with
 * baselineRows); too many rows removed (--max-invalid-rate). The first that trips wins.
 */
async function decideGuard(
  options: ScrubCsvOptions,
  run: { rows: number; records: number; removed: number; empty: number; malformed: number; outputPath: string; hasHeader: boolean },
): Promise<Guard | undefined> {
  const dataRows = run.rows - run.malformed;
  if (dataRows === 0 && options.allowEmpty !== true && (await hasDataRows(run.outputPath, run.hasHeader))) {
    return {
      kind: 'empty_input',
      detail: `the input has no data rows (an empty or broken export?) and ${run.outputPath} has rows: ${KEPT} Pass --allow-empty (allowEmpty) to replace it with an empty list.`,
    };
  }
  const maxShrink = options.maxShrink ?? DEFAULT_MAX_SHRINK;
  const baseline = options.baselineRows;
  // Against the history's rows, which count input records (with --split, not the rows it made).
  if (baseline !== undefined && dataRows > 0 && run.records < baseline * (1 - maxShrink)) {
    const shrank = 1 - run.records / baseline;
    return {
      kind: 'max_shrink',
      maxShrink,
      baselineRows: baseline,
      rows: run.records,
      detail: `the list has ${run.records} rows, ${(shrank * 100).toFixed(1)}% fewer than the ${baseline} of the last successful run, above the --max-shrink of ${(maxShrink * 100).toFixed(1)}%; ${KEPT}`,
    };
  }
  // Empty email cells are not counted: a list with blank rows is not a broken export.
  const removedRate = run.rows === 0 ? 0 : (run.removed - run.empty) / run.rows;
  if (options.maxInvalidRate !== undefined && removedRate > options.maxInvalidRate) {
    return {
      kind: 'max_invalid_rate',
      maxInvalidRate: options.maxInvalidRate,
      removedRate,
      detail: `${(removedRate * 100).toFixed(1)}% of rows would be removed, above the --max-invalid-rate of ${(options.maxInvalidRate * 100).toFixed(1)}%; ${KEPT}`,
    };
  }
  return undefined;
}

/**
 * Whether an existing cleaned list holds at least one data row: a non-blank byte after its first
 * line (its header), or any non-blank byte without a header. Works on the bytes, so it holds for
 * every encoding listscrub writes. Standard output, a missing or special file: nothing to protect.
 */
async function hasDataRows(path: string, hasHeader: boolean): Promise<boolean> {
  if (path === '-') return false;
  let handle;
  try {
    handle = await open(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    if (!(await handle.stat()).isFile()) return false;
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, 0);
    let at = hasHeader ? buffer.indexOf(0x0a) : 0;
    if (at === -1 || at >= bytesRead) return false;
    for (; at < bytesRead; at++) if (!BLANK_BYTES.has(buffer[at] as number)) return true;
    return false;
  } finally {
    await handle.close();
  }
}

/** LF, CR, space, tab, and the zero byte of UTF-16 text. */
const BLANK_BYTES: ReadonlySet<number> = new Set([0x0a, 0x0d, 0x20, 0x09, 0x00]);

