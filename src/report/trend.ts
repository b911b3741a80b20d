/**
 * The trend across runs, from the history file (`clean --history`): a section of the run page, and
 * the page of `listscrub history FILE --html OUT`. A broken export shows as a dip in rows or a jump in
 * the removed share, a bad DNS night as a jump in the unknown share, a failed run as a red column.
 */
import type { HistoryEntry, SkippedLine } from '../jobs/history.js';
import { formatDuration } from '../jobs/history.js';
import { count, document, paragraph, percent, section, table, TREND_COLORS, type CellInput } from './layout.js';
import { trendChart, type TrendPoint } from './svg.js';

/** Runs the trend shows. */
export const TREND_RUNS = 30;

function share(part: number | undefined, whole: number): number {
  return whole === 0 ? 0 : (part ?? 0) / whole;
}

/** "2026-11-30 06:00Z": minutes are precise enough to tell nightly runs apart. */
function shortTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')}Z` : iso;
}

function dnsWords(entry: HistoryEntry): string {
  if (entry.dns === null) return 'off';
  return entry.dns.healthy ? 'healthy' : 'UNHEALTHY';
}

function trendRow(entry: HistoryEntry, i: number): CellInput[] {
  return [
    { text: shortTime(entry.time), nowrap: true },
    { text: String(entry.exitCode), numeric: true, metric: `trend:${i}:exitCode` },
    { text: count(entry.rows), numeric: true, metric: `trend:${i}:rows` },
    { text: count(entry.removed), numeric: true, metric: `trend:${i}:removed` },
    { text: percent(entry.removed, entry.rows), numeric: true },
    { text: percent(entry.statuses.unknown ?? 0, entry.rows), numeric: true },
    dnsWords(entry),
    { text: formatDuration(entry.durationMs), numeric: true },
    entry.error ?? '',
  ];
}

/** The chart and its table for the newest TREND_RUNS entries (oldest first). */
export function trendSection(entries: readonly HistoryEntry[], heading = `Last ${TREND_RUNS} runs`): string {
  const runs = entries.slice(-TREND_RUNS);
  if (runs.length === 0) return section('trend', heading, paragraph('No runs recorded yet.'));
  const points: TrendPoint[] = runs.map((entry) => ({
    label: shortTime(entry.time),
    rows: entry.rows,
    removedShare: share(entry.removed, entry.rows),
    unknownShare: share(entry.statuses.unknown, entry.rows),
    exitCode: entry.exitCode,
  }));
  const failed = runs.filter((entry) => entry.exitCode !== 0).length;
  const legend =
    `<p class="meta"><span class="swatch" style="background:${TREND_COLORS.rows}"></span>rows per run ` +
    `(<span class="swatch" style="background:${TREND_COLORS.failed}"></span>exit code not 0, code above) · ` +
    `<span class="swatch" style="background:${TREND_COLORS.removed}"></span>removed share · ` +
    `<span class="swatch" style="background:${TREND_COLORS.unknown}"></span>unknown share</p>`;
  const body =
    paragraph(`${runs.length} run${runs.length === 1 ? '' : 's'}, oldest first; ${failed} with an exit code other than 0.`) +
    trendChart(`Rows, removed share and unknown share of the last ${runs.length} runs`, points, TREND_COLORS) +
    legend +
    table(
      'Runs, oldest first',
      ['time', { text: 'exit', numeric: true }, { text: 'rows', numeric: true }, { text: 'removed', numeric: true }, { text: 'removed %', numeric: true }, { text: 'unknown %', numeric: true }, 'DNS', { text: 'duration', numeric: true }, 'why not 0'],
      runs.map(trendRow),
      undefined,
      // Nine columns: on a phone the table scrolls sideways in its box rather than squeezing each column.
      'wide',
    );
  return section('trend', heading, body);
}

export interface HistoryPageData {
  /** The history file, as the user named it. */
  source: string;
  entries: readonly HistoryEntry[];
  /** Lines of the file that were not entries (reported, not fatal). */
  skipped: readonly SkippedLine[];
  generatedAt: Date;
}

/** The page of `listscrub history FILE --html OUT`. */
export function renderHistoryPage(data: HistoryPageData): string {
  const runs = data.entries.slice(-TREND_RUNS);
  const latest = runs[runs.length - 1];
  const headline =
    latest === undefined
      ? ''
      : `<p class="status-line${latest.exitCode === 0 ? '' : ' bad'}">Latest run ${shortTime(latest.time)}: ` +
        `exit code <span data-metric="latest:exitCode">${latest.exitCode}</span>, ${count(latest.rows)} rows, ` +
        `${percent(latest.removed, latest.rows)} removed, DNS ${dnsWords(latest)}.</p>`;
  const skipped =
    data.skipped.length === 0
      ? ''
      : section('skipped', 'Lines skipped', table('Lines of the history file that are not runs', [{ text: 'line', numeric: true }, 'why'], data.skipped.map((s) => [{ text: String(s.line), numeric: true }, s.reason])));
  const body =
    `<h1>listscrub history</h1>` +
    paragraph(`${data.source} · generated ${data.generatedAt.toISOString().slice(0, 19).replace('T', ' ')}Z`, 'meta') +
    headline +
    trendSection(runs) +
    skipped +
    `<footer>Made by listscrub history --html. Nothing on this page is loaded from anywhere.</footer>`;
  return document(`listscrub history: ${data.source}`, body);
}
