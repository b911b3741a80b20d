/**
 * Helpers for the CLI end-to-end tests: copy fixtures into a fresh temporary directory per test, read
 * CSV outputs back, and the DNS zone they serve. Spawning the built bin (`run`, bounded concurrency)
 * and parsing CSV live in ./spawn.ts, shared with test/nightly and test/reliability.
 */
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Zone } from './dns-server.js';
import { sampleZone } from './sample-zone.mjs';
import { parseCsv, ROOT } from './spawn.js';

export const FIXTURES = join(ROOT, 'test', 'fixtures');
export const SAMPLES = join(ROOT, 'samples');

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

/**
 * Parse a CSV file with a header into objects keyed by the header (extra cells are dropped). Outputs
 * are in the input's encoding: pass 'windows-1252' for those of a Latin-1 list (UTF-8 and UTF-16
 * are told by their byte-order mark).
 */
export async function csvRecords(path: string, delimiter = ',', encoding?: 'windows-1252'): Promise<Array<Record<string, string>>> {
  const bytes = await readFile(path);
  const [header, ...rows] = parseCsv(encoding === undefined ? bytes : new TextDecoder(encoding).decode(bytes), delimiter);
  if (header === undefined) return [];
  return rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i] ?? ''])));
}

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
