/** Terminal formatting helpers: plain text, colour only on a TTY without NO_COLOR. */
import type { RowStatus } from '../types.js';

const STATUS_COLORS: Record<RowStatus, string> = {
  valid: '32', // green
  risky: '33', // yellow
  unknown: '36', // cyan
  invalid: '31', // red
  duplicate: '35', // magenta
  malformed: '31',
};

export function paintStatus(status: RowStatus, text: string, color: boolean): string {
  return color ? `\u001b[${STATUS_COLORS[status]}m${text}\u001b[0m` : text;
}

/** Render rows as left-aligned columns; the last column is not padded. */
export function formatTable(rows: string[][], paint?: (row: number, column: number, padded: string) => string): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row, r) =>
      row
        .map((cell, c) => {
          const padded = c === row.length - 1 ? cell : cell.padEnd(widths[c] ?? 0);
          return paint ? paint(r, c, padded) : padded;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Make a cell printable on one line: control characters become visible escapes. */
export function printable(text: string, max = 80): string {
  // eslint-disable-next-line no-control-regex
  const visible = text.replace(/[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (ch) =>
    `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return visible.length > max ? `${visible.slice(0, max - 1)}…` : visible;
}
