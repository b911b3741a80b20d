/**
 * Constant memory: ~200 MB generated on the fly (never on disk as input) streamed through scrubCsv
 * to a temp file, DNS off. The heap is sampled at every progress event (every 1,000 rows); its growth
 * over the run must stay far below the input's size. Holding the rows, the text, or an unbounded
 * queue anywhere would grow it by hundreds of MB. (The 50 MB single line runs under a heap cap in
 * hostile-input.test.ts.)
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { scrubCsv } from '../../src/batch.js';
import { bigListStream } from '../support/gen.js';
import { tempDir } from '../support/spawn.js';

const ROWS = 200_000;
const FILLER = 1000; // bytes of notes per row: ~1 KB rows, ~205 MB in all
const HEAP_GROWTH_LIMIT = 128 * 1024 * 1024;

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir('listscrub-memory-')));
afterAll(async () => cleanup());

test(`~200 MB streamed through scrubCsv: heap growth stays under ${HEAP_GROWTH_LIMIT / 2 ** 20} MB`, async () => {
  const output = join(dir, 'big.clean.csv');
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  let samples = 0;
  let bytesSeen = 0;
  const summary = await scrubCsv({
    input: '-',
    stdin: bigListStream(ROWS, FILLER),
    output,
    report: join(dir, 'big.report.csv'),
    dns: false,
    lock: false,
    onProgress: (progress) => {
      samples++;
      bytesSeen = progress.bytesRead;
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    },
  });
  expect(summary.rows).toBe(ROWS);
  expect(summary.kept).toBe(ROWS);
  expect(bytesSeen).toBeGreaterThan(200_000_000);
  expect((await stat(output)).size).toBeGreaterThan(200_000_000);
  expect(samples).toBeGreaterThanOrEqual(ROWS / 1000);
  expect(peak - baseline).toBeLessThan(HEAP_GROWTH_LIMIT);
});
