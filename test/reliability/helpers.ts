/**
 * Helpers for the reliability tests. They spawn the BUILT command line (dist/cli/main.js, built by
 * `npm test`'s pretest) the way a user's shell would, and never sleep: every wait is on a process
 * exit, an output line or a file-system event.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync, watch } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

/** LISTSCRUB_TEST_BIN: run these tests against another build (e.g. to show a fix is needed). */
export const BIN = process.env.LISTSCRUB_TEST_BIN ?? fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npm run build" (npm test does it first)`);

/** A stack trace line as Node prints it: user-facing output must never contain one. */
export const STACK_LINE = '    at ';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  done: Promise<CliResult>;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Bytes for stdin (then closed); default: stdin is ignored (reads as empty). */
  input?: string | Buffer;
  /** Override stdio entirely (e.g. a file descriptor for stdout). */
  stdio?: StdioOptions;
  /** Extra node flags before the script (e.g. --max-old-space-size). */
  nodeArgs?: string[];
  /** Extra spawn options (e.g. uid/gid to run as another user). */
  spawn?: { uid?: number; gid?: number };
}

/** No inherited resolver override, no colour. */
function cliEnv(env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete base.LISTSCRUB_DNS;
  return { ...base, ...env };
}

export function startCli(args: string[], options: CliOptions = {}): RunningCli {
  const stdio: StdioOptions = options.stdio ?? [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], {
    cwd: options.cwd,
    env: cliEnv(options.env),
    stdio,
    ...options.spawn,
  });
  const text = { stdout: '', stderr: '' };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (text.stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (text.stderr += chunk));
  if (options.input !== undefined && child.stdin !== null) {
    child.stdin.on('error', () => undefined); // the CLI may stop reading early (a coded error)
    child.stdin.end(options.input);
  }
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout: text.stdout, stderr: text.stderr }));
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
  };
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

export async function tempDir(prefix = 'listscrub-rel-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Temporary files of the atomic writer (`.<name>.<pid>.<hex>.tmp`) and lock files in `dir`. */
export async function leftovers(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.tmp') || name.endsWith('.lock')).sort();
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

/** Parse CSV text the way a reference reader does (csv-parse), keeping every record. */
export function parseCsv(text: string, delimiter = ','): string[][] {
  return parse(text, { delimiter, bom: true, relax_column_count: true, relax_quotes: false }) as string[][];
}

/** The JSON summary printed by `clean --json` (or written by --summary). */
export interface SummaryJson {
  rows: number;
  kept: number;
  removed: number;
  statuses: Record<string, number>;
  reasons: Record<string, number>;
  dns: { enabled: boolean; healthy: boolean; checked: boolean; detail: string };
  output: string | null;
  report: string | null;
  exitCode: number;
}

/** The pid of a process that has exited (for stale lock and temp files). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('close', resolve));
  return child.pid as number;
}

/**
 * The seed of a property: fixed so a failure reproduces; LISTSCRUB_TEST_SEED explores other ones
 * (`LISTSCRUB_TEST_SEED=123 npx vitest run test/reliability`).
 */
export function seedOf(fixed: number): number {
  const override = Number(process.env.LISTSCRUB_TEST_SEED);
  return Number.isInteger(override) && override !== 0 ? override : fixed;
}
