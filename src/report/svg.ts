/**
 * Inline SVG charts, drawn from data when the page is generated: no script, no library, nothing
 * fetched. Every chart has the same numbers in a table next to it (html.ts); the SVG is decoration
 * for the eye, with a <title> for screen readers. All text goes through escapeHtml.
 */
import { escapeHtml } from './escape.js';

export interface Bar {
  label: string;
  value: number;
  color: string;
}

const WIDTH = 640;
const LABEL_WIDTH = 170;
const VALUE_WIDTH = 70;
const BAR_HEIGHT = 20;
const GAP = 6;

/** Horizontal bars, one per item, scaled to the largest value. */
export function barChart(title: string, bars: readonly Bar[]): string {
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const height = Math.max(1, bars.length) * (BAR_HEIGHT + GAP);
  const rows = bars.map((bar, i) => {
    const y = i * (BAR_HEIGHT + GAP);
    const width = bar.value === 0 ? 0 : Math.max(2, (bar.value / max) * span);
    const middle = y + BAR_HEIGHT / 2 + 5;
    return (
      `<text x="${LABEL_WIDTH - 8}" y="${middle}" text-anchor="end">${escapeHtml(bar.label)}</text>` +
      `<rect x="${LABEL_WIDTH}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" rx="3" fill="${bar.color}"/>` +
      `<text x="${(LABEL_WIDTH + width + 6).toFixed(1)}" y="${middle}">${bar.value.toLocaleString('en-US')}</text>`
    );
  });
  return svg(title, height, rows.join(''));
}

export interface TrendPoint {
  /** Short label under the column (a date). */
  label: string;
  rows: number;
  /** Shares from 0 to 1. */
  removedShare: number;
  unknownShare: number;
  exitCode: number;
}

const TREND_ROWS_HEIGHT = 110;
const TREND_SHARE_HEIGHT = 110;
const TREND_LEFT = 48;

/**
 * Two panels over the same runs, oldest on the left: rows per run (bars, red when the run's exit code
 * was not 0, with the code above), then the removed and unknown shares (lines, 0-100%).
 */
export function trendChart(title: string, points: readonly TrendPoint[], colors: { removed: string; unknown: string; rows: string; failed: string }): string {
  const step = (WIDTH - TREND_LEFT - 10) / Math.max(1, points.length);
  const maxRows = Math.max(1, ...points.map((p) => p.rows));
  const shareTop = TREND_ROWS_HEIGHT + 40;
  const x = (i: number): number => TREND_LEFT + i * step + step / 2;
  const shareY = (share: number): number => shareTop + TREND_SHARE_HEIGHT * (1 - Math.min(1, Math.max(0, share)));
  const parts: string[] = [
    `<text x="0" y="12">rows (top: ${maxRows.toLocaleString('en-US')})</text><text x="0" y="${shareTop + 4}">100%</text><text x="0" y="${shareTop + TREND_SHARE_HEIGHT}">0%</text>`,
    `<line x1="${TREND_LEFT}" y1="${shareTop + TREND_SHARE_HEIGHT}" x2="${WIDTH}" y2="${shareTop + TREND_SHARE_HEIGHT}" stroke="#999"/>`,
  ];
  points.forEach((p, i) => {
    const height = (p.rows / maxRows) * (TREND_ROWS_HEIGHT - 30);
    const fill = p.exitCode === 0 ? colors.rows : colors.failed;
    const width = Math.min(step * 0.7, 36);
    parts.push(`<rect x="${(x(i) - width / 2).toFixed(1)}" y="${(TREND_ROWS_HEIGHT - height).toFixed(1)}" width="${width.toFixed(1)}" height="${height.toFixed(1)}" fill="${fill}"/>`);
    if (p.exitCode !== 0) parts.push(`<text x="${x(i).toFixed(1)}" y="${(TREND_ROWS_HEIGHT - height - 4).toFixed(1)}" text-anchor="middle" class="code">${p.exitCode}</text>`);
  });
  for (const [key, color] of [['removedShare', colors.removed], ['unknownShare', colors.unknown]] as const) {
    const line = points.map((p, i) => `${x(i).toFixed(1)},${shareY(p[key]).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${line}" fill="none" stroke="${color}" stroke-width="2.5"/>`);
    points.forEach((p, i) => parts.push(`<circle cx="${x(i).toFixed(1)}" cy="${shareY(p[key]).toFixed(1)}" r="3" fill="${color}"/>`));
  }
  const first = points[0];
  const last = points[points.length - 1];
  const axisY = shareTop + TREND_SHARE_HEIGHT + 18;
  if (first !== undefined) parts.push(`<text x="${TREND_LEFT}" y="${axisY}">${escapeHtml(first.label)}</text>`);
  if (last !== undefined && points.length > 1) parts.push(`<text x="${WIDTH}" y="${axisY}" text-anchor="end">${escapeHtml(last.label)}</text>`);
  return svg(title, axisY + 4, parts.join(''));
}

function svg(title: string, height: number, body: string): string {
  return (
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${Math.ceil(height)}" role="img" xmlns="http://www.w3.org/2000/svg">` +
    `<title>${escapeHtml(title)}</title>${body}</svg>`
  );
}
