/**
 * The conversation against a raw scripted server on loopback: what we send, in what order, and
 * what each fault becomes. Fake clock (test/smtp/helpers.ts); the server records every command.
 */
import { describe, expect, it } from 'vitest';
import { drive, mxOf, options, useScriptedServers } from './helpers.js';

const { serve, make } = useScriptedServers();

const NEVER_SENT = /^(DATA|VRFY|EXPN|BDAT)\b/i;

describe('the conversation', () => {
  it('greets, EHLOs, asks MAIL/RCPT/RSET once per address, probes catch-all once, QUITs; never DATA or VRFY', async () => {
    const [server] = await serve({
      banner: ['220-mx1.example.net ESMTP', '220-second banner line', '220 ready'],
      rcpt: (address) => (address.startsWith('jane') || address.startsWith('john') ? ['250 2.1.5 Ok'] : ['550-5.1.1 The email account that you tried to reach does not exist.', '550 5.1.1 Please try double-checking the recipient\'s email address.']),
    });
    const checker = make(options(server!));
    const mx = mxOf([server!]);
    const [jane, john] = await drive(Promise.all([checker.check('jane@example.net', 'example.net', mx), checker.check('john@example.net', 'example.net', mx)]));
    expect(jane.reason).toBe('accepted');
    expect(jane.smtp).toEqual({ code: 250, enhanced: '2.1.5', text: '250 2.1.5 Ok', mxHost: 'mx1.example.net' });
    expect(jane.detail).toMatch(/mx1\.example\.net accepted the recipient/);
    expect(john.reason).toBe('accepted');
    const commands = server!.allCommands();
    expect(commands.filter((c) => NEVER_SENT.test(c))).toEqual([]);
    expect(server!.connections).toHaveLength(1);
    const verbs = commands.map((c) => c.replace(/[: ].*$/, ''));
    // jane, then the catch-all probe in the same session, then john, then QUIT.
    expect(verbs).toEqual(['EHLO', 'MAIL', 'RCPT', 'RSET', 'MAIL', 'RCPT', 'RSET', 'MAIL', 'RCPT', 'RSET', 'QUIT']);
    expect(commands[0]).toBe('EHLO probe.listscrub-test.net');
    expect(commands[1]).toBe('MAIL FROM:<verify@listscrub-test.net>');
    expect(commands[2]).toBe('RCPT TO:<jane@example.net>');
    expect(commands[5]).toMatch(/^RCPT TO:<listscrub-[0-9a-f]{18}@example\.net>$/);
    expect(checker.summary()).toMatchObject({ status: 'ok', probes: 3, reasons: { accepted: 2 } });
  });

  it('close() right after the last answer, while the session quits on its own: one QUIT, and close() does not wait out a timer', async () => {
    const [server] = await serve({});
    const checker = make(options(server!, { catchAll: false }));
    const outcome = await drive(checker.check('jane@example.net', 'example.net', mxOf([server!])));
    expect(outcome.reason).toBe('accepted');
    // What a run does once its last row is decided. A second QUIT on the wire used to orphan the
    // first one's reply, so close() waited for its 5-second timer.
    await drive(checker.close(), { maxMs: 1000 });
    expect(server!.allCommands().filter((c) => c === 'QUIT')).toEqual(['QUIT']);
  });

  it('an address that could smuggle a command, or needs SMTPUTF8, is not sent at all', async () => {
    const [server] = await serve({});
    const checker = make(options(server!, { catchAll: false }));
    const mx = mxOf([server!]);
    for (const address of ['a@example.net>\r\nDATA', 'jöns@example.net', 'a b@example.net']) {
      expect((await drive(checker.check(address, 'example.net', mx))).reason).toBe('smtp_unrecognized');
    }
    expect(server!.connections).toHaveLength(0);
  });

  it('falls back to HELO when EHLO is answered 5xx', async () => {
    const [server] = await serve({ respond: (command) => (/^EHLO/.test(command) ? ['502 5.5.2 EHLO not implemented'] : undefined) });
    const checker = make(options(server!, { catchAll: false }));
    const outcome = await drive(checker.check('jane@example.net', 'example.net', mxOf([server!])));
    expect(outcome.reason).toBe('accepted');
    expect(server!.allCommands().slice(0, 2)).toEqual(['EHLO probe.listscrub-test.net', 'HELO probe.listscrub-test.net']);
  });

  it('moves to the next MX on 421 at connect and on a refused TCP connection, at most maxHosts', async () => {
    const [first, second] = await serve({ banner: ['421 4.3.2 Service shutting down, closing transmission channel'] }, {});
    const checker = make(options(first!, { catchAll: false }));
    const mx = [{ host: 'mx0.example.net', preference: 5, addresses: ['127.0.0.99'] }, ...mxOf([first!, second!])];
    const outcome = await drive(checker.check('jane@example.net', 'example.net', mx));
    expect(outcome).toMatchObject({ reason: 'accepted', smtp: { mxHost: 'mx2.example.net' } });
    expect(first!.connections).toHaveLength(1);
    expect(first!.allCommands()).toEqual(['QUIT']);
  });

  it('gives up after maxHosts: a 421 everywhere is smtp_rate_limited and pauses the group', async () => {
    const [only] = await serve({ banner: ['421 4.7.0 Try again later, closing connection. (EHLO) - gsmtp'] });
    const checker = make(options(only!, { catchAll: false }));
    const mx = mxOf([only!]);
    const outcome = await drive(checker.check('jane@example.net', 'example.net', mx));
    expect(outcome.reason).toBe('smtp_rate_limited');
    expect(outcome.smtp?.code).toBe(421);
    const later = await drive(checker.check('john@example.net', 'example.net', mx));
    expect(later.reason).toBe('smtp_rate_limited');
    expect(later.detail).toMatch(/^Not asked: checks against mx1\.example\.net are paused until/);
    expect(only!.connections).toHaveLength(1);
    expect(checker.summary().breakers).toEqual([expect.objectContaining({ group: 'mx1.example.net', reason: 'smtp_rate_limited', pausedForMs: 30 * 60_000 })]);
  });

  it('a banner that stalls is smtp_timeout after greetingMs (30 s by default), not before', async () => {
    const [server] = await serve({ banner: 'stall' });
    const checker = make(options(server!, { catchAll: false }));
    const started = Date.now();
    const outcome = await drive(checker.check('jane@example.net', 'example.net', mxOf([server!])));
    expect(outcome.reason).toBe('smtp_timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(30_000);
    expect(Date.now() - started).toBeLessThan(31_000);
  });

  it('a connection dropped at RCPT is smtp_temp_error, never a verdict about the mailbox', async () => {
    const [server] = await serve({ respond: (command) => (/^RCPT/.test(command) ? 'drop' : undefined) });
    const checker = make(options(server!));
    const outcome = await drive(checker.check('jane@example.net', 'example.net', mxOf([server!])));
    expect(outcome.reason).toBe('smtp_temp_error');
    expect(outcome.detail).toMatch(/closed the connection/);
  });

  it('"452 4.5.3 too many recipients" ends the session; the address is asked again on a fresh connection', async () => {
    const [server] = await serve({
      rcpt: (address, connection) => (connection.id === 1 && address === 'c@example.net' ? ['452 4.5.3 Error: too many recipients'] : ['250 2.1.5 Ok']),
    });
    const checker = make(options(server!, { catchAll: false }));
    const mx = mxOf([server!]);
    const outcomes = await drive(Promise.all(['a', 'b', 'c', 'd'].map((local) => checker.check(`${local}@example.net`, 'example.net', mx))));
    expect(outcomes.map((o) => o.reason)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    expect(server!.connections.length).toBe(2);
    expect(server!.connections[1]!.commands.filter((c) => c.startsWith('RCPT'))[0]).toBe('RCPT TO:<c@example.net>');
  });

  it('STARTTLS offered but broken: one more connection without TLS, and the answer comes from it', async () => {
    const [server] = await serve({ offerStartTls: true, respond: (command) => (command === 'STARTTLS' ? 'break-tls' : undefined) });
    const checker = make(options(server!, { catchAll: false }));
    const outcome = await drive(checker.check('jane@example.net', 'example.net', mxOf([server!])));
    expect(outcome.reason).toBe('accepted');
    expect(server!.connections).toHaveLength(2);
    expect(server!.connections[0]!.commands).toEqual(['EHLO probe.listscrub-test.net', 'STARTTLS']);
    expect(server!.connections[1]!.commands).not.toContain('STARTTLS');
  });

  it('quits after three rejections in a row and asks the rest on a new connection', async () => {
    const [server] = await serve({ rcpt: (address) => (/^(gone|postmaster)/.test(address) && !address.startsWith('postmaster') ? ['550 5.1.1 <x>: Recipient address rejected: User unknown in virtual mailbox table'] : ['250 2.1.5 Ok']) });
    const checker = make(options(server!, { catchAll: false }));
    const mx = mxOf([server!]);
    const outcomes = await drive(Promise.all(['gone1', 'gone2', 'gone3', 'gone4'].map((local) => checker.check(`${local}@example.net`, 'example.net', mx))));
    expect(outcomes.map((o) => o.reason)).toEqual(['mailbox_not_found', 'mailbox_not_found', 'mailbox_not_found', 'mailbox_not_found']);
    expect(server!.connections).toHaveLength(2);
    const first = server!.connections[0]!.commands.filter((c) => c.startsWith('RCPT'));
    // gone1, postmaster (the group had accepted nobody yet), gone2, gone3.
    expect(first).toEqual(['RCPT TO:<gone1@example.net>', 'RCPT TO:<postmaster@example.net>', 'RCPT TO:<gone2@example.net>', 'RCPT TO:<gone3@example.net>']);
    expect(server!.connections[0]!.commands.at(-1)).toBe('QUIT');
  });
});
