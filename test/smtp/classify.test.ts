/**
 * The reply classifier, one row per line of the verdict table, with the texts real servers
 * send (Gmail's SMTP error reference, Microsoft 365 / Outlook.com NDR pages, Postfix and Exim
 * defaults, Yahoo's postmaster error codes).
 */
import { describe, expect, it } from 'vitest';
import { classifyBeforeRcpt, classifyRcpt, makeReply, namedDelayMs, ReplyReader } from '../../src/smtp/reply.js';

/** A reply as it arrives: lines "550-..." then "550 ...". */
function reply(...lines: string[]) {
  const reader = new ReplyReader();
  for (const [i, line] of lines.entries()) {
    const done = reader.push(line);
    if (i < lines.length - 1) expect(done).toBeUndefined();
    else return done!;
  }
  throw new Error('no lines');
}

const IP = '203.0.113.5';

const TABLE: ReadonlyArray<[string, string, string[]]> = [
  // accepted
  ['accepted', 'Postfix', ['250 2.1.5 Ok']],
  ['accepted', 'forwarding', ['251 2.1.5 User not local; will forward']],
  // mailbox_not_found
  ['mailbox_not_found', 'Gmail', ['550-5.1.1 The email account that you tried to reach does not exist. Please try', '550-5.1.1 double-checking the recipient\'s email address for typos or', '550-5.1.1 unnecessary spaces. For more information, go to', '550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1-20020a05.123 - gsmtp']],
  ['mailbox_not_found', 'Microsoft 365 (Directory-Based Edge Blocking)', ['550 5.4.1 Recipient address rejected: Access denied. For more information see https://aka.ms/EXOSmtpErrors [BN8NAM11FT066.eop-nam11.prod.protection.outlook.com 2026-03-02T09:00:00.000Z 08DC1234]']],
  ['mailbox_not_found', 'Microsoft (resolver)', ['550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup']],
  ['mailbox_not_found', 'Postfix virtual', ['550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown in virtual mailbox table']],
  ['mailbox_not_found', 'Postfix local', ['550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown in local recipient table']],
  ['mailbox_not_found', 'Exim / cPanel', ['550 No Such User Here"']],
  ['mailbox_not_found', 'Yahoo', ['554 delivery error: dd This user doesn\'t have a yahoo.com account (nobody@yahoo.com) [0] - mta1234.mail.gq1.yahoo.com']],
  ['mailbox_not_found', 'enhanced 5.1.0 alone', ['550 5.1.0 Address rejected.']],
  ['mailbox_not_found', 'enhanced 5.1.6 (moved)', ['550 5.1.6 Recipient addresses in this domain no longer accept mail']],
  // mailbox_disabled
  ['mailbox_disabled', 'Gmail', ['550-5.2.1 The email account that you tried to reach is disabled. Learn more at', '550 5.2.1  https://support.google.com/mail/?p=DisabledUser - gsmtp']],
  ['mailbox_disabled', 'inactive text, no enhanced code', ['550 This mailbox is inactive']],
  // mailbox_full
  ['mailbox_full', 'Gmail', ['452-4.2.2 The email account that you tried to reach is over quota. Please direct', '452 4.2.2 the recipient to https://support.google.com/mail/?p=OverQuotaTemp - gsmtp']],
  ['mailbox_full', 'Postfix 552 5.2.2', ['552 5.2.2 <jane@example.net>: Recipient address rejected: Mailbox full']],
  // greylisted
  ['greylisted', 'Postgrey', ['450 4.2.0 <jane@example.net>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.net.html']],
  ['greylisted', 'milter-greylist (4.7.1 is no block here)', ['451 4.7.1 Greylisting in action, please come back later']],
  // smtp_blocked: block lists, 5.7.x, sender refusals; a block text vetoes a mailbox signal
  ['smtp_blocked', 'Postfix reject_rbl_client', [`554 5.7.1 Service unavailable; Client host [${IP}] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/${IP}`]],
  ['smtp_blocked', 'Microsoft 365 Spamhaus', [`550 5.7.1 Service unavailable, Client host [${IP}] blocked using Spamhaus. To request removal from this list see https://www.spamhaus.org/query/ip/${IP} (AS3130). [BN1NAM02FT005.eop-nam02.prod.protection.outlook.com]`]],
  ['smtp_blocked', 'Outlook.com S3150', [`550 5.7.1 Unfortunately, messages from [${IP}] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.`]],
  ['smtp_blocked', 'Yahoo BL21', [`553 5.7.2 [BL21] Connections will not be accepted from ${IP}, because the ip is in Spamhaus's list; see https://postmaster.yahooinc.com/error-codes`]],
  ['smtp_blocked', 'Gmail unauthorized IP', [`550-5.7.1 [${IP}] The IP you're using to send mail is not authorized to`, '550-5.7.1 send email directly to our servers. Please use the SMTP relay at your', '550 5.7.1 service provider instead. https://support.google.com/mail/?p=NotAuthorizedError - gsmtp']],
  ['smtp_blocked', 'X.7.x with a user-unknown text is still not invalid', ['550 5.7.1 <nobody@example.net>: Recipient address rejected: user unknown']],
  ['smtp_blocked', '5.1.1 with a block-list text', [`550 5.1.1 <nobody@example.net>: rejected, client ${IP} listed at bl.spamcop.net`]],
  ['smtp_blocked', 'Exim sender verify at RCPT', ['550-Verification failed for <verify@listscrub-test.net>', '550-Unrouteable address', '550 Sender verify failed']],
  // smtp_rate_limited
  ['smtp_rate_limited', 'Gmail 421', [`421-4.7.0 [${IP}] Our system has detected an unusual rate of`, '421 4.7.0 unsolicited mail originating from your IP address. - gsmtp']],
  ['smtp_blocked', 'Gmail 421 TLS required (our setup, not a rate)', ['421-4.7.0 TLS required for RCPT domain, closing connection. For more information,', '421 4.7.0  https://support.google.com/mail/?p=tls - gsmtp']],
  ['smtp_blocked', 'Yahoo TSS04 at 421', [`421 4.7.0 [TSS04] Messages from ${IP} temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes`]],
  ['smtp_rate_limited', 'Gmail 421 try again later', ['421 4.7.0 Try again later, closing connection. (EHLO) - gsmtp']],
  ['smtp_rate_limited', 'Microsoft 4.7.650', ['451 4.7.650 The mail server [203.0.113.5] has been temporarily rate limited due to IP reputation.']],
  // smtp_temp_error
  ['smtp_temp_error', 'Postfix 452 4.5.3', ['452 4.5.3 Error: too many recipients']],
  ['smtp_temp_error', 'Gmail receiving too fast (about that mailbox, not us)', ['450-4.2.1 The user you are trying to contact is receiving mail at a rate that', '450 4.2.1 prevents additional messages from being delivered. - gsmtp']],
  ['smtp_temp_error', 'Postfix 450 domain not found', ['450 4.1.2 <jane@example.net>: Recipient address rejected: Domain not found']],
  // smtp_unrecognized: a 5xx at RCPT with no mailbox signal
  ['smtp_unrecognized', 'bare 550', ['550 Requested action not taken: mailbox unavailable']],
  ['smtp_unrecognized', 'Exim unrouteable', ['550 Unrouteable address']],
  ['smtp_unrecognized', 'Postfix relay denied (the MX is not this domain\'s)', ['554 5.7.1 <jane@example.net>: Relay access denied']],
  ['smtp_unrecognized', 'generic 5.0.0', ['550 5.0.0 Rejected']],
];

describe('classifyRcpt: the verdict table', () => {
  it.each(TABLE)('%s: %s', (reason, _source, lines) => {
    expect(classifyRcpt(reply(...lines), 'mx.example.net').reason).toBe(reason);
  });

  it('only a 5xx can be invalid, and no X.7.x ever is', () => {
    for (const [reason, , lines] of TABLE) {
      const parsed = reply(...lines);
      if (reason === 'mailbox_not_found' || reason === 'mailbox_disabled') {
        expect(parsed.code).toBeGreaterThanOrEqual(500);
        expect(parsed.enhanced ?? '').not.toMatch(/^5\.7\./);
      }
    }
  });

  it('names the sender problem: the IP and the block list it cites', () => {
    const blocked = classifyRcpt(reply(`554 5.7.1 Service unavailable; Client host [${IP}] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/${IP}`), 'mx.example.net');
    expect(blocked.senderProblem).toBe(`mx.example.net refused our IP ${IP} citing zen.spamhaus.org: "554 5.7.1 Service unavailable; Client host [${IP}] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/${IP}"`);
    const microsoft = classifyRcpt(reply(`550 5.7.1 Unfortunately, messages from [${IP}] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).`), 'outlook-com.olc.protection.outlook.com');
    expect(microsoft.senderProblem).toMatch(new RegExp(`^outlook-com\\.olc\\.protection\\.outlook\\.com refused our IP ${IP.replace(/\./g, '\\.')} citing (S3150|our block list)`, 'i'));
    expect(classifyRcpt(reply('550 5.1.1 User unknown'), 'mx.example.net').senderProblem).toBeUndefined();
  });
});

describe('replies before RCPT are about us, never the mailbox', () => {
  it.each([
    ['smtp_blocked', ['554 5.7.1 <verify@listscrub-test.net>: Sender address rejected: Access denied']],
    ['smtp_blocked', ['550 5.7.25 The IP address sending this message does not have a PTR record setup']],
    ['smtp_blocked', ['550 5.1.1 User unknown']],
    ['smtp_rate_limited', ['421 4.3.2 Service shutting down']],
    ['smtp_blocked', [`421 4.7.0 [TSS04] Messages from ${IP} temporarily deferred due to unexpected volume or user complaints`]],
    ['smtp_temp_error', ['451 4.3.0 Temporary local problem']],
  ] as const)('%s: %s', (reason, lines) => {
    expect(classifyBeforeRcpt(reply(...lines), 'mx.example.net').reason).toBe(reason);
  });
});

describe('reading replies', () => {
  it('joins continuation lines, keeps the codes of the first, and keeps the raw lines (EHLO keywords)', () => {
    const ehlo = reply('250-mx.example.net', '250-PIPELINING', '250-STARTTLS', '250 8BITMIME');
    expect(ehlo.code).toBe(250);
    expect(ehlo.lines).toEqual(['250-mx.example.net', '250-PIPELINING', '250-STARTTLS', '250 8BITMIME']);
    const gmail = reply('550-5.1.1 The email account that you tried to reach does not exist. Please try', '550 5.1.1 double-checking the recipient\'s email address');
    expect(gmail).toMatchObject({ code: 550, enhanced: '5.1.1', text: '550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient\'s email address' });
  });

  it('a line that is not a reply is code 0 (unrecognized), and long texts are trimmed', () => {
    expect(new ReplyReader().push('hello there')?.code).toBe(0);
    expect(classifyRcpt(makeReply(0, ['hello there']), 'mx').reason).toBe('smtp_unrecognized');
    expect(makeReply(550, [`550 ${'x'.repeat(1000)}`]).text.length).toBe(300);
  });

  it('reads the delay a greylisting reply names', () => {
    expect(namedDelayMs('Greylisted, try again in 60 seconds')).toBe(60_000);
    expect(namedDelayMs('please retry after 5 minutes')).toBe(300_000);
    expect(namedDelayMs('Greylisted, see http://postgrey.schweikert.ch/help/example.net.html')).toBeUndefined();
  });
});
