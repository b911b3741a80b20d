/**
 * docs/nightly must stay true: the example job file runs as shipped (only the resolver is swapped
 * for the test server, by a flag, as the README says flags override the file), the README section
 * shows that same job file, every JSON block in it parses, and its exit-code table is the CLI's.
 */
import { cp, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/io.js';
import { loadJobConfig } from '../../src/jobs/config.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { sampleZone } from '../support/sample-zone.mjs';
import { runCli, tempDir, type SummaryJson } from '../support/spawn.js';
import { readJson, type CacheFileJson } from './helpers.js';

const DOCS = fileURLToPath(new URL('../../docs/nightly/', import.meta.url));
const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/** One `## Heading` section of the README, up to the next `## `. */
async function readmeSection(heading: string): Promise<string> {
  const readme = await readFile(README, 'utf8');
  const start = readme.indexOf(`\n## ${heading}\n`);
  expect(start, `README has a "## ${heading}" section`).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}
const SAMPLE = fileURLToPath(new URL('../../samples/subscribers.csv', import.meta.url));

let server: DnsServer;
beforeAll(async () => {
  server = await startDnsServer(sampleZone());
});
afterAll(async () => {
  await server.close();
});

describe('docs/nightly', () => {
  it('job.example.json is a valid job file that runs as shipped; a warm second run asks only the canaries', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await cp(join(DOCS, 'job.example.json'), join(dir, 'job.json'));
      for (const sub of ['lists', 'out', 'state']) await mkdir(join(dir, sub));
      await cp(SAMPLE, join(dir, 'lists', 'subscribers.csv'));
      const job = await loadJobConfig(join(dir, 'job.json'));
      expect(job.input).toBe(join(dir, 'lists', 'subscribers.csv'));

      const first = await runCli(['clean', '--config', 'job.json', '--dns', server.address, '--dns-timeout', '300'], { cwd: dir });
      expect(first.stderr).toMatch(/^listscrub: job file .*job\.json\nlistscrub: 302 rows from .* 270 kept, 32 removed\n/);
      expect(first.code).toBe(0);
      const summary = await readJson<SummaryJson>(join(dir, 'out', 'summary.json'));
      expect(summary).toMatchObject({ rows: 302, exitCode: 0, output: join(dir, 'out', 'subscribers.clean.csv'), warnings: [], config: join(dir, 'job.json') });

      const cached = await readJson<CacheFileJson>(join(dir, 'state', 'dns-cache.json'));
      server.resetStats();
      const second = await runCli(['clean', '--config', 'job.json', '--dns', server.address, '--dns-timeout', '300'], { cwd: dir });
      expect(second.code).toBe(0);
      const canaryNames = new Set(['gmail.com', 'outlook.com', 'yahoo.com', 'gmail-smtp-in.l.google.com', 'outlook-com.olc.protection.outlook.com', 'mta5.am0.yahoodns.net']);
      // Besides the canaries, only names that were not cached are asked: the domains whose answer was
      // a temporary failure (dns_timeout, dns_error: one row each in the sample), and their MX hosts.
      const others = [...new Set(server.queries.map((q) => q.name).filter((n) => !canaryNames.has(n)))];
      expect(others.length).toBeGreaterThan(0);
      for (const name of others) expect(Object.keys(cached.domains).concat(Object.keys(cached.hosts)), name).not.toContain(name);
      const warm = await readJson<SummaryJson>(join(dir, 'out', 'summary.json'));
      expect(warm.reasons).toMatchObject({ dns_timeout: 1, dns_error: 1 });
      expect(warm.dns.cacheHits).toBeGreaterThan(250);
      expect((await readFile(join(dir, 'state', 'history.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(2);
    } finally {
      await cleanup();
    }
  });

  it('the README section shows the example job file verbatim, and its JSON blocks parse', async () => {
    const readme = await readmeSection('Nightly list hygiene');
    const blocks = [...readme.matchAll(/```json\n([^]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    for (const block of blocks) {
      const text = block.trim().startsWith('"') ? `{${block}}` : block; // the "guard": {...} excerpt
      expect(() => JSON.parse(text), block.slice(0, 60)).not.toThrow();
    }
    const example = JSON.parse(await readFile(join(DOCS, 'job.example.json'), 'utf8')) as unknown;
    expect(blocks.some((block) => JSON.stringify(JSON.parse(block.trim().startsWith('"') ? `{${block}}` : block)) === JSON.stringify(example))).toBe(true);
    // The cache-file example is what the loader accepts (format, version, sections).
    const cacheExample = blocks.map((b) => JSON.parse(b.trim().startsWith('"') ? `{${b}}` : b) as Record<string, unknown>).find((b) => b.format === 'listscrub-dns-cache');
    expect(cacheExample).toMatchObject({ version: 1, domains: expect.any(Object), hosts: expect.any(Object) });
  });

  it('the exit-code table lists exactly the codes the CLI uses', async () => {
    const readme = await readmeSection('Exit codes');
    const codes = [...readme.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    expect(codes).toEqual([...new Set(Object.values(EXIT))].sort((a, b) => a - b));
  });

  it('the systemd units are a nightly oneshot with alerting, and the crontab line uses the job file', async () => {
    const service = await readFile(join(DOCS, 'listscrub-clean.service'), 'utf8');
    const timer = await readFile(join(DOCS, 'listscrub-clean.timer'), 'utf8');
    const crontab = await readFile(join(DOCS, 'crontab.example'), 'utf8');
    expect(service).toMatch(/^Type=oneshot$/m);
    expect(service).toMatch(/^OnFailure=listscrub-alert@%n\.service$/m);
    expect(service).toMatch(/^ExecStart=\/usr\/bin\/listscrub clean --config \/var\/lib\/listscrub\/job\.json$/m);
    expect(timer).toMatch(/^OnCalendar=\*-\*-\* 03:15:00$/m);
    expect(crontab).toMatch(/^15 3 \* \* \* umask 077 && cd \/var\/lib\/listscrub && \/usr\/bin\/listscrub clean --config job\.json >> .* 2>&1 \|\| \/usr\/local\/bin\/listscrub-alert "\$\?" listscrub-nightly$/m);
  });
});
