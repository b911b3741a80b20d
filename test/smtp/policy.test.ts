/**
 * The fail-safe rules, proved at the server: the blanket guard, greylisting retries, politeness
 * limits, breakers and the stop, the port-25 check, the cache, and what is never asked.
 */
import { describe, expect, it, vi } from 'vitest';
import type { MailboxChecker, MailboxOutcome } from '../../src/smtp/index.js';
import type { ScriptOptions, ScriptServer } from '../support/smtp-script-server.js';
import { drive, mxOf, options, useScriptedServers } from './helpers.js';

const { serve, make } = useScriptedServers();

const UNKNOWN_USER = ['550 5.1.1 <x@example.net>: Recipient address rejected: User unknown in virtual mailbox table'];
const rcpts = (server: ScriptServer) => server.allCommands().filter((c) => c.startsWith('RCPT')).map((c) => c.slice(9, -1));

function checkAll(checker: MailboxChecker, locals: readonly string[], domain: string, mx: Parameters<MailboxChecker['check']>[2]): Promise<MailboxOutcome[]> {
  return Promise.all(locals.map((local) => checker.check(`${local}@${domain}`, domain, mx)));
}

describe('the blanket guard', () => {
  it('a group that rejects postmaster@ too is rejecting us: its rejections become smtp_blanket_reject', async () => {
    const [server] = await serve({ rcpt: () => UNKNOWN_USER });
    const checker = make(options(server!));
    const [first, second] = await drive(checkAll(checker, ['jane', 'john'], 'example.net', mxOf([server!])));
    expect(first!.reason).toBe('smtp_blanket_reject');
    expect(first!.detail).toMatch(/rejected postmaster@example\.net too/);
    expect(second!.reason).toBe('smtp_blanket_reject');
    expect(rcpts(server!)).toEqual(['jane@example.net', 'postmaster@example.net', 'john@example.net']);
    expect(checker.summary().blanketGroups).toEqual(['mx1.example.net']);
  });

  it('a group that accepts postmaster@ is trusted: the rejection stands, and postmaster is asked once', async () => {
    const [server] = await serve({ rcpt: (address) => (address.startsWith('postmaster@') ? ['250 2.1.5 Ok'] : UNKNOWN_USER) });
    const checker = make(options(server!));
    const outcomes = await drive(checkAll(checker, ['jane', 'john'], 'example.net', mxOf([server!])));
    expect(outcomes.map((o) => o.reason)).toEqual(['mailbox_not_found', 'mailbox_not_found']);
    expect(outcomes[0]!.smtp).toMatchObject({ code: 550, enhanced: '5.1.1', mxHost: 'mx1.example.net' });
    expect(rcpts(server!)).toEqual(['jane@example.net', 'postmaster@example.net', 'john@example.net']);
  });

  it('a trusted group rejecting more than 90% of 20 probes: its further rejections are set aside', async () => {
    // Accepts the first address (so it is trusted) and rejects the rest.
    const [server] = await serve({ rcpt: (address) => (address.startsWith('a0@') ? ['250 2.1.5 Ok'] : UNKNOWN_USER) });
    const checker = make(options(server!, { catchAll: false }));
    const locals = Array.from({ length: 24 }, (_, i) => `a${i}`);
    const outcomes = await drive(checkAll(checker, locals, 'example.net', mxOf([server!])));
    expect(outcomes[0]!.reason).toBe('accepted');
    // Probes 2..19 are trusted rejections; from the 20th probe on, 19 of 20 rejected is more than 90%.
    expect(outcomes.slice(1, 19).every((o) => o.reason === 'mailbox_not_found')).toBe(true);
    expect(outcomes.slice(19).map((o) => o.reason)).toEqual(Array(5).fill('smtp_blanket_reject'));
    expect(outcomes[19]!.detail).toMatch(/it rejected 19 of 20 addresses asked/);
  });
});

describe('greylisting', () => {
  const greylistOnce = (): ScriptOptions => {
    const seen = new Set<string>();
    return {
      rcpt: (address) => {
        if (seen.has(address)) return ['250 2.1.5 Ok'];
        seen.add(address);
        return ['450 4.2.0 <x>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.net.html, try again in 60 seconds'];
      },
    };
  };

  it('asks again with the same sender and recipient after the named delay, and takes the answer', async () => {
    const [server] = await serve(greylistOnce());
    const checker = make(options(server!, { catchAll: false }));
    const started = Date.now();
    const outcome = await drive(checker.check('jane@example.net', 'example.net', mxOf([server!])));
    expect(outcome.reason).toBe('accepted');
    expect(Date.now() - started).toBeGreaterThanOrEqual(60_000);
    const tries = server!.connections.map((c) => c.commands.filter((x) => /^(MAIL|RCPT)/.test(x)));
    expect(tries).toEqual([
      ['MAIL FROM:<verify@listscrub-test.net>', 'RCPT TO:<jane@example.net>'],
      ['MAIL FROM:<verify@listscrub-test.net>', 'RCPT TO:<jane@example.net>'],
    ]);
  });

  it('still greylisted after two retries (5 min each when no delay is named): greylisted, unknown', async () => {
    const [server] = await serve({ rcpt: () => ['451 4.7.1 Please try again later'] });
    const checker = make(options(server!, { catchAll: false }));
    const started = Date.now();
    const outcome = await drive(checker.check('jane@example.net', 'example.net', mxOf([server!])));
    expect(outcome.reason).toBe('greylisted');
    expect(outcome.detail).toMatch(/asked 3 times/);
    expect(rcpts(server!)).toEqual(['jane@example.net', 'jane@example.net', 'jane@example.net']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(10 * 60_000);
  });

  it('maxWaitSeconds 0 means no waiting: greylisted at once', async () => {
    const [server] = await serve(greylistOnce());
    const checker = make(options(server!, { catchAll: false, maxWaitSeconds: 0 }));
    const outcome = await drive(checker.check('jane@example.net', 'example.net', mxOf([server!])));
    expect(outcome.reason).toBe('greylisted');
    expect(outcome.detail).toMatch(/\(asked once; no waiting allowed\)\.$/);
    expect(rcpts(server!)).toEqual(['jane@example.net']);
  });
});

describe('politeness, measured at the server', () => {
  it('never more than 2 connections to one group at once, 1 s apart, 60 probes a minute; <= 0.1 connections per address', async () => {
    const [server] = await serve({});
    const checker = make(options(server!));
    const mx = mxOf([server!]);
    const domains = ['one.example', 'two.example', 'three.example'];
    const started = Date.now();
    // The server stamps a connection when it sees it, so its times are exact to one driver step.
    const step = 10;
    const outcomes = await drive(Promise.all(domains.flatMap((domain) => checkAll(checker, Array.from({ length: 20 }, (_, i) => `user${i}`), domain, mx))).then((all) => all.flat()), { stepMs: step });
    expect(outcomes).toHaveLength(60);
    expect(outcomes.every((o) => o.reason === 'catch_all')).toBe(true);
    expect(server!.maxConcurrent).toBeLessThanOrEqual(2);
    expect(server!.connections.length).toBeGreaterThanOrEqual(3);
    expect(server!.connections.length / 60).toBeLessThanOrEqual(0.1);
    const opened = server!.connections.map((c) => c.openedAt);
    for (let i = 1; i < opened.length; i++) expect(opened[i]! - opened[i - 1]!).toBeGreaterThanOrEqual(1000 - step);
    // 63 RCPTs (60 addresses, 3 catch-all probes) at 60 a minute take at least 62 s.
    expect(rcpts(server!)).toHaveLength(63);
    expect(Date.now() - started).toBeGreaterThanOrEqual(62_000);
  });

  it('Yahoo/AOL and Outlook.com consumer MX hosts are not asked unless probeUnverifiable', async () => {
    const [server] = await serve({});
    const checker = make(options(server!, { catchAll: false }));
    const yahoo = [{ host: 'mta5.am0.yahoodns.net', preference: 1, addresses: [server!.host] }];
    const outlook = [{ host: 'hotmail-com.olc.protection.outlook.com', preference: 2, addresses: [server!.host] }];
    expect((await drive(checker.check('jane@yahoo.com', 'yahoo.com', yahoo))).reason).toBe('smtp_provider_unverifiable');
    expect((await drive(checker.check('jane@hotmail.com', 'hotmail.com', outlook))).reason).toBe('smtp_provider_unverifiable');
    expect(server!.connections).toHaveLength(0);
    const willing = make(options(server!, { catchAll: false, probeUnverifiable: true }));
    expect((await drive(willing.check('jane@yahoo.com', 'yahoo.com', yahoo))).reason).toBe('accepted');
  });

  it('no catch-all probe for gmail.com', async () => {
    const [server] = await serve({});
    const checker = make(options(server!));
    const outcome = await drive(checker.check('jane@gmail.com', 'gmail.com', [{ host: 'gmail-smtp-in.l.google.com', preference: 5, addresses: [server!.host] }]));
    expect(outcome.reason).toBe('accepted');
    expect(rcpts(server!)).toEqual(['jane@gmail.com']);
  });
});

describe('breakers and the stop', () => {
  it('a block-list rejection pauses the group, names the sender problem, and three groups tripping stop the stage', async () => {
    const blocked = ['554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/203.0.113.5'];
    const three = await serve({ rcpt: () => blocked }, { rcpt: () => blocked }, { rcpt: () => blocked }, {});
    const checker = make(options(three[0]!, { catchAll: false }));
    const outcomes: MailboxOutcome[] = [];
    for (const [i, server] of three.slice(0, 3).entries()) {
      outcomes.push(await drive(checker.check(`jane@d${i}.example`, `d${i}.example`, mxOf([server], [`mx.d${i}.example`]))));
    }
    expect(outcomes.map((o) => o.reason)).toEqual(['smtp_blocked', 'smtp_blocked', 'smtp_blocked']);
    const summary = checker.summary();
    expect(summary.senderProblems[0]).toBe(`mx.d0.example refused our IP 203.0.113.5 citing zen.spamhaus.org: "${blocked[0]!.replace(/; https/, '; https')}"`);
    expect(summary.status).toBe('stopped');
    expect(summary.stopped).toBe('SMTP checks were stopped for this run after 3 provider groups refused us within ten minutes (mx.d0.example, mx.d1.example, mx.d2.example).');
    expect(summary.breakers.map((b) => b.group)).toEqual(['mx.d0.example', 'mx.d1.example', 'mx.d2.example']);
    const after = await drive(checker.check('jane@fine.example', 'fine.example', mxOf([three[3]!])));
    expect(after.reason).toBe('smtp_blocked');
    expect(after.detail).toMatch(/stopped for this run/);
    expect(three[3]!.connections).toHaveLength(0);
  });

  it('a pause lasts 30 minutes, then the group is asked again; a second trip pauses it for 60', async () => {
    let refuse = true;
    const [server] = await serve({ rcpt: () => (refuse ? ['421 4.7.0 Too many connections, slow down'] : ['250 2.1.5 Ok']) });
    const checker = make(options(server!, { catchAll: false }));
    const mx = mxOf([server!]);
    expect((await drive(checker.check('a@example.net', 'example.net', mx))).reason).toBe('smtp_rate_limited');
    vi.setSystemTime(Date.now() + 29 * 60_000);
    expect((await drive(checker.check('b@example.net', 'example.net', mx))).detail).toMatch(/^Not asked: .* paused until/);
    vi.setSystemTime(Date.now() + 60_000);
    expect((await drive(checker.check('c@example.net', 'example.net', mx))).reason).toBe('smtp_rate_limited');
    refuse = false;
    expect(checker.summary().breakers.map((b) => b.pausedForMs)).toEqual([30 * 60_000, 60 * 60_000]);
    vi.setSystemTime(Date.now() + 60 * 60_000);
    expect((await drive(checker.check('d@example.net', 'example.net', mx))).reason).toBe('accepted');
    expect(rcpts(server!)).toEqual(['a@example.net', 'c@example.net', 'd@example.net']);
    // Tripped twice, never stopped: closing the checker does not make the run look stopped.
    await drive(checker.close());
    expect(checker.summary()).toMatchObject({ status: 'ok', reasons: { smtp_rate_limited: 3, accepted: 1 } });
    expect(checker.summary()).not.toHaveProperty('stopped');
  });

  it('three timeouts in a row pause the group; its waiting addresses get the breaker reason without a connection', async () => {
    const [server] = await serve({ respond: (command) => (command.startsWith('RCPT') ? 'stall' : undefined) });
    const checker = make(options(server!, { catchAll: false }));
    const mx = mxOf([server!]);
    const outcomes = await drive(checkAll(checker, ['a', 'b', 'c', 'd', 'e'], 'example.net', mx));
    expect(outcomes.map((o) => o.reason)).toEqual(Array(5).fill('smtp_timeout'));
    expect(server!.connections).toHaveLength(3);
    expect(outcomes[3]!.detail).toMatch(/paused until .* after three timeouts in a row/);
  });
});

describe('port 25', () => {
  it('refused and black-holed servers: unreachable, said in words, and every check is smtp_unreachable without a connection', async () => {
    const [silent] = await serve({ banner: 'stall' });
    const checker = make(options(silent!));
    const candidates = [mxOf([silent!], ['mx.silent.example']), [{ host: 'mx.closed.example', preference: 10, addresses: ['127.0.0.98'] }]];
    const reach = await drive(checker.probeReachability(candidates));
    expect(reach.reachable).toBe(false);
    expect(reach.detail).toMatch(/^Outbound port \d+ appears blocked: none of 2 mail servers answered/);
    const outcome = await drive(checker.check('jane@silent.example', 'silent.example', candidates[0]!));
    expect(outcome.reason).toBe('smtp_unreachable');
    expect(silent!.connections).toHaveLength(1);
    expect(checker.summary().status).toBe('unreachable');
  });

  it('any greeting means the port is open', async () => {
    const [server] = await serve({ banner: ['554 5.7.1 no SMTP service here'] });
    const checker = make(options(server!));
    const reach = await drive(checker.probeReachability([mxOf([server!])]));
    expect(reach).toEqual({ reachable: true, detail: 'mx1.example.net answered "554 5.7.1 no SMTP service here"' });
  });
});

describe('the cache', () => {
  it('a second run asks only what the first could not answer, and catch-all holds for the domain', async () => {
    const [server] = await serve({ rcpt: (address) => (address.startsWith('gone') ? UNKNOWN_USER : address.startsWith('busy') ? ['451 4.3.0 Temporary local problem'] : ['250 2.1.5 Ok']) });
    const first = make(options(server!));
    const mx = mxOf([server!]);
    const locals = ['jane', 'gone', 'busy'];
    const before = await drive(checkAll(first, locals, 'example.net', mx));
    expect(before.map((o) => o.reason)).toEqual(['catch_all', 'mailbox_not_found', 'smtp_temp_error']);
    expect(first.cache.changed).toBe(true);
    const snapshot = JSON.parse(JSON.stringify(first.cache.export()));
    const asked = rcpts(server!).length;
    const second = make(options(server!));
    expect(second.cache.import(snapshot)).toBe(3);
    const after = await drive(checkAll(second, locals, 'example.net', mx));
    expect(after.map((o) => o.reason)).toEqual(['catch_all', 'mailbox_not_found', 'smtp_temp_error']);
    expect(rcpts(server!).slice(asked)).toEqual(['busy@example.net']);
    expect(second.summary().cacheHits).toBe(2);
  });

  it('entries expire: accepted after 7 days, catch-all after a day', async () => {
    const [server] = await serve({});
    const checker = make(options(server!));
    await drive(checker.check('jane@example.net', 'example.net', mxOf([server!])));
    const snapshot = checker.cache.export();
    vi.setSystemTime(Date.now() + 2 * 24 * 3600_000);
    const later = make(options(server!));
    expect(later.cache.import(snapshot)).toBe(1);
    vi.setSystemTime(Date.now() + 6 * 24 * 3600_000);
    const muchLater = make(options(server!));
    expect(muchLater.cache.import(snapshot)).toBe(0);
  });

  it('a cache hit does not restart the answer\'s 7 days: a nightly run that only reads it still asks again after a week', async () => {
    const [server] = await serve({});
    const mx = mxOf([server!]);
    const first = make(options(server!));
    await drive(first.check('jane@example.net', 'example.net', mx));
    const expiresAt = (first.cache.export().addresses['jane@example.net'] as { expiresAt: number }).expiresAt;
    vi.setSystemTime(Date.now() + 3 * 24 * 3600_000);
    const reader = make(options(server!));
    reader.cache.import(JSON.parse(JSON.stringify(first.cache.export())));
    await drive(reader.check('jane@example.net', 'example.net', mx));
    expect(reader.summary().cacheHits).toBe(1);
    expect((reader.cache.export().addresses['jane@example.net'] as { expiresAt: number }).expiresAt).toBe(expiresAt);
  });

  it('an accepted answer read back from the cache words its reason once: catch-all while the finding holds, plain accepted after it expires', async () => {
    const [server] = await serve({});
    const mx = mxOf([server!]);
    const first = make(options(server!));
    const fresh = await drive(first.check('jane@example.net', 'example.net', mx));
    expect(fresh.reason).toBe('catch_all');
    const snapshot = JSON.parse(JSON.stringify(first.cache.export()));
    const asked = rcpts(server!).length;
    const plain = 'mx1.example.net accepted the recipient: "250 2.1.5 Ok".';

    const second = make(options(server!));
    expect(second.cache.import(snapshot)).toBe(2);
    const hit = await drive(second.check('jane@example.net', 'example.net', mx));
    expect(hit.reason).toBe('catch_all');
    expect(hit.detail).toBe(`${plain} The domain accepts any address (catch-all).`);
    expect(hit.detail.match(/catch-all/g)).toHaveLength(1);

    vi.setSystemTime(Date.now() + 2 * 24 * 3600_000);
    const later = make(options(server!));
    expect(later.cache.import(snapshot)).toBe(1);
    const expired = await drive(later.check('jane@example.net', 'example.net', mx));
    expect(expired.reason).toBe('accepted');
    expect(expired.detail).toBe(plain);
    expect(rcpts(server!).slice(asked)).toEqual([]);
  });

  it('an accepted answer whose catch-all probe was undetermined comes back from the cache as plain accepted', async () => {
    const [server] = await serve({ rcpt: (address) => (address.startsWith('listscrub-') ? ['451 4.3.0 Temporary local problem'] : ['250 2.1.5 Ok']) });
    const mx = mxOf([server!]);
    const first = make(options(server!));
    const fresh = await drive(first.check('jane@example.net', 'example.net', mx));
    expect(fresh).toMatchObject({ reason: 'accepted', detail: expect.stringMatching(/could not be determined\.$/) });
    const second = make(options(server!));
    expect(second.cache.import(JSON.parse(JSON.stringify(first.cache.export())))).toBe(1);
    const hit = await drive(second.check('jane@example.net', 'example.net', mx));
    expect(hit).toEqual({ reason: 'accepted', detail: 'mx1.example.net accepted the recipient: "250 2.1.5 Ok".', smtp: fresh.smtp });
  });
});
