/**
 * The progress line of `clean` on a terminal: rows, rows per second, the share of the input read
 * (bytes: the row count is not known ahead) and an estimate of the time left. Redrawn in place;
 * with TERM=dumb (no escape sequences) it is overwritten with a carriage return and padding.
 */
import type { Progress } from '../batch.js';
import { formatDuration } from '../jobs/history.js';

/** Width a dumb terminal's line is padded to, so a shorter line covers a longer one. */
const PLAIN_WIDTH = 72;

export function progressLine(progress: Progress, elapsedMs: number, ansi: boolean): string {
  const seconds = Math.max(elapsedMs / 1000, 0.001);
  const parts = [`${progress.rows.toLocaleString('en-US')} rows`, `${Math.round(progress.rows / seconds).toLocaleString('en-US')} rows/s`];
  if (progress.totalBytes) {
    const share = Math.min(1, progress.bytesRead / progress.totalBytes);
    parts.push(`${Math.floor(share * 100)}%`);
    // Too early, the estimate swings wildly: wait for 1% of the input.
    if (share >= 0.01 && share < 1) parts.push(`ETA ${formatDuration((elapsedMs / share) * (1 - share))}`);
  }
  const text = `  ${parts.join('  ')}`;
  return ansi ? `\r\u001b[2K${text}` : `\r${text.padEnd(PLAIN_WIDTH)}`;
}

/** What erases the progress line before the summary is printed. */
export function clearProgress(ansi: boolean): string {
  return ansi ? '\r\u001b[2K' : `\r${' '.repeat(PLAIN_WIDTH)}\r`;
}
