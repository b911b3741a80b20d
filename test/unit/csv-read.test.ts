import { constants as fsConstants } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { ListscrubError } from '../../src/errors.js';
import { openCsvInput, type CsvInputItem } from '../../src/csv/read.js';
import { fixture, readAll, readChunked, readText } from './csv-helpers.js';

// open() passes through to the real one; a test can make its next call fail the way an unreadable
// file does (root bypasses permission bits, so chmod cannot produce it here).
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return { ...real, open: vi.fn(real.open) };
});

async function expectError(promise: Promise<unknown>, code: string, ...fragments: (string | RegExp)[]) {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ListscrubError);
  expect((error as ListscrubError).code).toBe(code);
  for (const fragment of fragments) expect((error as Error).message).toMatch(fragment);
  return error as ListscrubError;
}

describe('byte-order marks and encodings', () => {
  test('UTF-8 BOM is stripped from the first header name', async () => {
    const { input, good } = await readAll({ input: fixture('bom-utf8.csv') });
    expect(input.header).toEqual(['email', 'name']);
    expect(input.encoding).toBe('utf8');
    expect(input.bom).toBe(true);
    expect(input.column).toEqual({ index: 0, name: 'email', source: 'header' });
    expect(good).toEqual([
      ['ann@example.com', 'Ann'],
      ['bob@example.org', 'Bob'],
    ]);
  });

  test('UTF-16LE with BOM is decoded', async () => {
    const { input, items } = await readAll({ input: fixture('bom-utf16le.csv') });
    expect(input.encoding).toBe('utf16le');
    expect(input.header).toEqual(['name', 'email']);
    expect(input.lineEnding).toBe('\r\n');
    expect(items).toEqual([
      { record: ['Zoë', 'zoe@example.com'], info: { line: 2, index: 1 } },
      { record: ['José', 'jose@example.es'], info: { line: 3, index: 2 } },
    ]);
  });

  test('UTF-16BE with BOM is decoded', async () => {
    const le = Buffer.from('email\nzoë@example.com\n', 'utf16le');
    const be = Buffer.alloc(le.length);
    for (let i = 0; i < le.length; i += 2) ((be[i] = le[i + 1] as number), (be[i + 1] = le[i] as number));
    const { input, good } = await readText(Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
    expect(input.encoding).toBe('utf16be');
    expect(good).toEqual([['zoë@example.com']]);
  });

  test('UTF-16LE without BOM: E_ENCODING suggesting --encoding utf16le; works with it', async () => {
    await expectError(openCsvInput({ input: fixture('utf16le-nobom.csv') }), 'E_ENCODING', /--encoding utf16le/);
    const { good } = await readAll({ input: fixture('utf16le-nobom.csv'), encoding: 'utf16le' });
    expect(good).toEqual([
      ['Zoë', 'zoe@example.com'],
      ['José', 'jose@example.es'],
    ]);
  });

  test('--encoding utf16le on a UTF-8 file is an E_ENCODING error', async () => {
    await expectError(openCsvInput({ input: fixture('crlf.csv'), encoding: 'utf16le' }), 'E_ENCODING', /does not look like UTF-16LE/);
  });

  test('latin1 file: invalid UTF-8 by default, with line number and hint', async () => {
    const error = await expectError(
      openCsvInput({ input: fixture('latin1.csv') }),
      'E_ENCODING',
      /line 1\b/,
      /try --encoding latin1 \(option encoding: 'latin1'\), or windows-1252/,
    );
    expect(error.line).toBe(1);
  });

  test.each(['latin1', 'windows-1252'] as const)('latin1 file read with --encoding %s', async (encoding) => {
    const { input, good } = await readAll({ input: fixture('latin1.csv'), encoding });
    expect(input.delimiter).toBe(';');
    expect(input.header).toEqual(['nom', 'prénom', 'courriel']);
    expect(input.column).toEqual({ index: 2, name: 'courriel', source: 'header' });
    expect(good).toEqual([
      ['Müller', 'Jürgen', 'juergen@example.de'],
      ['Núñez', 'Begoña', 'begona@example.es'],
      ['Lefèvre', 'Élodie', 'elodie@example.fr'],
    ]);
  });

  test('windows-1252 bytes 0x80-0x9F decode to their characters (€, ’)', async () => {
    const { good } = await readText(Buffer.from([...Buffer.from('email,note\na@b.com,'), 0x80, 0x92, 0x0a]), {
      encoding: 'windows-1252',
    });
    expect(good).toEqual([['a@b.com', '€’']]);
  });

  test('invalid UTF-8 in the first rows rejects openCsvInput with the line', async () => {
    const error = await expectError(openCsvInput({ input: fixture('invalid-utf8.csv') }), 'E_ENCODING', /line 4/, /0xE9/, /latin1/);
    expect(error.line).toBe(4);
  });

  test('invalid UTF-8 far into the file errors the records stream with the line, after the good rows', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `user${i}@example.com,${'x'.repeat(40)}\n`).join('');
    const data = Buffer.concat([Buffer.from('email,pad\n' + rows), Buffer.from([0x66, 0xff, 0x0a])]);
    const input = await openCsvInput({ input: '-', stdin: Readable.from([data.subarray(0, 70000), data.subarray(70000)]) });
    const seen: CsvInputItem[] = [];
    const error = await (async () => {
      try {
        for await (const item of input.records) seen.push(item as CsvInputItem);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(ListscrubError);
    expect((error as ListscrubError).code).toBe('E_ENCODING');
    expect((error as ListscrubError).line).toBe(3002);
    expect((error as Error).message).toContain('line 3002');
    expect(seen.length).toBeGreaterThan(1000);
  });

  test('a UTF-8 sequence cut at the end of the input is an encoding error', async () => {
    await expectError(readText(Buffer.concat([Buffer.from('email\na@b.com\nc'), Buffer.from([0xc3])])), 'E_ENCODING', /line 3/);
  });

  test('multi-byte characters split across chunks decode correctly', async () => {
    const text = 'name,email\nZoë Łukasz 日本 😀,z@example.com\n';
    for (const size of [1, 2, 3, 5]) {
      const { good } = await readChunked(text, size);
      expect(good).toEqual([['Zoë Łukasz 日本 😀', 'z@example.com']]);
    }
  });

  test('unknown encoding is an E_OPTION error', async () => {
    await expectError(openCsvInput({ input: fixture('crlf.csv'), encoding: 'ebcdic' as never }), 'E_OPTION', /unsupported encoding/);
  });
});

describe('not a CSV', () => {
  test('gzip file', async () => {
    await expectError(openCsvInput({ input: fixture('gzip.csv.gz') }), 'E_NOT_CSV', /gzip\.csv\.gz looks like a gzip file; decompress it first/);
  });

  test('binary file with NUL bytes', async () => {
    await expectError(openCsvInput({ input: fixture('binary.bin') }), 'E_NOT_CSV', /binary\.bin looks like a binary file/);
  });

  test('no record parses at all (one endless line): E_NOT_CSV with the first problem', async () => {
    const error = await expectError(
      readText('x'.repeat(5000), { maxRecordSize: 1000 }),
      'E_NOT_CSV',
      /does not look like a CSV list/,
      /line 1: record longer than the limit/,
    );
    expect(error.line).toBe(1);
  });

  test('xlsx (zip) file', async () => {
    await expectError(readText(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0])), 'E_NOT_CSV', /ZIP archive/, /xlsx/);
  });
});

describe('unreadable input', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'listscrub-csv-read-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('missing file', async () => {
    await expectError(openCsvInput({ input: join(dir, 'nope.csv') }), 'E_INPUT', /cannot read .*nope\.csv: no such file/);
  });

  test('a directory', async () => {
    await expectError(openCsvInput({ input: dir }), 'E_INPUT', /is a directory/);
  });

  test('no permission (EACCES on open)', async () => {
    const path = join(dir, 'secret.csv');
    await writeFile(path, 'email\na@b.com\n');
    vi.mocked(open).mockImplementationOnce(async () => {
      throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES' });
    });
    await expectError(openCsvInput({ input: path }), 'E_INPUT', /cannot read .*secret\.csv: permission denied/);
    // Read-only, never waiting on a FIFO (src/files/open-regular.ts).
    expect(vi.mocked(open)).toHaveBeenLastCalledWith(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK | fsConstants.O_NOCTTY);
  });

  test('a path through a regular file (ENOTDIR, a real failure whoever runs it)', async () => {
    const path = join(dir, 'plain.csv');
    await writeFile(path, 'email\na@b.com\n');
    await expectError(openCsvInput({ input: join(path, 'x.csv') }), 'E_INPUT', /a part of the path is not a directory/);
  });

  test("'-' without a stdin stream is an option error", async () => {
    await expectError(openCsvInput({ input: '-' }), 'E_OPTION');
  });

  test('a stdin stream that fails becomes E_INPUT', async () => {
    const stdin = new Readable({
      read() {
        this.destroy(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }));
      },
    });
    await expectError(openCsvInput({ input: '-', stdin }), 'E_INPUT', /cannot read standard input: EIO/);
  });
});

describe('empty inputs and line endings', () => {
  test('empty file: no records, no header, no error', async () => {
    const { input, items } = await readAll({ input: fixture('empty.csv') });
    expect(input.header).toBeNull();
    expect(items).toEqual([]);
    expect(input.column.source).toBe('none');
    expect(input.totalBytes).toBe(0);
  });

  test('only a BOM and blank lines: no records', async () => {
    const { input, items } = await readText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('\r\n\n  \n')]));
    expect(input.header).toBeNull();
    expect(items).toEqual([]);
  });

  test('header-only file: header, zero records, column from the header', async () => {
    const { input, items } = await readAll({ input: fixture('header-only.csv') });
    expect(input.header).toEqual(['first_name', 'last_name', 'email']);
    expect(input.column).toEqual({ index: 2, name: 'email', source: 'header' });
    expect(items).toEqual([]);
  });

  test('header without a final line break', async () => {
    const { input, items } = await readText('email,name');
    expect(input.header).toEqual(['email', 'name']);
    expect(items).toEqual([]);
  });

  test('CRLF with a quoted CRLF inside a field: lines count the physical lines', async () => {
    const { input, items } = await readAll({ input: fixture('crlf.csv') });
    expect(input.lineEnding).toBe('\r\n');
    expect(items).toEqual([
      { record: ['1', 'ann@example.com', 'Paris'], info: { line: 2, index: 1 } },
      { record: ['2', 'bob@example.org', 'Lyon\r\nCedex'], info: { line: 3, index: 2 } },
      { record: ['3', 'cat@example.net', 'Nice'], info: { line: 5, index: 3 } },
    ]);
  });

  test('mixed LF / CR / CRLF endings leave no stray CR in cells', async () => {
    const { items } = await readAll({ input: fixture('mixed-endings.csv') });
    expect(items).toEqual([
      { record: ['ann@example.com', 'Ann'], info: { line: 2, index: 1 } },
      { record: ['bob@example.org', 'Bob'], info: { line: 3, index: 2 } },
      { record: ['cat@example.net', 'Cat'], info: { line: 4, index: 3 } },
    ]);
  });

  test('blank lines (also spaces only) are skipped; line numbers still count them', async () => {
    const { input, items } = await readAll({ input: fixture('blank-lines.csv') });
    expect(input.header).toEqual(['email', 'name']);
    expect(items).toEqual([
      { record: ['ann@example.com', 'Ann'], info: { line: 5, index: 1 } },
      { record: ['bob@example.org', 'Bob'], info: { line: 8, index: 2 } },
    ]);
  });

  test('a CRLF split across chunks is one line break', async () => {
    const text = 'email,n\r\na@b.com,1\r\n"x\r\ny@z.com",2\r\nc@d.com,3\r\n';
    for (const size of [1, 2, 3, 4, 7]) {
      const { items } = await readChunked(text, size);
      expect(items).toEqual([
        { record: ['a@b.com', '1'], info: { line: 2, index: 1 } },
        { record: ['x\r\ny@z.com', '2'], info: { line: 3, index: 2 } },
        { record: ['c@d.com', '3'], info: { line: 5, index: 3 } },
      ]);
    }
  });
});

describe('quoting', () => {
  test('quoted fields with embedded quotes, delimiters and newlines', async () => {
    const { items } = await readAll({ input: fixture('quoted-newlines.csv') });
    expect(items).toEqual([
      { record: ['Ann "Nan" Lee', 'ann@example.com', 'line one\nline two'], info: { line: 2, index: 1 } },
      { record: ['Bob', 'bob@example.org', 'has, comma'], info: { line: 4, index: 2 } },
      { record: ['Cat', 'cat@example.net', 'three\nlines\nhere'], info: { line: 5, index: 3 } },
      { record: ['Dan', 'dan@example.com', 'plain'], info: { line: 8, index: 4 } },
    ]);
  });

  test('a quote inside an unquoted field is literal; text after a closing quote on the same line is kept', async () => {
    const { good, malformed } = await readText('name,email\nJo "JJ" Smith,jo@example.com\n"ab"cd,x@example.com\n');
    expect(malformed).toBe(0);
    expect(good).toEqual([
      ['Jo "JJ" Smith', 'jo@example.com'],
      ['"ab"cd', 'x@example.com'],
    ]);
  });
});

describe('streaming', () => {
  test('bytesRead and totalBytes for a file', async () => {
    const input = await openCsvInput({ input: fixture('quoted-newlines.csv') });
    expect(input.totalBytes).toBe(171);
    await input.records.toArray();
    expect(input.bytesRead()).toBe(171);
  });

  test('backpressure: an endless stdin is read only as far as the consumer goes; destroy stops it', async () => {
    let produced = 0;
    const stdin = new Readable({
      read() {
        const lines: string[] = [];
        for (let i = 0; i < 1000; i++) lines.push(`user${produced++}@example.com,some name here\n`);
        this.push(produced === 1000 ? 'email,name\n' + lines.join('') : lines.join(''));
      },
    });
    const input = await openCsvInput({ input: '-', stdin });
    const iterator = input.records[Symbol.asyncIterator]();
    for (let i = 0; i < 10; i++) await iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const read = input.bytesRead();
    expect(read).toBeLessThan(4 * 1024 * 1024);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(input.bytesRead()).toBe(read); // nothing more is pulled while nobody reads
    await iterator.return?.();
    expect(input.records.destroyed).toBe(true);
    expect(stdin.destroyed).toBe(false); // injected stdin is not ours to destroy
  });

  test('a large generated file streams with every record accounted for', async () => {
    const rows = 20000;
    async function* gen() {
      yield 'id,email,note\n';
      for (let i = 1; i <= rows; i++) yield `${i},u${i}@example.com,"note, ${i}\nsecond line"\n`;
    }
    const input = await openCsvInput({ input: '-', stdin: Readable.from(gen()) });
    let count = 0;
    let lastLine = 0;
    for await (const item of input.records) {
      const it = item as CsvInputItem;
      if (!('record' in it)) throw new Error('unexpected malformed');
      count++;
      expect(it.info.index).toBe(count);
      lastLine = it.info.line;
    }
    expect(count).toBe(rows);
    expect(lastLine).toBe(2 + (rows - 1) * 2);
  });
});
