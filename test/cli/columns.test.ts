/**
 * Issue 13, `--column` naming several email columns, end to end: the built bin against the test DNS
 * server on loopback, on a CRM export shaped like HubSpot's (UTF-8 byte-order mark, CRLF, `;`,
 * `Work Email` and `Personal Email`). A row is a contact: kept unless every address in it is invalid.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliZone, csvRecords, removeWorkdirs, workdir } from '../support/cli.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { run, STACK_LINE, type SummaryJson } from '../support/spawn.js';

let server: DnsServer;
let dns: string[];

beforeAll(async () => {
  server = await startDnsServer(cliZone());
  dns = ['--dns', server.address];
});
afterAll(async () => {
  await server.close();
  await removeWorkdirs();
});

/**
 * example.com receives mail; oakridge-supplies-defunct.com and lumenbay-consulting.net do not
 * exist (NXDOMAIN); servfail-broken.net answers SERVFAIL (DNS could not check it).
 */
const EXPORT = [
  'Record ID;First Name;Last Name;Work Email;Personal Email;Lifecycle Stage',
  '101;Ann;Lee;ann.lee@example.com;ann@oakridge-supplies-defunct.com;customer',
  '102;Bo;Chen;bo@lumenbay-consulting.net;bo.chen@oakridge-supplies-defunct.com;lead',
  '103;Cy;Diaz;cy@oakridge-supplies-defunct.com;cy.diaz@servfail-broken.net;lead',
  '104;Di;Eng;;;lead',
  '105;Ed;Fox;;"""ed.fox@gmail.com""";customer',
  '106;Fay;Gu;ANN.LEE@example.com;fay@gmail.com;lead',
  '107;Gil;Ho;gil@example.org;;subscriber',
  '',
].join('\r\n');

async function exportDir(): Promise<string> {
  const dir = await workdir();
  await writeFile(join(dir, 'contacts.csv'), `\uFEFF${EXPORT}`);
  return dir;
}

const ids = (rows: Array<Record<string, string>>) => rows.map((row) => row['Record ID']);

describe('--column "Work Email,Personal Email": a row is kept unless every address in it is invalid', () => {
  it('keeps one good + one dead and one dead + one unchecked, removes both dead, and the counts add up', async () => {
    const dir = await exportDir();
    const result = await run(['clean', 'contacts.csv', ...dns, '--column', 'Work Email,Personal Email', '--results', 'results.csv', '--json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    expect(summary.column).toEqual({ index: 3, name: 'Work Email', source: 'option' });
    expect(summary.columns).toEqual([
      { index: 3, name: 'Work Email', source: 'option' },
      { index: 4, name: 'Personal Email', source: 'option' },
    ]);
    expect(summary.warnings.join('\n')).not.toMatch(/several columns/);

    const kept = await csvRecords(join(dir, 'contacts.clean.csv'), ';');
    const report = await csvRecords(join(dir, 'contacts.report.csv'), ';');
    expect(ids(kept)).toEqual(['101', '103', '105', '107']);
    expect(ids(report)).toEqual(['102', '104', '106']);
    // Every record in exactly one output; the summary's counts say the same.
    expect([...ids(kept), ...ids(report)].sort()).toEqual(['101', '102', '103', '104', '105', '106', '107']);
    expect(summary).toMatchObject({ rows: 7, kept: 4, removed: 3 });
    expect(Object.values(summary.statuses).reduce((a, b) => a + b, 0)).toBe(7);

    // Kept rows are written as read: the dead address beside the good one is not blanked.
    expect(kept[0]).toMatchObject({ 'Work Email': 'ann.lee@example.com', 'Personal Email': 'ann@oakridge-supplies-defunct.com' });
    expect(kept[2]).toMatchObject({ 'Work Email': '', 'Personal Email': '"ed.fox@gmail.com"' });
    // The report says why for each column.
    const both = report.find((row) => row['Record ID'] === '102')!;
    expect(both).toMatchObject({ status: 'invalid', reason: 'domain_not_found', bounce: '5.1.2' });
    expect(both.detail).toMatch(/^Work Email: invalid \(domain_not_found\): lumenbay-consulting\.net .*; Personal Email: invalid \(domain_not_found\): oakridge-supplies-defunct\.com /);
    expect(report.find((row) => row['Record ID'] === '104')).toMatchObject({ reason: 'empty', detail: 'Work Email: empty; Personal Email: empty.' });
    expect(report.find((row) => row['Record ID'] === '106')).toMatchObject({ status: 'duplicate', detail: 'Same first address (Work Email) as row 1.' });

    const results = await csvRecords(join(dir, 'results.csv'), ';');
    const by = (id: string) => results.find((row) => row['Record ID'] === id)!;
    expect(ids(results)).toEqual(['101', '102', '103', '104', '105', '106', '107']);
    expect(by('101')).toMatchObject({ email_status: 'valid', email_mx: 'mx.example.com' });
    expect(by('103')).toMatchObject({ email_status: 'unknown', email_reason: 'dns_error' });
    expect(by('103').email_detail).toMatch(/^Work Email: invalid \(domain_not_found\): .*; Personal Email: unknown \(dns_error\): /);
    expect(by('105')).toMatchObject({ email_status: 'risky', email_reason: 'repaired', email_suggestion: 'ed.fox@gmail.com' });
    expect(by('107').email_detail).toBe('Work Email: valid; Personal Email: empty.');
    // The outputs keep the export's byte-order mark, delimiter and line endings.
    const cleaned = await readFile(join(dir, 'contacts.clean.csv'), 'utf8');
    expect(cleaned.startsWith('\uFEFFRecord ID;')).toBe(true);
    expect(cleaned.split('\r\n')).toHaveLength(6);
  });

  it('takes the columns repeated or by number, and from a job file as a list, with the same outcome', async () => {
    const dir = await exportDir();
    const repeated = await run(['clean', 'contacts.csv', ...dns, '--column', 'Work Email', '--column', 'personal email', '--json'], { cwd: dir });
    const numbered = await run(['clean', 'contacts.csv', ...dns, '--column', '4,5', '-o', 'n.csv', '-r', 'n.report.csv', '--json'], { cwd: dir });
    await writeFile(join(dir, 'job.json'), JSON.stringify({ input: 'contacts.csv', output: 'j.csv', report: 'j.report.csv', column: ['Work Email', 5], dns: { servers: [server.address] } }));
    const job = await run(['clean', '--config', 'job.json', '--json'], { cwd: dir });
    for (const result of [repeated, numbered, job]) {
      expect(result.code, result.stderr).toBe(0);
      const summary = JSON.parse(result.stdout) as SummaryJson;
      expect(summary.columns?.map((column) => column.index)).toEqual([3, 4]);
      expect(summary).toMatchObject({ rows: 7, kept: 4, removed: 3 });
    }
    expect(ids(await csvRecords(join(dir, 'j.csv'), ';'))).toEqual(['101', '103', '105', '107']);
  });

  it('writes each checked cell as its own address with --normalize, and names the columns in the human summary', async () => {
    const dir = await exportDir();
    const result = await run(['clean', 'contacts.csv', ...dns, '--column', 'Work Email,Personal Email', '--normalize'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      "email columns: column 4 'Work Email', column 5 'Personal Email', named with --column; a row is kept unless every address in it is invalid",
    );
    const kept = await csvRecords(join(dir, 'contacts.clean.csv'), ';');
    expect(kept.find((row) => row['Record ID'] === '105')).toMatchObject({ 'Work Email': '', 'Personal Email': 'ed.fox@gmail.com' });
    expect(kept.find((row) => row['Record ID'] === '101')).toMatchObject({ 'Work Email': 'ann.lee@example.com', 'Personal Email': 'ann@oakridge-supplies-defunct.com' });
  });
});

describe('without --column, and what cannot be combined', () => {
  it('checks one column and says how to check them all', async () => {
    const dir = await exportDir();
    const result = await run(['clean', 'contacts.csv', ...dns, '--json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    expect(summary.columns).toBeUndefined();
    expect(summary.column).toEqual({ index: 3, name: 'Work Email', source: 'header' });
    expect(summary.warnings.join('\n')).toContain("'Personal Email' was not; name the one to check, or check them all with --column \"Work Email,Personal Email\"");
  });

  it('refuses --split with several columns (exit 2, one line naming both options), and names an unknown column', async () => {
    const dir = await exportDir();
    const split = await run(['clean', 'contacts.csv', ...dns, '--column', 'Work Email,Personal Email', '--split'], { cwd: dir });
    expect(split.code).toBe(2);
    expect(split.stderr).toMatch(/^listscrub: --split \(option split\) .* several email columns \(--column, option column\)/);
    expect(split.stderr.trim().split('\n')).toHaveLength(1);
    const unknown = await run(['clean', 'contacts.csv', ...dns, '--column', 'Work Email,Personal Emial'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no column named "Personal Emial" (did you mean "Personal Email"?)');
    expect(unknown.stderr).not.toContain(STACK_LINE);
  });
});
