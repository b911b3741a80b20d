import fc from 'fast-check';
import { Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { openCsvInput, type CsvInputItem } from '../../src/csv/read.js';
import { CsvTokenizer } from '../../src/csv/tokenizer.js';
import { fixture, readAll, readChunked, readText } from './csv-helpers.js';

describe('wrong field counts', () => {
  test('too many / too few are malformed items in order, with line, raw and fields; only delimiters is a record', async () => {
    const { items } = await readAll({ input: fixture('wrong-field-counts.csv') });
    expect(items).toHaveLength(5); // 5 data records in, 5 items out
    expect(items[0]).toEqual({ record: ['Ann', 'Lee', 'ann@example.com'], info: { line: 2, index: 1 } });
    expect(items[1]).toEqual({
      malformed: {
        line: 3,
        index: 2,
        message: expect.stringMatching(/^line 3: expected 3 fields like the header, found 4 \(too many/),
        raw: 'Bob,Ray,bob@example.org,extra',
        fields: ['Bob', 'Ray', 'bob@example.org', 'extra'],
      },
    });
    expect(items[2]).toEqual({
      malformed: {
        line: 4,
        index: 3,
        message: expect.stringMatching(/^line 4: expected 3 fields like the header, found 2 \(too few/),
        raw: 'Cat,cat@example.net',
        fields: ['Cat', 'cat@example.net'],
      },
    });
    expect(items[3]).toEqual({ record: ['', '', ''], info: { line: 5, index: 4 } });
    expect(items[4]).toEqual({ record: ['Dan', 'Poe', 'dan@example.com'], info: { line: 6, index: 5 } });
  });

  test('without a header the first row sets the count', async () => {
    const { items } = await readText('a@b.com,1\nc@d.com\ne@f.com,2\n', { header: false });
    expect(items.map((item) => ('record' in item ? 'ok' : item.malformed.message))).toEqual([
      'ok',
      expect.stringMatching(/line 2: expected 2 fields like the first row, found 1/),
      'ok',
    ]);
  });

  test('a multi-line record with the wrong count keeps its whole raw text and start line', async () => {
    const { items } = await readText('email,n\n"a@b.com","x\ny",extra\nc@d.com,1\n');
    expect(items[0]).toEqual({
      malformed: expect.objectContaining({ line: 2, index: 1, raw: '"a@b.com","x\ny",extra' }),
    });
    expect(items[1]).toEqual({ record: ['c@d.com', '1'], info: { line: 4, index: 2 } });
  });
});

describe('unclosed quotes', () => {
  test('a stray opening quote costs one malformed row; the rows after it are read', async () => {
    const { items } = await readAll({ input: fixture('unclosed-quote.csv') });
    expect(items).toEqual([
      { record: ['Ann', 'ann@example.com'], info: { line: 2, index: 1 } },
      {
        malformed: {
          line: 3,
          index: 2,
          message: expect.stringMatching(/^line 3: unclosed quote/),
          raw: '"Bob,bob@example.org',
        },
      },
      { record: ['Cat', 'cat@example.net'], info: { line: 4, index: 3 } },
      { record: ['Dan', 'dan@example.com'], info: { line: 5, index: 4 } },
    ]);
  });

  test('a stray quote that "closes" on a later line is still caught', async () => {
    const { items } = await readText('name,email\n"oops,a@b.com\nx,c@d.com\n"q",e@f.com\n');
    expect(items.map((item) => ('record' in item ? item.record : `! ${item.malformed.line}`))).toEqual([
      '! 2',
      ['x', 'c@d.com'],
      ['q', 'e@f.com'],
    ]);
  });

  test('unclosed quote on the last line (no line break after it)', async () => {
    const { items } = await readText('name,email\nAnn,a@b.com\n"Bob,b@c.com');
    expect(items[1]).toEqual({
      malformed: { line: 3, index: 2, message: 'line 3: unclosed quote at the end of the input', raw: '"Bob,b@c.com' },
    });
  });

  test('an unclosed quote in a later field of a record that already spans lines', async () => {
    const text = 'a,b,c\n"multi\nline",x,y\n"ok\nfine",p,"bad\nq,r,s\nt,u,v\n';
    const { items } = await readText(text, { column: 1 });
    expect(items.map((item) => ('record' in item ? [item.info.line, item.record] : [item.malformed.line, item.malformed.raw]))).toEqual([
      [2, ['multi\nline', 'x', 'y']],
      [4, '"ok\nfine",p,"bad'],
      [6, ['q', 'r', 's']],
      [7, ['t', 'u', 'v']],
    ]);
  });
});

describe('over-long records', () => {
  test('an over-long record is malformed (raw: its first maxRecordSize characters) and the next rows are read', async () => {
    const long = 'x'.repeat(5000);
    const text = `email,note\na@b.com,short\nc@d.com,${long}\ne@f.com,after\n`;
    for (const size of [7, 100, 1 << 20]) {
      const { items } = await readChunked(text, size, { maxRecordSize: 1000 });
      expect(items).toHaveLength(3);
      expect(items[0]).toEqual({ record: ['a@b.com', 'short'], info: { line: 2, index: 1 } });
      const bad = items[1] as Extract<CsvInputItem, { malformed: unknown }>;
      expect(bad.malformed.line).toBe(3);
      expect(bad.malformed.index).toBe(2);
      expect(bad.malformed.message).toMatch(/line 3: record longer than the limit of 1000 characters/);
      expect(bad.malformed.raw).toBe(`c@d.com,${long}`.slice(0, 1000));
      expect(bad.malformed.message).toMatch(/--max-record-size/);
      expect(items[2]).toEqual({ record: ['e@f.com', 'after'], info: { line: 4, index: 3 } });
    }
  });

  test('a runaway quoted field past the limit resumes on the next line', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `n${i},u${i}@example.com`).join('\n');
    const { items } = await readText(`name,email\n"stray,a@b.com\n${rows}\n`, { maxRecordSize: 500 });
    expect(items).toHaveLength(201);
    expect(items[0]).toEqual({ malformed: expect.objectContaining({ line: 2, raw: '"stray,a@b.com' }) });
    expect(items[200]).toEqual({ record: ['n199', 'u199@example.com'], info: { line: 202, index: 201 } });
  });

  test('a huge single-line file with the wrong delimiter: one malformed item per long line, no crash', async () => {
    const line = Array.from({ length: 2000 }, (_, i) => `v${i}`).join('#');
    const { items } = await readText(`${line}\n${line}\nok@example.com\n`, { header: false, maxRecordSize: 1000, column: 1 });
    expect(items).toHaveLength(3);
    expect(items.map((item) => ('malformed' in item ? item.malformed.line : item.record))).toEqual([1, 2, ['ok@example.com']]);
  });

  test('maxRecordSize must be a positive integer', async () => {
    await expect(readText('a\n', { maxRecordSize: 0 })).rejects.toMatchObject({ code: 'E_OPTION' });
  });
});

describe('conservation: every record comes out exactly once', () => {
  test('a messy file: data records in = items out, in order', async () => {
    const text = [
      'first,last,email', // header
      'Ann,Lee,ann@example.com', // 1
      '', // blank: not a record
      'Bob,Ray,bob@example.org,extra', // 2 malformed
      ',,', // 3 record
      '"Cat","Poe","cat@example.net"', // 4
      '"Dan,Doe,dan@example.com', // 5 malformed (stray quote)
      'Eve,Ng,"eve@example.com', // 6 malformed (unclosed at end of line? no: it closes nowhere)
      'Fay,Li,fay@example.com', // 7
    ].join('\r\n');
    const { items } = await readText(text);
    expect(items.map((item) => ('record' in item ? item.info.index : item.malformed.index))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(items.map((item) => ('record' in item ? item.info.line : item.malformed.line))).toEqual([2, 4, 5, 6, 7, 8, 9]);
    expect(items.filter((item) => 'malformed' in item)).toHaveLength(3);
  });

  test('property: arbitrary text never crashes; lines increase; indexes are 1..n; chunking does not matter', async () => {
    const alphabet = fc.constantFrom('a', 'b@c.d', ',', ';', '"', '""', '\n', '\r\n', '\r', ' ', 'é', '\t', 'xxxxxxxxxx');
    const shape = (items: CsvInputItem[]) =>
      items.map((item) => ('record' in item ? item : { malformed: { line: item.malformed.line, index: item.malformed.index } }));
    await fc.assert(
      fc.asyncProperty(
        fc.array(alphabet, { maxLength: 80 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 8, max: 60 }),
        async (parts, size, maxRecordSize) => {
          const text = 'h1,h2\n' + parts.join('');
          const whole = await readText(text, { delimiter: ',', column: 1, maxRecordSize });
          const chunked = await readChunked(text, size, { delimiter: ',', column: 1, maxRecordSize });
          expect(shape(chunked.items)).toEqual(shape(whole.items));
          let previous = 1;
          whole.items.forEach((item, i) => {
            const { line, index } = 'record' in item ? item.info : item.malformed;
            expect(index).toBe(i + 1);
            expect(line).toBeGreaterThan(previous);
            previous = line;
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  test('property: N well-formed rows plus one stray quote -> N good records + 1 malformed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 30 }), fc.nat(), async (n, at) => {
        const rows = Array.from({ length: n }, (_, i) => `n${i},u${i}@example.com`);
        const bad = at % (n + 1);
        rows.splice(bad, 0, '"stray,x@example.com');
        const { items, good, malformed } = await readText(`name,email\n${rows.join('\n')}\n`);
        expect(items).toHaveLength(n + 1);
        expect(good).toHaveLength(n);
        expect(malformed).toBe(1);
        expect(items[bad]).toEqual({ malformed: expect.objectContaining({ line: bad + 2 }) });
      }),
      { numRuns: 100 },
    );
  });
});

describe('tokenizer directly', () => {
  test('blank lines are counted, not emitted', () => {
    const tokenizer = new CsvTokenizer({ delimiter: ',', maxRecordSize: 100 });
    const events = [...tokenizer.push('a\n\n \nb\n'), ...tokenizer.end()];
    expect(events).toEqual([
      { kind: 'record', fields: ['a'], line: 1 },
      { kind: 'record', fields: ['b'], line: 4 },
    ]);
    expect(tokenizer.blankLines).toBe(2);
  });

  test('a quoted empty value is a record, not a blank line', () => {
    const tokenizer = new CsvTokenizer({ delimiter: ',', maxRecordSize: 100 });
    expect([...tokenizer.push('""\n'), ...tokenizer.end()]).toEqual([{ kind: 'record', fields: [''], line: 1 }]);
  });
});

test('records stream of a file closes the file when destroyed early', async () => {
  const input = await openCsvInput({ input: fixture('quoted-newlines.csv') });
  const iterator = input.records[Symbol.asyncIterator]();
  await iterator.next();
  await iterator.return?.();
  expect(input.records.destroyed).toBe(true);
  void Readable;
});
