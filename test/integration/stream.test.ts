/**
 * The scrub transform with the real address engine (createScrubber with DNS off) behind csv-parse.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { describe, expect, it } from 'vitest';
import { analyzeAddress } from '../../src/address/index.js';
import { createScrubber } from '../../src/scrubber.js';
import { createScrubStream, type ScrubbedRow } from '../../src/stream/index.js';

async function scrubCsv(text: string, column: string | number, header: boolean): Promise<ScrubbedRow[]> {
  const rows: ScrubbedRow[] = [];
  await pipeline(
    Readable.from([text]),
    parse({ columns: header, info: true, relax_column_count: true, skip_empty_lines: true }),
    createScrubStream({ column, dns: false }),
    async (source: AsyncIterable<ScrubbedRow>) => {
      for await (const row of source) rows.push(row);
    },
  );
  return rows;
}

describe('scrub stream with the address engine (DNS off)', () => {
  const csv = [
    'id,email,name',
    '1,alice@example.com,Alice',
    '2,not an email,Bob',
    '3,ALICE@EXAMPLE.COM,Alice again',
    '4', // short row: no email cell
    '5,info@example.com,Team',
    '',
    '6,"carol@example.org","Carol',
    'with a line break"',
    '7,carol@example.org,Carol again',
  ].join('\n');

  it('gives every record one row, in order, with the engine verdicts, duplicates and lines', async () => {
    const rows = await scrubCsv(csv, 'email', true);
    expect(rows.map((row) => row.index)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(rows.map((row) => row.line)).toEqual([2, 3, 4, 5, 6, 8, 10]);
    expect(rows.map((row) => (row.record as Record<string, string>).id)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    // Each verdict is the engine's, except where the row is a later copy of a kept address.
    const engine = ['alice@example.com', 'not an email', 'ALICE@EXAMPLE.COM', '', 'info@example.com', 'carol@example.org', 'carol@example.org'].map(
      (cell) => analyzeAddress(cell).verdict,
    );
    expect(rows[0]?.verdict).toEqual(engine[0]);
    expect(rows[1]?.verdict).toEqual(engine[1]);
    expect(rows[1]?.verdict.status).toBe('invalid');
    expect(rows[2]?.verdict).toMatchObject({ status: 'duplicate', reason: 'duplicate', detail: 'Same address as row 1.' });
    expect(rows[3]?.verdict).toEqual(engine[3]); // the empty cell
    expect(rows[3]?.verdict.reason).toBe('empty');
    expect(rows[4]?.verdict).toEqual(engine[4]);
    expect(rows[5]?.verdict).toEqual(engine[5]);
    expect(rows[6]?.verdict).toMatchObject({ status: 'duplicate', detail: 'Same address as row 6.' });
  });

  it('reads array records by position', async () => {
    const rows = await scrubCsv('a@example.com,x\nb@example.com\nA@example.com,y\n', 0, false);
    expect(rows.map((row) => row.verdict.status)).toEqual(['valid', 'valid', 'duplicate']);
    expect(rows.map((row) => row.line)).toEqual([1, 2, 3]);
  });

  it('shares a given scrubber without closing it', async () => {
    const scrubber = createScrubber({ dns: false });
    const rows: ScrubbedRow[] = [];
    await pipeline(Readable.from([['a@example.com'], ['b@example.com']]), createScrubStream({ column: 0, scrubber }), async (source: AsyncIterable<ScrubbedRow>) => {
      for await (const row of source) rows.push(row);
    });
    expect(rows).toHaveLength(2);
    await expect(scrubber.check('c@example.com')).resolves.toMatchObject({ status: 'valid' });
    await scrubber.close();
  });

  it('keeps up with a large offline list (throughput smoke test)', async () => {
    const n = 100_000;
    const lines = ['email,name'];
    for (let i = 0; i < n; i++) lines.push(`user${i % 90_000}@example${i % 500}.com,Name ${i}`);
    const text = lines.join('\n');
    const started = performance.now();
    let count = 0;
    let duplicates = 0;
    await pipeline(
      Readable.from([text]),
      parse({ columns: true, info: true }),
      createScrubStream({ column: 'email', dns: false }),
      async (source: AsyncIterable<ScrubbedRow>) => {
        for await (const row of source) {
          count += 1;
          if (row.verdict.status === 'duplicate') duplicates += 1;
        }
      },
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`scrub stream (csv-parse + engine, DNS off): ${Math.round(n / seconds)} rows/s`);
    expect(count).toBe(n);
    // Row i >= 90000 repeats row i - 90000 exactly (90000 is a multiple of 500, so the domain matches too).
    expect(duplicates).toBe(n - 90_000);
  });
});
