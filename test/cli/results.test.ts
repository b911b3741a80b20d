/**
 * Issue 13, the outputs, end to end: the built bin against the test DNS server on loopback, on CSV
 * files shaped like CRM exports. --results, --annotate on a re-cleaned file, --apply-suggestions,
 * the human summary, the email column note, input "-", empty cells and the guard.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliZone, csvRecords, removeWorkdirs, workdir } from '../support/cli.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { parseCsv, run, STACK_LINE, type SummaryJson } from '../support/spawn.js';

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

/** A CRM export: quotes, markup and separators around good addresses, typos, blanks, a role, a list. */
const EXPORT = [
  'Contact ID,First Name,Email,Owner',
  '1001,John,"""john@gmail.com""",ann',
  '1002,Ivan,ivan@gmail.com;,ann',
  '1003,Hannah,hannah@gmial.com,bob',
  '1004,Raj,,bob',
  '1005,Lee,"lee@example.com; lee.work@example.org",ann',
  '1006,Info,info@example.com,ann',
  '1007,Gary,gary@parked-brandname.com,bob',
  '1008,Tom,tom@@gmail.com,bob',
  '1009,Zoe,zoe@gmail.com<br>,ann',
  '',
].join('\n');

async function exportDir(): Promise<string> {
  const dir = await workdir();
  await writeFile(join(dir, 'crm.csv'), EXPORT);
  return dir;
}

describe('--results: every row once, in order, with the verdict columns', () => {
  it('has the original columns, then status, reason, detail, suggestion, bounce and the flags', async () => {
    const dir = await exportDir();
    const result = await run(['clean', 'crm.csv', ...dns, '--results', 'crm.results.csv', '--json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    expect(summary.results).toBe('crm.results.csv');
    const rows = await csvRecords(join(dir, 'crm.results.csv'));
    expect(Object.keys(rows[0]!)).toEqual([
      'Contact ID', 'First Name', 'Email', 'Owner',
      'email_status', 'email_reason', 'email_detail', 'email_suggestion', 'email_bounce',
      'email_free', 'email_role', 'email_disposable', 'email_mx',
    ]);
    // Every input row, in input order, kept and removed alike.
    expect(rows.map((row) => row['Contact ID'])).toEqual(['1001', '1002', '1003', '1004', '1005', '1006', '1007', '1008', '1009']);
    expect(summary.kept + summary.removed).toBe(rows.length);
    const by = (id: string) => rows.find((row) => row['Contact ID'] === id)!;
    expect(by('1001')).toMatchObject({ Email: '"john@gmail.com"', email_status: 'risky', email_reason: 'repaired', email_suggestion: 'john@gmail.com', email_free: 'true', email_role: 'false', email_mx: 'gmail-smtp-in.l.google.com' });
    expect(by('1001').email_detail).toContain('wrapped in quotation marks');
    expect(by('1003')).toMatchObject({ email_reason: 'typo_domain', email_suggestion: 'hannah@gmail.com' });
    expect(by('1004')).toMatchObject({ email_status: 'invalid', email_reason: 'empty', email_bounce: '', email_free: '' });
    expect(by('1005')).toMatchObject({ email_status: 'risky', email_reason: 'multiple_addresses' });
    expect(by('1005').email_detail).toContain('lee@example.com, lee.work@example.org');
    expect(by('1006')).toMatchObject({ email_reason: 'role_account', email_role: 'true', email_free: 'false', email_mx: 'mx.example.com' });
    expect(by('1007')).toMatchObject({ email_status: 'invalid', email_reason: 'null_mx', email_bounce: '5.1.10', email_mx: '' });
    expect(by('1008')).toMatchObject({ email_status: 'invalid', email_reason: 'syntax', email_bounce: '5.1.3' });
    expect(by('1009')).toMatchObject({ email_reason: 'repaired', email_suggestion: 'zoe@gmail.com' });
  });

  it('is not written when the guard trips, and cannot be the cleaned list', async () => {
    const dir = await exportDir();
    const tripped = await run(['clean', 'crm.csv', ...dns, '--results', 'r.csv', '--drop', 'risky', '--max-invalid-rate', '0.1', '-q'], { cwd: dir });
    expect(tripped.code).toBe(4);
    expect(existsSync(join(dir, 'r.csv'))).toBe(false);
    const same = await run(['clean', 'crm.csv', ...dns, '--results', 'out.csv', '-o', 'out.csv'], { cwd: dir });
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/The cleaned list and the result file both go to out\.csv/);
    expect(same.stderr).not.toMatch(STACK_LINE);
  });

  it('--summary cannot overwrite the result file, nor the report beside a cleaned list named with -o', async () => {
    const dir = await exportDir();
    const before = await readFile(join(dir, 'crm.csv'));
    const onResults = await run(['clean', 'crm.csv', ...dns, '-o', 'out/clean.csv', '--results', 'out/r.csv', '--summary', 'out/r.csv'], { cwd: dir });
    expect([onResults.code, onResults.stderr.split('\n')[0]]).toEqual([2, 'listscrub: The result file and the summary both go to out/r.csv; give each its own file.']);
    // The default report goes beside -o's target: out/crm.report.csv.
    const onReport = await run(['clean', 'crm.csv', ...dns, '-o', 'out/clean.csv', '--summary', 'out/crm.report.csv'], { cwd: dir });
    expect([onReport.code, onReport.stderr.split('\n')[0]]).toEqual([2, 'listscrub: The report and the summary both go to out/crm.report.csv; give each its own file.']);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(await readFile(join(dir, 'crm.csv'))).toEqual(before);
  });
});

describe('--annotate and --apply-suggestions', () => {
  it('--annotate adds the suggestion; a re-cleaned annotated file keeps one set of columns', async () => {
    const dir = await exportDir();
    const first = await run(['clean', 'crm.csv', ...dns, '--annotate', '-o', 'once.csv', '-q'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    const once = parseCsv(await readFile(join(dir, 'once.csv')));
    expect(once[0]).toEqual(['Contact ID', 'First Name', 'Email', 'Owner', 'email_status', 'email_reason', 'email_suggestion']);
    expect(once.find((row) => row[0] === '1003')).toEqual(['1003', 'Hannah', 'hannah@gmial.com', 'bob', 'risky', 'typo_domain', 'hannah@gmail.com']);
    const again = await run(['clean', 'once.csv', ...dns, '--annotate', '--column', 'Email', '-o', 'twice.csv', '-q'], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    const twice = parseCsv(await readFile(join(dir, 'twice.csv')));
    expect(twice[0]).toEqual(once[0]);
    expect(twice.length).toBe(once.length);
  });

  it('--apply-suggestions writes certain repairs (judged on what is written); with typo_domain, typos too', async () => {
    const dir = await exportDir();
    const [certain, typos] = await Promise.all([
      run(['clean', 'crm.csv', ...dns, '--apply-suggestions', '-o', 'certain.csv', '--json'], { cwd: dir }),
      run(['clean', 'crm.csv', ...dns, '--apply-suggestions', 'typo_domain', '-o', 'typos.csv', '--json'], { cwd: dir }),
    ]);
    expect(certain.code, certain.stderr).toBe(0);
    const cleaned = parseCsv(await readFile(join(dir, 'certain.csv')));
    const email = (rows: string[][], id: string) => rows.find((row) => row[0] === id)?.[2];
    expect(email(cleaned, '1001')).toBe('john@gmail.com');
    expect(email(cleaned, '1002')).toBe('ivan@gmail.com');
    expect(email(cleaned, '1009')).toBe('zoe@gmail.com');
    expect(email(cleaned, '1003')).toBe('hannah@gmial.com');
    const summary = JSON.parse(certain.stdout) as SummaryJson;
    expect(summary.applied).toBe(3);
    // The three repaired rows are judged on the address written: valid, not risky.
    expect(summary.reasons.repaired).toBeUndefined();
    expect(summary.statuses).toMatchObject({ valid: 3, risky: 3 });

    expect(typos.code, typos.stderr).toBe(0);
    expect(email(parseCsv(await readFile(join(dir, 'typos.csv'))), '1003')).toBe('hannah@gmail.com');
    expect((JSON.parse(typos.stdout) as SummaryJson).applied).toBe(4);
  });

  it('a reason that comes with no suggestion is a usage error with did-you-mean', async () => {
    const dir = await exportDir();
    const result = await run(['clean', 'crm.csv', '--no-dns', '--apply-suggestions', 'typo_domian'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/got "typo_domian" \(did you mean "typo_domain"\?\)/);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });
});

describe('the human summary', () => {
  it('shows every reason with its count, and the email column and how it was found', async () => {
    const dir = await exportDir();
    const result = await run(['clean', 'crm.csv', ...dns], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const reasons = /reasons: (.*)/.exec(result.stderr)?.[1] ?? '';
    for (const reason of ['repaired 3', 'typo_domain 1', 'empty 1', 'multiple_addresses 1', 'role_account 1', 'null_mx 1', 'syntax 1']) {
      expect(reasons).toContain(reason);
    }
    expect(result.stderr).toContain("email column: column 3 'Email', found by its header name");
  });

  it('warns when several columns look like email columns', async () => {
    const dir = await workdir();
    await writeFile(join(dir, 'two.csv'), 'Name,Work Email,Personal Email\nAnn,ann@example.com,ann@gmail.com\nBob,bob@example.org,\n');
    const detected = await run(['clean', 'two.csv', ...dns, '--json'], { cwd: dir });
    expect(detected.code, detected.stderr).toBe(0);
    const summary = JSON.parse(detected.stdout) as SummaryJson;
    expect(summary.column).toMatchObject({ index: 1, name: 'Work Email', source: 'header' });
    expect(summary.warnings.join('\n')).toMatch(/several columns look like email columns: 'Work Email' was checked, 'Personal Email' was not/);
    const named = await run(['clean', 'two.csv', ...dns, '--column', 'Personal Email', '--json', '-o', 'p.csv', '-r', 'p-report.csv'], { cwd: dir });
    expect((JSON.parse(named.stdout) as SummaryJson).warnings).toEqual([]);
  });
});

describe('standard input, default paths, empty cells', () => {
  it('input "-" writes the cleaned list to standard output; the report goes beside -o when given', async () => {
    const dir = await workdir();
    const input = 'email,name\nann@example.com,Ann\nnot-an-address,Bob\n';
    const piped = await run(['clean', '-', ...dns, '-q'], { cwd: dir, input });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toBe('email,name\nann@example.com,Ann\n');
    expect(existsSync(join(dir, 'stdin.report.csv'))).toBe(true);
    const both = await run(['clean', '-', ...dns, '--json'], { cwd: dir, input });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/with input "-" the cleaned list goes to standard output, and so would --json/);

    await writeFile(join(dir, 'list.csv'), input);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'out'));
    const beside = await run(['clean', 'list.csv', ...dns, '-o', 'out/list.csv', '-q'], { cwd: dir });
    expect(beside.code, beside.stderr).toBe(0);
    expect(existsSync(join(dir, 'out', 'list.report.csv'))).toBe(true);
    expect(existsSync(join(dir, 'list.report.csv'))).toBe(false);
  });

  it('empty email cells are removed with reason empty and not counted by --max-invalid-rate', async () => {
    const dir = await workdir();
    await writeFile(join(dir, 'blanks.csv'), 'email,name\nann@example.com,Ann\n,Bob\n,Cat\n,Dan\nbad@@x,Eve\n');
    const result = await run(['clean', 'blanks.csv', ...dns, '--max-invalid-rate', '0.25', '--json'], { cwd: dir });
    // 4 of 5 rows removed, but only 1 of them for a reason other than an empty cell: 20% <= 25%.
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    expect(summary).toMatchObject({ rows: 5, kept: 1, removed: 4 });
    expect(summary.reasons).toMatchObject({ empty: 3, syntax: 1 });
    const report = await csvRecords(join(dir, 'blanks.report.csv'));
    expect(report.filter((row) => row.reason === 'empty').map((row) => row.bounce)).toEqual(['', '', '']);
  });
});

describe('--split', () => {
  it('one row per address, other columns copied, each deduplicated on its own; counts add up with the extra rows', async () => {
    const dir = await workdir();
    await writeFile(
      join(dir, 'shared.csv'),
      'id,email,name\n1,"a@example.com; b@example.org",Ann\n2,b@example.org,Bob\n3,c@example.com / bad@,Cat\n4,"Dan <d@gmail.com>, Eve <e@gmail.com>",DE\n',
    );
    const result = await run(['clean', 'shared.csv', ...dns, '--split', '--json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    // 4 source records; the split made 2 extra rows; every row is in exactly one output.
    expect(summary).toMatchObject({ rows: 4, split: { extraRows: 2 }, kept: 4, removed: 2 });
    expect(summary.kept + summary.removed).toBe(summary.rows + summary.split!.extraRows);
    expect(Object.values(summary.statuses).reduce((a, b) => a + b, 0)).toBe(6);
    const cleaned = parseCsv(await readFile(join(dir, 'shared.clean.csv')));
    expect(cleaned).toEqual([
      ['id', 'email', 'name'],
      ['1', 'a@example.com', 'Ann'],
      ['1', 'b@example.org', 'Ann'],
      ['4', 'd@gmail.com', 'DE'],
      ['4', 'e@gmail.com', 'DE'],
    ]);
    // The report names the source record: row 2 repeats an address of record 1; record 3 has a bad part.
    const report = await csvRecords(join(dir, 'shared.report.csv'));
    expect(report.map((row) => [row.row, row.line, row.reason, row.detail])).toEqual([
      ['2', '3', 'duplicate', 'Same address as row 1.'],
      ['3', '4', 'syntax', 'The cell holds more than one address (separated by a comma, semicolon or space).'],
    ]);
  });

  it('without --split the cell is kept whole as risky/multiple_addresses', async () => {
    const dir = await workdir();
    await writeFile(join(dir, 'shared.csv'), 'id,email\n1,"a@example.com; b@example.org"\n');
    const result = await run(['clean', 'shared.csv', ...dns, '--annotate', '-o', '-', '-q'], { cwd: dir });
    expect(parseCsv(result.stdout)[1]).toEqual(['1', 'a@example.com; b@example.org', 'risky', 'multiple_addresses', '']);
  });
});
