/**
 * Job files: `listscrub clean --config job.json`, `listscrub.config.json` in the working directory,
 * flags over the file, strict validation (exit 2, nothing touched), paths relative to the job file.
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DnsServer } from '../support/dns-server.js';
import { runCli, tempDirEach, type SummaryJson } from '../support/spawn.js';
import { exists, readJson, useNightlyServer, writeList, type CacheFileJson } from './helpers.js';

let server: DnsServer;
let dir: string;
useNightlyServer((s) => (server = s));
tempDirEach((d) => (dir = d));

function dnsSection(): Record<string, unknown> {
  return { servers: [server.address], timeoutMs: 300, retries: 1, canary: ['gmail.com'], allowPrivate: false };
}

/** A job file using every key, with paths relative to its own directory (jobs/). */
async function fullJob(overrides: Record<string, unknown> = {}): Promise<string> {
  await mkdir(join(dir, 'jobs', 'lists'), { recursive: true });
  await mkdir(join(dir, 'jobs', 'out'), { recursive: true });
  await mkdir(join(dir, 'jobs', 'state'), { recursive: true });
  await writeFile(
    join(dir, 'jobs', 'lists', 'subscribers.csv'),
    'name;mail\nAnn;Ann@Good.com\nBob;bob@fine.org\nCy;cy@nullmx.org\nAnn again;ann@good.com\nInfo;info@other.net\n',
  );
  const job = {
    input: 'lists/subscribers.csv',
    output: 'out/clean.csv',
    report: 'out/report.csv',
    column: 'mail',
    delimiter: ';',
    encoding: 'utf8',
    header: true,
    dns: dnsSection(),
    rate: 500,
    concurrency: 10,
    drop: ['role_account'],
    keepDuplicates: false,
    annotate: true,
    normalize: true,
    cache: 'state/dns-cache.json',
    cacheTtl: { min: 300, max: 86400 },
    maxInvalidRate: 0.9,
    history: 'state/history.jsonl',
    lock: true,
    summary: 'out/summary.json',
    quiet: false,
    json: true,
    ...overrides,
  };
  const path = join(dir, 'jobs', 'job.json');
  await writeFile(path, `${JSON.stringify(job, null, 2)}\n`);
  return path;
}

describe('job files', () => {
  it('every option under its library key; relative paths resolve against the job file (run from elsewhere)', async () => {
    const job = await fullJob();
    const elsewhere = join(dir, 'cwd');
    await mkdir(elsewhere);
    const result = await runCli(['clean', '--config', job], { cwd: elsewhere });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    expect(summary).toMatchObject({ rows: 5, kept: 2, removed: 3, output: join(dir, 'jobs', 'out', 'clean.csv') });
    expect(summary.reasons).toMatchObject({ ok: 2, null_mx: 1, duplicate: 1, role_account: 1 });
    // delimiter ;, column "mail", annotate and normalize applied
    expect(await readFile(join(dir, 'jobs', 'out', 'clean.csv'), 'utf8')).toBe(
      // --normalize lower-cases the domain; the local part's case is the mailbox owner's.
      'name;mail;email_status;email_reason;email_suggestion\nAnn;Ann@good.com;valid;ok;\nBob;bob@fine.org;valid;ok;\n',
    );
    expect(await readFile(join(dir, 'jobs', 'out', 'report.csv'), 'utf8')).toMatch(/role_account/);
    expect(await readJson(join(dir, 'jobs', 'out', 'summary.json'))).toEqual(summary);
    const cache = await readJson<CacheFileJson>(join(dir, 'jobs', 'state', 'dns-cache.json'));
    // cacheTtl.min 300 bounds from below: every expiry is at least 300 s after the save.
    for (const entry of Object.values(cache.domains)) expect(entry.expiresAt - Date.parse(cache.savedAt)).toBeGreaterThanOrEqual(299_000);
    expect((await readFile(join(dir, 'jobs', 'state', 'history.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(1);
    // Nothing was written into the working directory.
    expect(await readdir(elsewhere)).toEqual([]);
  });

  it('flags override the file, key by key (dns merges one level deep)', async () => {
    const job = await fullJob();
    const other = join(dir, 'other.clean.csv');
    const result = await runCli(['clean', '--config', job, '-o', other, '--no-lock', '--max-invalid-rate', '0.1', '--dns-timeout', '400'], { cwd: dir });
    // --max-invalid-rate 0.1 from the flag beats the file's 0.9: 3 of 5 removed trips it.
    expect(result.code).toBe(4);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    expect(summary.guard).toMatchObject({ kind: 'max_invalid_rate', maxInvalidRate: 0.1 });
    // dns.servers still came from the file (the flag only set the timeout): the DNS answers were real.
    expect(summary.dns).toMatchObject({ healthy: true, checked: true });
    expect(server.count('good.com', 'MX')).toBeGreaterThan(0);
    expect(await exists(other)).toBe(false);

    const ok = await runCli(['clean', '--config', job, '-o', other, '--max-invalid-rate', '0.95'], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(await readFile(other, 'utf8')).toMatch(/^name;mail;email_status;email_reason;email_suggestion\n/);
    // The input from the command line beats the file's.
    const list2 = await writeList(join(dir, 'second.csv'), ['zed@good.com']);
    const third = await runCli(['clean', '--config', job, list2, '-o', join(dir, 'second.clean.csv'), '--column', 'email', '--delimiter', ','], { cwd: dir });
    expect(third.code).toBe(0);
    expect((JSON.parse(third.stdout) as SummaryJson).rows).toBe(1);
  });

  it('listscrub.config.json in the working directory is picked up; --config beats it', async () => {
    await writeList(join(dir, 'list.csv'), ['ann@good.com', 'dee@missing.com']);
    await writeFile(join(dir, 'listscrub.config.json'), JSON.stringify({ input: 'list.csv', dns: dnsSection(), json: true }));
    const result = await runCli(['clean'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: 2, removed: 1, output: join(dir, 'list.clean.csv') });

    const job = await fullJob();
    const explicit = await runCli(['clean', '--config', job], { cwd: dir });
    expect(JSON.parse(explicit.stdout)).toMatchObject({ rows: 5 });
  });

  const rejected: Array<[string, Record<string, unknown>, RegExp]> = [
    ['an unknown key, with a did-you-mean', { maxInvalidrate: 0.2 }, /"maxInvalidrate" is not an option \(did you mean "maxInvalidRate"\?\)/],
    ['an unknown key without a near miss, listing the options', { colour: true }, /"colour" is not an option; options are: input, output, report/],
    ['an unknown nested key', { dns: { servers: ['127.0.0.1'], timeout: 5 } }, /"dns\.timeout" is not an option \(did you mean "timeoutMs"\?\)/],
    ['a wrong type', { maxInvalidRate: '20%' }, /"maxInvalidRate" must be a number from 0 to 1; got "20%"/],
    ['an out-of-range number', { maxInvalidRate: 1.5 }, /"maxInvalidRate" must be a number from 0 to 1; got 1\.5/],
    ['a wrong nested type', { dns: { servers: '127.0.0.1' } }, /"dns\.servers" must be a list of non-empty strings; got "127\.0\.0\.1"/],
    ['a bad enum', { encoding: 'ebcdic' }, /"encoding" must be one of "utf8", "utf16le", "latin1", "windows-1252" \(or an alias such as "utf-8", "latin-1", "cp1252"\); got "ebcdic"/],
    ['a null', { cache: null }, /"cache" must be a file path; got null/],
    ['cacheTtl min above max', { cacheTtl: { min: 600, max: 60 } }, /"cacheTtl\.min" must be at most "cacheTtl\.max" \(60\); got 600/],
    ['a bad drop item', { drop: ['roles'] }, /"drop" must be a list of statuses or reason codes .*; got "roles"/],
  ];
  for (const [label, overrides, message] of rejected) {
    it(`rejects ${label} up front: exit 2, the file and key named, nothing written`, async () => {
      const job = await fullJob(overrides);
      const result = await runCli(['clean', '--config', job], { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
      expect(result.stderr.startsWith(`listscrub: ${job}: `)).toBe(true);
      expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(server.queries).toEqual([]);
      expect(await readdir(join(dir, 'jobs', 'out'))).toEqual([]);
      expect(await readdir(join(dir, 'jobs', 'state'))).toEqual([]);
    });
  }

  it('rejects invalid JSON with the line and column', async () => {
    const job = join(dir, 'job.json');
    await writeFile(job, '{\n  "input": "list.csv",\n  "json": true,\n}\n');
    const result = await runCli(['clean', '--config', job], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^listscrub: ${job.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: invalid JSON at line 4, column 1`));
  });

  it('a missing --config file is exit 2, not a silent default run', async () => {
    const result = await runCli(['clean', '--config', join(dir, 'nope.json')], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/nope\.json: cannot read the job file \(no such file\)/);
  });
});
