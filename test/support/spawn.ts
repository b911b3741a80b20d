/**
 * Spawning the BUILT command line (`node dist/cli/main.js`, built by `npm test`'s pretest) the way a
 * user's shell, cron or systemd would: the one copy used by every end-to-end folder (test/cli,
 * test/nightly, test/reliability). Nothing here sleeps: every wait is on a process exit, an output
 * line or a file-system event.
 *
 * LISTSCRUB_TEST_BIN runs the tests against another build (e.g. to show a fix is needed).
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync, watch } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach } from 'vitest';
import type { Summary } from '../../src/batch.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = process.env.LISTSCRUB_TEST_BIN ?? join(ROOT, 'dist', 'cli', 'main.js');

/**
 * A stack trace line as Node prints it: user-facing output must never contain one. A plain string,
 * so it works with both `not.toContain(STACK_LINE)` and `not.toMatch(STACK_LINE)`.
 */
export const STACK_LINE = '    at ';

/** The JSON summary printed by `clean --json` (or written by --summary): the run's Summary plus its exit code. */
export type SummaryJson = Summary & { exitCode: number };

export interface CliResult {
  /** Exit code; null when the process was killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  /** Added to the environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Bytes for stdin (then closed); default: stdin is ignored (reads as empty). */
  input?: string | Buffer;
  /** Override stdio entirely (e.g. a file descriptor for stdout). */
  stdio?: StdioOptions;
  /** Extra node flags before the script (e.g. --max-old-space-size). */
  nodeArgs?: string[];
  /** Extra spawn options (e.g. uid/gid to run as another user). */
  spawn?: { uid?: number; gid?: number };
  /** SIGKILL the process after this long (a hung CLI must fail its test, not the whole run); default: never. */
  killAfterMs?: number;
}

export interface RunningCli {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the stream's text once `pattern` matches it (rejects if the process exits first). */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr'): Promise<string>;
  /** Resolves on 'close' (the process exited and its output streams are drained). */
  done: Promise<CliResult>;
}

/** The test process's environment without LISTSCRUB_DNS (each test names its resolver), with NO_COLOR, plus `extra`. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', LISTSCRUB_DNS: undefined, ...extra };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return env as NodeJS.ProcessEnv;
}

/** Start `listscrub <args>` and follow its output as it comes. */
export function startCli(args: string[], options: CliOptions = {}): RunningCli {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npm run build" first (npm test does it).`);
  const stdio: StdioOptions = options.stdio ?? [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], {
    cwd: options.cwd,
    env: cliEnv(options.env),
    stdio,
    ...options.spawn,
  });
  const text = { stdout: '', stderr: '' };
  const listeners = new Set<() => void>();
  let exited = false;
  const wake = (): void => {
    for (const listener of listeners) listener();
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    text.stdout += chunk;
    wake();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    text.stderr += chunk;
    wake();
  });
  if (options.input !== undefined && child.stdin !== null) {
    child.stdin.on('error', () => undefined); // the CLI may stop reading early (a usage or coded error): EPIPE is not the test's concern
    child.stdin.end(options.input);
  }
  const killer = options.killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(killer);
      exited = true;
      wake();
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      exited = true;
      wake();
      resolve({ code, signal, stdout: text.stdout, stderr: text.stderr });
    });
  });
  return {
    child,
    get stdout() {
      return text.stdout;
    },
    get stderr() {
      return text.stderr;
    },
    done,
    waitFor(pattern, stream = 'stderr') {
      return new Promise<string>((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(text[stream])) {
            listeners.delete(check);
            resolve(text[stream]);
          } else if (exited) {
            listeners.delete(check);
            reject(new Error(`process exited before ${pattern} appeared on ${stream}:\n${text[stream]}`));
          }
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** Run `listscrub <args>` to the end and collect its output (stdin as in startCli: ignored unless `input`). */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

/**
 * Processes are bounded: vitest runs two test files at once (maxWorkers 2) on a shared 2-core machine,
 * so each worker runs at most CLI_CONCURRENCY (2) `run()` processes at a time; `Promise.all` over
 * `run()` calls is safe, the excess waits in a queue.
 */
const CLI_CONCURRENCY = Number(process.env.LISTSCRUB_TEST_CLI_CONCURRENCY ?? 2);
/** A hung CLI must fail its test, not the whole run: killed after this long. */
const DEFAULT_KILL_AFTER_MS = 30_000;

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
 * runCli with the CLI tests' defaults: a concurrency slot, cwd ROOT, stdin always piped and closed
 * (empty unless `input`), killed after 30 s.
 */
export async function run(args: string[], options: Pick<CliOptions, 'input' | 'env' | 'cwd' | 'killAfterMs'> = {}): Promise<CliResult> {
  const release = await slot();
  try {
    return await runCli(args, {
      ...options,
      cwd: options.cwd ?? ROOT,
      input: options.input ?? '',
      killAfterMs: options.killAfterMs ?? DEFAULT_KILL_AFTER_MS,
    });
  } finally {
    release();
  }
}

export async function tempDir(prefix = 'listscrub-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A fresh temporary directory for each test of the calling file, handed to `set`, removed after the test. */
export function tempDirEach(set: (dir: string) => void, prefix?: string): void {
  let cleanup: () => Promise<void> = async () => undefined;
  beforeEach(async () => {
    const made = await tempDir(prefix);
    cleanup = made.cleanup;
    set(made.dir);
  });
  afterEach(async () => {
    await cleanup();
  });
}

/**
 * Resolves with the first name in `dir` matching `pattern` whose size is at least `minBytes`,
 * woken by fs.watch events (creation and writes both fire them), checked once after arming.
 * Rejects if `abandon` settles first (the process exited, so the file will never come).
 */
export async function waitForFile(dir: string, pattern: RegExp, minBytes: number, abandon: Promise<unknown>): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let settled = false;
    let checking = false;
    let again = false;
    const finish = (error: Error | null, name?: string): void => {
      if (settled) return;
      settled = true;
      watcher.close();
      if (error !== null) reject(error);
      else resolve(name as string);
    };
    const check = async (): Promise<void> => {
      if (checking) {
        again = true;
        return;
      }
      checking = true;
      do {
        again = false;
        for (const name of await readdir(dir).catch(() => [] as string[])) {
          if (!pattern.test(name)) continue;
          const size = await stat(join(dir, name)).then((s) => s.size, () => -1);
          if (size >= minBytes) return finish(null, name);
        }
      } while (again && !settled);
      checking = false;
    };
    const watcher = watch(dir, () => void check());
    watcher.once('error', (error) => finish(error));
    void abandon.then(
      () => finish(new Error(`the process ended before a file matching ${pattern} reached ${minBytes} bytes`)),
      (error: unknown) => finish(error as Error),
    );
    void check();
  });
}

/** The pid of a process that has exited (for stale lock and temp files). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('close', resolve));
  return child.pid as number;
}

/**
 * Parse CSV the way a reference reader does (csv-parse): rows as arrays, header included, every
 * record kept (report rows of malformed records may be longer).
 */
export function parseCsv(text: string | Buffer, delimiter = ','): string[][] {
  return parse(typeof text === 'string' ? text : decodeText(text), { delimiter, bom: true, relax_column_count: true, relax_quotes: false }) as string[][];
}

/**
 * An output's text: listscrub writes each output in the input's encoding, so the byte-order mark
 * says which (UTF-8, UTF-16LE, UTF-16BE); without one, UTF-8 (pass windows-1252 files decoded).
 */
export function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  return bytes.toString('utf8');
}
