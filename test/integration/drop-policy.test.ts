/**
 * --drop applies to what is known offline even when DNS cannot decide: a disposable address whose
 * domain could not be checked (lying resolver) is still dropped by `drop: ['disposable']`, and
 * nothing else is removed on DNS grounds.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrubCsv } from '../../src/batch.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { CANARY_ZONE } from '../support/zones.js';

describe('drop policy when DNS is unhealthy', () => {
  let server: DnsServer;
  let dir: string;

  beforeAll(async () => {
    server = await startDnsServer(CANARY_ZONE, { mode: 'lie' });
    dir = await mkdtemp(join(tmpdir(), 'listscrub-drop-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('drops the disposable address (still risky: found offline), keeps the rest; nothing is dropped for being unchecked', async () => {
    const input = join(dir, 'list.csv');
    await writeFile(input, 'email\njane@example.com\nthrowaway@mailinator.com\ninfo@example.org\n');
    const summary = await scrubCsv({
      input,
      output: join(dir, 'clean.csv'),
      report: join(dir, 'report.csv'),
      dns: { servers: [server.address], timeoutMs: 200, retries: 0 },
      drop: ['disposable'],
    });
    expect(summary.dns.healthy).toBe(false);
    expect(summary).toMatchObject({ rows: 3, kept: 2, removed: 1 });
    expect(summary.statuses.invalid).toBe(0);
    const report = parse(await readFile(join(dir, 'report.csv')), { columns: true }) as Array<Record<string, string>>;
    expect(report.map((row) => [row.email, row.status, row.reason])).toEqual([['throwaway@mailinator.com', 'risky', 'disposable']]);
    expect(summary.dropped).toEqual({ disposable: 1 });
    // jane (unknown) and info@ (a risky role account whose domain was not checked) are kept unchecked.
    expect(summary.unchecked).toEqual({ rows: 2, reasons: { dns_unavailable: 2 } });
    expect(summary.removedStatuses).toMatchObject({ risky: 1, unknown: 0 });
    const kept = parse(await readFile(join(dir, 'clean.csv')), { columns: true }) as Array<Record<string, string>>;
    expect(kept.map((row) => row.email)).toEqual(['jane@example.com', 'info@example.org']);
  });
});
