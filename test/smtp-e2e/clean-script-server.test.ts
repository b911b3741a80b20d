/**
 * `clean --smtp` end to end against the scriptable server (test/support/smtp-script-server.ts): the
 * rows of the mailbox table Postfix will not produce on demand (421, other 4xx, a 5xx with no mailbox
 * signal, Microsoft 365's 5.4.1, a Yahoo-style MX, a stalled banner, a dead MX), port 25 closed or
 * black-holed, a server rejecting everyone, greylisting then acceptance, the probe spacing at the
 * default limit, and SIGINT in the middle of a probe. The built CLI, the test DNS server, real TCP.
 */
import { EventEmitter } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliZone, csvRecords, removeWorkdirs, workdir } from '../support/cli.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { startScriptServers, type Connection, type ScriptServer } from '../support/smtp-script-server.js';
import { readSummary, smtpFlags, verdictsByEmail, writeList, writeSmtpJob } from '../support/smtp-e2e.js';
import { run, STACK_LINE, startCli } from '../support/spawn.js';
import { SCRIPT_HOSTS, SCRIPT_ZONE } from '../support/zones.js';

/** RCPT replies of the fault server, by local part; any other local part does not exist. */
const FAULT_REPLIES: Record<string, string> = {
  rate: '421 4.7.0 Too many connections from your host, slow down',
  temp: '451 4.3.0 Temporary lookup failure',
  unrec: '550 Requested action not taken: mailbox unavailable',
  m365: '550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [DM6NAM12FT033.eop-nam12.prod.protection.outlook.com]',
};

interface RcptSeen {
  address: string;
  mailFrom: string;
  at: number;
  connection: number;
}

let dns: DnsServer;
let servers: { fault: ScriptServer; blanket: ScriptServer; yahoo: ScriptServer; stall: ScriptServer };
/** Every RCPT the fault server was asked, in order; 'rcpt' events as they come. */
const rcpts: RcptSeen[] = [];
const rcptEvents = new EventEmitter();
const greylistSeen = new Map<string, number>();

function faultRcpt(address: string, connection: Connection): string[] | 'stall' {
  const mailFrom = [...connection.commands].reverse().find((c) => /^MAIL FROM:/i.test(c)) ?? '';
  const seen: RcptSeen = { address, mailFrom, at: Date.now(), connection: connection.id };
  rcpts.push(seen);
  rcptEvents.emit('rcpt', seen);
  const local = address.slice(0, address.indexOf('@'));
  if (local === 'hang') return 'stall';
  if (local === 'grey') {
    const times = (greylistSeen.get(address) ?? 0) + 1;
    greylistSeen.set(address, times);
    if (times === 1) return [`450 4.7.1 <${address}>: Recipient address rejected: Greylisted, try again in 1 seconds`];
  }
  const reply = FAULT_REPLIES[local];
  if (reply !== undefined) return [reply];
  if (local.startsWith('ok') || local === 'grey' || local === 'postmaster') return ['250 2.1.5 Ok'];
  return [`550 5.1.1 <${address}>: Recipient address rejected: User unknown in virtual mailbox table`];
}

beforeAll(async () => {
  dns = await startDnsServer({ ...cliZone(), ...SCRIPT_ZONE });
  const [fault, blanket, yahoo, stall] = await startScriptServers([
    {
      respond: (command, connection) => {
        if (!/^RCPT TO:/i.test(command)) return undefined;
        return faultRcpt(/<([^>]*)>/.exec(command)?.[1] ?? '', connection);
      },
    },
    { rcpt: (address) => [`550 5.1.1 <${address}>: Recipient address rejected: User unknown`] },
    {},
    { banner: 'stall' },
  ]);
  servers = { fault: fault!, blanket: blanket!, yahoo: yahoo!, stall: stall! };
  expect(servers.fault.host).toBe(SCRIPT_HOSTS.fault);
  expect(servers.stall.host).toBe(SCRIPT_HOSTS.stall);
}, 60_000);

afterAll(async () => {
  await Promise.all(Object.values(servers ?? {}).map((s) => s.close()));
  await dns?.close();
  await removeWorkdirs();
});

const port = (): number => servers.fault.port;
const dnsFlags = (): string[] => ['--dns', dns.address];

/** A job file for fast runs: short greeting/connect timers and no politeness wait (only for our own servers). */
async function fastJob(dir: string, extra: Record<string, unknown> = {}): Promise<string> {
  return writeSmtpJob(dir, port(), {
    maxWaitSeconds: 0,
    timeouts: { connectMs: 2000, greetingMs: 1000, commandMs: 5000, sessionMs: 20_000 },
    limits: { connectionsPerGroup: 2, connectIntervalMs: 0, probesPerMinute: 6000 },
    ...extra,
  });
}

/** The report without its SMTP columns, as text. */
async function reportWithoutSmtp(path: string): Promise<string> {
  const rows = await csvRecords(path);
  return JSON.stringify(rows.map(({ smtp_code, smtp_enhanced, smtp_text, mx_host, ...rest }) => rest));
}

describe('clean --smtp: the table rows a real MTA does not stage', () => {
  it('421, other 4xx, 5xx without a mailbox signal, Microsoft 365 5.4.1, Yahoo-style MX, stalled banner, dead MX', async () => {
    const dir = await workdir();
    await writeList(dir, [
      'anyone@script-yahoo.net', // first, so the port-25 check sees its provider
      'ok1@script-ok.net',
      'rate@script-rate.net',
      'temp@script-temp.net',
      'unrec@script-unrec.net',
      'm365@script-m365.net',
      'someone@script-stall.net',
      'someone@script-dead.net',
    ]);
    const job = await fastJob(dir);
    const connectionsBefore = servers.yahoo.connections.length;
    const result = await run(['clean', 'list.csv', '--config', job, ...dnsFlags(), '--allow-loopback', '--results', 'results.csv', '--summary', 'summary.json', '-q'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(await verdictsByEmail(join(dir, 'results.csv'))).toEqual({
      'anyone@script-yahoo.net': 'unknown:smtp_provider_unverifiable:smtp_provider_unverifiable',
      'ok1@script-ok.net': 'valid:ok:accepted',
      'rate@script-rate.net': 'unknown:smtp_rate_limited:smtp_rate_limited',
      'temp@script-temp.net': 'unknown:smtp_temp_error:smtp_temp_error',
      'unrec@script-unrec.net': 'unknown:smtp_unrecognized:smtp_unrecognized',
      'm365@script-m365.net': 'invalid:mailbox_not_found:mailbox_not_found',
      'someone@script-stall.net': 'unknown:smtp_timeout:smtp_timeout',
      'someone@script-dead.net': 'unknown:smtp_unreachable:smtp_unreachable',
    });
    // The Yahoo-style MX is never connected to, not even by the port-25 check.
    expect(servers.yahoo.connections.length - connectionsBefore).toBe(0);
    const report = await csvRecords(join(dir, 'list.report.csv'));
    expect(report.map((r) => [r.email, r.reason, r.bounce, r.smtp_code, r.smtp_enhanced, r.mx_host])).toEqual([
      ['m365@script-m365.net', 'mailbox_not_found', '5.1.1', '550', '5.4.1', 'mx.script-m365.net'],
    ]);
    const kept = await csvRecords(join(dir, 'list.clean.csv'));
    expect(kept.map((r) => r.id)).toEqual(['1', '2', '3', '4', '5', '7', '8']);
    const summary = await readSummary(join(dir, 'summary.json'));
    expect(summary.smtp?.status).toBe('ok');
    expect(summary.kept + summary.removed).toBe(summary.rows);
  });
});

describe('clean --smtp when port 25 is closed on our side', () => {
  const dnsOnly = ['not-an-address', 'x@nxdomain.com'];

  async function compareWithoutSmtp(deliverable: string[], smtpArgs: (dir: string) => Promise<string[]>): Promise<void> {
    const list = [...deliverable, ...dnsOnly];
    const plain = await workdir();
    const probed = await workdir();
    await writeList(plain, list);
    await writeList(probed, list);
    const base = ['clean', 'list.csv', ...dnsFlags(), '--allow-loopback', '--summary', 'summary.json'];
    const without = await run(base, { cwd: plain });
    expect(without.code, without.stderr).toBe(0);
    const withSmtp = await run([...base, ...(await smtpArgs(probed))], { cwd: probed });
    expect(withSmtp.code, withSmtp.stderr).toBe(3);
    // The port named is the one asked (--smtp-port: the test servers' port, 25 in real runs).
    expect(withSmtp.stderr).toMatch(new RegExp(`SMTP: UNAVAILABLE\\. Outbound port ${port()} appears blocked`));
    expect(withSmtp.stderr).toMatch(/Nothing was removed on its grounds/);
    expect(await readFile(join(probed, 'list.clean.csv'), 'utf8')).toBe(await readFile(join(plain, 'list.clean.csv'), 'utf8'));
    expect(await reportWithoutSmtp(join(probed, 'list.report.csv'))).toBe(await reportWithoutSmtp(join(plain, 'list.report.csv')));
    const summary = await readSummary(join(probed, 'summary.json'));
    expect(summary.smtp?.status).toBe('unreachable');
    expect(summary.exitCode).toBe(3);
    expect(summary.smtp?.probes).toBe(0);
    // The DNS verdicts were the deciding ones: the three loopback-MX addresses are kept.
    expect((await csvRecords(join(probed, 'list.clean.csv'))).map((r) => r.id)).toEqual(['1', '2', '3']);
  }

  it('refused (nothing listens on any MX): the stage stands down, every DNS verdict stays, exit 3', async () => {
    await compareWithoutSmtp(['a@script-dead.net', 'b@script-dead2.net', 'c@script-dead.net'], async () => smtpFlags(port()));
  });

  it('black-holed (TCP accepted, no greeting): the same, after the greeting timeout of the job file', async () => {
    const stallConnections = servers.stall.connections.length;
    await compareWithoutSmtp(['a@script-stall.net', 'b@script-stall.net', 'c@script-stall.net'], async (dir) => ['--config', await fastJob(dir)]);
    expect(servers.stall.connections.length).toBeGreaterThan(stallConnections);
  });
});

it('a server rejecting every RCPT, postmaster too: its rejections are smtp_blanket_reject, nothing removed', async () => {
  const dir = await workdir();
  await writeList(dir, ['ann@script-blanket.net', 'bob@script-blanket.net', 'cy@script-blanket.net', 'ok1@script-ok.net']);
  const before = servers.blanket.connections.length;
  const result = await run(['clean', 'list.csv', '--config', await fastJob(dir), ...dnsFlags(), '--allow-loopback', '--results', 'results.csv', '--summary', 'summary.json', '-q'], { cwd: dir });
  expect(result.code, result.stderr).toBe(0);
  const got = await verdictsByEmail(join(dir, 'results.csv'));
  for (const email of ['ann', 'bob', 'cy']) expect(got[`${email}@script-blanket.net`]).toBe('unknown:smtp_blanket_reject:smtp_blanket_reject');
  expect(got['ok1@script-ok.net']).toBe('valid:ok:accepted');
  const asked = servers.blanket.connections.slice(before).flatMap((c) => c.commands).filter((c) => /^RCPT/i.test(c));
  expect(asked).toContain('RCPT TO:<postmaster@script-blanket.net>');
  expect((await readFile(join(dir, 'list.report.csv'), 'utf8')).trim().split('\n')).toHaveLength(1); // the header only
  const summary = await readSummary(join(dir, 'summary.json'));
  expect(summary.removed).toBe(0);
  expect(summary.smtp?.blanketGroups).toEqual(['mx.script-blanket.net']);
});

it('greylisted, then accepted within --smtp-max-wait: valid, and the retry repeats the same MAIL FROM and RCPT', async () => {
  const dir = await workdir();
  await writeList(dir, ['grey@script-grey.net']);
  const first = rcpts.length;
  const result = await run(['clean', 'list.csv', ...dnsFlags(), ...smtpFlags(port()), '--smtp-max-wait', '30', '--results', 'results.csv', '-q'], { cwd: dir });
  expect(result.code, result.stderr).toBe(0);
  expect(await verdictsByEmail(join(dir, 'results.csv'))).toEqual({ 'grey@script-grey.net': 'valid:ok:accepted' });
  const asked = rcpts.slice(first).filter((r) => r.address === 'grey@script-grey.net');
  expect(asked).toHaveLength(2);
  expect(asked[1]!.mailFrom).toBe(asked[0]!.mailFrom);
  expect(asked[0]!.mailFrom).toMatch(/^MAIL FROM:<verify@listscrub-tests\.org>/);
  // The server named 1 second: the retry came no sooner.
  expect(asked[1]!.at - asked[0]!.at).toBeGreaterThanOrEqual(1000);
});

it('at the default limit (60 probes a minute) the server sees the probes about a second apart', async () => {
  const dir = await workdir();
  await writeList(dir, ['ok1@script-ok.net', 'ok2@script-ok.net', 'ok3@script-ok.net', 'ok4@script-ok.net']);
  const first = rcpts.length;
  const result = await run(['clean', 'list.csv', ...dnsFlags(), ...smtpFlags(port()), '--smtp-max-wait', '0', '-q'], { cwd: dir });
  expect(result.code, result.stderr).toBe(0);
  const times = rcpts.slice(first).map((r) => r.at);
  expect(times.length).toBeGreaterThanOrEqual(5); // four addresses and the catch-all probe
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  // 60 a minute, spaced evenly: 1000 ms (a few ms of slack for the loopback round trip).
  for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(950);
}, 60_000);

it('SIGINT while a RCPT is waiting for its reply: exit 130, the previous outputs byte for byte, no temp files', async () => {
  const dir = await workdir();
  await writeList(dir, ['ok1@script-ok.net', 'someone@nxdomain.com']);
  const args = ['clean', 'list.csv', ...dnsFlags(), ...smtpFlags(port()), '--smtp-max-wait', '0', '--results', 'results.csv', '-q'];
  const before = await run(args, { cwd: dir });
  expect(before.code, before.stderr).toBe(0);
  const names = (await readdir(dir)).sort();
  const outputs = Object.fromEntries(await Promise.all(['list.clean.csv', 'list.report.csv', 'results.csv'].map(async (name) => [name, await readFile(join(dir, name))] as const)));

  await writeList(dir, ['ok1@script-ok.net', 'hang@script-hang.net', 'ok2@script-ok.net']);
  const hung = new Promise<void>((resolve) => {
    const onRcpt = (seen: RcptSeen): void => {
      if (seen.address !== 'hang@script-hang.net') return;
      rcptEvents.off('rcpt', onRcpt);
      resolve();
    };
    rcptEvents.on('rcpt', onRcpt);
  });
  const cli = startCli(args, { cwd: dir, killAfterMs: 60_000 });
  await Promise.race([hung, cli.done.then((r) => Promise.reject(new Error(`exited before the RCPT: ${r.code} ${r.stderr}`)))]);
  const interruptedAt = Date.now();
  cli.child.kill('SIGINT');
  const result = await cli.done;
  expect(result.code, result.stderr).toBe(130);
  // It does not wait out the stalled command's 30 s timer (the default commandMs, started just
  // before the SIGINT) before exiting: before the fix in SmtpSession.quit it took about 30 s.
  expect(Date.now() - interruptedAt).toBeLessThan(15_000);
  for (const [name, bytes] of Object.entries(outputs)) expect(await readFile(join(dir, name)), name).toEqual(bytes);
  expect((await readdir(dir)).sort()).toEqual(names);
});

describe('usage errors: one line, exit 2, before anything runs', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['--smtp without --smtp-helo', ['--smtp', '--smtp-from', 'verify@listscrub-tests.org'], /--smtp needs --smtp-helo/],
    ['--smtp-helo at a mailbox provider', ['--smtp', '--smtp-helo', 'gmail.com', '--smtp-from', 'verify@listscrub-tests.org'], /--smtp-helo.*gmail\.com/],
    ['--smtp-port without --smtp', ['--smtp-port', '2525'], /--smtp-port only applies with --smtp/],
    ['--smtp with --no-dns', [...smtpFlags(2525).slice(0, 5), '--no-dns'], /needs DNS.*--no-dns/],
  ];
  for (const [name, flags, message] of cases) {
    it(name, async () => {
      const dir = await workdir();
      await writeList(dir, ['ok1@script-ok.net']);
      const result = await run(['clean', 'list.csv', ...flags], { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      const lines = result.stderr.trim().split('\n');
      expect(lines[0]).toMatch(/^listscrub: /);
      expect(lines.slice(1)).toEqual(lines.length === 1 ? [] : ['Run "listscrub clean --help" for usage.']);
      expect(result.stderr).not.toContain(STACK_LINE);
      expect(await readdir(dir)).toEqual(['list.csv']);
    });
  }
});
