/**
 * The Postfix harness itself (test/support/postfix.ts): each scripted answer arrives with Postfix's
 * own text, over a raw node:net client, and the log's command counts show no DATA was sent.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostfix, type Postfix } from '../support/postfix.js';

const GREYLIST = '450 4.7.1 Greylisted, try again in 1 seconds';
const FULL = '452 4.2.2 Mailbox full';
const DISABLED = '550 5.2.1 Mailbox disabled';
const BLOCKED = '554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org';

/** A line-based SMTP client: send a command, get the complete (possibly multi-line) reply. */
class RawSmtp {
  #buffer = '';
  #waiting: ((reply: string) => void) | undefined;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      this.#deliver();
    });
  }

  static async open(host: string, port: number): Promise<{ client: RawSmtp; greeting: string }> {
    const socket = connect({ host, port });
    const client = new RawSmtp(socket);
    const greeting = client.#next();
    await once(socket, 'connect');
    return { client, greeting: await greeting };
  }

  /** A reply is complete at a line whose 4th character is a space ("250 ..."), not "250-...". */
  #deliver(): void {
    const end = /^\d{3} .*\r\n/m.exec(this.#buffer);
    if (end === null || this.#waiting === undefined) return;
    const cut = end.index + end[0].length;
    const reply = this.#buffer.slice(0, cut).trimEnd();
    this.#buffer = this.#buffer.slice(cut);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting(reply);
  }

  #next(): Promise<string> {
    return new Promise((resolve) => {
      this.#waiting = resolve;
      this.#deliver();
    });
  }

  send(command: string): Promise<string> {
    const reply = this.#next();
    this.socket.write(`${command}\r\n`);
    return reply;
  }

  async quit(): Promise<string> {
    const reply = await this.send('QUIT');
    await once(this.socket, 'close');
    return reply;
  }
}

/** One session: EHLO, MAIL FROM, then one RCPT per address with RSET between; the RCPT replies. */
async function probe(host: string, port: number, addresses: string[]): Promise<string[]> {
  const { client, greeting } = await RawSmtp.open(host, port);
  expect(greeting).toMatch(/^220 mx\.listscrub\.test ESMTP/);
  expect(await client.send('EHLO probe.listscrub.test')).toMatch(/^250-mx\.listscrub\.test/);
  const replies: string[] = [];
  for (const address of addresses) {
    expect(await client.send('MAIL FROM:<bounce@probe.listscrub.test>')).toBe('250 2.1.0 Ok');
    replies.push(await client.send(`RCPT TO:<${address}>`));
    expect(await client.send('RSET')).toBe('250 2.0.0 Ok');
  }
  expect(await client.quit()).toBe('221 2.0.0 Bye');
  return replies;
}

describe('Postfix on loopback (test/support/postfix.ts)', () => {
  let postfix: Postfix;

  beforeAll(async () => {
    postfix = await startPostfix({
      listeners: ['127.0.0.2', '127.0.0.3'],
      domains: { 'postfix-users.net': ['alice', 'bob', 'grey', 'full', 'gone', 'blocked'] },
      catchAll: ['postfix-catchall.net'],
      replies: {
        'grey@postfix-users.net': GREYLIST,
        'full@postfix-users.net': FULL,
        'gone@postfix-users.net': DISABLED,
        'blocked@postfix-users.net': BLOCKED,
      },
    });
  }, 180_000);

  afterAll(async () => {
    await postfix?.stop();
  });

  it('answers each scripted recipient with Postfix\'s own text, and the log shows no DATA', async () => {
    const mark = await postfix.logMark();
    const { host, port } = postfix.listeners[0]!;
    const replies = await probe(host, port, [
      'alice@postfix-users.net',
      'nobody@postfix-users.net',
      'x7q2-anything@postfix-catchall.net',
      'grey@postfix-users.net',
      'full@postfix-users.net',
      'gone@postfix-users.net',
      'blocked@postfix-users.net',
      'someone@foreign.example',
    ]);
    expect(replies).toEqual([
      '250 2.1.5 Ok',
      '550 5.1.1 <nobody@postfix-users.net>: Recipient address rejected: User unknown in virtual mailbox table',
      '250 2.1.5 Ok',
      `450 4.7.1 <grey@postfix-users.net>: Recipient address rejected: ${GREYLIST.slice(10)}`,
      `452 4.2.2 <full@postfix-users.net>: Recipient address rejected: ${FULL.slice(10)}`,
      `550 5.2.1 <gone@postfix-users.net>: Recipient address rejected: ${DISABLED.slice(10)}`,
      `554 5.7.1 <blocked@postfix-users.net>: Recipient address rejected: ${BLOCKED.slice(10)}`,
      '554 5.7.1 <someone@foreign.example>: Relay access denied',
    ]);
    const [session] = await postfix.disconnects({ since: mark, count: 1 });
    expect(session!.commands).toMatchObject({
      ehlo: { accepted: 1, sent: 1 },
      mail: { accepted: 8, sent: 8 },
      rcpt: { accepted: 2, sent: 8 },
      rset: { accepted: 8, sent: 8 },
      quit: { accepted: 1, sent: 1 },
    });
    expect(session!.commands).not.toHaveProperty('data');
    expect(session!.commands).not.toHaveProperty('vrfy');
  });

  it('the log counts do show a DATA when one is sent (so the no-DATA check can fail)', async () => {
    const mark = await postfix.logMark();
    const { client } = await RawSmtp.open(postfix.listeners[0]!.host, postfix.listeners[0]!.port);
    await client.send('EHLO probe.listscrub.test');
    await client.send('MAIL FROM:<bounce@probe.listscrub.test>');
    expect(await client.send('RCPT TO:<bob@postfix-users.net>')).toBe('250 2.1.5 Ok');
    expect(await client.send('DATA')).toMatch(/^354 /);
    expect(await client.send('Subject: test\r\n\r\nhello\r\n.')).toMatch(/^250 2\.0\.0 Ok: queued/);
    await client.quit();
    const [session] = await postfix.disconnects({ since: mark, count: 1 });
    expect(session!.commands.data).toEqual({ accepted: 1, sent: 1 });
  });

  it('the second listener is a second MX host with the same tables', async () => {
    const { host, port } = postfix.listeners[1]!;
    expect(host).toBe('127.0.0.3');
    expect(await probe(host, port, ['bob@postfix-users.net', 'nobody@postfix-users.net'])).toEqual([
      '250 2.1.5 Ok',
      '550 5.1.1 <nobody@postfix-users.net>: Recipient address rejected: User unknown in virtual mailbox table',
    ]);
  });

  it('greylist then accept: setReplies() changes the answer for the next connection', async () => {
    const { host, port } = postfix.listeners[0]!;
    expect(await probe(host, port, ['grey@postfix-users.net'])).toEqual([
      `450 4.7.1 <grey@postfix-users.net>: Recipient address rejected: ${GREYLIST.slice(10)}`,
    ]);
    await postfix.setReplies({});
    expect(await probe(host, port, ['grey@postfix-users.net'])).toEqual(['250 2.1.5 Ok']);
  });
});
