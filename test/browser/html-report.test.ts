/**
 * The HTML pages in a real browser (Debian's Chromium through playwright-core): made by the built CLI
 * from samples/subscribers.csv against the sample DNS zone on 127.0.0.1, as a user would make them.
 * Each page loads with no console error and no request beyond its own file, shows the numbers of the
 * summary JSON and of the history file, fits a phone's width, and shows list text as text.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeWorkdirs, SAMPLES, workdir } from '../support/cli.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { sampleZone } from '../support/sample-zone.mjs';
import { run, STACK_LINE, type CliResult, type SummaryJson } from '../support/spawn.js';
import type { HistoryEntry } from '../../src/jobs/history.js';
import { asNumber, launchBrowser, metrics, openPage, overflowsHorizontally, screenshot, type Browser, type OpenedPage } from './browser.js';

let server: DnsServer;
let browser: Browser;
let dns: string[];

beforeAll(async () => {
  [server, browser] = await Promise.all([startDnsServer(sampleZone()), launchBrowser()]);
  dns = ['--dns', server.address, '--dns-timeout', '300', '--dns-retries', '1'];
});
afterAll(async () => {
  await Promise.all([server.close(), browser.close()]);
  await removeWorkdirs();
});

/** Nothing went wrong while the page loaded, and it fetched nothing but itself. */
function expectCleanLoad(opened: OpenedPage): void {
  expect(opened.errors).toEqual([]);
  expect(opened.requests).toEqual([opened.url]);
}

function trendOf(found: Record<string, string>): Array<{ rows: number; exitCode: number; removed: number }> {
  const runs = [];
  for (let i = 0; found[`trend:${i}:rows`] !== undefined; i++) {
    runs.push({ rows: asNumber(found[`trend:${i}:rows`]), exitCode: asNumber(found[`trend:${i}:exitCode`]), removed: asNumber(found[`trend:${i}:removed`]) });
  }
  return runs;
}

async function readEntries(path: string): Promise<HistoryEntry[]> {
  return (await readFile(path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as HistoryEntry);
}

describe('clean --html and history --html on the samples', () => {
  let dir: string;
  let summary: SummaryJson;
  let historyRun: CliResult;

  beforeAll(async () => {
    dir = await workdir(['subscribers.csv'], SAMPLES);
    // A night whose guard tripped (exit 4), then a normal one that writes the page: the trend has both.
    const guarded = await run(['clean', 'subscribers.csv', ...dns, '--history', 'runs.jsonl', '--max-invalid-rate', '0.05', '-q'], { cwd: dir });
    expect(guarded.code, guarded.stderr).toBe(4);
    const result = await run(['clean', 'subscribers.csv', ...dns, '--history', 'runs.jsonl', '--html', 'report.html', '--json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    summary = JSON.parse(result.stdout) as SummaryJson;
    expect(summary.html).toBe('report.html');
    historyRun = await run(['history', 'runs.jsonl', '--html', 'history.html'], { cwd: dir });
  });

  it('the run page loads with no error and no request, and its numbers are the summary JSON', async () => {
    const opened = await openPage(browser, join(dir, 'report.html'));
    expectCleanLoad(opened);
    await screenshot(opened.page, 'clean-report');
    const found = await metrics(opened.page);
    expect(asNumber(found.rows)).toBe(summary.rows);
    expect(asNumber(found.kept)).toBe(summary.kept);
    expect(asNumber(found.removed)).toBe(summary.removed);
    expect(found.removedShare).toBe(`${((summary.removed / summary.rows) * 100).toFixed(1)}%`);
    for (const [status, rows] of Object.entries(summary.statuses)) expect(asNumber(found[`status:${status}`]), status).toBe(rows);
    for (const [reason, rows] of Object.entries(summary.reasons)) expect(asNumber(found[`reason:${reason}`]), reason).toBe(rows);
    expect(asNumber(found['malformed:rows'])).toBe(summary.statuses.malformed);
    // Every row whose reason is about its domain (DNS, disposable, typo) is in the domain table's total.
    const domainRows = ['domain_not_found', 'null_mx', 'no_mail_server', 'mx_invalid', 'dns_timeout', 'dns_error', 'disposable', 'typo_domain'] as const;
    expect(asNumber(found['domains:rows'])).toBe(domainRows.reduce((sum, reason) => sum + (summary.reasons[reason] ?? 0), 0));
    // samples/README.md: two rows at the null-MX domain, one lookup for both.
    expect(asNumber(found['domain:parked-brandname.com'])).toBe(2);
    expect(asNumber(found['suggestion:@gmial.com'])).toBe(1);
    await opened.page.close();
  });

  it('shows the DNS health in words, the fix of each reason, and the malformed records with line and text', async () => {
    const { page } = await openPage(browser, join(dir, 'report.html'));
    const text = await page.locator('main').innerText();
    expect(text).toContain('DNS: healthy. ');
    expect(text).toContain('publishes a null MX');
    expect(await page.locator('#reasons tr', { hasText: 'null_mx' }).innerText()).toContain('5.1.10');
    const malformed = await page.locator('#malformed tbody tr').allInnerTexts();
    expect(malformed.map((row) => row.split('\t')[0])).toEqual(['102', '203']);
    expect(malformed[0]).toContain("Patrick,O'Neil, Jr.");
    // Each chart has its numbers in a table beside it.
    expect(await page.locator('#statuses svg title').textContent()).toBe('Rows by status');
    expect(await page.locator('#statuses table').count()).toBe(1);
    await page.close();
  });

  it('the run page ends with a trend of the history: the earlier run and this one', async () => {
    const { page } = await openPage(browser, join(dir, 'report.html'));
    const entries = await readEntries(join(dir, 'runs.jsonl'));
    expect(entries.map((entry) => entry.exitCode)).toEqual([4, 0]);
    expect(trendOf(await metrics(page))).toEqual(entries.map(({ rows, exitCode, removed }) => ({ rows, exitCode, removed })));
    await page.close();
  });

  it('history --html writes the trend page: no error, no request, the numbers of the history file', async () => {
    expect(historyRun.code, historyRun.stderr).toBe(0);
    expect(historyRun.stderr).toContain('wrote the last 2 runs of runs.jsonl to history.html');
    const opened = await openPage(browser, join(dir, 'history.html'));
    expectCleanLoad(opened);
    await screenshot(opened.page, 'history');
    const found = await metrics(opened.page);
    const entries = await readEntries(join(dir, 'runs.jsonl'));
    expect(trendOf(found)).toEqual(entries.map(({ rows, exitCode, removed }) => ({ rows, exitCode, removed })));
    expect(asNumber(found['latest:exitCode'])).toBe(0);
    await opened.page.close();
  });

  it('both pages fit a phone: nothing wider than 360 px', async () => {
    for (const name of ['report', 'history']) {
      const opened = await openPage(browser, join(dir, `${name}.html`), 360);
      expectCleanLoad(opened);
      expect(await overflowsHorizontally(opened.page), name).toBe(false);
      await screenshot(opened.page, `${name === 'report' ? 'clean-report' : 'history'}-phone`);
      await opened.page.close();
    }
  });
});

describe('text from the list is shown as text', () => {
  it('a cell holding <script> or </svg>, a malformed record and a file name full of markup run nothing and break nothing', async () => {
    const dir = await workdir();
    const name = '<svg onload=alert(1)>.csv';
    await writeFile(
      join(dir, name),
      [
        'name,email',
        'Mallory,"""</svg><script>alert(1)</script>""@gmial.com"',
        '<script>alert(2)</script>,x</svg><img src=x onerror=alert(3)>@example.com,extra',
        'Alice,alice@gmail.com',
        '',
      ].join('\n'),
    );
    const result = await run(['clean', name, '--no-dns', '--html', 'page.html', '--json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain(STACK_LINE);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    expect(summary.statuses.malformed).toBe(1);

    const opened = await openPage(browser, join(dir, 'page.html'));
    const dialogs: string[] = [];
    opened.page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    expectCleanLoad(opened);
    await screenshot(opened.page, 'escaping');
    const page = opened.page;
    expect(dialogs).toEqual([]);
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('img').count()).toBe(0);
    // Only the page's own two charts (statuses, reasons): the </svg> in a cell closed nothing.
    expect(await page.locator('svg').count()).toBe(2);
    expect(await page.locator('h1').innerText()).toBe(`listscrub report: ${name}`);
    const suggestions = await page.locator('#suggestions tbody').innerText();
    expect(suggestions).toContain('"</svg><script>alert(1)</script>"@gmial.com');
    const malformed = await page.locator('#malformed tbody').innerText();
    expect(malformed).toContain('<script>alert(2)</script>,x</svg><img src=x onerror=alert(3)>@example.com,extra');
    await page.close();
  });
});
