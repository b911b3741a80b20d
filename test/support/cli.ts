/**
 * Helpers for the CLI end-to-end tests: spawn the BUILT bin (`node dist/cli/main.js`, as a user runs
 * it after `npm run build`), copy fixtures into a fresh temporary directory per test, and read CSV
 * outputs back.
 *
 * Processes are bounded: vitest runs two test files at once (maxWorkers 2) on a shared 2-core machine,
 * so each worker runs at most CLI_CONCURRENCY (2) CLI processes at a time; `Promise.all` over `run()`
 * calls is safe, the excess waits in a queue.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { Zone } from './dns-server.js';
import { sampleZone } from './sample-zone.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'dist', 'cli', 'main.js');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
export const SAMPLES = join(ROOT, 'samples');

const CLI_CONCURRENCY = Number(process.env.LISTSCRUB_TEST_CLI_CONCURRENCY ?? 2);
/** A hung CLI must fail its test, not the whole run: killed after this long. */
const DEFAULT_KILL_AFTER_MS = 30_000;

export interface RunOptions {
  /** Written to the child's stdin, which is then closed (stdin is always closed). */
  input?: string | Buffer;
  /** Added to the environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  killAfterMs?: number;
}

export interface RunResult {
  /** Exit code; null when the process was killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let active = 0;
const waiting: Array<() => void> = [];

async function slot(): Promise<() => void> {
  if (active >= CLI_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
  active += 1;
  return () => {
    active -= 1;
    waiting.shift()?.();
  };
}

/**
 * Run `listscrub <args>` and collect its output. The environment is the test process's without
 * LISTSCRUB_DNS (every test names its resolver with --dns) and with NO_COLOR set.
 */
export async function run(args: string[], options: RunOptions = {}): Promise<RunResult> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npm run build" first (npm test does it).`);
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', LISTSCRUB_DNS: undefined };
  for (const [key, value] of Object.entries(options.env ?? {})) env[key] = value;
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];

  const release = await slot();
  try {
    return await new Promise<RunResult>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd: options.cwd ?? ROOT,
        env: env as NodeJS.ProcessEnv,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? DEFAULT_KILL_AFTER_MS);
      child.on('error', (error) => {
        clearTimeout(killer);
        reject(error);
      });
      child.on('close', (code, signal) => {
        clearTimeout(killer);
        resolve({ code, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
      });
      // The child may exit before reading stdin (usage errors): that EPIPE is not the test's concern.
      child.stdin.on('error', () => {});
      child.stdin.end(options.input ?? '');
    });
  } finally {
    release();
  }
}

const workdirs: string[] = [];

/** A fresh temporary directory holding copies of the named fixtures (test/fixtures or samples/). */
export async function workdir(files: string[] = [], from = FIXTURES): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'listscrub-cli-'));
  workdirs.push(dir);
  await Promise.all(files.map((name) => copyFile(join(from, name), join(dir, name))));
  return dir;
}

/** Remove every directory made by workdir() in this test file (call from afterAll). */
export async function removeWorkdirs(): Promise<void> {
  await Promise.all(workdirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Parse CSV text: rows as arrays (header included). Report rows of malformed records may be longer. */
export function csvRows(text: string | Buffer, delimiter = ','): string[][] {
  return parse(text, { delimiter, relax_column_count: true, bom: true }) as string[][];
}

/** Parse a CSV file with a header into objects keyed by the header (extra cells are dropped). */
export async function csvRecords(path: string, delimiter = ','): Promise<Array<Record<string, string>>> {
  const [header, ...rows] = csvRows(await readFile(path), delimiter);
  if (header === undefined) return [];
  return rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i] ?? ''])));
}

/** A stack trace line in stderr: user mistakes must never print one. */
export const STACK_LINE = /^\s{4}at /m;

/** Domains used by test/fixtures (example.com, .org, .net, .fr, .de, .es), each with a public MX host. */
export function fixtureDomainsZone(): Zone {
  const zone: Zone = {};
  ['example.com', 'example.org', 'example.net', 'example.fr', 'example.de', 'example.es'].forEach((domain, i) => {
    zone[domain] = { MX: [{ preference: 10, exchange: `mx.${domain}` }] };
    zone[`mx.${domain}`] = { A: [`93.184.215.${20 + i}`] };
  });
  return zone;
}

/** The zone the CLI tests serve: the sample zone (providers, canaries, outcome domains) + fixtures. */
export function cliZone(): Zone {
  return { ...sampleZone(), ...fixtureDomainsZone() };
}
