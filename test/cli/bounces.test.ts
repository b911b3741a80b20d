/**
 * `listscrub bounces classify` and `listscrub clean --bounces` end to end: the built bin, the real
 * test DNS server on loopback, the fixture bounce files copied into a fresh directory per test.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliZone, csvRecords, FIXTURES, removeWorkdirs, workdir } from '../support/cli.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { run, STACK_LINE, type SummaryJson } from '../support/spawn.js';

const BOUNCES = join(FIXTURES, 'bounces');

let server: DnsServer;
let dns: string[];
beforeAll(async () => {
  server = await startDnsServer(cliZone());
  dns = ['--dns', server.address, '--dns-timeout', '300'];
});
afterAll(async () => {
  await server.close();
  await removeWorkdirs();
});

/** A directory with copies of the named bounce fixtures (flat) and a list of these addresses. */
async function setup(bounceFiles: string[], addresses: string[]): Promise<string> {
  const dir = await workdir();
  await Promise.all(bounceFiles.map((file) => copyFile(join(BOUNCES, file), join(dir, basename(file)))));
  await writeFile(join(dir, 'list.csv'), `email,name\n${addresses.map((a, i) => `${a},Member ${i + 1}`).join('\n')}\n`);
  return dir;
}

/** Every address in the Postfix fixture, and which of them its bounces prove dead. */
const MAIL_LOG_ADDRESSES = [
  'alice.gone@gmail.com', 'inactive.twice@gmail.com', 'inactive.once@gmail.com', 'busy.inbox@gmail.com', 'rcpt.stage@example.com',
  'data.stage@example.com', 'later.ok@yahoo.com', 'nouser@yahoo.com', 'former.employee@example.net', 'reader@icloud.com',
  'listed.victim@example.de', 'auth.victim@gmail.com', 'someone@example.fr', 'mystery@outlook.com', 'cpanel.gone@example.es',
  'greylisted@example.org', 'full.box@gmail.com', 'ghost@hotmail.com', 'someone@example.com', 'bounced.then.ok@example.org',
];
const DEAD = ['alice.gone@gmail.com', 'inactive.twice@gmail.com', 'rcpt.stage@example.com', 'nouser@yahoo.com', 'former.employee@example.net', 'cpanel.gone@example.es', 'ghost@hotmail.com'];

describe('clean --bounces', () => {
  it('removes exactly the addresses the bounces prove dead, as bounced with the evidence; everything else stays', async () => {
    const dir = await setup(['postfix/mail.log', 'dsn/gmail-no-such-user.eml'], [...MAIL_LOG_ADDRESSES, 'dsn.gone@gmail.com']);
    const result = await run(['clean', 'list.csv', '--bounces', 'mail.log', 'gmail-no-such-user.eml', ...dns, '--max-bounce-share', '0.5', '--json'], { cwd: dir });
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    expect(summary).toMatchObject({ rows: 21, removed: 8, kept: 13, reasons: { bounced: 8 } });
    expect(summary.bounces).toMatchObject({ files: ['mail.log', 'gmail-no-such-user.eml'], events: 24, problems: 1, domainChecks: { confirmed: 1, notConfirmed: 1 } });
    const report = await csvRecords(join(dir, 'list.report.csv'));
    expect(report.map((row) => row.email).sort()).toEqual([...DEAD, 'dsn.gone@gmail.com'].sort());
    for (const row of report) expect(row).toMatchObject({ status: 'invalid', reason: 'bounced' });
    const alice = report.find((row) => row.email === 'alice.gone@gmail.com');
    expect(alice).toMatchObject({ bounce: '5.1.1', name: 'Member 1' });
    expect(alice?.detail).toMatch(/^Bounced: 550 5\.1\.1 The email account that you tried to reach does not exist\..*\(Gmail, \d{4}-05-01, rule no-such-user, mail\.log:5\)$/);
    expect(report.find((row) => row.email === 'inactive.twice@gmail.com')?.detail).toMatch(/^2 bounces, last: 550 5\.2\.1 .*inactive/);
    const cleaned = await csvRecords(join(dir, 'list.clean.csv'));
    expect(cleaned).toHaveLength(13);
    expect(cleaned.map((row) => row.email)).toEqual(expect.arrayContaining(['inactive.once@gmail.com', 'busy.inbox@gmail.com', 'data.stage@example.com', 'later.ok@yahoo.com', 'bounced.then.ok@example.org', 'reader@icloud.com', 'someone@example.fr']));
  });

  it('more bounced rows than --max-bounce-share (default 10%): nothing replaced, exit 4, the summary says why', async () => {
    const dir = await setup(['postfix/mail.log'], MAIL_LOG_ADDRESSES);
    await writeFile(join(dir, 'list.clean.csv'), 'previous cleaned list\n');
    const result = await run(['clean', 'list.csv', '--bounces', 'mail.log', ...dns, '--summary', 'summary.json'], { cwd: dir });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('NOT REPLACED: 35.0% of rows would be removed as bounced, above the --max-bounce-share of 10.0%; the previous outputs were left untouched.');
    expect(await readFile(join(dir, 'list.clean.csv'), 'utf8')).toBe('previous cleaned list\n');
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as SummaryJson;
    expect(summary).toMatchObject({ exitCode: 4, output: null, report: null, guard: { kind: 'max_bounce_share', maxBounceShare: 0.1, removedRate: 0.35 } });
  });

  it('storm guard: 200 Outlook S3150 rejections in one day remove nothing and the summary names the incident', async () => {
    const storm = Array.from({ length: 200 }, (_, i) => `subscriber${String(i).padStart(3, '0')}@${i % 2 === 0 ? 'outlook.com' : 'hotmail.com'}`);
    const dir = await setup(['postfix/outlook-storm.log'], [...storm, 'real.gone@outlook.com', 'gone.next.day@outlook.com']);
    const result = await run(['clean', 'list.csv', '--bounces', 'outlook-storm.log', ...dns], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/sender incident: Microsoft rejected 200 recipients on \d{4}-05-01 with one sender-class reply \(microsoft-block-list\)/);
    expect(result.stderr).toMatch(/sender problem: 200 Microsoft rejections on \d{4}-05-01 cite S3150: your sending IP is on Microsoft's block list \(sending IP 198\.51\.100\.20\)/);
    const report = await csvRecords(join(dir, 'list.report.csv'));
    // The same-day "recipient not found" is part of the incident; the next day's counts.
    expect(report.map((row) => row.email)).toEqual(['gone.next.day@outlook.com']);
  });

  it('--bounces-since leaves older bounces out', async () => {
    const dir = await setup(['ses/notifications.jsonl'], ['ses.gone@example.com', 'noemail@example.org', 'sns.gone@gmail.com', ...Array.from({ length: 30 }, (_, i) => `m${i}@example.com`)]);
    const all = await run(['clean', 'list.csv', '--bounces', 'ses/notifications.jsonl'.replace('ses/', ''), ...dns, '--json'], { cwd: dir });
    expect((JSON.parse(all.stdout) as SummaryJson).reasons.bounced).toBe(3);
    const recent = await run(['clean', 'list.csv', '--bounces', 'notifications.jsonl', '--bounces-since', '2026-05-01T13:00:05Z', ...dns, '--json'], { cwd: dir });
    const summary = JSON.parse(recent.stdout) as SummaryJson;
    expect(summary.reasons.bounced).toBe(1);
    expect(summary.bounces?.discounted.old).toBe(2);
  });

  it('job file keys: bounces (relative to the job file), bounceMinEvents, maxBounceShare', async () => {
    const dir = await setup(['postfix/mail.log'], MAIL_LOG_ADDRESSES);
    await mkdir(join(dir, 'elsewhere'));
    await writeFile(join(dir, 'job.json'), JSON.stringify({ input: 'list.csv', bounces: ['mail.log'], bounceMinEvents: 1, maxBounceShare: 0.6, json: true }));
    const result = await run(['clean', '--config', '../job.json', ...dns], { cwd: join(dir, 'elsewhere') });
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    // inactive.once@gmail.com now counts after one event.
    expect(summary.reasons.bounced).toBe(DEAD.length + 1);
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ input: 'list.csv', bounceFormat: 'xml' }));
    const bad = await run(['clean', '--config', 'bad.json'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^listscrub: .*bad\.json: "bounceFormat" must be one of "postfix", "dsn", "json", "csv"; got "xml"\n$/);
  });

  it('user mistakes: one line, exit 2 (usage) or 1 (an unreadable bounce file), nothing written', async () => {
    const dir = await setup([], ['a@example.com']);
    const noFile = await run(['clean', 'list.csv', '--bounces'], { cwd: dir });
    expect([noFile.code, noFile.stderr.split('\n')[0]]).toEqual([2, 'listscrub: --bounces needs at least one bounce file.']);
    const listLast = await run(['clean', '--bounces', 'mail.log', 'list.csv'], { cwd: dir });
    expect(listLast.code).toBe(2);
    expect(listLast.stderr).toContain('put the list before --bounces');
    const format = await run(['clean', 'list.csv', '--bounces', 'x.log', '--bounce-format', 'xml'], { cwd: dir });
    expect([format.code, format.stderr.split('\n')[0]]).toEqual([2, 'listscrub: --bounce-format must be one of postfix, dsn, json, csv; got "xml".']);
    const missing = await run(['clean', 'list.csv', '--bounces', 'nope.log', '--no-dns'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('listscrub: cannot read the bounce file nope.log: no such file.\n');
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(dir)).sort()).toEqual(['list.csv']);
  });
});

describe('bounces classify', () => {
  it('prints a table of every event, then the sender-problem summary', async () => {
    const dir = await setup(['postfix/mail.log'], []);
    const result = await run(['bounces', 'classify', 'mail.log'], { cwd: dir });
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^TIME +ADDRESS +CLASS +RULE +CODE +STAGE +PROVIDER +SOURCE {2}TEXT$/);
    expect(lines[1]).toMatch(/^\d{4}-05-01 10:00:01 +alice\.gone@gmail\.com +recipient +no-such-user +550 5\.1\.1 +RCPT +Gmail +mail\.log:5 {2}550 5\.1\.1 The email account/);
    expect(result.stdout).toContain('listscrub: 23 bounce events from 1 file: sender 4, recipient 11, domain 2, transient 4, unknown 2; 2 deliveries; 7 lines or records were not bounces');
    expect(result.stdout).toContain('would remove: 8 addresses proven dead by recipient bounces; 2 more if "clean" finds their domain dead in DNS now');
    expect(result.stdout).toMatch(/1 example\.de rejections on \d{4}-05-01 cite Spamhaus: your sending IP or domain is on a block list \(sending IP 198\.51\.100\.20\)/);
    expect(result.stdout).toContain('mail.log:27: a Postfix status line without the usual to=<...>, dsn=, status= fields');
  });

  it('--json: one object per event on stdout, the summary on stderr; -o: the events as CSV', async () => {
    const dir = await setup(['mailgun/events.json', 'postmark/bounces.json'], []);
    const json = await run(['bounces', 'classify', '--json', 'events.json', 'bounces.json'], { cwd: dir });
    expect(json.code).toBe(0);
    const events = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events).toHaveLength(8);
    expect(events[0]).toEqual({
      address: 'mg.gone@example.com', class: 'recipient', category: 'mailbox', rule: 'no-such-user', code: '550', enhanced: '5.1.1', stage: 'report',
      provider: 'example.com', ip: '209.61.151.10', time: '2026-05-01T13:00:00.532Z', file: 'events.json', line: 3,
      text: '550 5.1.1 <mg.gone@example.com>: Recipient address rejected: User unknown in virtual mailbox table',
    });
    expect(json.stderr).toMatch(/^listscrub: 8 bounce events from 2 files/);
    const csv = await run(['bounces', 'classify', '-o', 'events.csv', 'bounces.json'], { cwd: dir });
    expect(csv.code).toBe(0);
    const rows = await csvRecords(join(dir, 'events.csv'));
    expect(rows.map((row) => [row.address, row.class, row.rule])).toEqual([
      ['pm.gone@example.com', 'recipient', 'no-such-user'],
      ['pm.blocked@example.com', 'sender', 'provider-blocked'],
      ['pm.dmarc@outlook.com', 'sender', 'provider-authentication'],
      ['pm.soft@gmail.com', 'transient', 'provider-transient'],
    ]);
  });

  it('usage: no subcommand, a misspelt one, no file, an unreadable file', async () => {
    const none = await run(['bounces']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: listscrub bounces classify');
    const typo = await run(['bounces', 'clasify', 'x.log']);
    expect([typo.code, typo.stderr.split('\n')[0]]).toEqual([2, 'listscrub: unknown bounces command "clasify" (did you mean "classify"?); the command is "listscrub bounces classify FILE...".']);
    const noFile = await run(['bounces', 'classify']);
    expect(noFile.code).toBe(2);
    const missing = await run(['bounces', 'classify', 'nope.log']);
    expect([missing.code, missing.stderr]).toEqual([1, 'listscrub: cannot read the bounce file nope.log: no such file.\n']);
    const help = await run(['--help']);
    expect(help.stdout).toContain('bounces classify FILES  classify bounce logs and reports');
  });
});

describe('bounces classify prints only what is safe and complete', () => {
  it('escape sequences in a log line reach the terminal as visible text; a directory is one error line', async () => {
    const dir = await workdir();
    // An OSC 52 clipboard write and a CSI (U+009B) hidden in the remote server's reply.
    const line = 'May  1 10:00:01 mx postfix/smtp[1]: 4F9D: to=<eve@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.27.27]:25, dsn=5.1.1, status=bounced (host said: 550 5.1.1 \u001b]52;c;ZXZpbA==\u0007 no such user \u009b31m (in reply to RCPT TO command))';
    await writeFile(join(dir, 'mail.log'), `${line}\n`);
    const result = await run(['bounces', 'classify', 'mail.log'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^TIME +ADDRESS/);
    expect(result.stdout).toContain('eve@gmail.com');
    expect(result.stdout).not.toMatch(/[\u001b\u0007\u009b]/);
    expect(result.stdout).toContain('\\u001b]52;c;ZXZpbA==');
    const json = await run(['bounces', 'classify', '--json', 'mail.log'], { cwd: dir });
    expect(json.stdout).not.toMatch(/[\u001b\u0007\u009b]/);
    expect((JSON.parse(json.stdout.split('\n')[0] as string) as { text: string }).text).toContain('\u001b]52;c;ZXZpbA==');

    await mkdir(join(dir, 'logs'));
    const folder = await run(['bounces', 'classify', 'logs'], { cwd: dir });
    expect(folder.code).toBe(1);
    expect(folder.stdout).toBe('');
    expect(folder.stderr).toMatch(/^listscrub: cannot read the bounce file logs: is a directory\.?\n$/);
    expect(folder.stderr).not.toContain(STACK_LINE);
  });

  it('a named pipe (FIFO) given as a bounce file is one error line at once, not a hang (classify and clean --bounces)', async () => {
    const dir = await setup([], ['a@example.com']);
    execFileSync('mkfifo', [join(dir, 'pipe.log')]); // nobody ever writes to it: a plain open() waits for ever
    // A hang must fail the test, not the run: killed after 15 s (a refusal takes well under a second).
    const classify = await run(['bounces', 'classify', 'pipe.log'], { cwd: dir, killAfterMs: 15_000 });
    expect([classify.code, classify.signal]).toEqual([1, null]);
    expect(classify.stdout).toBe('');
    expect(classify.stderr).toBe('listscrub: cannot read the bounce file pipe.log: is a named pipe (FIFO), not a regular file.\n');
    expect(classify.stderr).not.toContain(STACK_LINE);
    const clean = await run(['clean', 'list.csv', '--bounces', 'pipe.log', '--no-dns'], { cwd: dir, killAfterMs: 15_000 });
    expect([clean.code, clean.signal]).toEqual([1, null]);
    expect(clean.stderr).toBe('listscrub: cannot read the bounce file pipe.log: is a named pipe (FIFO), not a regular file.\n');
    expect(clean.stderr).not.toContain(STACK_LINE);
    expect((await readdir(dir)).sort()).toEqual(['list.csv', 'pipe.log']);
  });
});
