/**
 * `listscrub clean` end to end: the built bin against a real DNS server on loopback, on fixture
 * copies in a fresh directory per test. Outputs, the summary, row conservation and the options.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvRecords, cliZone, removeWorkdirs, workdir } from '../support/cli.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { decodeText, parseCsv, run, STACK_LINE, type CliResult, type SummaryJson } from '../support/spawn.js';

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

function summaryOf(result: CliResult): SummaryJson {
  expect(result.stderr, result.stderr).not.toMatch(STACK_LINE);
  return JSON.parse(result.stdout) as SummaryJson;
}

/** Data rows of the cleaned list (header dropped when there is one) and of the report. */
async function outputs(cleaned: string, report: string, { header = true, delimiter = ',' } = {}) {
  const cleanedRows = parseCsv(await readFile(cleaned), delimiter);
  // The report keeps the list's delimiter (a ';' list's report opens in the same spreadsheet).
  const reportRows = parseCsv(await readFile(report), delimiter);
  return {
    cleanedHeader: header ? cleanedRows[0] : undefined,
    cleaned: header ? cleanedRows.slice(1) : cleanedRows,
    reportHeader: reportRows[0],
    report: reportRows.slice(1),
  };
}

/** Every input record in exactly one output, and the summary agrees. */
function expectConserved(summary: SummaryJson, cleaned: unknown[], report: unknown[], inputRecords: number): void {
  expect(cleaned.length + report.length).toBe(inputRecords);
  expect(summary.rows).toBe(inputRecords);
  expect(summary.kept).toBe(cleaned.length);
  expect(summary.removed).toBe(report.length);
  expect(Object.values(summary.statuses).reduce((a, b) => a + b, 0)).toBe(inputRecords);
  expect(Object.values(summary.reasons).reduce((a, b) => a + b, 0)).toBe(inputRecords);
}

const REPORT_COLUMNS = ['row', 'line', 'status', 'reason', 'detail', 'suggestion', 'bounce', 'raw'];

describe('clean: outputs, summary and conservation', () => {
  it('writes <name>.clean.csv and <name>.report.csv beside the input by default, and the --json summary', async () => {
    const dir = await workdir(['duplicates.csv']);
    const result = await run(['clean', 'duplicates.csv', ...dns, '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const summary = summaryOf(result);
    expect(summary).toMatchObject({
      rows: 5,
      kept: 2,
      removed: 3,
      statuses: { valid: 2, risky: 0, invalid: 0, unknown: 0, duplicate: 3, malformed: 0 },
      reasons: { ok: 2, duplicate: 3 },
      dns: { enabled: true, healthy: true, domains: 2 },
      input: 'duplicates.csv',
      output: 'duplicates.clean.csv',
      report: 'duplicates.report.csv',
      column: { index: 0, name: 'email' },
      delimiter: ',',
      exitCode: 0,
    });
    // Two domains, five rows: the three repeats are cache hits, not queries.
    expect(summary.dns.queries).toBeGreaterThanOrEqual(2);
    expect(summary.dns.cacheHits).toBe(3);
    expect(summary.durationMs).toBeGreaterThanOrEqual(0);

    const out = await outputs(join(dir, 'duplicates.clean.csv'), join(dir, 'duplicates.report.csv'));
    expect(out.cleanedHeader).toEqual(['email', 'name']);
    expect(out.cleaned).toEqual([
      ['ann@example.com', 'Ann'],
      ['bob@example.org', 'Bob'],
    ]);
    expect(out.reportHeader).toEqual([...REPORT_COLUMNS, 'email', 'name']);
    expect(out.report).toEqual([
      ['2', '3', 'duplicate', 'duplicate', 'Same address as row 1.', '', '', '', 'Ann@Example.com', 'Ann again'],
      ['3', '4', 'duplicate', 'duplicate', 'Same address as row 1.', '', '', '', '  ann@example.com ', 'Ann spaced'],
      ['5', '6', 'duplicate', 'duplicate', 'Same address as row 4.', '', '', '', 'BOB@EXAMPLE.ORG', 'Bob shouting'],
    ]);
    expectConserved(summary, out.cleaned, out.report, 5);
  });

  it('--summary FILE holds the same document as --json, and the human summary goes to stderr', async () => {
    const dir = await workdir(['duplicates.csv']);
    const [human, json] = await Promise.all([
      run(['clean', 'duplicates.csv', ...dns, '--summary', 'summary.json', '-o', 'a.csv', '-r', 'a-report.csv'], { cwd: dir }),
      run(['clean', 'duplicates.csv', ...dns, '--json', '-o', 'b.csv', '-r', 'b-report.csv'], { cwd: dir }),
    ]);
    expect(human.code).toBe(0);
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(/5 rows from duplicates\.csv .*: 2 kept, 3 removed/);
    expect(human.stderr).toMatch(/DNS: healthy/);
    expect(human.stderr).toMatch(/cleaned list: a\.csv/);
    expect(human.stderr).toMatch(/report: +a-report\.csv/);
    const fromFile = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as SummaryJson;
    const fromStdout = summaryOf(json);
    const strip = ({ durationMs: _d, output: _o, report: _r, dns: { queries: _q, ...dnsRest }, ...rest }: SummaryJson) => ({ ...rest, dns: dnsRest });
    expect(strip(fromFile)).toEqual(strip(fromStdout));
    expect(fromFile).toMatchObject({ output: 'a.csv', report: 'a-report.csv', exitCode: 0 });
    expect(fromStdout).toMatchObject({ output: 'b.csv', report: 'b-report.csv' });
  });

  it('reads every fixture dialect and keeps each file\'s delimiter and line ending in the cleaned list', async () => {
    const cases: Array<{ file: string; records: number; column: string; delimiter: string; eol?: string; args?: string[] }> = [
      { file: 'bom-utf8.csv', records: 2, column: 'email', delimiter: ',' },
      { file: 'bom-utf16le.csv', records: 2, column: 'email', delimiter: ',' },
      { file: 'crlf.csv', records: 3, column: 'email', delimiter: ',', eol: '\r\n' },
      { file: 'semicolon.csv', records: 3, column: 'email', delimiter: ';' },
      { file: 'tab.tsv', records: 2, column: 'email', delimiter: '\t', args: ['--delimiter', 'tab'] },
      { file: 'pipe.csv', records: 3, column: 'mail', delimiter: '|' },
      { file: 'quoted-newlines.csv', records: 4, column: 'email', delimiter: ',' },
      { file: 'blank-lines.csv', records: 2, column: 'email', delimiter: ',' },
      { file: 'mixed-endings.csv', records: 3, column: 'email', delimiter: ',' },
    ];
    const dir = await workdir(cases.map((c) => c.file));
    const results = await Promise.all(cases.map((c) => run(['clean', c.file, ...dns, '--json', ...(c.args ?? [])], { cwd: dir })));
    for (const [i, c] of cases.entries()) {
      const result = results[i] as CliResult;
      expect(result.code, `${c.file}: ${result.stderr}`).toBe(0);
      const summary = summaryOf(result);
      expect(summary.column.name, c.file).toBe(c.column);
      expect(summary.delimiter, c.file).toBe(c.delimiter);
      const base = c.file.replace(/\.[^.]+$/, '');
      // Written as the input came: a byte-order mark stays (Excel needs it), and so does UTF-16.
      const bytes = await readFile(join(dir, `${base}.clean.csv`));
      const text = decodeText(bytes);
      const bom = (b: Buffer): string => (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 'utf8' : b[0] === 0xff && b[1] === 0xfe ? 'utf16le' : 'none');
      expect(bom(bytes), c.file).toBe(bom(await readFile(join(dir, c.file))));
      expect(bom(bytes) !== 'none', c.file).toBe(c.file.startsWith('bom-'));
      if (c.eol !== undefined) expect(text.endsWith(c.eol), c.file).toBe(true);
      const out = await outputs(join(dir, `${base}.clean.csv`), join(dir, `${base}.report.csv`), { delimiter: c.delimiter });
      expect(out.report, c.file).toEqual([]);
      expectConserved(summary, out.cleaned, out.report, c.records);
    }
    // Values survive decoding and re-quoting.
    const utf16 = await outputs(join(dir, 'bom-utf16le.clean.csv'), join(dir, 'bom-utf16le.report.csv'));
    expect(utf16.cleaned).toEqual([
      ['Zoë', 'zoe@example.com'],
      ['José', 'jose@example.es'],
    ]);
    const quoted = await outputs(join(dir, 'quoted-newlines.clean.csv'), join(dir, 'quoted-newlines.report.csv'));
    expect(quoted.cleaned[0]).toEqual(['Ann "Nan" Lee', 'ann@example.com', 'line one\nline two']);
    expect(quoted.cleaned[2]).toEqual(['Cat', 'cat@example.net', 'three\nlines\nhere']);
    const tsv = await outputs(join(dir, 'tab.clean.csv'), join(dir, 'tab.report.csv'), { delimiter: '\t' });
    expect(tsv.cleaned[1]).toEqual(['bob@example.org', 'Bob', 'Tab\there']);
  });

  it('puts malformed records in the report with their line numbers and original fields', async () => {
    const dir = await workdir(['wrong-field-counts.csv', 'unclosed-quote.csv']);
    const [wrong, unclosed] = await Promise.all([
      run(['clean', 'wrong-field-counts.csv', ...dns, '--json'], { cwd: dir }),
      run(['clean', 'unclosed-quote.csv', ...dns, '--json'], { cwd: dir }),
    ]);
    expect(wrong.code).toBe(0);
    const wrongOut = await outputs(join(dir, 'wrong-field-counts.clean.csv'), join(dir, 'wrong-field-counts.report.csv'));
    expect(wrongOut.cleaned).toEqual([
      ['Ann', 'Lee', 'ann@example.com'],
      ['Dan', 'Poe', 'dan@example.com'],
    ]);
    const [tooMany, tooFew, emptyCells] = wrongOut.report;
    expect(tooMany?.slice(0, 4)).toEqual(['2', '3', 'malformed', 'malformed_row']);
    expect(tooMany?.[4]).toMatch(/line 3\b.*expected 3 fields.*found 4/);
    expect(tooMany?.slice(8)).toEqual(['Bob', 'Ray', 'bob@example.org', 'extra']);
    // The complete source text of each malformed record, in the raw column.
    expect(tooMany?.[7]).toBe('Bob,Ray,bob@example.org,extra');
    expect(tooFew?.slice(0, 4)).toEqual(['3', '4', 'malformed', 'malformed_row']);
    expect(tooFew?.[4]).toMatch(/line 4\b.*found 2/);
    expect(tooFew?.slice(8)).toEqual(['Cat', 'cat@example.net']);
    expect(tooFew?.[7]).toBe('Cat,cat@example.net');
    expect(emptyCells?.slice(0, 4)).toEqual(['4', '5', 'invalid', 'empty']);
    const wrongSummary = summaryOf(wrong);
    expect(wrongSummary.statuses).toMatchObject({ valid: 2, malformed: 2, invalid: 1 });
    expectConserved(wrongSummary, wrongOut.cleaned, wrongOut.report, 5);

    expect(unclosed.code).toBe(0);
    const unclosedOut = await outputs(join(dir, 'unclosed-quote.clean.csv'), join(dir, 'unclosed-quote.report.csv'));
    expect(unclosedOut.cleaned.map((row) => row[0])).toEqual(['Ann', 'Cat', 'Dan']);
    expect(unclosedOut.report).toHaveLength(1);
    expect(unclosedOut.report[0]?.slice(0, 4)).toEqual(['2', '3', 'malformed', 'malformed_row']);
    expect(unclosedOut.report[0]?.[4]).toMatch(/line 3\b.*unclosed quote/);
    expect(unclosedOut.report[0]?.[7]).toBe('"Bob,bob@example.org');
    expectConserved(summaryOf(unclosed), unclosedOut.cleaned, unclosedOut.report, 4);
  });

  it('neutralizes formula cells in the report but leaves the cleaned list as the input had it', async () => {
    const dir = await workdir();
    await writeFile(
      join(dir, 'formulas.csv'),
      'name,email,note\n' +
        '=HYPERLINK("http://evil.example/x"),ann@example.com,+1 555 0100\n' +
        '@SUM(A1:A2),bob@@example.org,-2+3\n' +
        'Cat,cat@example.net,plain\n',
    );
    const result = await run(['clean', 'formulas.csv', ...dns, '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const out = await outputs(join(dir, 'formulas.clean.csv'), join(dir, 'formulas.report.csv'));
    expect(out.cleaned).toEqual([
      ['=HYPERLINK("http://evil.example/x")', 'ann@example.com', '+1 555 0100'],
      ['Cat', 'cat@example.net', 'plain'],
    ]);
    expect(out.report).toHaveLength(1);
    const [row] = out.report;
    expect(row?.slice(2, 4)).toEqual(['invalid', 'syntax']);
    expect(row?.slice(8)).toEqual(["'@SUM(A1:A2)", 'bob@@example.org', "'-2+3"]);
    expectConserved(summaryOf(result), out.cleaned, out.report, 3);
  });
});

describe('clean: input options', () => {
  it('--no-header with --column by number; the cleaned list gets no header, the report names columns by number', async () => {
    const dir = await workdir(['no-header.csv']);
    const result = await run(['clean', 'no-header.csv', '--no-header', '--column', '2', ...dns, '--json', '--drop', 'valid'], { cwd: dir });
    expect(result.code).toBe(0);
    const summary = summaryOf(result);
    expect(summary.column.index).toBe(1);
    expect(await readFile(join(dir, 'no-header.clean.csv'), 'utf8')).toBe('');
    const report = parseCsv(await readFile(join(dir, 'no-header.report.csv')));
    expect(report[0]?.slice(0, 8)).toEqual(REPORT_COLUMNS);
    // The first line is data, not a header: it is row 1 at line 1.
    expect(report.slice(1).map((row) => [row[0], row[1], row[2], row[9]])).toEqual([
      ['1', '1', 'valid', 'ann@example.com'],
      ['2', '2', 'valid', 'bob@example.org'],
      ['3', '3', 'valid', 'cat@example.net'],
    ]);
    expectConserved(summary, [], report.slice(1), 3);
  });

  it('--column by name and by number pick that column even when another looks like email', async () => {
    const dir = await workdir();
    await writeFile(join(dir, 'two.csv'), 'work,home\nann@example.com,ann@@home\nbob@example.org,bob@example.net\n');
    const [byName, byNumber] = await Promise.all([
      run(['clean', 'two.csv', '--column', 'home', ...dns, '--json', '-o', 'name.csv', '-r', 'name-report.csv'], { cwd: dir }),
      run(['clean', 'two.csv', '--column', '1', ...dns, '--json', '-o', 'number.csv', '-r', 'number-report.csv'], { cwd: dir }),
    ]);
    expect(summaryOf(byName)).toMatchObject({ rows: 2, kept: 1, removed: 1, column: { index: 1, name: 'home' } });
    expect((await csvRecords(join(dir, 'name-report.csv')))[0]).toMatchObject({ line: '2', reason: 'syntax', home: 'ann@@home' });
    expect(summaryOf(byNumber)).toMatchObject({ rows: 2, kept: 2, removed: 0, column: { index: 0, name: 'work' } });
  });

  it('--delimiter forces the field separator (--delimiter tab is covered with the dialects)', async () => {
    const dir = await workdir(['semicolon.csv']);
    const [forcedComma] = await Promise.all([
      // Forcing ',' on a ';' file: the header is one column, so that column is the email column,
      // and every record is removed (syntax, or malformed where a quoted comma splits it).
      run(['clean', 'semicolon.csv', '--delimiter', ',', ...dns, '--json'], { cwd: dir }),
    ]);
    expect(forcedComma.code).toBe(0);
    const forced = summaryOf(forcedComma);
    expect(forced).toMatchObject({ rows: 3, kept: 0, removed: 3, delimiter: ',', column: { index: 0, name: 'name;email;note' } });
    expect(forced.statuses).toMatchObject({ invalid: 2, malformed: 1 });
    const report = await csvRecords(join(dir, 'semicolon.report.csv'));
    expect(report.map((r) => [r.line, r.reason])).toEqual([
      ['2', 'malformed_row'],
      ['3', 'syntax'],
      ['4', 'syntax'],
    ]);
  });

  it('--encoding latin1 decodes a Latin-1 file; without it the run stops at the line of the first bad byte', async () => {
    const dir = await workdir(['latin1.csv', 'invalid-utf8.csv']);
    const [latin1, invalid] = await Promise.all([
      run(['clean', 'latin1.csv', '--encoding', 'latin1', ...dns, '--json'], { cwd: dir }),
      run(['clean', 'invalid-utf8.csv', ...dns], { cwd: dir }),
    ]);
    expect(latin1.code).toBe(0);
    expect(summaryOf(latin1)).toMatchObject({ rows: 3, kept: 3, delimiter: ';', column: { name: 'courriel' } });
    // The cleaned list is written back in the input's encoding (Latin-1 is read and written as windows-1252).
    const cleanedBytes = await readFile(join(dir, 'latin1.clean.csv'));
    expect(cleanedBytes.equals(await readFile(join(dir, 'latin1.csv')))).toBe(true);
    const cleaned = parseCsv(new TextDecoder('windows-1252').decode(cleanedBytes), ';');
    expect(cleaned).toEqual([
      ['nom', 'prénom', 'courriel'],
      ['Müller', 'Jürgen', 'juergen@example.de'],
      ['Núñez', 'Begoña', 'begona@example.es'],
      ['Lefèvre', 'Élodie', 'elodie@example.fr'],
    ]);

    // Rows 1-2 were fine; the run stops at line 4 and replaces nothing (samples.test: line 1).
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toBe('');
    expect(invalid.stderr).toMatch(/invalid UTF-8 at line 4\b/);
    expect(invalid.stderr).toMatch(/--encoding latin1/);
    expect(invalid.stderr).not.toMatch(STACK_LINE);
    for (const name of ['invalid-utf8.clean.csv', 'invalid-utf8.report.csv']) {
      expect(existsSync(join(dir, name)), name).toBe(false);
    }
  });

  it('reads the list from standard input with "-"; a typo domain that does not exist keeps its suggestion in the report', async () => {
    const dir = await workdir();
    const result = await run(['clean', '-', ...dns, '-o', 'out.csv', '-r', 'out-report.csv', '--json'], {
      cwd: dir,
      input: 'email,name\nann@example.com,Ann\nnot-an-address,Bob\nx@gnail.com,Gnail\n',
    });
    expect(result.code).toBe(0);
    expect(summaryOf(result)).toMatchObject({ rows: 3, kept: 1, removed: 2, input: '-' });
    expect(await readFile(join(dir, 'out.csv'), 'utf8')).toBe('email,name\nann@example.com,Ann\n');
    const report = await csvRecords(join(dir, 'out-report.csv'));
    expect(report[1]).toMatchObject({
      row: '3',
      line: '4',
      status: 'invalid',
      reason: 'domain_not_found',
      detail: 'gnail.com does not exist (NXDOMAIN)',
      suggestion: 'x@gmail.com',
      bounce: '5.1.2',
      email: 'x@gnail.com',
      name: 'Gnail',
    });
  });
});

describe('clean: policy and output options', () => {
  const RISKY =
    'name,email\n' +
    'Ann,ann@example.com\n' +
    'Temp,temp@mailinator.com\n' +
    'Info,info@example.org\n' +
    'Typo,jane@gmial.com\n' +
    'Odd,"""odd one""@example.net"\n';

  it('keeps risky rows by default; --drop risky and --drop disposable,role_account remove them to the report', async () => {
    const dir = await workdir();
    await writeFile(join(dir, 'risky.csv'), RISKY);
    const runs = await Promise.all(
      [[], ['--drop', 'risky'], ['--drop', 'disposable,role_account']].map((extra, i) =>
        run(['clean', 'risky.csv', ...dns, '--json', '-o', `c${i}.csv`, '-r', `r${i}.csv`, ...extra], { cwd: dir }),
      ),
    );
    const reasons = async (i: number) => ({
      kept: (await csvRecords(join(dir, `c${i}.csv`))).map((r) => r.name),
      removed: (await csvRecords(join(dir, `r${i}.csv`))).map((r) => `${r.name}:${r.status}:${r.reason}`),
    });
    for (const result of runs) expect(result.code).toBe(0);
    expect(summaryOf(runs[0] as CliResult).statuses).toMatchObject({ valid: 1, risky: 4 });
    expect(await reasons(0)).toEqual({ kept: ['Ann', 'Temp', 'Info', 'Typo', 'Odd'], removed: [] });
    expect(await reasons(1)).toEqual({
      kept: ['Ann'],
      removed: ['Temp:risky:disposable', 'Info:risky:role_account', 'Typo:risky:typo_domain', 'Odd:risky:unusual_syntax'],
    });
    expect(await reasons(2)).toEqual({ kept: ['Ann', 'Typo', 'Odd'], removed: ['Temp:risky:disposable', 'Info:risky:role_account'] });
    // The typo suggestion travels into the report.
    expect((await csvRecords(join(dir, 'r1.csv')))[2]?.suggestion).toBe('jane@gmail.com');
    expectConserved(summaryOf(runs[1] as CliResult), ['Ann'], [1, 2, 3, 4], 5);
  });

  it('rejects an unknown --drop value with a usage error', async () => {
    const dir = await workdir();
    await writeFile(join(dir, 'risky.csv'), RISKY);
    const result = await run(['clean', 'risky.csv', ...dns, '--drop', 'riskyy'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/riskyy/);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('--annotate appends email_status, email_reason and email_suggestion; --normalize writes the normalized address', async () => {
    const dir = await workdir(['duplicates.csv']);
    await writeFile(join(dir, 'risky.csv'), RISKY);
    const [annotated, normalized] = await Promise.all([
      run(['clean', 'risky.csv', ...dns, '--annotate', '-o', '-', '-q'], { cwd: dir }),
      run(['clean', 'duplicates.csv', ...dns, '--normalize', '--keep-duplicates', '-o', '-', '-q'], { cwd: dir }),
    ]);
    expect(annotated.code).toBe(0);
    expect(parseCsv(annotated.stdout)).toEqual([
      ['name', 'email', 'email_status', 'email_reason', 'email_suggestion'],
      ['Ann', 'ann@example.com', 'valid', 'ok', ''],
      ['Temp', 'temp@mailinator.com', 'risky', 'disposable', ''],
      ['Info', 'info@example.org', 'risky', 'role_account', ''],
      ['Typo', 'jane@gmial.com', 'risky', 'typo_domain', 'jane@gmail.com'],
      ['Odd', '"odd one"@example.net', 'risky', 'unusual_syntax', ''],
    ]);
    expect(normalized.code).toBe(0);
    // Domains are lower-cased and spaces trimmed; the local part keeps its case.
    expect(parseCsv(normalized.stdout)).toEqual([
      ['email', 'name'],
      ['ann@example.com', 'Ann'],
      ['Ann@example.com', 'Ann again'],
      ['ann@example.com', 'Ann spaced'],
      ['bob@example.org', 'Bob'],
      ['BOB@example.org', 'Bob shouting'],
    ]);
  });

  it('--keep-duplicates keeps repeated addresses in the cleaned list', async () => {
    const dir = await workdir(['duplicates.csv']);
    const result = await run(['clean', 'duplicates.csv', ...dns, '--keep-duplicates', '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const summary = summaryOf(result);
    expect(summary).toMatchObject({ rows: 5, kept: 5, removed: 0 });
    expect(summary.statuses.duplicate).toBe(0);
    const out = await outputs(join(dir, 'duplicates.clean.csv'), join(dir, 'duplicates.report.csv'));
    expect(out.cleaned.map((row) => row[0])).toEqual(['ann@example.com', 'Ann@Example.com', '  ann@example.com ', 'bob@example.org', 'BOB@EXAMPLE.ORG']);
  });

  it('-o - writes the cleaned list (only) on stdout and the report to its file', async () => {
    const dir = await workdir(['wrong-field-counts.csv']);
    const result = await run(['clean', 'wrong-field-counts.csv', ...dns, '-o', '-'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('first,last,email\nAnn,Lee,ann@example.com\nDan,Poe,dan@example.com\n');
    expect(result.stderr).toMatch(/5 rows from wrong-field-counts\.csv/);
    expect(existsSync(join(dir, 'wrong-field-counts.clean.csv'))).toBe(false);
    expect(parseCsv(await readFile(join(dir, 'wrong-field-counts.report.csv')))).toHaveLength(4);
  });

  it('-o - with --json is a usage error (both want stdout)', async () => {
    const dir = await workdir(['duplicates.csv']);
    const result = await run(['clean', 'duplicates.csv', ...dns, '-o', '-', '--json'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/--summary/);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });
});
