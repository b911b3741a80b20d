/**
 * The samples end to end: `listscrub clean samples/...` with the sample DNS zone gives every row the
 * outcome samples/README.md promises (every reason code, the DNS reasons included).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvRecords, removeWorkdirs, SAMPLES, workdir } from '../support/cli.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { parseCsv, run, STACK_LINE, type SummaryJson } from '../support/spawn.js';
import { SAMPLE_OUTCOMES, sampleZone } from '../support/sample-zone.mjs';

let server: DnsServer;
let liar: DnsServer;
/** Short timeouts so slowzone-dns.com (never answered) costs about a second, as in `npm run demo`. */
let dns: string[];

beforeAll(async () => {
  [server, liar] = await Promise.all([startDnsServer(sampleZone()), startDnsServer(sampleZone(), { mode: 'lie' })]);
  dns = ['--dns', server.address, '--dns-timeout', '300', '--dns-retries', '1'];
});
afterAll(async () => {
  await Promise.all([server.close(), liar.close()]);
  await removeWorkdirs();
});

/** samples/README.md, table "Reason | Rows": how many rows carry each reason. */
const README_REASONS = {
  syntax: 11,
  empty: 1,
  repaired: 1,
  unusual_syntax: 5,
  disposable: 5,
  role_account: 6,
  typo_domain: 5,
  duplicate: 6,
  malformed_row: 2,
  domain_not_found: 2,
  null_mx: 2,
  no_mail_server: 1,
  mx_invalid: 2,
  dns_timeout: 1,
  dns_error: 1,
};

describe('samples/subscribers.csv with the sample zone', () => {
  it('gives every row its README outcome; every reason code appears in the report or, for kept rows, with --annotate', async () => {
    const dir = await workdir(['subscribers.csv'], SAMPLES);
    const result = await run(['clean', 'subscribers.csv', ...dns, '--annotate', '--json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(STACK_LINE);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    const nonOk = Object.fromEntries(Object.entries(summary.reasons).filter(([reason]) => reason !== 'ok'));
    expect(nonOk).toEqual(README_REASONS);
    expect(summary.statuses).toEqual({ valid: 251, risky: 22, invalid: 19, unknown: 2, duplicate: 6, malformed: 2 });
    expect(summary).toMatchObject({ rows: 302, kept: 275, removed: 27, exitCode: 0, dns: { healthy: true } });

    const cleaned = await csvRecords(join(dir, 'subscribers.clean.csv'));
    const report = await csvRecords(join(dir, 'subscribers.report.csv'));
    // Conservation: 302 records, each in exactly one output.
    expect(cleaned.length + report.length).toBe(302);
    expect(cleaned.length).toBe(summary.kept);

    const seen = new Set([...report.map((r) => r.reason), ...cleaned.map((r) => r.email_reason)]);
    for (const reason of Object.keys(README_REASONS)) expect(seen, reason).toContain(reason);
    // Kept rows are exactly the valid, risky and unknown ones; removed rows the others.
    expect(new Set(cleaned.map((r) => r.email_status))).toEqual(new Set(['valid', 'risky', 'unknown']));
    expect(new Set(report.map((r) => r.status))).toEqual(new Set(['invalid', 'duplicate', 'malformed']));

    // The DNS-outcome domains (samples/README.md, "Domains for the sample DNS zone").
    const byDomain = (domain: string) =>
      [...report.map((r) => ({ email: r.email, status: r.status, reason: r.reason })), ...cleaned.map((r) => ({ email: r.email, status: r.email_status, reason: r.email_reason }))].filter(
        (r) => r.email?.toLowerCase().endsWith(`@${domain}`),
      );
    for (const [domain, outcome] of Object.entries(SAMPLE_OUTCOMES)) {
      const rows = byDomain(domain);
      expect(rows.length, domain).toBeGreaterThan(0);
      for (const row of rows) expect({ domain, status: row.status, reason: row.reason }).toEqual({ domain, ...outcome });
    }
    expect(byDomain('parked-brandname.com').map((r) => r.email)).toEqual(['gary@parked-brandname.com', 'mona.blake@parked-brandname.com']);
    // "one lookup for both"
    expect(server.count('parked-brandname.com', 'MX')).toBe(1);

    // Report rows: row, line, bounce code, detail and the original columns.
    const at = (line: number) => report.find((r) => r.line === String(line));
    expect(at(217)).toMatchObject({ row: '216', status: 'invalid', reason: 'domain_not_found', bounce: '5.1.2', email: 'paul.grant@oakridge-supplies-defunct.com', first_name: 'Paul' });
    expect(at(229)).toMatchObject({ reason: 'null_mx', bounce: '5.1.10' });
    expect(at(229)?.detail).toMatch(/null MX/);
    expect(at(242)).toMatchObject({ reason: 'no_mail_server', email: 'ian.frost@txtonly-holdings.com' });
    expect(at(255)?.detail).toMatch(/10\.20\.30\.40.*private/);
    expect(at(261)?.detail).toMatch(/mail\.dangling-mx\.com does not exist/);
    expect(at(43)).toMatchObject({ reason: 'empty', email: '', first_name: 'Raj', last_name: 'Mehta' });
    expect(at(197)).toMatchObject({ reason: 'syntax', suggestion: 'victor.hale@gmail.com' });
    expect(at(37)).toMatchObject({ email: 'lena.vogt@gmail,com', suggestion: 'lena.vogt@gmail.com' });
    // A cell starting with @ is neutralized in the report.
    expect(at(49)?.email).toBe("'@brightwave-analytics.com");
    for (const [line, of] of [
      [153, 5],
      [173, 12],
      [193, 27],
      [214, 42],
      [234, 78],
      [254, 123],
    ]) {
      expect(at(line as number), `line ${line}`).toMatchObject({ status: 'duplicate', detail: `Same address as row ${(of as number) - 1}.` });
    }
    for (const line of [102, 203]) {
      expect(at(line)).toMatchObject({ status: 'malformed', reason: 'malformed_row' });
      expect(at(line)?.detail).toMatch(new RegExp(`line ${line}\\b`));
    }
    const raw = parseCsv(await readFile(join(dir, 'subscribers.report.csv')));
    // The malformed row with 6 fields keeps all 6 after the 8 report columns, and its text in `raw`.
    expect(raw.find((row) => row[1] === '102')?.slice(8)).toEqual(['Patrick', "O'Neil", ' Jr.', 'patrick.oneil@gmail.com', '2022-05-14', 'website']);
    expect(raw.find((row) => row[1] === '102')?.[7]).toBe("Patrick,O'Neil, Jr.,patrick.oneil@gmail.com,2022-05-14,website");

    const kept = (email: string) => cleaned.find((r) => r.email === email);
    expect(kept('tim.boyd@slowzone-dns.com')).toMatchObject({ email_status: 'unknown', email_reason: 'dns_timeout' });
    expect(kept('uma.roy@servfail-broken.net')).toMatchObject({ email_status: 'unknown', email_reason: 'dns_error' });
    expect(kept('amy.shaw@tinyshop-direct.com')).toMatchObject({ email_status: 'valid', email_reason: 'ok' });
    expect(kept('hannah.wright@gmial.com')).toMatchObject({ email_status: 'risky', email_reason: 'typo_domain' });
    expect(kept('qwerty123@mailinator.com')).toMatchObject({ email_status: 'risky', email_reason: 'disposable' });
    expect(kept('Maria Lopez <maria.lopez@harborview-dental.com>')).toMatchObject({ email_status: 'risky', email_reason: 'unusual_syntax' });
  });

  it('--allow-private makes intranet-relay.com deliverable; --drop unknown never removes a row that could not be checked', async () => {
    const dir = await workdir(['subscribers.csv'], SAMPLES);
    const result = await run(['clean', 'subscribers.csv', ...dns, '--allow-private', '--drop', 'unknown', '--json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    expect(summary.reasons.mx_invalid).toBe(1);
    // 27 removed by default, one mx_invalid fewer; the two rows DNS could not check stay.
    expect(summary).toMatchObject({ rows: 302, kept: 276, removed: 26, dropped: {} });
    expect(summary.unchecked).toEqual({ rows: 2, reasons: { dns_timeout: 1, dns_error: 1 } });
    expect(summary.warnings).toEqual([expect.stringMatching(/^--drop unknown removes nothing: a row that could not be checked is always kept/)]);
    const report = await csvRecords(join(dir, 'subscribers.report.csv'));
    expect(report.filter((r) => r.status === 'unknown')).toEqual([]);
    expect(report.find((r) => r.email === 'ray.dunn@intranet-relay.com')).toBeUndefined();
  });

  it('with a lying resolver: exit 3, and no row is invalid on DNS grounds', async () => {
    const dir = await workdir(['subscribers.csv'], SAMPLES);
    const result = await run(['clean', 'subscribers.csv', '--dns', liar.address, '--json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(3);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    expect(summary.dns.healthy).toBe(false);
    for (const reason of ['domain_not_found', 'null_mx', 'no_mail_server', 'mx_invalid'] as const) expect(summary.reasons[reason], reason).toBeUndefined();
    // Only offline findings remove rows: the 12 syntax errors, 6 duplicates and 2 malformed rows.
    expect(summary.statuses).toMatchObject({ invalid: 12, duplicate: 6, malformed: 2 });
    expect(summary.removed).toBe(20);
    expect(summary.reasons.dns_unavailable).toBeGreaterThan(200);
  });
});

describe('samples/subscribers-semicolon-latin1.csv', () => {
  it('needs --encoding latin1; then the E-mail column is found and rows 13, 24, 32 and 45 get their README outcomes', async () => {
    const file = 'subscribers-semicolon-latin1.csv';
    const dir = await workdir([file], SAMPLES);
    const [withEncoding, without] = await Promise.all([
      run(['clean', file, ...dns, '--encoding', 'latin1', '--annotate', '--json'], { cwd: dir }),
      run(['clean', file, ...dns, '-o', 'x.csv', '-r', 'y.csv'], { cwd: dir }),
    ]);
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/invalid UTF-8 at line 1\b.*--encoding latin1/);
    expect(without.stderr).not.toMatch(STACK_LINE);

    expect(withEncoding.code, withEncoding.stderr).toBe(0);
    const summary = JSON.parse(withEncoding.stdout) as SummaryJson & { delimiter: string; column: { name: string } };
    expect(summary).toMatchObject({ rows: 50, delimiter: ';', column: { name: 'E-mail' } });
    // Both outputs keep the list's encoding and delimiter: they open in the spreadsheet it came from.
    const cleaned = await csvRecords(join(dir, 'subscribers-semicolon-latin1.clean.csv'), ';', 'windows-1252');
    const report = await csvRecords(join(dir, 'subscribers-semicolon-latin1.report.csv'), ';', 'windows-1252');
    expect(cleaned.length + report.length).toBe(50);
    expect(cleaned.find((r) => r['E-mail'] === 'marc.olivié@gmial.com')).toMatchObject({ email_status: 'risky', email_reason: 'typo_domain' });
    expect(cleaned.find((r) => r['E-mail'] === 'contact@brightwave-analytics.com')).toMatchObject({ email_reason: 'role_account' });
    expect(report.map((r) => [r.row, r.line, r.reason, r['E-mail']])).toEqual([
      ['32', '33', 'syntax', 'sans arobase'],
      ['45', '46', 'duplicate', 'ELODIE.LEFEVRE@ORANGE.FR'],
    ]);
    // Accents survive the trip through listscrub and back to Latin-1.
    expect(Object.keys(cleaned[0] ?? {})).toEqual(['Prénom', 'Nom', 'E-mail', 'Inscrit le', 'email_status', 'email_reason', 'email_suggestion']);
  });
});
