import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_FILE_NAME, findJobConfig, loadJobConfig, mergeConfig, validateJobConfig } from '../../src/jobs/config.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'listscrub-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const check = (obj: unknown) => validateJobConfig(obj, 'job.json');
const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toMatchObject({ code: 'E_CONFIG' });
    return (error as Error).message;
  }
  throw new Error('expected an E_CONFIG error');
};

describe('validateJobConfig', () => {
  it('accepts every option with its documented type', () => {
    const full = {
      input: '/in.csv',
      output: '/out.csv',
      report: '/removed.csv',
      column: 'E-mail',
      delimiter: ';',
      encoding: 'windows-1252',
      header: true,
      dns: { servers: ['1.1.1.1', '[::1]:5353'], timeoutMs: 2000, retries: 0, canary: ['gmail.com'], allowPrivate: false },
      rate: 50.5,
      concurrency: 8,
      drop: ['invalid', 'duplicate', 'role_account'],
      keepDuplicates: false,
      annotate: true,
      normalize: true,
      cache: '/var/cache/listscrub.json',
      cacheTtl: { min: 60, max: 86400 },
      maxInvalidRate: 0.2,
      history: '/var/log/listscrub.jsonl',
      lock: false,
      summary: '/out.summary.json',
      quiet: true,
      json: false,
    };
    expect(check(full)).toEqual(full);
    expect(check({})).toEqual({});
    expect(check({ column: 3, dns: false, maxInvalidRate: 0, delimiter: '\t' })).toEqual({ column: 3, dns: false, maxInvalidRate: 0, delimiter: '\t' });
    expect(check({ dns: true })).toEqual({ dns: {} });
  });

  it('rejects unknown keys with a did-you-mean', () => {
    expect(message(() => check({ keepDuplicate: true }))).toBe('job.json: "keepDuplicate" is not an option (did you mean "keepDuplicates"?)');
    expect(message(() => check({ 'keep-duplicates': true }))).toContain('(did you mean "keepDuplicates"?)');
    expect(message(() => check({ Output: 'x' }))).toContain('(did you mean "output"?)');
    expect(message(() => check({ dns: { timeout: 5 } }))).toBe('job.json: "dns.timeout" is not an option (did you mean "timeoutMs"?)');
    expect(message(() => check({ zzz: 1 }))).toMatch(/^job\.json: "zzz" is not an option; options are: input, output, /);
  });

  it('rejects wrong types, naming the key, the expectation and the value', () => {
    expect(message(() => check({ rate: 'fast' }))).toBe('job.json: "rate" must be a number above 0; got "fast"');
    expect(message(() => check({ rate: 0 }))).toContain('"rate" must be a number above 0; got 0');
    expect(message(() => check({ concurrency: 2.5 }))).toContain('"concurrency" must be a whole number above 0; got 2.5');
    expect(message(() => check({ header: 'yes' }))).toContain('"header" must be true or false; got "yes"');
    expect(message(() => check({ input: '' }))).toContain('"input" must be a file path');
    expect(message(() => check({ output: null }))).toContain('"output" must be a file path; got null');
    expect(message(() => check({ column: 0 }))).toContain('"column" must be a column name, a column number from 1, or a non-empty list of them; got 0');
    expect(message(() => check({ column: [] }))).toContain('"column" must be a column name, a column number from 1, or a non-empty list of them');
    expect(message(() => check({ column: ['Work Email', 0] }))).toContain('"column" must be a column name, a column number from 1, or a non-empty list of them');
    expect(check({ column: ['Work Email', 5] })).toEqual({ column: ['Work Email', 5] });
    expect(message(() => check({ delimiter: ';;' }))).toContain('"delimiter" must be one character');
    expect(message(() => check({ delimiter: '"' }))).toContain('"delimiter" must be one character');
    expect(message(() => check({ encoding: 'ebcdic' }))).toContain('"encoding" must be one of "utf8", "utf16le", "latin1", "windows-1252" (or an alias such as "utf-8", "latin-1", "cp1252"); got "ebcdic"');
    // Aliases are names too, kept as the canonical name.
    expect(check({ encoding: 'UTF-8', outputEncoding: 'cp1252' })).toMatchObject({ encoding: 'utf8', outputEncoding: 'windows-1252' });
    expect(message(() => check({ dns: 'off' }))).toContain('"dns" must be an object; got "off"');
    expect(message(() => check({ dns: { retries: 11 } }))).toContain('"dns.retries" must be a number from 0 to 10; got 11');
    expect(message(() => check({ dns: { servers: '1.1.1.1' } }))).toContain('"dns.servers" must be a list of non-empty strings; got "1.1.1.1"');
    expect(message(() => check({ maxInvalidRate: 1.5 }))).toContain('"maxInvalidRate" must be a number from 0 to 1; got 1.5');
    expect(message(() => check({ cacheTtl: 3600 }))).toContain('"cacheTtl" must be an object; got 3600');
    expect(message(() => check({ cacheTtl: { min: -1 } }))).toContain('"cacheTtl.min" must be a number of 0 or more; got -1');
    expect(message(() => check({ cacheTtl: { min: 100, max: 10 } }))).toContain('"cacheTtl.min" must be at most "cacheTtl.max" (10); got 100');
    expect(message(() => check({ cacheTtl: { minimum: 1 } }))).toBe('job.json: "cacheTtl.minimum" is not an option; options are: min, max');
    expect(message(() => check([]))).toBe('job.json: a job file must be a JSON object of options; got a list');
  });

  it('checks drop items against statuses and reason codes', () => {
    expect(check({ drop: ['risky', 'null_mx', 'malformed', 'malformed_row'] }).drop).toEqual(['risky', 'null_mx', 'malformed', 'malformed_row']);
    expect(message(() => check({ drop: ['invalid', 'nullmx'] }))).toMatch(/"drop" must be a list of statuses or reason codes \(valid, risky, .*\); got "nullmx" \(did you mean "null_mx"\?\)$/);
    expect(message(() => check({ drop: 'invalid' }))).toContain('"drop" must be a list of non-empty strings; got "invalid"');
  });

  it('resolves relative paths against baseDir, leaving absolute paths and "-" alone', () => {
    const config = validateJobConfig({ input: 'lists/in.csv', output: '-', report: '/abs/r.csv', cache: '../c.json' }, 'job.json', { baseDir: '/jobs/nightly' });
    expect(config).toEqual({ input: '/jobs/nightly/lists/in.csv', output: '-', report: '/abs/r.csv', cache: '/jobs/c.json' });
  });
});

describe('loadJobConfig', () => {
  it('loads a file and resolves paths against its directory', async () => {
    await mkdir(join(dir, 'jobs'));
    const file = join(dir, 'jobs', 'job.json');
    await writeFile(file, '\ufeff{ "input": "in.csv", "history": "logs/h.jsonl", "rate": 20 }');
    expect(await loadJobConfig(file)).toEqual({ input: join(dir, 'jobs', 'in.csv'), history: join(dir, 'jobs', 'logs', 'h.jsonl'), rate: 20 });
  });

  it('reports JSON syntax errors with file, line and column', async () => {
    const file = join(dir, 'job.json');
    await writeFile(file, '{\n  "input": "a.csv",\n  "rate": }\n');
    await expect(loadJobConfig(file)).rejects.toMatchObject({
      code: 'E_CONFIG',
      line: 3,
      message: `${file}: invalid JSON at line 3, column 11: expected a value, found "}"`,
    });
    await writeFile(file, '{\n  "input": "a.csv",\n}');
    await expect(loadJobConfig(file)).rejects.toThrow(`${file}: invalid JSON at line 3, column 1: expected a double-quoted property name, found "}"`);
    await writeFile(file, '{ "input": "a.csv"');
    await expect(loadJobConfig(file)).rejects.toThrow('line 1, column 19: expected "," or "}", found the end of the file');
    await writeFile(file, '// nightly\n{}');
    await expect(loadJobConfig(file)).rejects.toThrow('line 1, column 1: expected a value, found "/"');
  });

  it('reports a missing file or a directory as E_CONFIG', async () => {
    await expect(loadJobConfig(join(dir, 'nope.json'))).rejects.toMatchObject({ code: 'E_CONFIG', message: expect.stringContaining('no such file') });
    await expect(loadJobConfig(dir)).rejects.toMatchObject({ code: 'E_CONFIG', message: expect.stringContaining('it is a directory') });
  });

  it('names the file in validation errors', async () => {
    const file = join(dir, 'job.json');
    await writeFile(file, '{ "keepDuplicate": true }');
    await expect(loadJobConfig(file)).rejects.toThrow(`${file}: "keepDuplicate" is not an option (did you mean "keepDuplicates"?)`);
  });
});

describe('findJobConfig', () => {
  it(`finds ${CONFIG_FILE_NAME} in the given directory only`, async () => {
    expect(await findJobConfig(dir)).toBeNull();
    await writeFile(join(dir, CONFIG_FILE_NAME), '{}');
    expect(await findJobConfig(dir)).toBe(join(dir, CONFIG_FILE_NAME));
  });
});

describe('mergeConfig', () => {
  it('lets flags override the file, ignoring flags that were not given', () => {
    const merged = mergeConfig({ input: '/a.csv', rate: 10, quiet: true, lock: true }, { rate: 50, quiet: undefined, lock: false, json: true });
    expect(merged).toEqual({ input: '/a.csv', rate: 50, quiet: true, lock: false, json: true });
  });

  it('merges dns and cacheTtl one level deep; dns: false wins', () => {
    const file = { dns: { servers: ['10.0.0.1'], timeoutMs: 5000 }, cacheTtl: { min: 60, max: 3600 } };
    expect(mergeConfig(file, { dns: { timeoutMs: 1000, retries: undefined }, cacheTtl: { max: 600 } })).toEqual({
      dns: { servers: ['10.0.0.1'], timeoutMs: 1000 },
      cacheTtl: { min: 60, max: 600 },
    });
    expect(mergeConfig(file, { dns: false }).dns).toBe(false);
    expect(mergeConfig({ dns: false }, { dns: { timeoutMs: 1000 } }).dns).toEqual({ timeoutMs: 1000 });
  });

  it('merges smtp one level deep: --smtp flags keep the job file\'s limits and timeouts', () => {
    const file = { smtp: { helo: 'probe.example.org', from: 'verify@example.org', limits: { probesPerMinute: 30 }, timeouts: { connectMs: 5000 } } };
    expect(mergeConfig(file, { smtp: { helo: 'other.example.org', maxWaitSeconds: 0 } as never }).smtp).toEqual({
      helo: 'other.example.org',
      from: 'verify@example.org',
      maxWaitSeconds: 0,
      limits: { probesPerMinute: 30 },
      timeouts: { connectMs: 5000 },
    });
  });

  it('does not modify its inputs', () => {
    const file = { dns: { servers: ['10.0.0.1'] } };
    mergeConfig(file, { dns: { timeoutMs: 1 } });
    expect(file).toEqual({ dns: { servers: ['10.0.0.1'] } });
  });
});
