/**
 * The classification table against the real reply texts the big receivers send (sources in
 * test/fixtures/bounces/README.md). Each case is one raw event; the class and rule must be the
 * table's, and the order rules (sender before recipient, text before code, permanent only) hold.
 */
import { describe, expect, it } from 'vitest';
import { classifyEvent, normalizeText, parseReply, providerOf } from '../../src/bounces/classify.js';
import { RULES } from '../../src/bounces/rules.js';
import type { RawBounce, Stage } from '../../src/bounces/types.js';

function raw(reply: string, extra: Partial<RawBounce> = {}): RawBounce {
  const parsed = parseReply(reply);
  return { kind: 'bounce', address: 'someone@example.com', ...parsed, time: null, file: 'test', line: 1, ...extra };
}

function classify(reply: string, stage?: Stage, extra: Partial<RawBounce> = {}) {
  return classifyEvent(raw(reply, { ...(stage === undefined ? {} : { stage }), ...extra }));
}

describe('parseReply', () => {
  it('joins a multi-line Gmail reply: one code up front, the repeated continuation codes dropped', () => {
    const reply = parseReply(
      "550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 unnecessary spaces. For more information, go to 550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1si123 - gsmtp",
    );
    expect(reply).toEqual({
      basic: '550',
      enhanced: '5.1.1',
      text: "550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. For more information, go to https://support.google.com/mail/?p=NoSuchUser a1si123 - gsmtp",
    });
  });

  it('takes the enhanced code only from the head of the reply, not from an id inside it', () => {
    expect(parseReply('421 4.7.0 [TSS04] Messages from 198.51.100.20 temporarily deferred - 4.16.55.1; see https://postmaster.yahooinc.com')).toMatchObject({ basic: '421', enhanced: '4.7.0' });
    expect(parseReply("554 delivery error: dd This user doesn't have a yahoo.com account")).toEqual({ basic: '554', text: "554 delivery error: dd This user doesn't have a yahoo.com account" });
    expect(parseReply('Domain example.com does not accept mail (nullMX)')).toEqual({ text: 'Domain example.com does not accept mail (nullMX)' });
  });
});

/** [reply, stage, expected class, expected rule] */
const CASES: Array<[string, Stage | undefined, string, string]> = [
  // Gmail
  ["550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos or 550 5.1.1 unnecessary spaces.", 'RCPT', 'recipient', 'no-such-user'],
  ['550-5.2.1 The email account that you tried to reach is inactive. For more information, go 550-5.2.1 to 550 5.2.1 https://support.google.com/mail/?p=DisabledUser', 'RCPT', 'recipient', 'mailbox-disabled'],
  ['550-5.2.1 The user you are trying to contact is receiving mail at a rate that 550-5.2.1 prevents additional messages from being delivered.', 'DATA', 'transient', 'receiving-too-quickly'],
  ['450-4.2.1 The user you are trying to contact is receiving mail too quickly. Please resend your message at a later time.', 'RCPT', 'transient', 'receiving-too-quickly'],
  ['452-4.2.2 The email account that you tried to reach is over quota. Please direct 452 4.2.2 the recipient to https://support.google.com/mail/?p=OverQuotaTemp', 'RCPT', 'transient', 'mailbox-full'],
  ['550-5.7.26 This mail has been blocked because the sender is unauthenticated. 550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM.', 'DATA', 'sender', 'authentication'],
  ['550-5.7.26 Unauthenticated email from sender.example is not accepted due to 550 5.7.26 domain\'s DMARC policy.', 'DATA', 'sender', 'authentication'],
  ['550-5.7.25 The IP address sending this message does not have a PTR record setup, or the corresponding forward DNS entry does not point to the sending IP.', 'DATA', 'sender', 'reverse-dns'],
  ['421-4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address.', 'DATA', 'sender', 'content'],
  ['421-4.7.0 This message is suspicious due to the very low reputation of the sending IP address.', 'DATA', 'sender', 'reputation'],
  ['552-5.3.4 Your message exceeded Google\'s message size limits.', 'DATA', 'sender', 'message-too-large'],
  ['530 5.7.0 Must issue a STARTTLS command first.', 'MAIL', 'sender', 'tls-required'],
  // Microsoft 365 / Outlook.com
  ["550 5.7.1 Unfortunately, messages from [198.51.100.20] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).", 'MAIL', 'sender', 'microsoft-block-list'],
  ['550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [AM4PEPF00027A5F.eurprd04.prod.outlook.com]', 'RCPT', 'recipient', 'ms365-access-denied'],
  ['550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup', 'RCPT', 'recipient', 'no-such-user'],
  ['550 5.7.606 Access denied, banned sending IP [198.51.100.20]. To request removal from this list please visit https://sender.office.com/', 'MAIL', 'sender', 'reputation'],
  ['550 5.7.515 Access denied, sending domain sender.example doesn\'t meet the required authentication level.', 'DATA', 'sender', 'authentication'],
  ['550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302).', 'RCPT', 'unknown', 'no-signal'],
  ['451 4.7.650 The mail server [198.51.100.20] has been temporarily rate limited due to IP reputation.', 'MAIL', 'sender', 'rate-limit'],
  // Yahoo / AOL
  ['553 5.7.2 [BL21] Connections will not be accepted from 198.51.100.20, because the ip is in Spamhaus\'s list; see https://postmaster.yahooinc.com/error-codes', 'connect', 'sender', 'yahoo-block'],
  ['421 4.7.0 [TSS04] Messages from 198.51.100.20 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1', 'MAIL', 'sender', 'yahoo-block'],
  ['554 5.7.9 Message not accepted for policy reasons.  See https://senders.yahooinc.com/error-codes', 'DATA', 'sender', 'code-yahoo-policy'],
  ["554 delivery error: dd This user doesn't have a yahoo.com account (nouser@yahoo.com) [0] - mta4008.mail.gq1.yahoo.com", 'DATA', 'recipient', 'yahoo-no-account'],
  ['554 RTR:BL Messages from 198.51.100.20 permanently deferred', 'connect', 'sender', 'aol-rtr'],
  // iCloud
  ['550 5.1.1 <fan@icloud.com>: user does not exist', 'RCPT', 'recipient', 'no-such-user'],
  ['554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137', 'DATA', 'sender', 'content'],
  ['550 5.7.0 Blocked - see https://support.proofpoint.com/dnsbl-lookup.cgi?ip=198.51.100.20', 'RCPT', 'sender', 'block-list'],
  // Postfix (receiving) and Postfix's own reasons
  ['550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown in local recipient table', 'RCPT', 'recipient', 'no-such-user'],
  ['554 5.7.1 Service unavailable; Client host [198.51.100.20] blocked using zen.spamhaus.org', 'RCPT', 'sender', 'block-list'],
  ['450 4.7.1 Client host rejected: cannot find your hostname, [198.51.100.20]', 'RCPT', 'sender', 'reverse-dns'],
  ['554 5.7.1 <bob@example.com>: Relay access denied', 'RCPT', 'sender', 'relay-denied'],
  ['550 5.1.0 <news@sender.example>: Sender address rejected: Domain not found', 'RCPT', 'sender', 'sender-rejected'],
  ['450 4.2.0 <bob@example.com>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.com.html', 'RCPT', 'transient', 'greylisted'],
  ['Domain example.com does not accept mail (nullMX)', undefined, 'recipient', 'null-mx'],
  ['Host or domain name not found. Name service error for name=example.com type=A: Host not found', undefined, 'domain', 'domain-not-found'],
  // Exim
  ['550 No Such User Here', 'RCPT', 'recipient', 'no-such-user'],
  ['550-Verification failed for <news@sender.example> 550-Unrouteable address 550 Sender verify failed', 'RCPT', 'sender', 'sender-rejected'],
  ['451 Temporary local problem - please try later', 'RCPT', 'transient', 'greylisted'],
  ['550 Administrative prohibition', 'RCPT', 'unknown', 'no-signal'],
  // bare codes
  ['550 Requested action not taken', 'RCPT', 'unknown', 'no-signal'],
  ['554 5.0.0 Service unavailable', 'RCPT', 'unknown', 'no-signal'],
  ['550 5.7.1 Message rejected', 'DATA', 'unknown', 'no-signal'],
  ['', undefined, 'unknown', 'no-signal'],
  ['556 5.1.10 Recipient address has null MX', 'RCPT', 'recipient', 'null-mx'],
  ['550 5.1.6 Recipient no longer on server', 'RCPT', 'recipient', 'code-mailbox-moved'],
  ['550 5.1.2 Bad destination system address', 'RCPT', 'domain', 'code-domain'],
];

describe('classifyEvent: real replies', () => {
  it.each(CASES)('%s (%s) is %s by %s', (reply, stage, cls, rule) => {
    const event = classify(reply, stage);
    expect({ class: event.class, rule: event.rule }).toEqual({ class: cls, rule });
  });
});

describe('classifyEvent: order and conditions', () => {
  it('a 5.1.1 at RCPT is a recipient verdict; the same reply at DATA is no signal (the recipient was accepted)', () => {
    const text = '550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown';
    expect(classify(text, 'RCPT').class).toBe('recipient');
    expect(classify(text, 'DATA')).toMatchObject({ class: 'unknown', rule: 'no-signal' });
    expect(classify(text, 'report').class).toBe('recipient');
  });

  it('a sender rule wins over a recipient text in the same reply', () => {
    expect(classify('550 5.1.1 User unknown; also your IP 198.51.100.20 is listed at zen.spamhaus.org', 'RCPT')).toMatchObject({ class: 'sender', rule: 'block-list', ip: '198.51.100.20' });
  });

  it('a temporary failure is never a recipient verdict, whatever its text says', () => {
    expect(classify('450 4.1.1 <bob@example.com>: Recipient address rejected: User unknown', 'RCPT')).toMatchObject({ class: 'transient', rule: 'temporary' });
    expect(classify('550 5.1.1 User unknown', 'RCPT', { temporary: true })).toMatchObject({ class: 'transient' });
    expect(classify('Host or domain name not found. Name service error for name=example.com type=MX: Host not found, try again', undefined, { enhanced: '4.4.3', temporary: true }).class).toBe('transient');
  });

  it('the 5.2.1 "disabled" rule is marked repeat; the 5.2.1 rate reply is not a mailbox signal at all', () => {
    expect(classify('550 5.2.1 The email account that you tried to reach is disabled.', 'RCPT')).toMatchObject({ class: 'recipient', repeat: true, bounce: '5.2.1' });
    expect(classify('550 5.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered.', 'RCPT')).toMatchObject({ class: 'transient', repeat: false });
    expect(classify('550 5.2.1 Mailbox unavailable', 'RCPT')).toMatchObject({ class: 'unknown', rule: 'no-signal' });
  });

  it('provider fields override the text where they are explicit', () => {
    const userUnknown = '550 5.1.1 <x@example.com>: Recipient address rejected: User unknown';
    expect(classify(userUnknown, 'report', { types: ['blocked'] })).toMatchObject({ class: 'sender', rule: 'provider-blocked' });
    expect(classify(userUnknown, 'report', { types: ['espblock'] }).class).toBe('sender');
    expect(classify(userUnknown, 'report', { types: ['dmarcpolicy'] }).class).toBe('sender');
    expect(classify(userUnknown, 'report', { types: ['transient'] }).class).toBe('transient');
    expect(classify(userUnknown, 'report', { types: ['suppressed'] })).toMatchObject({ class: 'unknown', rule: 'provider-suppressed' });
    expect(classify('550 Requested action not taken', 'report', { types: ['noemail'] })).toMatchObject({ class: 'recipient', rule: 'provider-no-email', bounce: '5.1.1' });
    // A field the table does not know leaves the text to decide.
    expect(classify(userUnknown, 'report', { types: ['badEmailAddress'.toLowerCase()] }).rule).toBe('no-such-user');
  });

  it('a delivery is returned as such, never as a bounce class that counts', () => {
    expect(classifyEvent({ ...raw('250 2.0.0 OK'), kind: 'delivered' })).toMatchObject({ rule: 'delivered', class: 'unknown' });
  });

  it('every rule has a source and a meaning, ids are unique, and the catch-all is last', () => {
    const ids = RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of RULES) expect(rule.source.length, rule.id).toBeGreaterThan(5);
    expect(RULES[RULES.length - 1]).toMatchObject({ id: 'no-signal', class: 'unknown' });
    // Recipient rules never match temporary failures.
    for (const rule of RULES.filter((r) => r.class === 'recipient' || r.class === 'domain')) expect(rule.permanentOnly, rule.id).toBe(true);
  });
});

describe('providers and normalized texts', () => {
  it('names the provider from the MX host, else the address domain', () => {
    expect(providerOf('x@example.net', 'example-net.mail.protection.outlook.com')).toBe('Microsoft');
    expect(providerOf('x@hotmail.co.uk', undefined)).toBe('Microsoft');
    expect(providerOf('x@aol.com', undefined)).toBe('Yahoo');
    expect(providerOf('x@example.org', 'mx.example.org')).toBe('example.org');
  });

  it('the same rejection to different recipients and connections normalizes to one text', () => {
    const a = normalizeText("550 5.7.1 Unfortunately, messages from [198.51.100.20] weren't sent ... (S3150). [DB5EUR03FT012.eop-EUR03.prod.protection.outlook.com 2026-05-01T11:00:00.000Z 08DE8A1B2C3D12]");
    const b = normalizeText("550 5.7.1 Unfortunately, messages from [198.51.100.21] weren't sent ... (S3150). [DB5EUR03FT077.eop-EUR03.prod.protection.outlook.com 2026-05-01T12:10:00.000Z 08DE8A1B2C3D77]");
    expect(a).toBe(b);
    expect(normalizeText('550 5.1.1 <a@example.com>: User unknown')).toBe(normalizeText('550 5.1.1 <b@example.org>: User unknown'));
  });
});
