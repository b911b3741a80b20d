/**
 * Against nodemailer's smtp-server, a maintained server with a real STARTTLS (its built-in
 * self-signed certificate, which we do not verify): the upgrade happens, answers come through TLS,
 * and the server never sees a message (its onData is never called).
 */
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMailboxChecker, type MailboxChecker } from '../../src/smtp/index.js';
import { drive, options, useFakeClock } from './helpers.js';

let server: SMTPServer | undefined;
let checker: MailboxChecker | undefined;

beforeEach(() => useFakeClock());
afterEach(async () => {
  if (checker !== undefined) await drive(checker.close());
  checker = undefined;
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
  vi.useRealTimers();
});

interface Seen {
  rcpt: Array<{ address: string; secure: boolean }>;
  data: number;
  helo: string[];
}

async function start(users: readonly string[]): Promise<{ port: number; seen: Seen }> {
  const seen: Seen = { rcpt: [], data: 0, helo: [] };
  server = new SMTPServer({
    authOptional: true,
    logger: false,
    banner: 'mx.example.org ESMTP test',
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback: (error?: Error) => void) {
      seen.rcpt.push({ address: address.address, secure: session.secure });
      seen.helo.push(session.hostNameAppearsAs);
      if (users.includes(address.address) || address.address.startsWith('postmaster@')) return callback();
      callback(Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected: User unknown in virtual mailbox table`), { responseCode: 550 }));
    },
    onData(stream, _session, callback) {
      seen.data++;
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  const port = await new Promise<number>((resolve) => {
    server!.listen(0, '127.0.0.1', () => {
      const address = server!.server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
  return { port, seen };
}

describe('against smtp-server with STARTTLS', () => {
  it('upgrades to TLS, then: accepted, mailbox_not_found (trusted: the group accepted jane), catch-all answered no; never DATA', async () => {
    const { port, seen } = await start(['jane@example.org']);
    checker = createMailboxChecker(options({ port }));
    const mx = [{ host: 'mx.example.org', preference: 10, addresses: ['127.0.0.1'] }];
    const [jane, gone] = await drive(Promise.all([checker.check('jane@example.org', 'example.org', mx), checker.check('gone@example.org', 'example.org', mx)]));
    expect(jane).toMatchObject({ reason: 'accepted', smtp: { code: 250, mxHost: 'mx.example.org' } });
    expect(jane.detail).not.toMatch(/could not be determined/);
    expect(gone).toMatchObject({ reason: 'mailbox_not_found', smtp: { code: 550, enhanced: '5.1.1' } });
    expect(gone.smtp?.text).toMatch(/User unknown in virtual mailbox table/);
    expect(seen.rcpt.every((r) => r.secure)).toBe(true);
    expect(seen.rcpt.map((r) => r.address)).toEqual(['jane@example.org', expect.stringMatching(/^listscrub-[0-9a-f]+@example\.org$/), 'gone@example.org']);
    expect(seen.helo[0]).toBe('probe.listscrub-test.net');
    expect(seen.data).toBe(0);
    expect(checker.summary()).toMatchObject({ connections: 1, probes: 3, reasons: { accepted: 1, mailbox_not_found: 1 } });
  });
});
