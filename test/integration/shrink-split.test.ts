/**
 * --max-shrink with --split: the guard compares input records with the last good run's records (the
 * history's `rows`), not the extra rows a split makes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { scrubCsv } from '../../src/batch.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'listscrub-shrink-split-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('counts the records, not the rows --split made', async () => {
  // 3 records, 6 addresses; the last good run had 5 records; at most 30% fewer is allowed.
  await writeFile(join(dir, 'list.csv'), 'email\n"a@example.com; b@example.com"\n"c@example.com; d@example.com"\n"e@example.com; f@example.com"\n');
  const options = { input: join(dir, 'list.csv'), dns: false as const, split: true, lock: false, baselineRows: 5, maxShrink: 0.3 };
  const summary = await scrubCsv(options);
  expect(summary).toMatchObject({ rows: 3, split: { extraRows: 3 }, output: null });
  expect(summary.guard).toMatchObject({ kind: 'max_shrink', rows: 3, baselineRows: 5 });
  expect(summary.guard?.detail).toMatch(/^the list has 3 rows, 40\.0% fewer than the 5/);
  // A list of the baseline's size passes.
  const same = await scrubCsv({ ...options, baselineRows: 3 });
  expect(same.guard).toBeUndefined();
});
