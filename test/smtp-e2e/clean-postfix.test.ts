/**
 * `clean --smtp` end to end: the built CLI, the test DNS server (MX hosts on loopback) and a real
 * Postfix on 127.0.0.2:2525 / 127.0.0.3:2525 answering with its own texts. Every verdict of the
 * mailbox table that Postfix can produce, the report's SMTP columns, no DATA ever sent, and the
 * cache that spares the next run its probes.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliZone, csvRecords, removeWorkdirs, workdir } from '../support/cli.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { startPostfix, type Postfix } from '../support/postfix.js';
import { run, type SummaryJson } from '../support/spawn.js';
import { POSTFIX_ZONE } from '../support/zones.js';

const REPLIES = {
  'grey@postfix-users.net': '450 4.7.1 Greylisted, try again in 1 seconds',
  'full@postfix-users.net': '452 4.2.2 Mailbox full',
  'gone@postfix-users.net': '550 5.2.1 Mailbox disabled',
  'blocked@postfix-users.net': '554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org',
};

let dns: DnsServer;
let postfix: Postfix;

beforeAll(async () => {
  // The HELO name used below has an address record, as a careful user's would.
  dns = await startDnsServer({ ...cliZone(), ...POSTFIX_ZONE, 'probe.listscrub-tests.org': { A: ['127.0.0.2'] } });
  postfix = await startPostfix({
    listeners: ['127.0.0.2', '127.0.0.3'],
    domains: {
      'postfix-users.net': ['postmaster', 'alice', 'bob', 'grey', 'full', 'gone', 'blocked'],
      'postfix-twomx.net': ['postmaster', 'carol'],
    },
    catchAll: ['postfix-catchall.net'],
    replies: REPLIES,
  });
}, 300_000);

afterAll(async () => {
  await postfix?.stop();
  await dns?.close();
  await removeWorkdirs();
});

const SMTP = ['--smtp', '--smtp-helo', 'probe.listscrub-tests.org', '--smtp-from', 'verify@listscrub-tests.org', '--smtp-port', '2525', '--allow-loopback'];

describe('clean --smtp against Postfix', () => {
  it('warns when the HELO name has no address record (check --smtp, through the run\'s resolver)', async () => {
    const flags = SMTP.map((flag) => (flag === 'probe.listscrub-tests.org' ? 'nohost.listscrub-tests.org' : flag));
    const result = await run(['check', 'alice@postfix-users.net', '--dns', dns.address, ...flags, '--smtp-max-wait', '0']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/warning: The HELO name nohost\.listscrub-tests\.org has no A\/AAAA record/);
    expect(result.stdout).toMatch(/alice@postfix-users\.net\s+valid/);
    // A lying resolver answers NXDOMAIN for everything: that is no evidence about the HELO name.
    const liar = await startDnsServer({}, { mode: 'lie' });
    try {
      const lied = await run(['check', 'alice@postfix-users.net', '--dns', liar.address, ...flags, '--smtp-max-wait', '0']);
      expect(lied.code, lied.stderr).toBe(3);
      expect(lied.stderr).toMatch(/DNS is unhealthy/);
      expect(lied.stderr).not.toMatch(/HELO/);
    } finally {
      await liar.close();
    }
  }, 120_000);

  it('gives every verdict Postfix can produce, with the reply in the report, and never sends DATA', async () => {
    const dir = await workdir();
    const list = [
      'id,email',
      '1,alice@postfix-users.net',
      '2,nobody@postfix-users.net',
      '3,gone@postfix-users.net',
      '4,full@postfix-users.net',
      '5,grey@postfix-users.net',
      '6,anyone@postfix-catchall.net',
      '7,carol@postfix-twomx.net',
      '8,bob@postfix-users.net',
      '9,blocked@postfix-users.net',
    ];
    await writeFile(join(dir, 'list.csv'), `${list.join('\r\n')}\r\n`);
    const mark = await postfix.logMark();
    const result = await run(
      ['clean', 'list.csv', '--dns', dns.address, ...SMTP, '--smtp-max-wait', '0', '--results', 'results.csv', '--summary', 'summary.json', '--cache', 'cache.json', '-q'],
      { cwd: dir },
    );
    expect(result.code, result.stderr).toBe(0);
    const results = await csvRecords(join(dir, 'results.csv'));
    const got = Object.fromEntries(results.map((r) => [r.email, `${r.email_status}:${r.email_reason}:${r.email_smtp_reason}`]));
    expect(got).toEqual({
      'alice@postfix-users.net': 'valid:ok:accepted',
      'nobody@postfix-users.net': 'invalid:mailbox_not_found:mailbox_not_found',
      'gone@postfix-users.net': 'invalid:mailbox_disabled:mailbox_disabled',
      'full@postfix-users.net': 'risky:mailbox_full:mailbox_full',
      'grey@postfix-users.net': 'unknown:greylisted:greylisted',
      'blocked@postfix-users.net': 'unknown:smtp_blocked:smtp_blocked',
      'anyone@postfix-catchall.net': 'risky:catch_all:catch_all',
      'carol@postfix-twomx.net': 'valid:ok:accepted',
      'bob@postfix-users.net': 'valid:ok:accepted',
    });
    const report = await csvRecords(join(dir, 'list.report.csv'));
    expect(report.map((r) => r.email)).toEqual(['nobody@postfix-users.net', 'gone@postfix-users.net']);
    expect(report[0]).toMatchObject({ reason: 'mailbox_not_found', bounce: '5.1.1', smtp_code: '550', smtp_enhanced: '5.1.1', mx_host: 'mx1.postfix-users.net' });
    expect(report[0]!.smtp_text).toMatch(/User unknown in virtual mailbox table/);
    const kept = await csvRecords(join(dir, 'list.clean.csv'));
    expect(kept.map((r) => r.id)).toEqual(['1', '4', '5', '6', '7', '8', '9']);

    const summary = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(join(dir, 'summary.json'), 'utf8'))) as SummaryJson;
    expect(summary.smtp).toMatchObject({ status: 'ok' });
    expect(summary.smtp?.senderProblems.join(' ')).toMatch(/Spamhaus|spamhaus/);
    expect(summary.kept + summary.removed).toBe(summary.rows);
    expect(summary.warnings.join(' ')).not.toMatch(/HELO/);

    const sessions = await postfix.disconnects({ since: mark, count: 1 });
    const totals = sessions.reduce<Record<string, number>>((sum, s) => {
      for (const [command, { sent }] of Object.entries(s.commands)) sum[command] = (sum[command] ?? 0) + sent;
      return sum;
    }, {});
    expect(totals.data ?? 0).toBe(0);
    expect(totals.vrfy ?? 0).toBe(0);
    expect(totals.rcpt).toBeGreaterThanOrEqual(9);
  }, 240_000);
});
