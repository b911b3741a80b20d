import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendHistory, formatDuration, formatHistoryTable, readHistory, type HistoryEntry } from '../../src/jobs/history.js';

let dir: string;
let historyPath: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'listscrub-history-'));
  historyPath = join(dir, 'runs.jsonl');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function entry(overrides: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    time: '2024-05-01T06:00:00.123Z',
    exitCode: 0,
    durationMs: 12_345,
    rows: 1000,
    kept: 950,
    removed: 50,
    statuses: { valid: 900, risky: 50, invalid: 40, unknown: 10 },
    reasons: { ok: 900, null_mx: 40 },
    dns: { healthy: true, queries: 420, cacheHits: 580 },
    input: '/data/list.csv',
    output: '/data/list.clean.csv',
    ...overrides,
  };
}

describe('appendHistory / readHistory', () => {
  it('appends one JSON line per run and reads them back in order', async () => {
    await appendHistory(historyPath, entry({ rows: 1 }));
    await appendHistory(historyPath, entry({ rows: 2, dns: null }));
    const text = await readFile(historyPath, 'utf8');
    expect(text.split('\n')).toHaveLength(3); // two lines + trailing newline
    const { entries, skipped } = await readHistory(historyPath);
    expect(entries.map((e) => e.rows)).toEqual([1, 2]);
    expect(entries[1]?.dns).toBeNull();
    expect(skipped).toEqual([]);
  });

  it('keeps concurrent appends whole (O_APPEND, one write each)', async () => {
    const big = { reasons: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`r${i}`, i])) };
    await Promise.all(Array.from({ length: 50 }, (_, i) => appendHistory(historyPath, entry({ rows: i, ...big }))));
    const { entries, skipped } = await readHistory(historyPath);
    expect(skipped).toEqual([]);
    expect(entries.map((e) => e.rows).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('skips corrupt lines and reports their line numbers', async () => {
    await appendHistory(historyPath, entry({ rows: 1 }));
    await appendFile(historyPath, 'not json\n\n[1,2]\n');
    await appendHistory(historyPath, entry({ rows: 2 }));
    await appendFile(historyPath, '{"time": "2024-05-01T06:00:00Z", "exitCode": 0'); // crash mid-write
    const { entries, skipped } = await readHistory(historyPath);
    expect(entries.map((e) => e.rows)).toEqual([1, 2]);
    expect(skipped.map((s) => s.line)).toEqual([2, 4, 6]);
    expect(skipped[1]?.reason).toBe('not a JSON object');
  });

  it('returns only the last n entries', async () => {
    for (let i = 1; i <= 5; i++) await appendHistory(historyPath, entry({ rows: i }));
    expect((await readHistory(historyPath, { last: 2 })).entries.map((e) => e.rows)).toEqual([4, 5]);
    expect((await readHistory(historyPath, { last: 0 })).entries).toEqual([]);
    expect((await readHistory(historyPath, { last: 50 })).entries).toHaveLength(5);
  });

  it('reads a missing file as an empty history', async () => {
    expect(await readHistory(join(dir, 'none.jsonl'))).toEqual({ entries: [], skipped: [] });
  });

  it('fails with E_OUTPUT when the file cannot be written', async () => {
    await expect(appendHistory(join(dir, 'no-such-dir', 'h.jsonl'), entry())).rejects.toMatchObject({ code: 'E_OUTPUT' });
  });
});

describe('formatHistoryTable', () => {
  it('renders aligned columns', () => {
    const table = formatHistoryTable([
      entry(),
      entry({ time: '2024-05-02T06:00:00Z', exitCode: 3, rows: 7, kept: 7, removed: 0, statuses: {}, dns: { healthy: false, queries: 1, cacheHits: 0 }, durationMs: 250 }),
      entry({ dns: null, durationMs: 3_723_000, exitCode: 1, error: 'cannot read /data/list.csv' }),
    ]);
    expect(table).toBe(
      [
        'time                  exit  rows  kept  removed  invalid  unknown  dns healthy  duration  input           error',
        '2024-05-01 06:00:00Z     0  1000   950       50       40       10  yes             12.3s  /data/list.csv',
        '2024-05-02 06:00:00Z     3     7     7        0        0        0  no              250ms  /data/list.csv',
        '2024-05-01 06:00:00Z     1  1000   950       50       40       10  offline         1h02m  /data/list.csv  cannot read /data/list.csv',
      ].join('\n'),
    );
  });

  it('says so when there are no runs', () => {
    expect(formatHistoryTable([])).toBe('No runs recorded yet.');
  });

  it('formats durations compactly', () => {
    expect([850, 1_500, 65_000, 3_600_000].map(formatDuration)).toEqual(['850ms', '1.5s', '1m05s', '1h00m']);
  });
});
