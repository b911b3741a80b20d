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

/**
 * Characters a terminal may act on instead of showing: C0 controls (ESC starts every escape
 * sequence; CR and BS overwrite what was printed), DEL, C1 controls (U+009B is a one-character CSI
 * and U+009D an OSC on terminals that honour 8-bit controls), line and paragraph separators, and the
 * bidi overrides that reorder what is shown. Anything from a file, an address or the environment may
 * hold them.
 */
// eslint-disable-next-line no-control-regex
const TERMINAL_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// JSON.stringify already escapes C0 controls (and the pretty-printer's own line breaks must stay).
const JSON_UNSAFE = /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escapeChar = (ch: string): string => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * The one sanitizer for text that reaches a terminal: every unsafe character becomes a visible
 * `\uXXXX`, so the text stays on one line and cannot drive the terminal. Applied to each value
 * where it is interpolated, never to our own layout (line breaks, colours).
 */
export function terminalSafe(text: string): string {
  return text.replace(TERMINAL_UNSAFE, escapeChar);
}

/** Each line of a text block made terminal-safe; the line breaks themselves are kept. */
export function terminalSafeLines(text: string): string {
  return text.split('\n').map(terminalSafe).join('\n');
}

/**
 * JSON text made terminal-safe: C1 and bidi controls inside strings become \u escapes, which JSON
 * reads back as the same characters. The result parses to the same value.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(JSON_UNSAFE, escapeChar);
}

/** Make a cell printable on one line (see terminalSafe), cut to `max` characters. */
export function printable(text: string, max = 80): string {
  const visible = terminalSafe(text);
  return visible.length > max ? `${visible.slice(0, max - 1)}…` : visible;
}
