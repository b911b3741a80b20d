/**
 * Helpers for the nightly-job tests: they spawn the BUILT command line (dist/cli/main.js, built by
 * `npm test`'s pretest) against the real test DNS server on 127.0.0.1, the way cron or systemd would.
 * Nothing here sleeps: waiting is on process exit, output lines and file-system events.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { watch } from 'node:fs';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDnsServer, type DnsServer, type Zone } from '../support/dns-server.js';
import { CANARY_ZONE, mxDomain } from '../support/zones.js';

export const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** Fast, deterministic DNS flags for the test server (one canary keeps the counts small). */
export function dnsFlags(server: DnsServer, extra: string[] = []): string[] {
  return ['--dns', server.address, '--dns-canary', 'gmail.com', '--dns-timeout', '300', '--dns-retries', '1', ...extra];
}

/** The zone every nightly test uses: canaries plus a few list domains, one per outcome. */
export function nightlyZone(extra: Zone = {}): Zone {
  return structuredClone({
    ...CANARY_ZONE,
    ...mxDomain('good.com', '93.184.216.34'),
    ...mxDomain('fine.org', '93.184.216.35'),
    ...mxDomain('other.net', '93.184.216.36'),
    'nullmx.org': { MX: [{ preference: 0, exchange: '.' }] },
    // missing.com is absent: NXDOMAIN
    ...extra,
  });
}

/** The DNS names a list domain costs: the domain and, for the MX fixtures, its MX host. */
export function namesOf(domains: readonly string[]): string[] {
  return domains.flatMap((d) => [d, `mail.${d}`]);
}

/** Queries the server received for any of `names` (all types). */
export function queriesFor(server: DnsServer, names: readonly string[]): number {
  return names.reduce((sum, name) => sum + server.count(name), 0);
}

export async function startServer(zone: Zone = nightlyZone()): Promise<DnsServer> {
  return startDnsServer(zone);
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'listscrub-nightly-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A one-column list with a header. */
export async function writeList(path: string, emails: readonly string[]): Promise<string> {
  await writeFile(path, `email\n${emails.join('\n')}\n`);
  return path;
}

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
  /** Resolves with the stream's text once `pattern` matches it (rejects if the process exits first). */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr'): Promise<string>;
  done: Promise<CliResult>;
}

/** A clean environment: no inherited resolver override, no colour. */
function cliEnv(env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete base.LISTSCRUB_DNS;
  return { ...base, ...env };
}

export function startCli(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: cliEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const text = { stdout: '', stderr: '' };
  const listeners = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    text.stdout += chunk;
    for (const l of listeners) l();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    text.stderr += chunk;
    for (const l of listeners) l();
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      for (const l of listeners) l();
      resolve({ code, signal, stdout: text.stdout, stderr: text.stderr });
    });
  });
  let exited = false;
  void done.then(() => (exited = true), () => (exited = true));
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

export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

/** Resolves once `path` exists: an fs.watch on its directory, plus a check after arming the watch. */
export async function waitForFile(path: string): Promise<void> {
  const dir = dirname(path);
  const name = basename(path);
  await new Promise<void>((resolve, reject) => {
    const watcher = watch(dir, (_event, file) => {
      if (file === null || file === name) void exists(path).then((yes) => yes && finish());
    });
    const finish = (): void => {
      watcher.close();
      resolve();
    };
    watcher.once('error', (error) => {
      watcher.close();
      reject(error);
    });
    void exists(path).then((yes) => yes && finish());
  });
}

/**
 * Resolves with the parsed content of `path` once it exists and holds complete JSON (a lock file is
 * created empty and written a moment later): re-read on every change in its directory.
 */
export async function waitForJsonFile<T = unknown>(path: string): Promise<T> {
  const dir = dirname(path);
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const attempt = (): void => {
      void readFile(path, 'utf8').then(
        (text) => {
          try {
            const value = JSON.parse(text) as T;
            if (!settled) {
              settled = true;
              watcher.close();
              resolve(value);
            }
          } catch {
            // still being written: the next change event tries again
          }
        },
        () => undefined,
      );
    };
    const watcher = watch(dir, attempt);
    watcher.once('error', (error) => {
      watcher.close();
      reject(error);
    });
    attempt();
  });
}

export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export async function readJson<T = unknown>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** The shape of the cache file, as far as the tests look. */
export interface CacheFileJson {
  format: string;
  version: number;
  savedAt: string;
  allowPrivate?: boolean;
  domains: Record<string, { outcome: { kind: string; reason?: string; detail: string; ttlSeconds?: number }; expiresAt: number }>;
  hosts: Record<string, { addresses: string[]; expiresAt: number }>;
}

/** The JSON summary printed by --json (and written by --summary). */
export interface SummaryJson {
  rows: number;
  kept: number;
  removed: number;
  statuses: Record<string, number>;
  reasons: Record<string, number>;
  dns: { enabled: boolean; healthy: boolean; checked: boolean; detail: string; queries: number; domains: number; cacheHits: number };
  output: string | null;
  report: string | null;
  guard?: { maxInvalidRate: number; removedRate: number; detail: string };
  warnings: string[];
  exitCode: number;
}
