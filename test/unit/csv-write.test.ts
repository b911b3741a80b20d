import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { chmod, mkdir, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ListscrubError } from '../../src/errors.js';
import { cleanStaleTempFiles, createAtomicFileWriter, createCsvBatchWriter, createCsvWriter } from '../../src/csv/write.js';
import { readText } from './csv-helpers.js';

// open() passes through to the real one; a test can make its next call fail the way a directory
// without write permission does (root bypasses permission bits, so chmod cannot produce it here).
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return { ...real, open: vi.fn(real.open) };
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'listscrub-csv-write-'));
});
afterEach(async () => {
  await chmod(dir, 0o755).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

const tempFiles = async () => (await readdir(dir)).filter((name) => name.endsWith('.tmp'));

describe('createAtomicFileWriter', () => {
  test('commit replaces the target; the temp file name follows the pattern and is gone', async () => {
    const target = join(dir, 'out.csv');
    await writeFile(target, 'old content\n');
    const writer = await createAtomicFileWriter(target);
    expect(writer.tempPath).toMatch(new RegExp(`/\\.out\\.csv\\.${process.pid}\\.[0-9a-f]+\\.tmp$`));
    writer.stream.write('new ');
    writer.stream.write('content\n');
    // Before commit the target is untouched.
    expect(await readFile(target, 'utf8')).toBe('old content\n');
    await writer.commit();
    expect(await readFile(target, 'utf8')).toBe('new content\n');
    expect(await tempFiles()).toEqual([]);
  });

  test('commit creates a new target; the stream may already be ended by a pipeline', async () => {
    const target = join(dir, 'new.csv');
    const writer = await createAtomicFileWriter(target);
    await pipeline(Readable.from(['a,b\n', '1,2\n']), writer.stream);
    await writer.commit();
    expect(await readFile(target, 'utf8')).toBe('a,b\n1,2\n');
  });

  test("an existing target's permissions are kept", async () => {
    const target = join(dir, 'mode.csv');
    await writeFile(target, 'x');
    await chmod(target, 0o640);
    const writer = await createAtomicFileWriter(target);
    writer.stream.end('y');
    await writer.commit();
    expect((await stat(target)).mode & 0o777).toBe(0o640);
  });

  test('abort leaves the old target intact and removes the temp file; abort is idempotent', async () => {
    const target = join(dir, 'out.csv');
    await writeFile(target, 'precious\n');
    const writer = await createAtomicFileWriter(target);
    writer.stream.write('half a fi');
    await writer.abort();
    await writer.abort();
    expect(await readFile(target, 'utf8')).toBe('precious\n');
    expect(await tempFiles()).toEqual([]);
    await expect(writer.commit()).rejects.toMatchObject({ code: 'E_OUTPUT' });
  });

  test('a stream destroyed with an error: commit rejects E_OUTPUT, no temp, no partial target', async () => {
    const target = join(dir, 'out.csv');
    await writeFile(target, 'old\n');
    const writer = await createAtomicFileWriter(target);
    writer.stream.write('partial');
    writer.stream.destroy(new Error('disk on fire'));
    const error = await writer.commit().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListscrubError);
    expect((error as ListscrubError).code).toBe('E_OUTPUT');
    expect((error as Error).message).toContain('disk on fire');
    expect(await readFile(target, 'utf8')).toBe('old\n');
    expect(await tempFiles()).toEqual([]);
  });

  test('a failing pipeline source: abort keeps the old target', async () => {
    const target = join(dir, 'out.csv');
    await writeFile(target, 'old\n');
    const writer = await createAtomicFileWriter(target);
    const source = new Readable({
      read() {
        this.push('row\n');
        this.destroy(new Error('upstream failed'));
      },
    });
    await expect(pipeline(source, writer.stream)).rejects.toThrow('upstream failed');
    await writer.abort();
    expect(await readFile(target, 'utf8')).toBe('old\n');
    expect(await tempFiles()).toEqual([]);
  });

  test('a directory that refuses writes (EACCES creating the temp file): E_OUTPUT at open, nothing created', async () => {
    const locked = join(dir, 'locked');
    await mkdir(locked);
    vi.mocked(open).mockImplementationOnce(async (path) => {
      throw Object.assign(new Error(`EACCES: permission denied, open '${String(path)}'`), { code: 'EACCES' });
    });
    await expect(createAtomicFileWriter(join(locked, 'out.csv'))).rejects.toSatisfy(
      (e: unknown) => e instanceof ListscrubError && e.code === 'E_OUTPUT' && /permission denied/.test(e.message),
    );
    expect(vi.mocked(open)).toHaveBeenLastCalledWith(expect.stringMatching(/locked\/\.out\.csv\.\d+\.[0-9a-f]+\.tmp$/), expect.anything(), expect.anything());
    expect(await readdir(locked)).toEqual([]);
  });

  test('a parent that is a regular file (ENOTDIR, a real failure whoever runs it): E_OUTPUT at open, nothing created', async () => {
    const file = join(dir, 'plain.txt');
    await writeFile(file, 'x');
    await expect(createAtomicFileWriter(join(file, 'out.csv'))).rejects.toSatisfy(
      (e: unknown) => e instanceof ListscrubError && e.code === 'E_OUTPUT' && /a part of the path is not a directory/.test(e.message),
    );
    expect(await readdir(dir)).toEqual(['plain.txt']);
  });

  test('a missing directory: E_OUTPUT', async () => {
    await expect(createAtomicFileWriter(join(dir, 'nope', 'out.csv'))).rejects.toSatisfy(
      (e: unknown) => e instanceof ListscrubError && e.code === 'E_OUTPUT' && /no such directory/.test(e.message),
    );
  });

  test('a target that is a directory: E_OUTPUT', async () => {
    await expect(createAtomicFileWriter(dir)).rejects.toMatchObject({ code: 'E_OUTPUT' });
  });

  test('rename failing at commit (target became a directory): E_OUTPUT, temp removed', async () => {
    const target = join(dir, 'out.csv');
    const writer = await createAtomicFileWriter(target);
    writer.stream.end('data');
    await mkdir(target);
    await writeFile(join(target, 'keep'), 'x');
    await expect(writer.commit()).rejects.toMatchObject({ code: 'E_OUTPUT' });
    expect(await tempFiles()).toEqual([]);
  });

  test("'-' writes to the injected stdout and never ends it", async () => {
    const chunks: string[] = [];
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString());
        callback();
      },
    });
    const writer = await createAtomicFileWriter('-', { stdout });
    expect(writer.tempPath).toBeNull();
    await pipeline(Readable.from(['a\n', 'b\n']), writer.stream);
    await writer.commit();
    expect(chunks.join('')).toBe('a\nb\n');
    expect(stdout.writableEnded).toBe(false);
  });

  test("'-' respects the stdout's backpressure and reports its errors as E_OUTPUT", async () => {
    const stdout = new PassThrough({ highWaterMark: 4 });
    const writer = await createAtomicFileWriter('-', { stdout });
    const done = pipeline(Readable.from(['0123456789', 'abcdef']), writer.stream);
    let received = '';
    stdout.on('data', (chunk: Buffer) => (received += chunk.toString()));
    await done;
    await writer.commit();
    expect(received).toBe('0123456789abcdef');

    const broken = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    broken.on('error', () => undefined);
    const writer2 = await createAtomicFileWriter('-', { stdout: broken });
    writer2.stream.write('x');
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(writer2.commit()).rejects.toSatisfy(
      (e: unknown) => e instanceof ListscrubError && e.code === 'E_OUTPUT' && /standard output/.test(e.message),
    );
  });

  test("'-' without a stdout stream is E_OPTION", async () => {
    await expect(createAtomicFileWriter('-')).rejects.toMatchObject({ code: 'E_OPTION' });
  });
});

describe('cleanStaleTempFiles', () => {
  test('removes temp files of dead processes only', async () => {
    const names = [
      '.out.csv.999991.abc123.tmp', // dead
      `.out.csv.${process.pid}.def456.tmp`, // ours
      '.out.csv.999992.0a0b.tmp', // alive (per isAlive below)
      '.other.csv.999991.abc123.tmp', // another target
      'out.csv', // the target
      '.out.csv.notapid.abc.tmp', // not our pattern
    ];
    for (const name of names) await writeFile(join(dir, name), 'x');
    const removed = await cleanStaleTempFiles(dir, 'out.csv', { isAlive: (pid) => pid === 999992 });
    expect(removed).toEqual([join(dir, '.out.csv.999991.abc123.tmp')]);
    expect((await readdir(dir)).sort()).toEqual(names.filter((name) => !name.startsWith('.out.csv.999991')).sort());
  });

  test('with the real liveness check, a temp file of this process is kept', async () => {
    await writeFile(join(dir, `.a.csv.${process.pid}.ff.tmp`), 'x');
    expect(await cleanStaleTempFiles(dir, 'a.csv')).toEqual([]);
  });

  test('a missing directory is not an error', async () => {
    expect(await cleanStaleTempFiles(join(dir, 'missing'), 'a.csv')).toEqual([]);
  });
});

async function stringify(records: string[][], options: Parameters<typeof createCsvWriter>[0] = {}): Promise<string> {
  const writer = createCsvWriter(options);
  const chunks: string[] = [];
  writer.on('data', (chunk: Buffer | string) => chunks.push(chunk.toString()));
  for (const record of records) writer.write(record);
  writer.end();
  await new Promise((resolve, reject) => {
    writer.on('end', resolve);
    writer.on('error', reject);
  });
  return chunks.join('');
}

describe('createCsvWriter', () => {
  test('quotes only where needed and keeps the delimiter', async () => {
    const text = await stringify(
      [
        ['plain', 'has;semi', 'has,comma', 'say "hi"', 'two\nlines', ''],
        ['a', 'b', 'c', 'd', 'e', 'f'],
      ],
      { header: ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'], delimiter: ';' },
    );
    expect(text).toBe('h1;h2;h3;h4;h5;h6\nplain;"has;semi";has,comma;"say ""hi""";"two\nlines";\na;b;c;d;e;f\n');
  });

  test('CRLF line ending, CR in a value is quoted', async () => {
    expect(await stringify([['a', 'b\rc']], { lineEnding: '\r\n' })).toBe('a,"b\rc"\r\n');
  });

  test('a record that is one blank cell is quoted so it is not read back as a blank line', async () => {
    expect(await stringify([[''], ['  '], ['x']])).toBe('""\n"  "\nx\n');
    expect(await stringify([['', '']])).toBe(',\n');
  });

  test('BOM option', async () => {
    expect(await stringify([['a']], { bom: true })).toBe('\uFEFFa\n');
  });

  test('invalid delimiter is E_OPTION', () => {
    expect(() => createCsvWriter({ delimiter: ';;' })).toThrow(ListscrubError);
  });
});

describe('round trip: createCsvWriter -> openCsvInput', () => {
  const cell = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.string({ unit: fc.constantFrom('"', ',', ';', '\t', '|', '\n', '\r', ' ', 'a', '@', '\uFEFF', 'é', '😀'), maxLength: 10 }),
  );

  test('property: same values and counts back, whatever the delimiter', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }).chain((width) =>
          fc.tuple(
            fc.constant(width),
            fc.array(fc.array(cell, { minLength: width, maxLength: width }), { maxLength: 15 }),
            fc.constantFrom(',', ';', '\t', '|'),
            fc.constantFrom('\n' as const, '\r\n' as const),
          ),
        ),
        async ([width, rows, delimiter, lineEnding]) => {
          const header = Array.from({ length: width }, (_, i) => (i === 0 ? 'email' : `c${i}`));
          const text = await stringify(rows, { header, delimiter, lineEnding });
          const { input, items } = await readText(text, { delimiter, column: 1 });
          expect(input.header).toEqual(header);
          expect(items).toHaveLength(rows.length);
          expect(items.map((item) => ('record' in item ? item.record : item.malformed))).toEqual(rows);
          // csv-parse, the reference parser, reads the same values.
          const reference = parse(text, { delimiter, bom: true, relax_column_count: true }) as string[][];
          expect(reference.slice(1)).toEqual(rows);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('property: round trip with a detected delimiter', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(cell, cell), { minLength: 1, maxLength: 10 }),
        fc.constantFrom(',', ';', '\t', '|'),
        async (pairs, delimiter) => {
          const rows = pairs.map(([a, b]) => [`user@example.com`, a, b]);
          const text = await stringify(rows, { header: ['email', 'a', 'b'], delimiter });
          const { input, good } = await readText(text);
          expect(input.delimiter).toBe(delimiter);
          expect(good).toEqual(rows);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('createCsvBatchWriter', () => {
  // The cells that need the round-trip rules (a lone blank cell, a leading U+FEFF) mixed with plain ones,
  // so that batches with and without them are both formatted.
  const cell = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('a@b.com', 'x', '', 'two words', 'q"uote', 'semi;colon', 'com,ma') },
    { weight: 1, arbitrary: fc.constantFrom(' ', '\t', '\uFEFF', '\uFEFFa', 'line\nbreak', 'cr\r') },
    { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('"', ',', ';', '\t', '\n', '\r', ' ', 'a', '\uFEFF', 'é'), maxLength: 6 }) },
  );

  test('property: byte for byte what createCsvWriter writes, however the records are batched', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 10 }),
        fc.constantFrom(',', ';', '\t', '|'),
        fc.constantFrom('\n' as const, '\r\n' as const),
        async (rows, sizes, delimiter, lineEnding) => {
          const header = ['email', 'name'];
          const expected = await stringify(rows, { header, delimiter, lineEnding });
          const writer = createCsvBatchWriter({ header, delimiter, lineEnding });
          const chunks: string[] = [];
          writer.on('data', (chunk: Buffer | string) => chunks.push(chunk.toString()));
          for (let at = 0, i = 0; at < rows.length; i++) {
            const size = sizes[i % sizes.length]!;
            writer.write(rows.slice(at, at + size));
            at += size;
          }
          writer.end();
          await new Promise((resolve, reject) => {
            writer.on('end', resolve);
            writer.on('error', reject);
          });
          expect(chunks.join('')).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
