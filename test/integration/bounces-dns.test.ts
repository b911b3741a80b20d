/**
 * The "recipient?, checked now" rule against the real test DNS server on loopback: a "domain not
 * found" bounce removes an address only when the domain is undeliverable now and DNS is healthy.
 * Then the library entry: scrubCsv({ bounces }) on a real list.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBounceEvidence } from '../../src/bounces/load.js';
import { scrubCsv } from '../../src/batch.js';
import type { DomainChecker } from '../../src/dns/index.js';
import { cliZone, FIXTURES } from '../support/cli.js';
import { checkerFor } from '../support/dns-checker.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { parseCsv } from '../support/spawn.js';

const NOW = Date.UTC(2026, 10, 30);
const notFound = (address: string, domain: string): string =>
  `May  1 10:00:13 mx1 postfix/smtp[4117]: 4F3A21C0123: to=<${address}>, relay=none, delay=0.05, delays=0.01/0/0.04/0, dsn=5.4.4, status=bounced (Host or domain name not found. Name service error for name=${domain} type=A: Host not found)`;

let server: DnsServer;
let dir = '';
let log = '';
const checkers: DomainChecker[] = [];

beforeAll(async () => {
  server = await startDnsServer(cliZone());
  dir = await mkdtemp(join(tmpdir(), 'listscrub-bounces-dns-'));
  log = join(dir, 'mail.log');
  await writeFile(
    log,
    [
      notFound('a@oakridge-supplies-defunct.com', 'oakridge-supplies-defunct.com'), // NXDOMAIN now
      notFound('b@parked-brandname.com', 'parked-brandname.com'), // null MX now
      notFound('c@txtonly-holdings.com', 'txtonly-holdings.com'), // no mail host now
      notFound('d@example.fr', 'example.fr'), // resolves now: the bounce was a DNS hiccup
      notFound('e@servfail-broken.net', 'servfail-broken.net'), // SERVFAIL now: not proven
    ].join('\n'),
  );
});
afterAll(async () => {
  await Promise.all(checkers.map((checker) => checker.close()));
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function checker(options: Parameters<typeof checkerFor>[1] = {}): DomainChecker {
  const made = checkerFor(server, options);
  checkers.push(made);
  return made;
}

describe('domain re-check', () => {
  it('only NXDOMAIN, null MX or no mail host now makes a "domain not found" bounce a removal', async () => {
    const evidence = await loadBounceEvidence([log], { now: NOW }, checker());
    expect([...evidence.dead.keys()].sort()).toEqual(['a@oakridge-supplies-defunct.com', 'b@parked-brandname.com', 'c@txtonly-holdings.com']);
    expect(evidence.summary.domainChecks).toEqual({ confirmed: 3, notConfirmed: 2 });
    expect(evidence.dead.get('a@oakridge-supplies-defunct.com')?.event.text).toMatch(/checked now: .*oakridge-supplies-defunct\.com/);
  });

  it('offline (no checker), nothing is proven', async () => {
    const evidence = await loadBounceEvidence([log], { now: NOW }, null);
    expect(evidence.dead.size).toBe(0);
    expect(evidence.summary.domainChecks).toEqual({ confirmed: 0, notConfirmed: 5 });
  });

  it('when the resolver fails its canary check, nothing is proven', async () => {
    const evidence = await loadBounceEvidence([log], { now: NOW }, checker({ dns: { canary: ['canary-missing-1.com', 'canary-missing-2.com'] } }));
    expect(evidence.dead.size).toBe(0);
    expect(evidence.summary.domainChecks.confirmed).toBe(0);
  });
});

describe('scrubCsv({ bounces })', () => {
  it('removes the proven-dead rows as bounced with the evidence, keeps the rest, and reports the bounces in the summary', async () => {
    const list = join(dir, 'list.csv');
    const rows = ['alice.gone@gmail.com', 'Ghost@Hotmail.com', 'reader@icloud.com', 'busy.inbox@gmail.com', 'data.stage@example.com', 'bounced.then.ok@example.org'];
    const keep = Array.from({ length: 60 }, (_, i) => `member${i}@example.com`);
    await writeFile(list, `email\n${[...rows, ...keep].join('\n')}\n`);
    const summary = await scrubCsv({
      input: list,
      bounces: [join(FIXTURES, 'bounces', 'postfix', 'mail.log')],
      dns: { servers: [server.address], timeoutMs: 300, retries: 1 },
      lock: false,
    });
    expect(summary.reasons.bounced).toBe(2);
    expect(summary.guard).toBeUndefined();
    expect(summary.bounces).toMatchObject({ events: 23, delivered: 2, problems: 1, byClass: { sender: 4, recipient: 11, domain: 2, transient: 4, unknown: 2 } });
    const report = parseCsv(await readFile(join(dir, 'list.report.csv')));
    expect(report.slice(1).map((row) => [row[8], row[2], row[3], row[6]])).toEqual([
      ['alice.gone@gmail.com', 'invalid', 'bounced', '5.1.1'],
      ['Ghost@Hotmail.com', 'invalid', 'bounced', '5.1.10'],
    ]);
    expect(report[1]?.[4]).toMatch(/^Bounced: 550 5\.1\.1 The email account that you tried to reach does not exist.*\(Gmail, \d{4}-05-01, rule no-such-user, .*mail\.log:5\)$/);
    const cleaned = parseCsv(await readFile(join(dir, 'list.clean.csv')));
    expect(cleaned.length - 1 + report.length - 1).toBe(rows.length + keep.length);
  });
});
