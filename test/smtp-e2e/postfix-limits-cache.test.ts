/**
 * `--smtp` against a real Postfix (test/support/postfix.ts), measured at the server from its mail
 * log: the politeness limits (never more than 2 sessions at once to one provider group, 20
 * addresses per connection), a second run with `--cache` asking the server nothing, and the same
 * verdicts from `check --smtp`, the job file and the library.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAddress, scrubCsv } from '../../src/index.js';
import { cliZone, removeWorkdirs, workdir } from '../support/cli.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { startPostfix, type Disconnect, type Postfix } from '../support/postfix.js';
import { FROM, HELO, readSummary, smtpFlags, verdictsByEmail, writeList, writeSmtpJob } from '../support/smtp-e2e.js';
import { run } from '../support/spawn.js';
import { mxDomain, POSTFIX_HOSTS, POSTFIX_ZONE } from '../support/zones.js';

const PORT = 2525;
const USERS = Array.from({ length: 20 }, (_, i) => `user${i + 1}`);
/** Two domains served by one MX host: one provider group, as a provider's many customer domains are. */
const SHARED = ['postfix-shared-a.net', 'postfix-shared-b.net'];

let dns: DnsServer;
let postfix: Postfix;

beforeAll(async () => {
  const shared = SHARED.map((domain) => mxDomain(domain, POSTFIX_HOSTS.mx1, 'mx.postfix-shared.net'));
  dns = await startDnsServer({ ...cliZone(), ...POSTFIX_ZONE, ...Object.assign({}, ...shared) });
  postfix = await startPostfix({
    listeners: [POSTFIX_HOSTS.mx1],
    port: PORT,
    domains: {
      'postfix-users.net': ['postmaster', 'alice', 'bob', 'full', 'gone'],
      ...Object.fromEntries(SHARED.map((domain) => [domain, ['postmaster', ...USERS]])),
    },
    replies: { 'full@postfix-users.net': '452 4.2.2 Mailbox full', 'gone@postfix-users.net': '550 5.2.1 Mailbox disabled' },
  });
}, 300_000);

afterAll(async () => {
  await postfix?.stop();
  await dns?.close();
  await removeWorkdirs();
});

/**
 * The sessions since `mark`, once every one that opened has ended: the run has exited, so each of
 * its connections already has its `connect from` line; wait for as many `disconnect from` lines.
 */
async function sessionsSince(mark: number): Promise<{ sessions: Disconnect[]; events: Array<'connect' | 'disconnect'> }> {
  const after = (text: string): string => Buffer.from(text).subarray(mark).toString();
  const connects = after(await postfix.log()).match(/postfix\/smtpd\[\d+\]: connect from /g)?.length ?? 0;
  const sessions = await postfix.disconnects({ since: mark, count: connects });
  const events = [...after(await postfix.log()).matchAll(/postfix\/smtpd\[\d+\]: (connect|disconnect) from /g)].map((m) => m[1] as 'connect' | 'disconnect');
  return { sessions, events };
}

function mostAtOnce(events: ReadonlyArray<'connect' | 'disconnect'>): number {
  let open = 0;
  let most = 0;
  for (const event of events) most = Math.max(most, (open += event === 'connect' ? 1 : -1));
  return most;
}

const rcptsOf = (sessions: Disconnect[]): number => sessions.reduce((sum, s) => sum + (s.commands.rcpt?.sent ?? 0), 0);

describe('politeness measured at Postfix', () => {
  it('40 addresses over 2 domains on one MX: at most 2 sessions at once, at most 4 connections in all', async () => {
    const dir = await workdir();
    await writeList(dir, SHARED.flatMap((domain) => USERS.map((user) => `${user}@${domain}`)));
    // Faster probes than the default 60 a minute (these are our own servers); the connection limits stay the defaults.
    const job = await writeSmtpJob(dir, PORT, { maxWaitSeconds: 0, limits: { probesPerMinute: 1200 } });
    const mark = await postfix.logMark();
    const result = await run(['clean', 'list.csv', '--config', job, '--dns', dns.address, '--allow-loopback', '--results', 'results.csv', '--summary', 'summary.json', '-q'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const verdicts = Object.values(await verdictsByEmail(join(dir, 'results.csv')));
    expect(verdicts).toHaveLength(40);
    expect(new Set(verdicts)).toEqual(new Set(['valid:ok:accepted']));
    const { sessions, events } = await sessionsSince(mark);
    expect(mostAtOnce(events)).toBeLessThanOrEqual(2);
    // The port-25 check's greeting, then sessions of up to 20 addresses (plus each domain's catch-all probe).
    expect(sessions.length).toBeLessThanOrEqual(4);
    expect(rcptsOf(sessions)).toBe(42);
    const summary = await readSummary(join(dir, 'summary.json'));
    expect(summary.smtp).toMatchObject({ status: 'ok', probes: 42, connections: sessions.length });
  }, 120_000);
});

describe('a second run with --cache', () => {
  it('asks the server nothing for the addresses already answered, and keeps the same verdicts', async () => {
    const dir = await workdir();
    await writeList(dir, ['alice@postfix-users.net', 'nobody@postfix-users.net', 'gone@postfix-users.net', 'bob@postfix-users.net']);
    const args = ['clean', 'list.csv', '--dns', dns.address, ...smtpFlags(PORT), '--smtp-max-wait', '0', '--cache', 'cache.json', '--results', 'results.csv', '--summary', 'summary.json', '-q'];
    const firstMark = await postfix.logMark();
    const first = await run(args, { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    const firstVerdicts = await verdictsByEmail(join(dir, 'results.csv'));
    expect(firstVerdicts).toEqual({
      'alice@postfix-users.net': 'valid:ok:accepted',
      'nobody@postfix-users.net': 'invalid:mailbox_not_found:mailbox_not_found',
      'gone@postfix-users.net': 'invalid:mailbox_disabled:mailbox_disabled',
      'bob@postfix-users.net': 'valid:ok:accepted',
    });
    expect(rcptsOf((await sessionsSince(firstMark)).sessions)).toBeGreaterThanOrEqual(4);

    const secondMark = await postfix.logMark();
    const second = await run(args, { cwd: dir });
    expect(second.code, second.stderr).toBe(0);
    expect(await verdictsByEmail(join(dir, 'results.csv'))).toEqual(firstVerdicts);
    expect(rcptsOf((await sessionsSince(secondMark)).sessions)).toBe(0);
    const summary = await readSummary(join(dir, 'summary.json'));
    expect(summary.smtp).toMatchObject({ status: 'ok', probes: 0, cacheHits: 4 });
  }, 120_000);
});

describe('the same verdicts from the flags, the job file and the library', () => {
  const addresses = ['alice@postfix-users.net', 'nobody@postfix-users.net', 'full@postfix-users.net', 'gone@postfix-users.net'];
  const expected = ['valid:ok', 'invalid:mailbox_not_found', 'risky:mailbox_full', 'invalid:mailbox_disabled'];
  const smtp = { helo: HELO, from: FROM, port: PORT, maxWaitSeconds: 0 };

  it('check --smtp prints each verdict with its SMTP reason', async () => {
    const table = await run(['check', ...addresses, '--dns', dns.address, ...smtpFlags(PORT), '--smtp-max-wait', '0']);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ADDRESS\s+STATUS\s+REASON\s+DETAIL/);
    addresses.forEach((address, i) => {
      const [status, reason] = expected[i]!.split(':');
      expect(lines[i + 1]).toMatch(new RegExp(`^${address.replace('.', '\\.')}\\s+${status}\\s+${reason}\\s`));
    });
    expect(table.stdout).toMatch(/User unknown in virtual mailbox table/);

    const json = await run(['check', ...addresses, '--json', '--dns', dns.address, ...smtpFlags(PORT), '--smtp-max-wait', '0']);
    expect(json.code, json.stderr).toBe(0);
    const verdicts = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as { status: string; reason: string; mailbox?: { reason: string; code?: number } });
    expect(verdicts.map((v) => `${v.status}:${v.reason}`)).toEqual(expected);
    expect(verdicts[1]!.mailbox).toMatchObject({ reason: 'mailbox_not_found', code: 550 });

    const library = await Promise.all(addresses.map((address) => checkAddress(address, { dns: { servers: [dns.address], allowLoopback: true }, smtp })));
    expect(library.map((v) => `${v.status}:${v.reason}`)).toEqual(expected);
  }, 120_000);

  it('clean: flags, job file and scrubCsv give the same results', async () => {
    const forms: Record<string, Record<string, string>> = {};
    const flagsDir = await workdir();
    await writeList(flagsDir, addresses);
    const flags = await run(['clean', 'list.csv', '--dns', dns.address, ...smtpFlags(PORT), '--smtp-max-wait', '0', '--results', 'results.csv', '-q'], { cwd: flagsDir });
    expect(flags.code, flags.stderr).toBe(0);
    forms.flags = await verdictsByEmail(join(flagsDir, 'results.csv'));

    const jobDir = await workdir();
    await writeList(jobDir, addresses);
    const job = await writeSmtpJob(jobDir, PORT, { maxWaitSeconds: 0 });
    const viaJob = await run(['clean', 'list.csv', '--config', job, '--dns', dns.address, '--allow-loopback', '--results', 'results.csv', '-q'], { cwd: jobDir });
    expect(viaJob.code, viaJob.stderr).toBe(0);
    forms.job = await verdictsByEmail(join(jobDir, 'results.csv'));

    const libDir = await workdir();
    await writeList(libDir, addresses);
    const summary = await scrubCsv({ input: join(libDir, 'list.csv'), results: join(libDir, 'results.csv'), dns: { servers: [dns.address], allowLoopback: true }, smtp, lock: false });
    expect(summary.smtp?.status).toBe('ok');
    forms.library = await verdictsByEmail(join(libDir, 'results.csv'));

    const want = Object.fromEntries(addresses.map((address, i) => [address, `${expected[i]}:${expected[i]!.split(':')[1] === 'ok' ? 'accepted' : expected[i]!.split(':')[1]}`]));
    expect(forms).toEqual({ flags: want, job: want, library: want });
    expect(await readFile(join(libDir, 'list.report.csv'), 'utf8')).toBe(await readFile(join(flagsDir, 'list.report.csv'), 'utf8'));
  }, 120_000);
});
