/**
 * Several email columns (`--column "Work Email,Personal Email"`). A row is a contact: it is kept
 * when at least one of its checked cells holds a deliverable or unchecked address, and removed only
 * when every non-empty cell is invalid. Pure functions: the scrub stream checks the cells and
 * combines them; the router combines them again after bounces and written repairs change a cell.
 */
import type { CellVerdict, RowVerdict, Status, Verdict } from './types.js';

/** Best first: a row is as good as its best cell. Unknown outranks invalid (rule 1, per cell). */
const RANK: Record<Status, number> = { valid: 3, risky: 2, unknown: 1, invalid: 0 };

/** A cell to check: where it is, how the detail names it, and its text. */
export interface CellToCheck {
  column: string | number;
  label: string;
  text: string;
}

/**
 * Check every cell with the same checker (one scrubber: its DNS cache and limits are shared), in
 * column order; a value when every cell answered at once, else one promise.
 */
export function checkCells(
  evaluate: (input: string) => Verdict | Promise<Verdict>,
  cells: readonly CellToCheck[],
): RowVerdict | Promise<RowVerdict> {
  const results = cells.map((cell) => evaluate(cell.text));
  const asCells = (verdicts: readonly Verdict[]): CellVerdict[] =>
    cells.map(({ column, label }, at) => ({ column, label, verdict: verdicts[at] as Verdict }));
  if (!results.some(isPromise)) return combineCells(asCells(results as Verdict[]));
  return Promise.all(results).then((verdicts) => combineCells(asCells(verdicts)));
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Partial<Promise<T>>).then === 'function';
}

/**
 * The row's verdict: the best cell's (valid > risky > unknown > invalid; the first of equals),
 * ignoring empty cells unless all are empty. Its detail names every column's verdict.
 */
export function combineCells(cells: readonly CellVerdict[]): RowVerdict {
  if (cells.length === 0) throw new Error('combineCells needs at least one cell');
  const filled = cells.filter((cell) => cell.verdict.reason !== 'empty');
  const pool = filled.length === 0 ? cells : filled;
  let best = pool[0] as CellVerdict;
  for (const cell of pool) if (RANK[cell.verdict.status] > RANK[best.verdict.status]) best = cell;
  return { ...best.verdict, detail: cellsDetail(cells), cells: [...cells] };
}

/** "Work Email: valid; Personal Email: invalid (domain_not_found): The domain ... does not exist." */
export function cellsDetail(cells: readonly CellVerdict[]): string {
  const parts = cells.map(({ label, verdict }) => {
    if (verdict.reason === 'empty') return `${label}: empty`;
    if (verdict.reason === 'ok') return `${label}: ${verdict.status}`;
    return `${label}: ${verdict.status} (${verdict.reason}): ${verdict.detail.replace(/\.$/, '')}`;
  });
  return `${parts.join('; ')}.`;
}

/**
 * Apply `change` to each cell of a row checked in several columns and combine again; to the verdict
 * itself otherwise. `change` keeps an address status an address status (bounce evidence makes a cell
 * invalid; a written repair makes it valid), so a cell stays a Verdict.
 */
export function eachCell(verdict: RowVerdict, change: (cell: RowVerdict) => RowVerdict): RowVerdict {
  if (verdict.cells === undefined) return change(verdict);
  return combineCells(verdict.cells.map((cell) => ({ ...cell, verdict: change(cell.verdict) as Verdict })));
}

/**
 * The address a row is deduplicated on: with several columns, the first checked cell that holds an
 * address (whatever its verdict), so that which rows are duplicates never depends on DNS answers.
 */
export function dedupeAddress(verdict: RowVerdict): string | null {
  if (verdict.cells === undefined) return verdict.address;
  return firstAddressCell(verdict)?.verdict.address ?? null;
}

/** The first cell holding an address, of a row checked in several columns. */
export function firstAddressCell(verdict: RowVerdict): CellVerdict | undefined {
  return verdict.cells?.find((cell) => cell.verdict.address !== null);
}

/** Whether some cell of the row could not be checked: then no --drop policy removes the row. */
export function hasUncheckedCell(verdict: RowVerdict): boolean {
  return verdict.cells !== undefined && verdict.cells.some((cell) => cell.verdict.status === 'unknown');
}
