/**
 * The two promises ("never lose a good address", "never lose a row") where a user meets them: the
 * built CLI spawned on real-shaped files, through pipes, against a real DNS server on loopback.
 * Each block is one way a real user lost rows or addresses with an earlier build (the numbered
 * items of "Keep both promises where users meet them"); LISTSCRUB_TEST_BIN runs them against
 * another build to show the fix is needed.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliZone, csvRecords, removeWorkdirs, SAMPLES, workdir } from '../support/cli.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { BIN, cliEnv, parseCsv, ROOT, run, STACK_LINE, type CliResult, type SummaryJson } from '../support/spawn.js';

let good: DnsServer;
let liar: DnsServer;
let servfail: DnsServer;
let silent: DnsServer;

beforeAll(async () => {
  const zone = cliZone();
  [good, liar, servfail, silent] = await Promise.all([
    startDnsServer(zone),
    startDnsServer(zone, { mode: 'lie' }),
    startDnsServer(zone, { mode: 'servfail' }),
    startDnsServer(zone, { mode: 'drop' }),
  ]);
});
afterAll(async () => {
  await Promise.all([good.close(), liar.close(), servfail.close(), silent.close()]);
  await removeWorkdirs();
});

const summaryOf = (result: CliResult): SummaryJson => JSON.parse(result.stdout) as SummaryJson;
const sum = (counts: Record<string, number | undefined>): number => Object.values(counts).reduce<number>((total, n) => total + (n ?? 0), 0);

/**
 * Spawn the CLI with stdin from a file and stdout through a reader that takes its time (every
 * chunk is written to a file before the next is taken), the way `| wc -l` or a slow consumer
 * reads: the process must not exit before everything it wrote has been read.
 */
async function throughSlowPipe(args: string[], stdinFile: string, outFile: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const stepwise = new Transform({
    highWaterMark: 1,
    transform(chunk: Buffer, _encoding, callback) {
      setImmediate(() => callback(null, chunk));
    },
  });
  await Promise.all([pipeline(createReadStream(stdinFile), child.stdin), pipeline(child.stdout, stepwise, createWriteStream(outFile))]);
  return { code: await exited, stderr };
}

const countLines = (text: string): number => text.split('\n').filter((line) => line !== '').length;

describe('1. nothing is cut short on a pipe', () => {
  it('check --json and the check table: one line per address, however many, through a slow reader', async () => {
    const dir = await workdir();
    const addresses = Array.from({ length: 60_000 }, (_, i) => `user${i}@gmail.com`).join('\n');
    await writeFile(join(dir, 'in.txt'), `${addresses}\n`);
    const json = await throughSlowPipe(['check', '--json', '--no-dns', '-'], join(dir, 'in.txt'), join(dir, 'out.jsonl'));
    expect(json).toEqual({ code: 0, stderr: '' });
    const lines = (await readFile(join(dir, 'out.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(60_000);
    expect(JSON.parse(lines[59_999] as string)).toMatchObject({ input: 'user59999@gmail.com', status: 'valid' });
    const table = await throughSlowPipe(['check', '--no-dns', '-'], join(dir, 'in.txt'), join(dir, 'out.txt'));
    expect(table.code).toBe(0);
    expect(countLines(await readFile(join(dir, 'out.txt'), 'utf8'))).toBe(60_001);
  });

  it('clean - -o - writes every kept row to the pipe before exiting', async () => {
    const dir = await workdir();
    const rows = Array.from({ length: 60_000 }, (_, i) => `${i},user${i}@gmail.com`).join('\n');
    await writeFile(join(dir, 'list.csv'), `id,email\n${rows}\n`);
    const result = await throughSlowPipe(['clean', '-', '-o', '-', '-r', join(dir, 'report.csv'), '--no-dns', '-q'], join(dir, 'list.csv'), join(dir, 'clean.csv'));
    expect(result).toEqual({ code: 0, stderr: '' });
    const cleaned = (await readFile(join(dir, 'clean.csv'), 'utf8')).trimEnd().split('\n');
    expect(cleaned).toHaveLength(60_001);
    expect(cleaned[60_000]).toBe('59999,user59999@gmail.com');
  });

  it('history --json prints every entry asked for', async () => {
    const dir = await workdir();
    const entry = (i: number) => JSON.stringify({ time: new Date(1_700_000_000_000 + i * 1000).toISOString(), exitCode: 0, durationMs: 10, rows: i, kept: i, removed: 0, statuses: {}, reasons: {}, dns: null, input: 'x.csv', output: 'y.csv' });
    await writeFile(join(dir, 'history.jsonl'), `${Array.from({ length: 20_000 }, (_, i) => entry(i)).join('\n')}\n`);
    await writeFile(join(dir, 'empty.txt'), '');
    const result = await throughSlowPipe(['history', join(dir, 'history.jsonl'), '--json', '--last', '20000'], join(dir, 'empty.txt'), join(dir, 'out.jsonl'));
    expect(result.code).toBe(0);
    expect(countLines(await readFile(join(dir, 'out.jsonl'), 'utf8'))).toBe(20_000);
  });
});

describe('2. --drop never removes a row that could not be checked', () => {
  it('a lying resolver with --drop risky,unknown: exit 3, only what was found offline is removed, and the counts tell one story', async () => {
    const dir = await workdir(['subscribers.csv'], SAMPLES);
    const result = await run(['clean', 'subscribers.csv', '--dns', liar.address, '--drop', 'risky,unknown', '--json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(3);
    const summary = summaryOf(result);
    expect(summary.dns.healthy).toBe(false);
    // Most of the list could not be checked, and all of it is kept.
    expect(summary.kept).toBeGreaterThan(250);
    expect(summary.unchecked.rows).toBe(summary.kept);
    expect(summary.unchecked.reasons).toEqual({ dns_unavailable: summary.kept });
    // Removed: what was certain offline, and the risky findings --drop risky named.
    expect(summary.removedStatuses).toMatchObject({ valid: 0, unknown: 0, invalid: 12, duplicate: 6, malformed: 2 });
    expect(summary.removedStatuses.risky).toBe(summary.statuses.risky);
    expect(summary.dropped).toEqual({ risky: summary.statuses.risky });
    expect(sum(summary.statuses)).toBe(summary.rows);
    expect(sum(summary.removedStatuses)).toBe(summary.removed);
    expect(summary.kept + summary.removed).toBe(summary.rows);
    expect(summary.warnings).toEqual([expect.stringMatching(/--drop unknown removes nothing/)]);
    const report = await csvRecords(join(dir, 'subscribers.report.csv'));
    expect(report.filter((row) => row.status === 'unknown' || row.reason?.startsWith('dns_'))).toEqual([]);
    // A disposable address whose domain could not be checked is still risky, and was removed as such.
    expect(report.find((row) => row.email === 'qwerty123@mailinator.com')).toMatchObject({ status: 'risky', reason: 'disposable' });
  });
});

describe('3. a lying, failing or silent resolver never makes an address invalid, canaries on or off', () => {
  const resolvers = (): Array<[string, DnsServer]> => [
    ['lying', liar],
    ['all-SERVFAIL', servfail],
    ['silent', silent],
  ];
  for (const canary of ['on', 'off'] as const) {
    it(`clean with canaries ${canary}: exit 3, "UNHEALTHY", no DNS verdict, only offline removals`, async () => {
      const dir = await workdir(['subscribers.csv'], SAMPLES);
      for (const [name, server] of resolvers()) {
        const canaryFlags = canary === 'off' ? ['--dns-canary', ''] : [];
        const result = await run(['clean', 'subscribers.csv', '--dns', server.address, '--dns-timeout', '100', '--dns-retries', '0', ...canaryFlags, '--json', '-o', `${name}.csv`, '-r', `${name}.report.csv`], { cwd: dir });
        expect(result.code, `${name}: ${result.stderr}`).toBe(3);
        const summary = summaryOf(result);
        expect(summary.dns.healthy, name).toBe(false);
        for (const reason of ['domain_not_found', 'null_mx', 'no_mail_server', 'mx_invalid'] as const) expect(summary.reasons[reason], `${name} ${reason}`).toBeUndefined();
        expect(summary.removedStatuses, name).toMatchObject({ invalid: 12, duplicate: 6, malformed: 2, unknown: 0 });
        expect(summary.kept, name).toBe(282);
      }
    });

    it(`check with canaries ${canary}: gmail.com and an unknown company are never invalid`, async () => {
      for (const [name, server] of resolvers()) {
        const canaryFlags = canary === 'off' ? ['--dns-canary', ''] : [];
        const result = await run(['check', '--json', '--dns', server.address, '--dns-timeout', '100', '--dns-retries', '0', ...canaryFlags, 'ann@gmail.com', 'bob@harborview-dental.com', 'x..y@gmail.com']);
        expect(result.code, `${name}: ${result.stderr}`).toBe(3);
        const verdicts = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { status: string; reason: string });
        expect(verdicts.map((v) => v.status), name).toEqual(['unknown', 'unknown', 'invalid']);
        expect(verdicts[2]?.reason).toBe('syntax');
        expect(result.stderr, name).toMatch(/DNS is unhealthy/);
      }
    });
  }

  it('canaries off, a healthy resolver: real answers still count (the list resolves, so its NXDOMAINs are believed)', async () => {
    const dir = await workdir(['subscribers.csv'], SAMPLES);
    const result = await run(['clean', 'subscribers.csv', '--dns', good.address, '--dns-canary', '', '--dns-timeout', '300', '--json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const summary = summaryOf(result);
    expect(summary.dns.healthy).toBe(true);
    expect(summary.reasons).toMatchObject({ domain_not_found: 2, null_mx: 2, no_mail_server: 1 });
  });
});

describe('4. a malformed record keeps its complete text', () => {
  it('unclosed quote, wrong field counts, an over-long record: the raw column holds the source text; --max-record-size reads it', async () => {
    const dir = await workdir();
    const long = `Zed,${'z'.repeat(3000)}@gmail.com`;
    await writeFile(join(dir, 'list.csv'), `name,email\r\nAnn,"ann@gmail.com\r\njohn,john@gmail.com\r\nBob,bob@gmail.com,extra\r\n${long}\r\nEve,eve@gmail.com\r\n`);
    const result = await run(['clean', 'list.csv', '--no-dns', '--json', '--max-record-size', '1000'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const summary = summaryOf(result);
    expect(summary).toMatchObject({ rows: 5, kept: 2, removed: 3 });
    const report = parseCsv(await readFile(join(dir, 'list.report.csv')));
    expect(report[0]?.slice(0, 8)).toEqual(['row', 'line', 'status', 'reason', 'detail', 'suggestion', 'bounce', 'raw']);
    const raws = report.slice(1).map((row) => [row[1], row[2], row[7]]);
    expect(raws).toEqual([
      ['2', 'malformed', 'Ann,"ann@gmail.com'],
      ['4', 'malformed', 'Bob,bob@gmail.com,extra'],
      ['5', 'malformed', long.slice(0, 1000)],
    ]);
    expect(report[3]?.[4]).toMatch(/longer than the limit of 1000 characters.*--max-record-size/);
    const cleaned = parseCsv(await readFile(join(dir, 'list.clean.csv')));
    expect(cleaned.map((row) => row[0])).toEqual(['name', 'john', 'Eve']);

    const raised = await run(['clean', 'list.csv', '--no-dns', '--json', '--max-record-size', '5000', '-o', 'raised.csv', '-r', 'raised.report.csv'], { cwd: dir });
    expect(summaryOf(raised)).toMatchObject({ rows: 5, statuses: { malformed: 2 } });
    expect((await csvRecords(join(dir, 'raised.report.csv'))).find((row) => row.name === 'Zed')).toMatchObject({ status: 'invalid', reason: 'syntax' });
  });
});

describe('5. an empty export never replaces a good list', () => {
  it('a 0-byte or header-only export: exit 4 and the outputs byte for byte; --allow-empty replaces them', async () => {
    const dir = await workdir(['subscribers.csv'], SAMPLES);
    await writeFile(join(dir, 'job.json'), JSON.stringify({ input: 'subscribers.csv', output: 'out.csv', report: 'report.csv', dns: false, maxInvalidRate: 0.2 }));
    expect((await run(['clean', '--config', 'job.json', '-q'], { cwd: dir })).code).toBe(0);
    const before = { out: await readFile(join(dir, 'out.csv')), report: await readFile(join(dir, 'report.csv')) };
    for (const empty of ['', 'first_name,last_name,email,signup_date,source\n']) {
      await writeFile(join(dir, 'subscribers.csv'), empty);
      const result = await run(['clean', '--config', 'job.json', '--json'], { cwd: dir });
      expect(result.code, JSON.stringify(empty)).toBe(4);
      expect(summaryOf(result)).toMatchObject({ rows: 0, output: null, report: null, guard: { kind: 'empty_input' } });
      expect(await readFile(join(dir, 'out.csv'))).toEqual(before.out);
      expect(await readFile(join(dir, 'report.csv'))).toEqual(before.report);
    }
    const allowed = await run(['clean', '--config', 'job.json', '--allow-empty', '-q'], { cwd: dir });
    expect(allowed.code).toBe(0);
    expect(await readFile(join(dir, 'out.csv'), 'utf8')).toBe('first_name,last_name,email,signup_date,source\n');
  });

  it('with --history, a list far smaller than the last good run is refused (--max-shrink)', async () => {
    const dir = await workdir(['subscribers.csv'], SAMPLES);
    const flags = ['--no-dns', '--history', 'history.jsonl', '-o', 'out.csv', '-r', 'report.csv'];
    expect((await run(['clean', 'subscribers.csv', ...flags, '-q'], { cwd: dir })).code).toBe(0);
    const before = await readFile(join(dir, 'out.csv'));
    const lines = (await readFile(join(dir, 'subscribers.csv'), 'utf8')).split('\n');
    await writeFile(join(dir, 'subscribers.csv'), `${lines.slice(0, 101).join('\n')}\n`);
    const shrunk = await run(['clean', 'subscribers.csv', ...flags, '--json'], { cwd: dir });
    expect(shrunk.code).toBe(4);
    expect(summaryOf(shrunk).guard).toMatchObject({ kind: 'max_shrink', maxShrink: 0.5, baselineRows: 302, rows: 100 });
    expect(await readFile(join(dir, 'out.csv'))).toEqual(before);
    // A refused run is not a baseline: the next run compares with the last good one again.
    expect((await run(['clean', 'subscribers.csv', ...flags, '--max-shrink', '0.8', '-q'], { cwd: dir })).code).toBe(0);
    const history = (await readFile(join(dir, 'history.jsonl'), 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as { exitCode: number; error?: string });
    expect(history.map((entry) => entry.exitCode)).toEqual([0, 4, 0]);
    expect(history[1]?.error).toMatch(/fewer than the 302 of the last successful run/);
  });
});

describe('6. a job file in the working directory does not hijack an ad-hoc run', () => {
  it('clean other.csv ignores ./listscrub.config.json; clean with no input uses it and says so', async () => {
    const dir = await workdir(['subscribers.csv'], SAMPLES);
    await writeFile(join(dir, 'listscrub.config.json'), JSON.stringify({ input: 'subscribers.csv', output: 'job.clean.csv', dns: false, drop: ['risky'] }));
    await copyFile(join(SAMPLES, 'subscribers.csv'), join(dir, 'other.csv'));
    const adHoc = await run(['clean', 'other.csv', '--dns', good.address, '--json'], { cwd: dir });
    expect(adHoc.code, adHoc.stderr).toBe(0);
    const summary = summaryOf(adHoc);
    expect(summary.config).toBeUndefined();
    expect(summary.dns.enabled).toBe(true);
    expect(summary.dropped).toEqual({});
    expect(summary.output).toBe('other.clean.csv');
    expect(await readdir(dir)).not.toContain('job.clean.csv');

    const job = await run(['clean'], { cwd: dir });
    expect(job.code, job.stderr).toBe(0);
    expect(job.stderr).toContain(`listscrub: job file ${join(dir, 'listscrub.config.json')}`);
    expect((await stat(join(dir, 'job.clean.csv'))).isFile()).toBe(true);
  });
});

describe('7. exit codes tell the truth about the outputs', () => {
  it('--summary in a missing directory: exit 1 before anything is written, and the history says 1', async () => {
    const dir = await workdir(['subscribers.csv'], SAMPLES);
    const result = await run(['clean', 'subscribers.csv', '--no-dns', '--summary', join(dir, 'missing', 's.json'), '--history', 'h.jsonl'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^listscrub: cannot write .*missing\/s\.json: no such directory\n$/);
    expect(result.stderr).not.toContain(STACK_LINE);
    expect((await readdir(dir)).sort()).toEqual(['h.jsonl', 'subscribers.csv']);
    const [entry] = (await readFile(join(dir, 'h.jsonl'), 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as { exitCode: number; output: string });
    expect(entry).toMatchObject({ exitCode: 1, output: '' });
  });

  it('--summary, --cache or --history naming the input is refused before anything is read', async () => {
    const dir = await workdir(['subscribers.csv'], SAMPLES);
    const original = await readFile(join(dir, 'subscribers.csv'));
    for (const flag of ['--summary', '--cache', '--history']) {
      const result = await run(['clean', 'subscribers.csv', '--no-dns', flag, 'subscribers.csv'], { cwd: dir });
      expect(result.code, flag).toBe(2);
      expect(result.stderr, flag).toMatch(/is the input file/);
    }
    expect(await readFile(join(dir, 'subscribers.csv'))).toEqual(original);
    expect(await readdir(dir)).toEqual(['subscribers.csv']);
  });
});

describe('8. outputs open in the spreadsheet the list came from', () => {
  it('Excel "CSV UTF-8" (BOM, CRLF, ;): both outputs keep the BOM, the line endings and the delimiter', async () => {
    const dir = await workdir();
    await writeFile(join(dir, 'excel.csv'), '\uFEFFNom;Prénom;E-mail\r\nMüller;Jürgen;juergen@gmail.com\r\nLefèvre;Élodie;elodie@@gmail.com\r\n');
    const result = await run(['clean', 'excel.csv', '--no-dns', '-q'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const cleaned = await readFile(join(dir, 'excel.clean.csv'));
    expect(cleaned.toString('utf8')).toBe('\uFEFFNom;Prénom;E-mail\r\nMüller;Jürgen;juergen@gmail.com\r\n');
    const report = (await readFile(join(dir, 'excel.report.csv'))).toString('utf8');
    expect(report.startsWith('\uFEFFrow;line;status;reason;detail;suggestion;bounce;raw;Nom;Prénom;E-mail\r\n')).toBe(true);
    expect(parseCsv(report, ';')[1]?.slice(8)).toEqual(['Lefèvre', 'Élodie', 'elodie@@gmail.com']);
  });

  it('windows-1252 in, windows-1252 out; --output-encoding and --output-delimiter override; an unwritable character names its row', async () => {
    const dir = await workdir();
    // Œ is 0x8C in windows-1252 (not in ISO-8859-1): the file is written byte by byte.
    const latin = Buffer.concat([Buffer.from('Nom;E-mail\r\nRenée ', 'latin1'), Buffer.from([0x8c]), Buffer.from('uvre;renee@gmail.com\r\nJosé;jose@@gmail.com\r\n', 'latin1')]);
    await writeFile(join(dir, 'w.csv'), latin);
    const same = await run(['clean', 'w.csv', '--no-dns', '-q', '--encoding', 'cp1252'], { cwd: dir });
    expect(same.code, same.stderr).toBe(0);
    // The header and the kept row, byte for byte as they were (Node's TextDecoder reads 0x8C as
    // U+008C, so the bytes are compared, not a decoding).
    const cleaned = await readFile(join(dir, 'w.clean.csv'));
    expect(cleaned).toEqual(latin.subarray(0, latin.indexOf('\r\nJos') + 2));
    const report = (await readFile(join(dir, 'w.report.csv'))).toString('latin1');
    expect(parseCsv(report, ';')[1]?.slice(8)).toEqual(['José', 'jose@@gmail.com']);

    const utf8 = await run(['clean', 'w.csv', '--no-dns', '-q', '--encoding', 'windows-1252', '--output-encoding', 'utf-8', '--output-delimiter', ',', '-o', 'u.csv', '-r', 'u.report.csv'], { cwd: dir });
    expect(utf8.code).toBe(0);
    expect(await readFile(join(dir, 'u.csv'), 'utf8')).toBe('Nom,E-mail\r\nRenée Œuvre,renee@gmail.com\r\n');

    await writeFile(join(dir, 'snow.csv'), 'name,email\nAnn,ann@gmail.com\nSnow ☃,snow@gmail.com\n');
    const bad = await run(['clean', 'snow.csv', '--no-dns', '--output-encoding', 'latin-1'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('listscrub: row 2 (line 3) holds a character (U+2603) that windows-1252 cannot hold; write the outputs in UTF-8 (--output-encoding utf8, outputEncoding) instead. Nothing was replaced.\n');
    expect((await readdir(dir)).filter((name) => name.startsWith('snow'))).toEqual(['snow.csv']);
  });
});

describe('9. the tests need nothing outside the repository', () => {
  it('the corpora live in test/corpus/data, and no source, test or bench file reads the folder beside the repository', async () => {
    const outside = ['..', 'shared'].join('/'); // spelled in pieces so this file does not match itself
    const data = await readdir(join(ROOT, 'test', 'corpus', 'data'));
    expect(data.filter((name) => name.endsWith('.jsonl'))).toHaveLength(7);
    expect(data).toContain('README.md');
    const offenders: string[] = [];
    const walk = async (folder: string): Promise<void> => {
      for (const entry of await readdir(join(ROOT, folder), { withFileTypes: true })) {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (/\.(ts|mts|mjs|js|json)$/.test(entry.name) && (await readFile(join(ROOT, path), 'utf8')).includes(outside)) offenders.push(path);
      }
    };
    for (const folder of ['src', 'test', 'bench']) await walk(folder);
    expect(offenders).toEqual([]);
  });
});
