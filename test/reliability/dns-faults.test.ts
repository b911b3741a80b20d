/**
 * "Never lose a good address", tried against a real DNS server on 127.0.0.1 that misbehaves:
 * - a property: addresses at deliverable domains, a server that drops, delays past the timeout or
 *   SERVFAILs a random share of queries (up to 50%): zero rows invalid, the hit ones unknown;
 * - lying resolvers (NXDOMAIN for everything, SERVFAIL for everything, no answer at all), through
 *   the spawned CLI, `check` and `clean`: exit 3 and nothing invalid on DNS grounds.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scrubCsv } from '../../src/batch.js';
import { startDnsServer, type Zone, type ZoneEntry } from '../support/dns-server.js';
import { CANARY_ZONE } from '../support/zones.js';
import { parseCsv, runCli, STACK_LINE, tempDir, type SummaryJson } from '../support/spawn.js';
import { seedOf } from './helpers.js';

export const DNS_RUNS = 30;

/** Reasons that call an address invalid on DNS grounds: never allowed without a trustworthy answer. */
const DNS_INVALID_REASONS = ['domain_not_found', 'null_mx', 'no_mail_server', 'mx_invalid'] as const;
const DNS_UNKNOWN_REASONS = ['dns_timeout', 'dns_error', 'dns_unavailable'];

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir('listscrub-dnsfault-')));
afterAll(async () => cleanup());

/** Public addresses (the checker refuses private and documentation ranges). */
const IPV4 = ['93.184.216.34', '198.41.0.4', '142.250.27.27', '52.101.8.44'];
const IPV6 = ['2606:2800:220:1:248:1893:25c8:1946'];

type Shape = 'mx-a' | 'mx-aaaa' | 'implicit-a' | 'two-mx' | 'cname-mx';

/** A deliverable domain of the given shape, with `fault` on its own names (or none). */
function deliverable(domain: string, shape: Shape, fault: ZoneEntry['behavior'] | undefined): Zone {
  const withFault = (entry: ZoneEntry): ZoneEntry => (fault === undefined ? entry : { ...entry, behavior: fault });
  switch (shape) {
    case 'mx-a':
      return { [domain]: withFault({ MX: [{ preference: 10, exchange: `mx.${domain}` }] }), [`mx.${domain}`]: withFault({ A: [IPV4[0]!] }) };
    case 'mx-aaaa':
      return { [domain]: { MX: [{ preference: 10, exchange: `mx.${domain}` }] }, [`mx.${domain}`]: withFault({ AAAA: [IPV6[0]!] }) };
    case 'implicit-a':
      return { [domain]: withFault({ A: [IPV4[1]!] }) };
    case 'two-mx':
      return {
        [domain]: { MX: [{ preference: 10, exchange: `a.${domain}` }, { preference: 20, exchange: `b.${domain}` }] },
        [`a.${domain}`]: withFault({ A: [IPV4[2]!] }),
        [`b.${domain}`]: { A: [IPV4[3]!] },
      };
    case 'cname-mx':
      return {
        [domain]: withFault({ MX: [{ preference: 10, exchange: `mx.${domain}` }] }),
        [`mx.${domain}`]: { CNAME: `host.${domain}` },
        [`host.${domain}`]: withFault({ A: [IPV4[1]!] }),
      };
  }
}

const scenario = fc.record({
  dropRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
  servfailShare: fc.double({ min: 0, max: 1, noNaN: true }),
  latencyMs: fc.integer({ min: 0, max: 40 }),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  domains: fc.array(
    fc.record({
      shape: fc.constantFrom<Shape>('mx-a', 'mx-aaaa', 'implicit-a', 'two-mx', 'cname-mx'),
      // A name that never answers, SERVFAILs, or answers later than the timeout.
      fault: fc.option(fc.constantFrom<NonNullable<ZoneEntry['behavior']>>('drop', 'servfail', 'delay:400', 'delay:20'), { freq: 3 }),
    }),
    { minLength: 1, maxLength: 12 },
  ),
  rows: fc.array(fc.tuple(fc.nat(), fc.constantFrom('ann', 'bob.smith', 'c_d', 'eve+news', 'zoe-o')), { minLength: 1, maxLength: 40 }),
});

describe('no good address lost to DNS faults', () => {
  test(`deliverable domains behind a server that drops, delays or SERVFAILs up to 50% of queries: zero invalid (${DNS_RUNS} runs)`, async () => {
    let unknownSeen = 0;
    let validSeen = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const zone: Zone = structuredClone(CANARY_ZONE);
        const names = s.domains.map((d, i) => {
          const name = `list${i}.example-${d.shape}.com`;
          Object.assign(zone, deliverable(name, d.shape, d.fault ?? undefined));
          return name;
        });
        // The share of queries hit at random stays at most 50% overall.
        const server = await startDnsServer(zone, {
          dropRate: s.dropRate * (1 - s.servfailShare),
          servfailRate: s.dropRate * s.servfailShare,
          latencyMs: s.latencyMs,
          seed: s.seed,
        });
        try {
          const addresses = s.rows.map(([n, local]) => `${local}@${names[n % names.length]}`);
          const chunks = [Buffer.from(`email\n${addresses.join('\n')}\n`)];
          const report = join(dir, 'faults.report.csv');
          const summary = await scrubCsv({
            input: '-',
            stdin: Readable.from(chunks),
            output: join(dir, 'faults.clean.csv'),
            report,
            lock: false,
            keepDuplicates: true,
            dns: { servers: [server.address], timeoutMs: 100, retries: 1, canary: ['gmail.com'] },
          });
          expect(summary.rows).toBe(addresses.length);
          expect(summary.statuses.invalid).toBe(0);
          expect(summary.statuses.valid + summary.statuses.unknown).toBe(summary.rows);
          for (const reason of Object.keys(summary.reasons)) expect(['ok', ...DNS_UNKNOWN_REASONS]).toContain(reason);
          expect(summary.removed).toBe(0);
          expect(parseCsv(await readFile(report, 'utf8'))).toHaveLength(1);
          unknownSeen += summary.statuses.unknown;
          validSeen += summary.statuses.valid;
        } finally {
          await server.close();
        }
      }),
      { numRuns: DNS_RUNS, seed: seedOf(1905), endOnFailure: true },
    );
    // The faults did bite (some rows unknown) and the retries did save some (some rows valid).
    expect(unknownSeen).toBeGreaterThan(0);
    expect(validSeen).toBeGreaterThan(0);
  });
});

describe('lying and broken resolvers, through the CLI: exit 3 and nothing invalid on DNS grounds', () => {
  // Every kind of domain the list could hold: under a broken resolver all of them are unknown.
  const addresses = ['ann@good.com', 'bob@missing-domain.com', 'cat@nullmx.org', 'dan@nodata.org', 'eve@gmail.com'];
  // Syntax still decides offline: this one is invalid whatever DNS does.
  const broken = 'not-an-address';

  test.each(['lie', 'servfail', 'drop'] as const)('server mode "%s": check and clean', async (mode) => {
    const server = await startDnsServer({}, { mode });
    try {
      const dnsFlags = ['--dns', server.address, '--dns-timeout', '100', '--dns-retries', '1', '--dns-canary', 'gmail.com,outlook.com'];

      const check = await runCli(['check', '--json', ...dnsFlags, ...addresses, broken]);
      expect(check.stderr).not.toContain(STACK_LINE);
      expect(check.stderr).toMatch(/DNS is unhealthy/);
      expect(check.code).toBe(3);
      const verdicts = check.stdout.trim().split('\n').map((line) => JSON.parse(line) as { input: string; status: string; reason: string });
      expect(verdicts.map((v) => v.input)).toEqual([...addresses, broken]);
      for (const verdict of verdicts.slice(0, addresses.length)) {
        expect(verdict).toMatchObject({ status: 'unknown', reason: 'dns_unavailable' });
      }
      expect(verdicts[addresses.length]).toMatchObject({ status: 'invalid', reason: 'syntax' });

      const list = join(dir, `lying-${mode}.csv`);
      const output = join(dir, `lying-${mode}.clean.csv`);
      const report = join(dir, `lying-${mode}.report.csv`);
      await writeFile(list, `email,name\n${[...addresses, broken].map((a, i) => `${a},Person ${i}`).join('\n')}\n`);
      const clean = await runCli(['clean', list, '-o', output, '-r', report, '--json', ...dnsFlags]);
      expect(clean.stderr).not.toContain(STACK_LINE);
      expect(clean.code).toBe(3);
      const summary = JSON.parse(clean.stdout) as SummaryJson;
      expect(summary.exitCode).toBe(3);
      expect(summary.dns.healthy).toBe(false);
      expect(summary.rows).toBe(addresses.length + 1);
      expect(summary.statuses.invalid).toBe(1);
      expect(summary.statuses.unknown).toBe(addresses.length);
      for (const reason of DNS_INVALID_REASONS) expect(summary.reasons[reason] ?? 0).toBe(0);
      // Every address that DNS could not vouch for is still on the cleaned list.
      expect(parseCsv(await readFile(output, 'utf8')).slice(1).map((row) => row[0])).toEqual(addresses);
      const reported = parseCsv(await readFile(report, 'utf8')).slice(1);
      expect(reported.map((row) => [row[2], row[3], row[8]])).toEqual([['invalid', 'syntax', broken]]);
    } finally {
      await server.close();
    }
  });
});
