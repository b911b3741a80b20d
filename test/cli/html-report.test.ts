/**
 * The HTML report's entry points other than the flag (the browser tests cover the flag and the pages
 * themselves): the job file key, the library option, and how a bad page path or a bad combination of
 * flags fails. The page's numbers are read back from its data-metric tags.
 */
import { existsSync } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scrubCsv } from '../../src/batch.js';
import { ListscrubError } from '../../src/errors.js';
import { removeWorkdirs, SAMPLES, workdir } from '../support/cli.js';
import { run, STACK_LINE, type SummaryJson } from '../support/spawn.js';

afterAll(removeWorkdirs);

/** The numbers a page tags with data-metric (the page escapes "<", so a plain match is enough). */
async function pageMetrics(path: string): Promise<Record<string, string>> {
  const html = await readFile(path, 'utf8');
  return Object.fromEntries([...html.matchAll(/data-metric="([^"]+)">([^<]*)</g)].map((m) => [m[1], m[2]]));
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

describe('the HTML report from a job file and from the library', () => {
  it('job file "html": a relative path is beside the job file, whatever the working directory', async () => {
    const dir = await workdir(['subscribers.csv'], SAMPLES);
    await writeFile(join(dir, 'job.json'), JSON.stringify({ input: 'subscribers.csv', dns: false, html: 'nightly.html', summary: 'summary.json', quiet: true }));
    const result = await run(['clean', '--config', join(dir, 'job.json')]);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as SummaryJson;
    expect(summary.html).toBe(join(dir, 'nightly.html'));
    const found = await pageMetrics(join(dir, 'nightly.html'));
    expect(Number(found.rows)).toBe(summary.rows);
    expect(Number(found['status:malformed'])).toBe(summary.statuses.malformed);
  });

  it('job file: "html" must be a path, with a did-you-mean for a near miss', async () => {
    const dir = await workdir(['subscribers.csv'], SAMPLES);
    await writeFile(join(dir, 'job.json'), JSON.stringify({ input: 'subscribers.csv', dns: false, htm: 'x.html' }));
    const result = await run(['clean', '--config', 'job.json'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/"htm" is not an option \(did you mean "html"\?\)/);
    await writeFile(join(dir, 'job.json'), JSON.stringify({ input: 'subscribers.csv', html: 42 }));
    expect((await run(['clean', '--config', 'job.json'], { cwd: dir })).stderr).toMatch(/"html" must be a file path; got 42/);
  });

  it('library: scrubCsv({ html }) writes the page and names it in the summary', async () => {
    const dir = await workdir(['subscribers.csv'], SAMPLES);
    const html = join(dir, 'page.html');
    const summary = await scrubCsv({ input: join(dir, 'subscribers.csv'), dns: false, html });
    expect(summary.html).toBe(html);
    const found = await pageMetrics(html);
    expect(Number(found.rows)).toBe(summary.rows);
    expect(Number(found.removed)).toBe(summary.removed);
    expect(Number(found['reason:syntax'])).toBe(summary.reasons.syntax);
  });

  it('library: a page path that is not a string is E_OPTION, before anything is written', async () => {
    const dir = await workdir(['subscribers.csv'], SAMPLES);
    const input = join(dir, 'subscribers.csv');
    await expect(scrubCsv({ input, dns: false, html: 7 as unknown as string })).rejects.toMatchObject({ code: 'E_OPTION' });
    expect(await exists(join(dir, 'subscribers.clean.csv'))).toBe(false);
    await expect(scrubCsv({ input, dns: false, html: input })).rejects.toBeInstanceOf(ListscrubError);
  });
});

describe('the HTML report when something is wrong', () => {
  it('a page in a missing directory fails at once: exit 1, one line naming the path, nothing written', async () => {
    const dir = await workdir(['subscribers.csv'], SAMPLES);
    const result = await run(['clean', 'subscribers.csv', '--no-dns', '--html', 'no-such-dir/page.html'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('no-such-dir/page.html');
    expect(result.stderr).not.toContain(STACK_LINE);
    expect(await exists(join(dir, 'subscribers.clean.csv'))).toBe(false);
  });

  it('--html naming the input is a usage error (exit 2) and the input is untouched', async () => {
    const dir = await workdir(['subscribers.csv'], SAMPLES);
    const before = await readFile(join(dir, 'subscribers.csv'));
    const result = await run(['clean', 'subscribers.csv', '--no-dns', '--html', 'subscribers.csv'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('The HTML report path subscribers.csv is the input file');
    expect(await readFile(join(dir, 'subscribers.csv'))).toEqual(before);
  });

  it('a run whose guard tripped still writes its page, saying the outputs were not replaced', async () => {
    const dir = await workdir(['subscribers.csv'], SAMPLES);
    const result = await run(['clean', 'subscribers.csv', '--no-dns', '--max-invalid-rate', '0.01', '--html', 'page.html', '-q'], { cwd: dir });
    expect(result.code).toBe(4);
    const html = await readFile(join(dir, 'page.html'), 'utf8');
    expect(html).toContain('NOT REPLACED: ');
    expect(await exists(join(dir, 'subscribers.clean.csv'))).toBe(false);
  });

  it('a history that cannot be read gives a page without a trend and a warning, not a failed run', async () => {
    const dir = await workdir(['subscribers.csv'], SAMPLES);
    await mkdir(join(dir, 'runs.jsonl')); // a directory where the history file should be
    const result = await run(['clean', 'subscribers.csv', '--no-dns', '--history', 'runs.jsonl', '--html', 'page.html', '--json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    expect(summary.warnings).toContainEqual(expect.stringMatching(/^cannot read the history file runs\.jsonl: .*; the HTML report has no trend\.$/));
    const html = await readFile(join(dir, 'page.html'), 'utf8');
    expect(html).toContain('data-metric="rows">302<');
    expect(html).not.toContain('id="trend"');
  });

  it('history --html with --json is a usage error; a missing history is an error, as for the table', async () => {
    const dir = await workdir();
    const both = await run(['history', 'runs.jsonl', '--html', 'h.html', '--json'], { cwd: dir });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--html and --json each choose the output; give one.');
    const missing = await run(['history', 'runs.jsonl', '--html', 'h.html'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('listscrub: no history file at runs.jsonl (runs are recorded there by "listscrub clean --history runs.jsonl").\n');
    expect(existsSync(join(dir, 'h.html'))).toBe(false);
  });
});
