/**
 * Wide and long rows at constant memory (a heap cap the unbounded code ran out of): a record with
 * more fields than a record may have is malformed with its text, and the rows waiting behind one
 * slow domain are bounded by their size as well as by their count.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FIELDS } from '../../src/csv/tokenizer.js';
import { cliZone } from '../support/cli.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { parseCsv, runCli, STACK_LINE, type SummaryJson } from '../support/spawn.js';

let dir: string;
let server: DnsServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'listscrub-wide-'));
  const zone = cliZone();
  zone['slow-mail-host.com'] = { MX: [{ preference: 10, exchange: 'mx.slow-mail-host.com' }], behavior: 'drop' };
  server = await startDnsServer(zone);
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** Write `count` lines made by `line(i)`, streaming, so the test itself stays small. */
async function writeLines(path: string, header: string, count: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${header}\n`);
  for (let i = 0; i < count; i++) if (!out.write(`${line(i)}\n`)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

describe('wide and long rows', () => {
  it(`rows of ${(MAX_FIELDS * 2).toLocaleString('en-US')} fields are malformed with their text, under a 160 MB heap`, async () => {
    const input = join(dir, 'wide.csv');
    const wide = Array.from({ length: MAX_FIELDS * 2 }, () => 'x').join(',');
    await writeLines(input, 'name,email', 60, (i) => (i % 20 === 0 ? `Ann ${i},ann${i}@gmail.com` : `${wide},row${i}`));
    const result = await runCli(['clean', input, '--no-dns', '--json', '-o', join(dir, 'wide.clean.csv'), '-r', join(dir, 'wide.report.csv')], {
      nodeArgs: ['--max-old-space-size=160'],
    });
    expect(result.stderr).not.toContain(STACK_LINE);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    expect(summary).toMatchObject({ rows: 60, kept: 3, statuses: { malformed: 57 } });
    const report = parseCsv(await readFile(join(dir, 'wide.report.csv')));
    expect(report[1]?.[4]).toMatch(new RegExp(`${MAX_FIELDS * 2 + 1} fields, more than the ${MAX_FIELDS}`));
    expect(report[1]?.[7]).toBe(`${wide},row1`);
  });

  it('long rows behind a domain that never answers stay within a 96 MB heap (the window is bounded by size)', async () => {
    const input = join(dir, 'long.csv');
    const note = 'n'.repeat(40_000);
    // The first row's domain never answers: every later row waits behind it, in order.
    await writeLines(input, 'email,note', 4_000, (i) => (i === 0 ? `first@slow-mail-host.com,${note}` : `user${i}@gmail.com,${note}`));
    const result = await runCli(
      ['clean', input, '--dns', server.address, '--dns-canary', 'gmail.com', '--dns-timeout', '1500', '--dns-retries', '0', '--json', '-o', join(dir, 'long.clean.csv'), '-r', join(dir, 'long.report.csv')],
      { nodeArgs: ['--max-old-space-size=96'] },
    );
    expect(result.stderr).not.toContain(STACK_LINE);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    expect(summary, JSON.stringify(summary.reasons)).toMatchObject({ rows: 4_000, kept: 4_000, statuses: { unknown: 1, valid: 3_999 } });
  });
});
