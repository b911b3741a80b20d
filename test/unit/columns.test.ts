/**
 * Several email columns (issue 13): the combination rule (a row is a contact, as good as its best
 * cell), the per-cell changes the router makes, deduplication on the first address, --drop, the
 * reader's column list, and the scrub stream checking several cells through one scrubber.
 */
import { describe, expect, test } from 'vitest';
import { analyzeAddress } from '../../src/address/index.js';
import { cellsDetail, checkCells, combineCells, dedupeAddress, eachCell, hasUncheckedCell } from '../../src/columns.js';
import { dropMatch } from '../../src/batch.js';
import { scrubRecords } from '../../src/stream/index.js';
import type { CellVerdict, RowVerdict, Verdict } from '../../src/types.js';
import { readText } from './csv-helpers.js';

/** A cell verdict as the stages make them: the offline verdict, with the status and reason DNS would give. */
function cell(label: string, text: string, dns?: Pick<Verdict, 'status' | 'reason' | 'detail' | 'bounce'>): CellVerdict {
  const offline = analyzeAddress(text).verdict;
  return { column: label, label, verdict: dns === undefined ? offline : { ...offline, ...dns } };
}
const DEAD = { status: 'invalid', reason: 'domain_not_found', detail: 'dead-corp.com does not exist (NXDOMAIN).', bounce: '5.1.2' } as const;
const SERVFAIL = { status: 'unknown', reason: 'dns_error', detail: 'DNS gave SERVFAIL for the MX of slow-corp.com.' } as const;

describe('combineCells: a row is as good as its best cell', () => {
  test('one good and one dead address: the row is valid, and the detail names both', () => {
    const row = combineCells([cell('Work Email', 'ann@acme.com'), cell('Personal Email', 'ann@dead-corp.com', DEAD)]);
    expect(row).toMatchObject({ status: 'valid', reason: 'ok', address: 'ann@acme.com', input: 'ann@acme.com' });
    expect(row.detail).toBe('Work Email: valid; Personal Email: invalid (domain_not_found): dead-corp.com does not exist (NXDOMAIN).');
    expect(row.cells?.map((c) => c.verdict.status)).toEqual(['valid', 'invalid']);
  });

  test('both dead: invalid, with the first cell reason and bounce code, and each cell explained', () => {
    const row = combineCells([cell('Work Email', 'bo@dead-corp.com', { ...DEAD, detail: 'dead-corp.com does not exist.' }), cell('Personal Email', 'bo@@x.com')]);
    expect(row).toMatchObject({ status: 'invalid', reason: 'domain_not_found', address: 'bo@dead-corp.com', bounce: '5.1.2' });
    expect(row.detail).toMatch(/^Work Email: invalid \(domain_not_found\): dead-corp\.com does not exist; Personal Email: invalid \(syntax\): .+\.$/);
  });

  test('one dead and one unknown: unknown, never invalid (rule 1 per cell)', () => {
    const row = combineCells([cell('Work Email', 'cy@dead-corp.com', DEAD), cell('Personal Email', 'cy@slow-corp.com', SERVFAIL)]);
    expect(row).toMatchObject({ status: 'unknown', reason: 'dns_error', address: 'cy@slow-corp.com' });
    expect(hasUncheckedCell(row)).toBe(true);
  });

  test('valid > risky > unknown > invalid, whatever the column order; the first of equals wins', () => {
    const risky = cell('B', 'info@acme.com');
    expect(risky.verdict.status).toBe('risky');
    expect(combineCells([cell('A', 'x@slow-corp.com', SERVFAIL), risky]).status).toBe('risky');
    expect(combineCells([risky, cell('C', 'joe@acme.com')]).address).toBe('joe@acme.com');
    expect(combineCells([cell('A', 'a@acme.com'), cell('B', 'b@acme.com')]).address).toBe('a@acme.com');
  });

  test('empty cells are ignored, unless all are empty: then the row is empty', () => {
    const some = combineCells([cell('Work Email', ''), cell('Personal Email', 'ed@dead-corp.com', DEAD)]);
    expect(some).toMatchObject({ status: 'invalid', reason: 'domain_not_found' });
    expect(some.detail).toMatch(/^Work Email: empty; Personal Email: invalid/);
    const none = combineCells([cell('Work Email', ''), cell('Personal Email', '  ')]);
    expect(none).toMatchObject({ status: 'invalid', reason: 'empty' });
    expect(none.bounce).toBeUndefined();
    expect(cellsDetail(none.cells!)).toBe('Work Email: empty; Personal Email: empty.');
  });
});

describe('the router\'s per-cell changes, duplicates and --drop', () => {
  test('eachCell changes each cell and combines again (bounce evidence on one cell keeps the row)', () => {
    const row = combineCells([cell('A', 'gone@acme.com'), cell('B', 'kept@acme.com')]);
    const bounced = eachCell(row, (one) => (one.address === 'gone@acme.com' ? { ...one, status: 'invalid', reason: 'bounced', bounce: '5.1.1' } : one));
    expect(bounced.status).toBe('valid');
    expect(bounced.detail).toMatch(/^A: invalid \(bounced\)/);
    const single: RowVerdict = analyzeAddress('x@acme.com').verdict;
    expect(eachCell(single, (one) => ({ ...one, status: 'invalid' })).status).toBe('invalid');
  });

  test('a row is deduplicated on its first address, whatever the verdicts', () => {
    const row = combineCells([cell('A', ''), cell('B', 'dead@dead-corp.com', DEAD), cell('C', 'good@acme.com')]);
    expect(row.address).toBe('good@acme.com');
    expect(dedupeAddress(row)).toBe('dead@dead-corp.com');
    expect(dedupeAddress(combineCells([cell('A', ''), cell('B', '')]))).toBeNull();
  });

  test('--drop never removes a row with a cell that could not be checked', () => {
    const drop = new Set(['risky', 'role_account']);
    const checked = combineCells([cell('A', 'info@acme.com'), cell('B', 'x@dead-corp.com', DEAD)]);
    expect(dropMatch(checked, drop)).toBe('risky');
    const unchecked = combineCells([cell('A', 'info@acme.com'), cell('B', 'x@slow-corp.com', SERVFAIL)]);
    expect(unchecked.status).toBe('risky');
    expect(dropMatch(unchecked, drop)).toBeUndefined();
  });

  test('checkCells: one verdict at once when no cell waits, one promise when one does', async () => {
    const cells = [{ column: 0, label: 'A', text: 'a@acme.com' }, { column: 1, label: 'B', text: 'b@@acme.com' }];
    const now = checkCells((text) => analyzeAddress(text).verdict, cells);
    expect(now).not.toBeInstanceOf(Promise);
    expect((now as RowVerdict).status).toBe('valid');
    const later = checkCells((text) => (text.startsWith('a') ? Promise.resolve({ ...analyzeAddress(text).verdict, ...DEAD }) : analyzeAddress(text).verdict), cells);
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toMatchObject({ status: 'invalid', reason: 'domain_not_found' });
  });
});

describe('the reader: several columns', () => {
  const CSV = 'Id,"Name, Full",Work Email,Personal Email\n1,"Lee, Ann",ann@acme.com,ann@home.example\n';

  test('a comma list, repeated names and numbers resolve in the order named, each once', async () => {
    const { input } = await readText(CSV, { column: 'Work Email,Personal Email' });
    expect(input.columns.map((c) => c.index)).toEqual([2, 3]);
    expect(input.column).toEqual({ index: 2, name: 'Work Email', source: 'option' });
    expect((await readText(CSV, { column: ['personal email', 3, 'Work Email'] })).input.columns.map((c) => c.index)).toEqual([3, 2]);
    expect((await readText(CSV, { column: '4,3' })).input.columns.map((c) => c.name)).toEqual(['Personal Email', 'Work Email']);
  });

  test('a header name holding a comma is found whole before the list is split', async () => {
    const { input } = await readText(CSV, { column: 'Name, Full' });
    expect(input.columns).toEqual([{ index: 1, name: 'Name, Full', source: 'option' }]);
  });

  test('an unknown name in the list is an error naming it, with did-you-mean', async () => {
    await expect(readText(CSV, { column: 'Work Email,Personal Emial' })).rejects.toThrow(
      /no column named "Personal Emial" \(did you mean "Personal Email"\?\)/,
    );
  });
});

describe('the library stream: several columns', () => {
  test('object records by header name: kept unless every cell is invalid', async () => {
    const records = [
      { id: '1', work: 'ann@@acme', home: 'ann@gmail.com' },
      { id: '2', work: 'bo@@acme', home: '' },
      { id: '3', work: 'ann@gmail.com', home: 'x@y.com' },
    ];
    const rows = [];
    for await (const row of scrubRecords(records, { column: ['work', 'home'], dns: false })) rows.push(row);
    expect(rows.map((row) => row.verdict.status)).toEqual(['valid', 'invalid', 'duplicate']);
    expect(rows[0]!.verdict.detail).toMatch(/^work: invalid \(syntax\): .*; home: valid\.$/);
    // Row 1's work cell holds no address, so its first address is its home one: row 3's first.
    expect(rows[2]!.verdict.detail).toBe('Same first address (work) as row 1.');
  });
});
