/**
 * The scrub transform against a fake Scrubber whose verdicts arrive when the test says so: no real
 * DNS, no sleeps. The real address engine is covered by test/integration/stream.test.ts.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Scrubber } from '../../src/scrubber.js';
import type { DnsStats, Verdict } from '../../src/types.js';
import {
  createScrubStream,
  scrubRecords,
  type CsvRecord,
  type ScrubbedRow,
  type ScrubInput,
} from '../../src/stream/index.js';

const fakes = vi.hoisted(() => {
  /** A verdict per input, like the engine would give, with the local part's case kept. */
  function fakeVerdict(input: string): Verdict {
    const at = input.lastIndexOf('@');
    if (input === '' || at < 1) {
      return { input, address: null, status: 'invalid', reason: 'syntax', detail: input === '' ? 'The cell is empty.' : 'No @.' };
    }
    const address = input.slice(0, at) + input.slice(at).toLowerCase();
    if (address.endsWith('@nx.test')) {
      return { input, address, status: 'invalid', reason: 'domain_not_found', detail: 'NXDOMAIN', bounce: '5.1.2' };
    }
    return { input, address, status: 'valid', reason: 'ok', detail: 'fine' };
  }

  interface Outstanding {
    input: string;
    resolve(): void;
    reject(error: Error): void;
  }

  /** evaluate() answers synchronously or with a promise the test settles (isAsync decides, per call). */
  class FakeScrubber {
    calls: string[] = [];
    outstanding: Outstanding[] = [];
    inFlight = 0;
    maxInFlight = 0;
    closed = 0;
    readonly domains = null;
    constructor(public isAsync: (input: string, call: number) => boolean = () => false) {}

    evaluate(input: string): Verdict | Promise<Verdict> {
      const call = this.calls.push(input) - 1;
      if (!this.isAsync(input, call)) return fakeVerdict(input);
      this.inFlight += 1;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      return new Promise<Verdict>((resolve, reject) => {
        this.outstanding.push({
          input,
          resolve: () => {
            this.inFlight -= 1;
            resolve(fakeVerdict(input));
          },
          reject: (error) => {
            this.inFlight -= 1;
            reject(error);
          },
        });
      });
    }
    /** Settle the i-th outstanding verdict (in evaluate order among the outstanding ones). */
    settle(i = 0): void {
      const [entry] = this.outstanding.splice(i, 1);
      if (entry === undefined) throw new Error(`nothing outstanding at ${i}`);
      entry.resolve();
    }
    settleAll(): void {
      while (this.outstanding.length > 0) this.settle(0);
    }
    async check(input: string): Promise<Verdict> {
      return this.evaluate(input);
    }
    async ready() {
      return { healthy: true, checked: false, detail: 'fake' };
    }
    health() {
      return null;
    }
    stats(): DnsStats {
      return { queries: 0, queriesByType: {}, answers: {}, domains: 0, cacheHits: 0 };
    }
    async close(): Promise<void> {
      this.closed += 1;
    }
  }

  const created: FakeScrubber[] = [];
  return { FakeScrubber, fakeVerdict, created };
});

// The stream makes its own scrubber when none is given: hand it a fake we can inspect.
vi.mock('../../src/scrubber.js', () => ({
  createScrubber: () => {
    const scrubber = new fakes.FakeScrubber(() => true);
    fakes.created.push(scrubber);
    return scrubber;
  },
}));

type Fake = InstanceType<typeof fakes.FakeScrubber>;
const asScrubber = (fake: Fake): Scrubber => fake as unknown as Scrubber;

/** Let streams and promise callbacks run: one turn of the event loop (not a timer). */
async function turn(times = 1): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Feed `items` through the stream, settling outstanding verdicts in random order (by `seed`) while
 * the stream runs, and collect the output.
 */
async function run<R extends CsvRecord>(
  items: ScrubInput<R>[],
  fake: Fake,
  options: { window?: number; keepDuplicates?: boolean; column?: string | number; seed?: number } = {},
): Promise<ScrubbedRow<R>[]> {
  const stream = createScrubStream<R>({
    column: options.column ?? 0,
    scrubber: asScrubber(fake),
    window: options.window,
    keepDuplicates: options.keepDuplicates,
  });
  const random = mulberry32(options.seed ?? 1);
  const rows: ScrubbedRow<R>[] = [];
  stream.on('data', (row: ScrubbedRow<R>) => rows.push(row));
  let finished = false;
  let failure: unknown;
  pipeline(Readable.from(items), stream).then(
    () => (finished = true),
    (error: unknown) => {
      failure = error;
      finished = true;
    },
  );
  for (let guard = 0; !finished; guard++) {
    if (guard > 100_000) throw new Error('stream stalled');
    await turn();
    // Settle a random number of random verdicts per turn, so completion order is shuffled.
    let settle = Math.floor(random() * 3);
    while (settle-- > 0 && fake.outstanding.length > 0) fake.settle(Math.floor(random() * fake.outstanding.length));
  }
  if (failure !== undefined) throw failure;
  return rows;
}

/** What the output must be: the model of dedupe (first non-invalid occurrence, case-insensitive). */
function expectedStatuses(cells: string[]): string[] {
  const seen = new Set<string>();
  return cells.map((cell) => {
    const verdict = fakes.fakeVerdict(cell);
    if (verdict.address === null || verdict.status === 'invalid') return verdict.status;
    const key = verdict.address.toLowerCase();
    if (seen.has(key)) return 'duplicate';
    seen.add(key);
    return verdict.status;
  });
}

describe('createScrubStream: order, window, duplicates', () => {
  it('emits rows in input order whatever order verdicts complete in, within the window', async () => {
    const cell = fc.constantFrom('a@x.com', 'A@X.COM', 'b@x.com', 'b@X.com', 'c@nx.test', 'nope', '', 'd@y.org');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(cell, fc.boolean()), { maxLength: 60 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer(),
        async (items, window, seed) => {
          const fake = new fakes.FakeScrubber((_input, call) => items[call]?.[1] === true);
          const records = items.map(([address], i) => [String(i), address]);
          const rows = await run(records, fake, { window, seed, column: 1 });
          expect(rows.map((row) => row.index)).toEqual(records.map((_, i) => i + 1));
          rows.forEach((row, i) => expect(row.record).toBe(records[i]));
          expect(rows.map((row) => row.verdict.status)).toEqual(expectedStatuses(items.map(([address]) => address)));
          expect(fake.maxInFlight).toBeLessThanOrEqual(window);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps at most `window` rows in flight and takes input again as the oldest completes', async () => {
    const fake = new fakes.FakeScrubber(() => true);
    const stream = createScrubStream({ column: 0, scrubber: asScrubber(fake), window: 4 });
    const rows: ScrubbedRow[] = [];
    stream.on('data', (row: ScrubbedRow) => rows.push(row));
    const done = pipeline(Readable.from(Array.from({ length: 20 }, (_, i) => [`u${i}@x.com`])), stream);
    await turn(5);
    expect(fake.calls).toHaveLength(4);
    fake.settle(3); // the newest: cannot be pushed before rows 1-3, so no room is made
    await turn(5);
    expect(rows).toHaveLength(0);
    expect(fake.calls).toHaveLength(4);
    fake.settle(0); // row 1 goes out, one slot frees
    await turn(5);
    expect(rows.map((row) => row.index)).toEqual([1]);
    expect(fake.calls).toHaveLength(5);
    fake.settle(0); // row 2
    fake.settle(0); // row 3, and row 4 was already done
    await turn(5);
    expect(rows.map((row) => row.index)).toEqual([1, 2, 3, 4]);
    expect(fake.calls).toHaveLength(8);
    expect(fake.maxInFlight).toBe(4);
    for (let guard = 0; fake.calls.length < 20 || fake.outstanding.length > 0; guard++) {
      if (guard > 1000) throw new Error('stalled');
      fake.settleAll();
      await turn();
    }
    await done;
    expect(rows.map((row) => row.index)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(fake.maxInFlight).toBe(4);
  });

  it('decides duplicates in input order: the first occurrence wins even if a later copy resolves first', async () => {
    const fake = new fakes.FakeScrubber(() => true);
    const stream = createScrubStream({ column: 0, scrubber: asScrubber(fake) });
    const rows: ScrubbedRow[] = [];
    stream.on('data', (row: ScrubbedRow) => rows.push(row));
    const done = pipeline(Readable.from([['Ann@Example.com'], ['x@y.com'], ['ann@EXAMPLE.COM']]), stream);
    await turn(3);
    fake.settle(2); // the later copy answers first
    fake.settle(1);
    await turn(3);
    expect(rows).toHaveLength(0);
    fake.settle(0);
    await done;
    expect(rows.map((row) => [row.verdict.status, row.verdict.reason])).toEqual([
      ['valid', 'ok'],
      ['valid', 'ok'],
      ['duplicate', 'duplicate'],
    ]);
    expect(rows[2]?.verdict).toEqual({
      input: 'ann@EXAMPLE.COM',
      address: 'ann@example.com',
      status: 'duplicate',
      reason: 'duplicate',
      detail: 'Same address as row 1.',
    });
  });

  it('is case-insensitive on the whole address, ignores invalid addresses, and obeys keepDuplicates', async () => {
    const cells = ['Bob@x.com', 'BOB@X.COM', 'bob@x.com', 'gone@nx.test', 'gone@nx.test', '', ''];
    const records = cells.map((cell) => [cell]);
    const rows = await run(records, new fakes.FakeScrubber());
    expect(rows.map((row) => row.verdict.status)).toEqual(['valid', 'duplicate', 'duplicate', 'invalid', 'invalid', 'invalid', 'invalid']);
    expect(rows[2]?.verdict.detail).toBe('Same address as row 1.');
    const kept = await run(records, new fakes.FakeScrubber(), { keepDuplicates: true });
    expect(kept.map((row) => row.verdict.status)).toEqual(['valid', 'valid', 'valid', 'invalid', 'invalid', 'invalid', 'invalid']);
  });
});

describe('createScrubStream: backpressure', () => {
  const N = 5_000;
  // Source's own buffer + our writable buffer + window + our readable buffer, plus slack for the
  // record in hand at each stage.
  const bound = (window: number): number => 16 + 16 + window + 16 + 4;

  async function slowConsumer(window: number, isAsync: boolean): Promise<void> {
    let pulled = 0;
    // Addresses repeat, so duplicates are decided while the reader holds rows back.
    const addressOf = (i: number): string => `user${i % 1500}@example.com`;
    function* source(): Generator<string[]> {
      for (let i = 0; i < N; i++) {
        pulled += 1;
        yield [addressOf(i)];
      }
    }
    const fake = new fakes.FakeScrubber(() => isAsync);
    const stream = createScrubStream({ column: 0, scrubber: asScrubber(fake), window });
    const done = pipeline(Readable.from(source()), stream, async (rows: AsyncIterable<ScrubbedRow>) => {
      let read = 0;
      for await (const row of rows) {
        expect(row.index).toBe(++read);
        // Row i's first occurrence is row (i - 1) % 1500 + 1: every later copy says so, exactly once.
        const first = ((read - 1) % 1500) + 1;
        expect(row.verdict.status, `row ${read}`).toBe(first === read ? 'valid' : 'duplicate');
        if (first !== read) expect(row.verdict.detail).toBe(`Same address as row ${first}.`);
        // A slow reader: every 50 rows, wait a while, letting verdicts complete meanwhile.
        if (read % 50 === 0) {
          for (let i = 0; i < 5; i++) {
            fake.settleAll();
            await turn();
          }
          expect(pulled - read).toBeLessThanOrEqual(bound(window));
          expect(stream.readableLength).toBeLessThanOrEqual(stream.readableHighWaterMark);
        }
      }
      expect(read).toBe(N);
    });
    // Verdicts complete as fast as they can; only the reader is slow.
    const settler = setInterval(() => fake.settleAll(), 0);
    try {
      await done;
    } finally {
      clearInterval(settler);
    }
    expect(fake.maxInFlight).toBeLessThanOrEqual(window);
  }

  it('stops pulling input when a reader is slow (offline verdicts)', async () => {
    await slowConsumer(32, false);
  });

  it('stops pulling input when a reader is slow (DNS verdicts)', async () => {
    await slowConsumer(64, true);
  });

  it('holds input while paused and nobody reads: readable buffer at its mark, window full', async () => {
    let pulled = 0;
    const fake = new fakes.FakeScrubber(() => true);
    const stream = createScrubStream({ column: 0, scrubber: asScrubber(fake), window: 10 });
    const source = Readable.from(
      (function* () {
        for (let i = 0; i < 1000; i++) {
          pulled += 1;
          yield [`u${i}@x.com`];
        }
      })(),
    );
    source.pipe(stream);
    for (let i = 0; i < 30; i++) {
      fake.settleAll();
      await turn();
    }
    expect(stream.readableLength).toBe(16); // the readable buffer is full...
    expect(fake.calls.length).toBeLessThanOrEqual(16 + 10); // ...the window too, and no more is evaluated
    expect(pulled).toBeLessThanOrEqual(bound(10));
    const before = pulled;
    await turn(10);
    expect(pulled).toBe(before);
    stream.destroy();
    source.destroy();
  });
});

describe('createScrubStream: teardown', () => {
  let unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  beforeEach(() => {
    unhandled = [];
    fakes.created.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  it('destroy mid-run: no pushes afterwards, late verdicts and rejections are dropped, its own scrubber closed', async () => {
    const stream = createScrubStream({ column: 0, dns: false, window: 8 });
    const fake = fakes.created[0] as Fake;
    expect(fake).toBeDefined();
    const rows: ScrubbedRow[] = [];
    stream.on('data', (row: ScrubbedRow) => rows.push(row));
    const errors: unknown[] = [];
    stream.on('error', (error) => errors.push(error));
    for (let i = 0; i < 6; i++) stream.write([`u${i}@x.com`]);
    await turn(2);
    fake.settle(0);
    await turn(2);
    expect(rows).toHaveLength(1);
    stream.destroy();
    await turn(2);
    expect(fake.closed).toBe(1);
    fake.settle(0);
    fake.settle(0);
    fake.outstanding.splice(0).forEach((entry) => entry.reject(new Error('resolver closed')));
    await turn(5);
    expect(rows).toHaveLength(1);
    expect(errors).toEqual([]);
    expect(unhandled).toEqual([]);
    expect(fake.closed).toBe(1);
  });

  it('closes the scrubber it made once at the end, and never closes a given one', async () => {
    const owned = createScrubStream({ column: 0 });
    const fake = fakes.created[0] as Fake;
    const rows: ScrubbedRow[] = [];
    const done = pipeline(Readable.from([['a@x.com'], ['b@x.com']]), owned, async (source: AsyncIterable<ScrubbedRow>) => {
      for await (const row of source) rows.push(row);
    });
    while (rows.length < 2) {
      fake.settleAll();
      await turn();
    }
    await done;
    expect(fake.closed).toBe(1);

    const given = new fakes.FakeScrubber();
    await run([['a@x.com']], given);
    const destroyed = createScrubStream({ column: 0, scrubber: asScrubber(given) });
    destroyed.destroy();
    await turn(2);
    expect(given.closed).toBe(0);
  });

  it('fails the stream when a verdict promise rejects (an operational failure)', async () => {
    const fake = new fakes.FakeScrubber(() => true);
    const stream = createScrubStream({ column: 0, scrubber: asScrubber(fake) });
    const done = pipeline(Readable.from([['a@x.com'], ['b@x.com']]), stream, new Writable({ objectMode: true, write: (_c, _e, cb) => cb() }));
    await turn(3);
    fake.outstanding[1]?.reject(new Error('limiter stopped'));
    await expect(done).rejects.toThrow('limiter stopped');
    fake.settleAll();
    await turn(2);
    expect(unhandled).toEqual([]);
  });
});

describe('createScrubStream: inputs', () => {
  it('passes malformed envelopes through in order, as malformed rows', async () => {
    const fake = new fakes.FakeScrubber((_input, call) => call === 0);
    const items: ScrubInput<string[]>[] = [
      ['a@x.com'],
      { malformed: { line: 3, message: 'Invalid Closing Quote', raw: 'b@x.com,"oops' } },
      { malformed: { line: 4, message: 'Invalid Record Length', record: ['c@x.com', 'extra', 'x'] } },
      ['a@x.com'],
    ];
    const rows = await run(items, fake);
    expect(rows.map((row) => [row.index, row.verdict.status])).toEqual([
      [1, 'valid'],
      [2, 'malformed'],
      [3, 'malformed'],
      [4, 'duplicate'],
    ]);
    expect(rows[1]).toEqual({
      record: [],
      index: 2,
      line: 3,
      verdict: {
        input: 'b@x.com,"oops',
        address: null,
        status: 'malformed',
        reason: 'malformed_row',
        detail: 'The CSV record at line 3 could not be parsed: Invalid Closing Quote',
      },
    });
    expect(rows[2]?.record).toEqual(['c@x.com', 'extra', 'x']);
    expect(rows[2]?.verdict.input).toBe('');
  });

  it('gives the line each record starts on from csv-parse info (header, blank lines, quoted line breaks, CRLF)', async () => {
    const text = [
      'name,email', // 1
      'Ann,ann@x.com', // 2
      '', // 3
      '"Bob', // 4
      'Builder",bob@x.com', // 5
      'Cat,cat@x.com', // 6
      '"Dan\r\nthe man",dan@x.com', // 7-8, with a CRLF inside the quotes
      'Eve,eve@x.com', // 9
      '"F\n\nG",f@x.com', // 10-12
      'Hal,hal@x.com', // 13
    ].join('\n');
    const fake = new fakes.FakeScrubber();
    const rows: ScrubbedRow<Record<string, string>>[] = [];
    await pipeline(
      Readable.from([text]),
      parse({ columns: true, info: true, skip_empty_lines: true }),
      createScrubStream<Record<string, string>>({ column: 'email', scrubber: asScrubber(fake) }),
      async (source: AsyncIterable<ScrubbedRow<Record<string, string>>>) => {
        for await (const row of source) rows.push(row);
      },
    );
    expect(rows.map((row) => [row.record.email, row.line, row.index])).toEqual([
      ['ann@x.com', 2, 1],
      ['bob@x.com', 4, 2],
      ['cat@x.com', 6, 3],
      ['dan@x.com', 7, 4],
      ['eve@x.com', 9, 5],
      ['f@x.com', 10, 6],
      ['hal@x.com', 13, 7],
    ]);
    expect(fake.calls).toEqual(['ann@x.com', 'bob@x.com', 'cat@x.com', 'dan@x.com', 'eve@x.com', 'f@x.com', 'hal@x.com']);
  });

  it('takes the start line and partial fields from src/csv reader items', async () => {
    const rows = await run<string[]>(
      [
        { record: ['a@x.com', 'A'], info: { line: 2, index: 1 } },
        { malformed: { line: 3, index: 2, message: 'Line 3 has 3 fields, expected 2.', raw: 'b@x.com,B,extra', fields: ['b@x.com', 'B', 'extra'] } },
        { record: ['A@x.com', 'A'], info: { line: 5, index: 3 } },
      ],
      new fakes.FakeScrubber(),
    );
    expect(rows.map((row) => [row.index, row.line, row.verdict.status])).toEqual([
      [1, 2, 'valid'],
      [2, 3, 'malformed'],
      [3, 5, 'duplicate'],
    ]);
    expect(rows[1]?.record).toEqual(['b@x.com', 'B', 'extra']);
    expect(rows[1]?.verdict.input).toBe('b@x.com,B,extra');
  });

  it('uses an explicit envelope line over info', async () => {
    const rows = await run([{ record: ['a@x.com'], info: { lines: 9 }, line: 7 }, { record: ['b@x.com'] }], new fakes.FakeScrubber());
    expect(rows.map((row) => row.line)).toEqual([7, undefined]);
  });

  it('reads array records by position and object records by name; a short row is an empty cell', async () => {
    const arrays = new fakes.FakeScrubber();
    const arrayRows = await run([['1', 'a@x.com'], ['2'], ['3', 'b@x.com', 'extra']], arrays, { column: 1 });
    expect(arrays.calls).toEqual(['a@x.com', '', 'b@x.com']);
    expect(arrayRows.map((row) => row.verdict.status)).toEqual(['valid', 'invalid', 'valid']);

    const objects = new fakes.FakeScrubber();
    const objectRows = await run<Record<string, string>>(
      [{ id: '1', mail: 'a@x.com' }, { id: '2' }, { id: '3', mail: 'A@X.com' }],
      objects,
      { column: 'mail' },
    );
    expect(objects.calls).toEqual(['a@x.com', '', 'A@X.com']);
    expect(objectRows.map((row) => row.verdict.status)).toEqual(['valid', 'invalid', 'duplicate']);
  });

  it('a record shaped like an envelope key is still a record ("record"/"malformed" header names)', async () => {
    const fake = new fakes.FakeScrubber();
    const rows = await run<Record<string, string>>([{ record: 'r', malformed: 'm', email: 'a@x.com' }], fake, { column: 'email' });
    expect(fake.calls).toEqual(['a@x.com']);
    expect(rows[0]?.verdict.status).toBe('valid');
  });

  it('fails with E_NO_EMAIL_COLUMN on the first record when the column does not fit the records', async () => {
    await expect(run<Record<string, string>>([{ id: '1', mail: 'a@x.com' }], new fakes.FakeScrubber(), { column: 'email' })).rejects.toMatchObject({
      code: 'E_NO_EMAIL_COLUMN',
      message: expect.stringContaining('"mail"') as unknown,
    });
    await expect(run<Record<string, string>>([{ email: 'a@x.com' }], new fakes.FakeScrubber(), { column: 0 })).rejects.toMatchObject({
      code: 'E_NO_EMAIL_COLUMN',
    });
    await expect(run([['a@x.com']], new fakes.FakeScrubber(), { column: 'email' })).rejects.toMatchObject({ code: 'E_NO_EMAIL_COLUMN' });
    // The header from csv-parse's info counts even when the first row is short.
    const rows = await run<Record<string, string>>(
      [{ record: { id: '1' }, info: { lines: 2, columns: [{ name: 'id' }, { name: 'email' }] } }],
      new fakes.FakeScrubber(),
      { column: 'email' },
    );
    expect(rows[0]?.verdict.status).toBe('invalid');
  });

  it('rejects bad options up front with E_OPTION', () => {
    const scrubber = asScrubber(new fakes.FakeScrubber());
    expect(() => createScrubStream({ column: -1, scrubber })).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
    expect(() => createScrubStream({ column: '', scrubber })).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
    expect(() => createScrubStream({ column: 0, scrubber, window: 0 })).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
    expect(() => createScrubStream({ column: 0, scrubber, window: 1.5 })).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
  });

  it('scrubRecords iterates rows of any iterable', async () => {
    const rows: ScrubbedRow[] = [];
    for await (const row of scrubRecords([['a@x.com'], ['A@x.com'], { malformed: { line: 4, message: 'bad' } }], {
      column: 0,
      scrubber: asScrubber(new fakes.FakeScrubber()),
    })) {
      rows.push(row);
    }
    expect(rows.map((row) => row.verdict.status)).toEqual(['valid', 'duplicate', 'malformed']);
  });
});
