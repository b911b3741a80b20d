/**
 * The HTML report's pure parts: the bounded insights collector, escaping, and rendering that follows
 * the reason table (a reason or status added later shows with no page change).
 */
import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/report/escape.js';
import { renderRunPage, type RunSummary } from '../../src/report/html.js';
import { createInsightsCollector, MAX_TRACKED, RAW_TEXT_LIMIT, TOP_N } from '../../src/report/insights.js';
import { renderHistoryPage } from '../../src/report/trend.js';
import type { RowVerdict } from '../../src/types.js';

function verdict(address: string, reason: string, status: string, extra: Partial<RowVerdict> = {}): RowVerdict {
  return { input: address, address, reason, status, detail: `${reason} for ${address}`, ...extra } as RowVerdict;
}

function summaryOf(statuses: Record<string, number>, reasons: Record<string, number>): RunSummary {
  const rows = Object.values(statuses).reduce((a, b) => a + b, 0);
  return {
    rows,
    kept: rows,
    removed: 0,
    statuses,
    reasons,
    dns: { enabled: false, healthy: true, detail: '', queries: 0, domains: 0, cacheHits: 0 },
    durationMs: 5,
    input: 'list.csv',
    output: 'list.clean.csv',
    report: 'list.report.csv',
    warnings: [],
  };
}

describe('insights collector', () => {
  it('counts rows against their domain only for reasons about the domain, with the first evidence', () => {
    const insights = createInsightsCollector();
    insights.add({ verdict: verdict('a@dead.example', 'domain_not_found', 'invalid'), record: [] });
    insights.add({ verdict: verdict('b@dead.example', 'domain_not_found', 'invalid'), record: [] });
    insights.add({ verdict: verdict('c@DEAD.example', 'dns_timeout', 'unknown'), record: [] });
    insights.add({ verdict: verdict('info@ok.example', 'role_account', 'risky'), record: [] });
    insights.add({ verdict: verdict('x..y@ok.example', 'syntax', 'invalid'), record: [] });
    insights.add({ verdict: verdict('d@ok.example', 'ok', 'valid'), record: [] });
    const { domains } = insights.result();
    expect(domains).toMatchObject({ keys: 1, rows: 3, approximate: false });
    expect(domains.top).toEqual([
      {
        domain: 'dead.example',
        rows: 3,
        reasons: [{ reason: 'domain_not_found', rows: 2 }, { reason: 'dns_timeout', rows: 1 }],
        evidence: 'domain_not_found for a@dead.example',
      },
    ]);
  });

  it('a reason it has never heard of counts against the domain (SMTP findings, catch-all, ...)', () => {
    const insights = createInsightsCollector();
    insights.add({ verdict: verdict('a@catchall.example', 'catch_all', 'risky'), record: [] });
    expect(insights.result().domains.top.map((d) => d.domain)).toEqual(['catchall.example']);
  });

  it('groups typo suggestions by the domain change, else by the whole address', () => {
    const insights = createInsightsCollector();
    insights.add({ verdict: verdict('ann@gmial.com', 'typo_domain', 'risky', { suggestion: 'ann@gmail.com' }), record: [] });
    insights.add({ verdict: verdict('bob@GMIAL.com', 'typo_domain', 'risky', { suggestion: 'bob@gmail.com' }), record: [] });
    insights.add({ verdict: verdict('tom@@gmail.com', 'syntax', 'invalid', { address: null, suggestion: 'tom@gmail.com' }), record: [] });
    insights.add({ verdict: verdict('bob@gmial.com', 'duplicate', 'duplicate', { suggestion: 'bob@gmail.com' }), record: [] });
    const { suggestions } = insights.result();
    expect(suggestions.rows).toBe(3);
    expect(suggestions.top).toEqual([
      { from: '@gmial.com', to: '@gmail.com', rows: 2, example: 'ann@gmial.com' },
      { from: 'tom@@gmail.com', to: 'tom@gmail.com', rows: 1, example: 'tom@@gmail.com' },
    ]);
  });

  it('keeps the first TOP_N malformed records with line and text (the cells joined when the text is missing), and counts them all', () => {
    const insights = createInsightsCollector(';');
    for (let i = 0; i < TOP_N + 5; i++) {
      insights.add({ verdict: verdict('', 'malformed_row', 'malformed', { input: '', detail: `The CSV record at line ${i + 2} could not be parsed: 3 fields` }), record: ['a', `b${i}`, 'c'], line: i + 2 });
    }
    insights.add({ verdict: verdict('', 'malformed_row', 'malformed', { input: 'x'.repeat(RAW_TEXT_LIMIT + 50) }), record: [], line: 999 });
    const { malformed } = insights.result();
    expect(malformed.rows).toBe(TOP_N + 6);
    expect(malformed.first).toHaveLength(TOP_N);
    expect(malformed.first[0]).toEqual({ line: 2, message: '3 fields', raw: 'a;b0;c' });
  });

  it('stays bounded on a list of ever new failing domains, and keeps the domain that costs the most', () => {
    const insights = createInsightsCollector();
    const total = MAX_TRACKED * 3;
    for (let i = 0; i < total; i++) {
      insights.add({ verdict: verdict(`u@dead-${i}.example`, 'domain_not_found', 'invalid'), record: [] });
      if (i % 10 === 0) insights.add({ verdict: verdict(`u${i}@parked.example`, 'null_mx', 'invalid'), record: [] });
    }
    const { domains } = insights.result();
    expect(domains.approximate).toBe(true);
    expect(domains.keys).toBeLessThanOrEqual(MAX_TRACKED);
    expect(domains.rows).toBe(total + total / 10);
    expect(domains.top).toHaveLength(TOP_N);
    expect(domains.top[0]).toMatchObject({ domain: 'parked.example', rows: total / 10 });
  });
});

describe('rendering', () => {
  it('escapes markup, quotes and control characters', () => {
    expect(escapeHtml(`<script>"a" & 'b'</svg>\u0000`)).toBe('&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/svg&gt;\ufffd');
  });

  it('shows a status and a reason the reason table does not know yet, with their counts', () => {
    const insights = createInsightsCollector().result();
    const html = renderRunPage({ summary: summaryOf({ valid: 3, greylisted: 2 }, { ok: 3, greylisting: 2 }), insights, startedAt: new Date(0) });
    expect(html).toContain('data-metric="status:greylisted">2<');
    expect(html).toContain('data-metric="reason:greylisting">2<');
    expect(html).not.toMatch(/<script|<link|<img|src=|href=/i);
  });

  it('stays small for a big list: one page from 30,000 failing domains holds TOP_N of them', () => {
    const collector = createInsightsCollector();
    for (let i = 0; i < 30_000; i++) collector.add({ verdict: verdict(`u@dead-${i}.example`, 'domain_not_found', 'invalid'), record: [] });
    const html = renderRunPage({ summary: summaryOf({ invalid: 30_000 }, { domain_not_found: 30_000 }), insights: collector.result(), startedAt: new Date(0) });
    expect(html.match(/data-metric="domain:/g)).toHaveLength(TOP_N);
    expect(html.length).toBeLessThan(100_000);
  });

  it('the trend shows at most the last 30 runs', () => {
    const entries = Array.from({ length: 40 }, (_, i) => ({
      time: new Date(Date.UTC(2026, 0, i + 1)).toISOString(),
      exitCode: i === 39 ? 3 : 0,
      durationMs: 1000,
      rows: 100 + i,
      kept: 90,
      removed: 10,
      statuses: { unknown: 1 },
      reasons: {},
      dns: null,
      input: 'list.csv',
      output: 'list.clean.csv',
    }));
    const html = renderHistoryPage({ source: 'runs.jsonl', entries, skipped: [{ line: 7, reason: 'not valid JSON' }], generatedAt: new Date(0) });
    expect(html.match(/data-metric="trend:\d+:rows"/g)).toHaveLength(30);
    expect(html).toContain('data-metric="trend:0:rows">110<');
    expect(html).toContain('data-metric="latest:exitCode">3<');
    expect(html).toContain('not valid JSON');
  });
});
