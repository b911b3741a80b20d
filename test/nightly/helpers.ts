/**
 * Helpers for the nightly-job tests: they spawn the BUILT command line (../support/spawn.ts) against
 * the real test DNS server on 127.0.0.1, the way cron or systemd would. Nothing here sleeps: waiting
 * is on process exit, output lines and file-system events.
 */
import { watch } from 'node:fs';
import { access, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startDnsServer, type DnsServer, type Zone } from '../support/dns-server.js';
import { CANARY_ZONE, mxDomain } from '../support/zones.js';

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

/**
 * One test DNS server for the calling test file, handed to `set` and closed after the file. Before
 * each test it is put back as it started: a fresh `zone()`, normal mode, no latency, zero counters.
 */
export function useNightlyServer(set: (server: DnsServer) => void, zone: () => Zone = () => nightlyZone()): void {
  let server: DnsServer | undefined;
  beforeAll(async () => {
    server = await startDnsServer(zone());
    set(server);
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => {
    server!.setZone(zone());
    server!.setMode('normal');
    server!.setLatency(0);
    server!.resetStats();
  });
}

/** A one-column list with a header. */
export async function writeList(path: string, emails: readonly string[]): Promise<string> {
  await writeFile(path, `email\n${emails.join('\n')}\n`);
  return path;
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
