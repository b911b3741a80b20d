/**
 * The run page of `clean --html FILE`: one self-contained HTML document from the run's summary and
 * the insights collected while routing rows. Statuses and reasons come from ROW_STATUSES,
 * REASON_CODES and REASONS, so a status or reason added there shows here with no change.
 */
import { basename } from 'node:path';
import type { HistoryEntry } from '../jobs/history.js';
import { formatDuration } from '../jobs/history.js';
import { REASON_CODES, ROW_STATUSES } from '../types.js';
import { REASONS, type ReasonInfo } from '../verdict.js';
import { escapeHtml } from './escape.js';
import type { ReportInsights } from './insights.js';
import { count, document, paragraph, percent, section, statusColor, table, type CellInput } from './layout.js';
import { barChart } from './svg.js';
import { trendSection, TREND_RUNS } from './trend.js';

/** What the page reads from the run's Summary (src/batch.ts), kept structural to avoid an import cycle. */
export interface RunSummary {
  rows: number;
  kept: number;
  removed: number;
  statuses: Record<string, number>;
  reasons: Partial<Record<string, number>>;
  dns: { enabled: boolean; healthy: boolean; detail: string; queries: number; domains: number; cacheHits: number };
  durationMs: number;
  input: string;
  output: string | null;
  report: string | null;
  guard?: { detail: string };
  warnings: string[];
}

export interface RunPageData {
  summary: RunSummary;
  insights: ReportInsights;
  startedAt: Date;
  /** Earlier runs, oldest first (from the history file): the trend shows them and this run. */
  history?: readonly HistoryEntry[];
}

/** The exit code `listscrub clean` gives a finished run (see its help): the page shows it in the trend. */
export function exitCodeOfRun(summary: RunSummary): number {
  if (summary.guard !== undefined) return 4;
  return summary.dns.enabled && !summary.dns.healthy ? 3 : 0;
}

function card(value: string, label: string, metric: string): string {
  return `<div class="card"><span class="value" data-metric="${metric}">${escapeHtml(value)}</span><span class="label">${escapeHtml(label)}</span></div>`;
}

function statusLine(text: string, level: 'ok' | 'warn' | 'bad'): string {
  return `<p class="status-line${level === 'ok' ? '' : ` ${level}`}">${escapeHtml(text)}</p>`;
}

function dnsInWords(dns: RunSummary['dns']): { text: string; level: 'ok' | 'warn' | 'bad' } {
  if (!dns.enabled) return { text: 'DNS: off (--no-dns). Domains were not checked; only syntax and policy were.', level: 'warn' };
  if (!dns.healthy) return { text: `DNS: UNHEALTHY. ${dns.detail} No address was removed because of DNS.`, level: 'bad' };
  return { text: `DNS: healthy. ${count(dns.queries)} queries for ${count(dns.domains)} domains, ${count(dns.cacheHits)} answers from the cache.`, level: 'ok' };
}

function headline(s: RunSummary): string {
  const dns = dnsInWords(s.dns);
  const outputs =
    s.guard !== undefined
      ? statusLine(`NOT REPLACED: ${s.guard.detail}`, 'bad')
      : statusLine(`Cleaned list: ${s.output ?? '(none)'} · report: ${s.report ?? '(none)'}`, 'ok');
  const warnings = s.warnings.map((warning) => statusLine(`Warning: ${warning}`, 'warn')).join('');
  return (
    `<div class="cards">${card(count(s.rows), 'rows in', 'rows')}${card(count(s.kept), 'kept', 'kept')}${card(count(s.removed), 'removed', 'removed')}` +
    `${card(percent(s.removed, s.rows), 'removed share', 'removedShare')}${card(formatDuration(s.durationMs), 'run time', 'duration')}</div>` +
    statusLine(dns.text, dns.level) +
    outputs +
    warnings
  );
}

function statusesSection(s: RunSummary): string {
  // Statuses added to the summary but not yet to ROW_STATUSES still show, after the known ones.
  const statuses = [...new Set([...ROW_STATUSES, ...Object.keys(s.statuses)])];
  const chart = barChart('Rows by status', statuses.map((status) => ({ label: status, value: s.statuses[status] ?? 0, color: statusColor(status) })));
  const rows: CellInput[][] = statuses.map((status) => [
    `${status}`,
    { text: count(s.statuses[status] ?? 0), numeric: true, metric: `status:${status}` },
    { text: percent(s.statuses[status] ?? 0, s.rows), numeric: true },
  ]);
  return section('statuses', 'Statuses', chart + table('Rows by status', ['status', { text: 'rows', numeric: true }, { text: 'share', numeric: true }], rows, ['total', { text: count(s.rows), numeric: true }, { text: '100.0%', numeric: true }]));
}

function reasonInfo(reason: string): ReasonInfo | undefined {
  return (REASONS as Partial<Record<string, ReasonInfo>>)[reason];
}

function reasonsSection(s: RunSummary): string {
  const reasons = [...new Set<string>([...REASON_CODES, ...Object.keys(s.reasons)])].filter((reason) => (s.reasons[reason] ?? 0) > 0);
  const bars = reasons.map((reason) => ({ label: reason, value: s.reasons[reason] ?? 0, color: statusColor(reasonInfo(reason)?.status ?? '') }));
  const rows: CellInput[][] = reasons.map((reason) => {
    const info = reasonInfo(reason);
    return [
      { text: reason, code: true },
      info?.status ?? '',
      { text: count(s.reasons[reason] ?? 0), numeric: true, metric: `reason:${reason}` },
      info?.bounce ?? '',
      info?.summary ?? '',
      info?.fix ?? '',
    ];
  });
  const body =
    reasons.length === 0
      ? paragraph('No rows.')
      : barChart('Rows by reason', bars) + table('Rows by reason, with the bounce code a receiving server would most likely give and what to do', ['reason', 'status', { text: 'rows', numeric: true }, 'bounce', 'meaning', 'fix'], rows);
  return section('reasons', 'Reasons', body);
}

function totals(shown: number, keys: number, rows: number, noun: string, approximate: boolean): string {
  const about = approximate ? ' (a very long tail: the rarest were not kept, so counts may be a little low)' : '';
  return `Top ${count(shown)} of ${approximate ? 'at least ' : ''}${count(keys)} ${noun}, ${count(rows)} rows in all${about}.`;
}

function domainsSection(insights: ReportInsights): string {
  const { top, keys, rows, approximate } = insights.domains;
  if (top.length === 0) return section('domains', 'Domains that cost the most rows', paragraph('No row was flagged because of its domain.'));
  const body =
    paragraph(totals(top.length, keys, rows, 'domains', approximate), 'meta') +
    table(
      'Domains whose rows were flagged because of the domain (DNS, disposable, typo, ...), most rows first',
      ['domain', { text: 'rows', numeric: true }, 'reasons', 'evidence'],
      top.map((d) => [{ text: d.domain, raw: true }, { text: count(d.rows), numeric: true, metric: `domain:${d.domain}` }, d.reasons.map((r) => `${r.reason} ×${count(r.rows)}`).join(", "), { text: d.evidence, raw: true }]),
      ['total', { text: count(rows), numeric: true, metric: 'domains:rows' }, '', ''],
    );
  return section('domains', 'Domains that cost the most rows', body);
}

function suggestionsSection(insights: ReportInsights): string {
  const { top, keys, rows, approximate } = insights.suggestions;
  if (top.length === 0) return section('suggestions', 'Typo suggestions', paragraph('No suggestion: no address looked like a misspelling.'));
  const body =
    paragraph(totals(top.length, keys, rows, 'suggestions', approximate), 'meta') +
    paragraph('Check each with the subscriber before replacing the address; the report CSV lists every row with its suggestion.') +
    table(
      'Suggested corrections, most rows first',
      ['as written', 'suggested', { text: 'rows', numeric: true }, 'for example'],
      top.map((g) => [{ text: g.from, raw: true, code: true }, { text: g.to, raw: true, code: true }, { text: count(g.rows), numeric: true, metric: `suggestion:${g.from}` }, { text: g.example, raw: true, code: true }]),
      ['total', '', { text: count(rows), numeric: true, metric: 'suggestions:rows' }, ''],
    );
  return section('suggestions', 'Typo suggestions', body);
}

function malformedSection(insights: ReportInsights): string {
  const { first, rows } = insights.malformed;
  if (rows === 0) return section('malformed', 'Malformed records', paragraph('None: every record could be parsed.'));
  const body =
    paragraph(`${count(rows)} record${rows === 1 ? '' : 's'} could not be parsed${rows > first.length ? `; the first ${first.length} are shown` : ''}. Fix them in the source file and run again.`, 'meta') +
    table(
      'Malformed records with their line in the input and their text',
      [{ text: 'line', numeric: true }, 'problem', 'text'],
      first.map((m) => [{ text: m.line === null ? '' : String(m.line), numeric: true }, m.message, { text: m.raw, raw: true, code: true }]),
      [{ text: count(rows), numeric: true, metric: 'malformed:rows' }, 'records in all', ''],
    );
  return section('malformed', 'Malformed records', body);
}

/** This run as a history entry, so the trend ends with it. */
function thisRun(data: RunPageData): HistoryEntry {
  const s = data.summary;
  return {
    time: data.startedAt.toISOString(),
    exitCode: exitCodeOfRun(s),
    durationMs: s.durationMs,
    rows: s.rows,
    kept: s.kept,
    removed: s.removed,
    statuses: s.statuses,
    reasons: s.reasons as Record<string, number>,
    dns: s.dns.enabled ? { healthy: s.dns.healthy, queries: s.dns.queries, cacheHits: s.dns.cacheHits } : null,
    input: s.input,
    output: s.output ?? '',
  };
}

export function renderRunPage(data: RunPageData): string {
  const s = data.summary;
  const name = s.input === '-' ? 'standard input' : basename(s.input);
  const trend = data.history === undefined ? '' : trendSection([...data.history.slice(-(TREND_RUNS - 1)), thisRun(data)]);
  const body =
    `<h1>listscrub report: ${escapeHtml(name)}</h1>` +
    paragraph(`${s.input} · run started ${data.startedAt.toISOString().slice(0, 19).replace('T', ' ')}Z`, 'meta') +
    headline(s) +
    statusesSection(s) +
    reasonsSection(s) +
    domainsSection(data.insights) +
    suggestionsSection(data.insights) +
    malformedSection(data.insights) +
    trend +
    `<footer>Made by listscrub clean --html. A summary only: the list itself is not on this page, and nothing on it is loaded from anywhere.</footer>`;
  return document(`listscrub report: ${name}`, body);
}
