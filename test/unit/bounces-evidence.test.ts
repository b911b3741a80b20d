/**
 * The evidence aggregator: which addresses the bounces prove dead. Pure: events built in the test,
 * classified by the real classifier. The property test is the issue's promise: whatever the mix of
 * events, an address with only sender-class, transient or unknown events is never removed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyEvent, parseReply } from '../../src/bounces/classify.js';
import { EvidenceCollector } from '../../src/bounces/evidence.js';
import type { BounceEvent, RawBounce, Stage } from '../../src/bounces/types.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 4, 1, 10);

const USER_UNKNOWN = '550 5.1.1 <x@example.com>: Recipient address rejected: User unknown in local recipient table';
const INACTIVE = '550-5.2.1 The email account that you tried to reach is inactive. 550 5.2.1 https://support.google.com/mail/?p=DisabledUser';
const S3150 = "550 5.7.1 Unfortunately, messages from [198.51.100.20] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).";

let line = 0;
function event(address: string, reply: string, time: number | null, extra: Partial<RawBounce> = {}): BounceEvent {
  line += 1;
  return classifyEvent({ kind: 'bounce', address, ...parseReply(reply), stage: 'RCPT', time, file: 'test.log', line, ...extra });
}
function delivered(address: string, time: number | null): BounceEvent {
  return event(address, '250 2.0.0 OK', time, { kind: 'delivered' });
}
function collect(events: BounceEvent[], options = {}) {
  const collector = new EvidenceCollector(options);
  for (const e of events) collector.add(e);
  return collector.finish();
}

describe('EvidenceCollector', () => {
  it('a user-unknown bounce proves the address dead; the key is lower-case', () => {
    const result = collect([event('Bob@Example.COM', USER_UNKNOWN, T0)]);
    expect([...result.dead.keys()]).toEqual(['bob@example.com']);
    expect(result.dead.get('bob@example.com')).toMatchObject({ events: 1, event: { rule: 'no-such-user', bounce: '5.1.1' } });
  });

  it('a later successful delivery cancels earlier bounces; a bounce after the delivery still counts', () => {
    const cancelled = collect([event('a@example.com', USER_UNKNOWN, T0), delivered('a@example.com', T0 + DAY)]);
    expect(cancelled.dead.size).toBe(0);
    expect(cancelled.discounted.cancelled).toBe(1);
    // Files read in any order: the times decide, not the reading order.
    const outOfOrder = collect([delivered('a@example.com', T0 + DAY), event('a@example.com', USER_UNKNOWN, T0)]);
    expect(outOfOrder.dead.size).toBe(0);
    const after = collect([delivered('a@example.com', T0), event('a@example.com', USER_UNKNOWN, T0 + DAY)]);
    expect([...after.dead.keys()]).toEqual(['a@example.com']);
  });

  it('mailbox disabled counts only from --bounce-min-events on (default 2)', () => {
    expect(collect([event('i@gmail.com', INACTIVE, T0)]).dead.size).toBe(0);
    expect(collect([event('i@gmail.com', INACTIVE, T0)]).discounted.belowMinEvents).toBe(1);
    expect(collect([event('i@gmail.com', INACTIVE, T0), event('i@gmail.com', INACTIVE, T0 + 7 * DAY)]).dead.get('i@gmail.com')).toMatchObject({ events: 2 });
    expect(collect([event('i@gmail.com', INACTIVE, T0)], { minEvents: 1 }).dead.size).toBe(1);
    expect(collect([event('i@gmail.com', INACTIVE, T0), event('i@gmail.com', INACTIVE, T0)], { minEvents: 3 }).dead.size).toBe(0);
  });

  it('events older than `since`, and undated ones when `since` is set, do not count', () => {
    const events = [event('old@example.com', USER_UNKNOWN, T0), event('new@example.com', USER_UNKNOWN, T0 + 10 * DAY), event('undated@example.com', USER_UNKNOWN, null)];
    expect([...collect(events).dead.keys()].sort()).toEqual(['new@example.com', 'old@example.com', 'undated@example.com']);
    const recent = collect(events, { since: T0 + DAY });
    expect([...recent.dead.keys()]).toEqual(['new@example.com']);
    expect(recent.discounted.old).toBe(2);
  });

  it('domain-not-found bounces are set aside for the DNS re-check, not proven dead', () => {
    const result = collect([event('x@gone.example', 'Host or domain name not found. Name service error for name=gone.example type=A: Host not found', T0, { stage: undefined, enhanced: '5.4.4' })]);
    expect(result.dead.size).toBe(0);
    expect([...result.domainChecks.keys()]).toEqual(['x@gone.example']);
  });

  it('storm guard: 200 Outlook S3150 rejections in a day are a sender incident; that day none of Outlook\'s bounces removes', () => {
    const storm = Array.from({ length: 200 }, (_, i) => event(`s${i}@outlook.com`, S3150, T0 + i * 1000, { mx: 'outlook-com.olc.protection.outlook.com' }));
    const sameDay = event('real.gone@outlook.com', '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup', T0 + 3_600_000);
    const nextDay = event('next.day@outlook.com', '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup', T0 + DAY);
    const otherProvider = event('gone@example.org', USER_UNKNOWN, T0);
    const result = collect([...storm, sameDay, nextDay, otherProvider]);
    expect(result.incidents).toHaveLength(1);
    expect(result.incidents[0]).toMatchObject({ provider: 'Microsoft', day: '2026-05-01', rule: 'microsoft-block-list', recipients: 200, events: 200 });
    expect([...result.dead.keys()].sort()).toEqual(['gone@example.org', 'next.day@outlook.com']);
    expect(result.discounted.storm).toBe(1);
    expect(result.senderProblems[0]).toMatchObject({ provider: 'Microsoft', events: 200, recipients: 200, ips: ['198.51.100.20'] });
    expect(result.senderProblems[0]?.detail).toBe("200 Microsoft rejections on 2026-05-01 cite S3150: your sending IP is on Microsoft's block list (sending IP 198.51.100.20)");
  });

  it('below the storm threshold, or with a mailbox text, there is no incident', () => {
    const few = Array.from({ length: 19 }, (_, i) => event(`s${i}@outlook.com`, S3150, T0));
    expect(collect(few).incidents).toEqual([]);
    expect(collect(few, { stormMin: 19 }).incidents).toHaveLength(1);
    // 50 real "user unknown" from one provider in a day is a list problem, not a sender incident.
    const unknownUsers = Array.from({ length: 50 }, (_, i) => event(`u${i}@example.org`, USER_UNKNOWN.replace('x@example.com', `u${i}@example.org`), T0));
    const result = collect(unknownUsers);
    expect(result.incidents).toEqual([]);
    expect(result.dead.size).toBe(50);
  });

  it('a transient failure on 3 days with no delivery since is flagged persistent, never dead', () => {
    const full = '452 4.2.2 The email account that you tried to reach is over quota.';
    const result = collect([0, 1, 2].map((d) => event('full@gmail.com', full, T0 + d * DAY)));
    expect(result.persistent).toEqual(['full@gmail.com']);
    expect(result.dead.size).toBe(0);
    expect(collect([...[0, 1, 2].map((d) => event('full@gmail.com', full, T0 + d * DAY)), delivered('full@gmail.com', T0 + 3 * DAY)]).persistent).toEqual([]);
  });
});

// ---- property: only recipient-class evidence ever removes

const NOT_MAILBOX_REPLIES = [
  S3150,
  '554 5.7.1 Service unavailable; Client host [198.51.100.20] blocked using zen.spamhaus.org',
  '550-5.7.26 This mail has been blocked because the sender is unauthenticated.',
  '421 4.7.0 [TSS04] Messages from 198.51.100.20 temporarily deferred due to unexpected volume or user complaints',
  '550 5.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered.',
  '452 4.2.2 The email account that you tried to reach is over quota.',
  '450 4.2.0 Recipient address rejected: Greylisted',
  '450 4.1.1 <x@example.com>: Recipient address rejected: User unknown',
  '550 Requested action not taken: mailbox unavailable',
  '554 5.0.0 Service unavailable',
  '550 5.7.1 Message rejected',
  '',
];
const MAILBOX_REPLIES = [USER_UNKNOWN, INACTIVE, '550 5.1.10 RESOLVER.ADR.RecipientNotFound', '550 5.4.1 Recipient address rejected: Access denied', 'Domain x.example does not accept mail (nullMX)'];
const STAGES: Array<Stage | undefined> = ['connect', 'MAIL', 'RCPT', 'DATA', 'report', undefined];

const eventArb = fc.record({
  who: fc.integer({ min: 0, max: 7 }),
  mailbox: fc.boolean(),
  pick: fc.nat(),
  stage: fc.constantFrom(...STAGES),
  day: fc.integer({ min: 0, max: 3 }),
  temporary: fc.boolean(),
  kind: fc.constantFrom('bounce', 'bounce', 'bounce', 'delivered'),
  types: fc.constantFrom(undefined, ['blocked'], ['transient'], ['suppressed'], ['noemail'], ['espblock']),
  provider: fc.constantFrom(undefined, 'outlook-com.olc.protection.outlook.com', 'gmail-smtp-in.l.google.com'),
});

describe('property', () => {
  it('an address with only sender-class, transient or unknown events is never removed', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 120 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 3 }), (specs, stormMin, minEvents) => {
        const events = specs.map((spec) => {
          const pool = spec.mailbox ? MAILBOX_REPLIES : NOT_MAILBOX_REPLIES;
          const reply = pool[spec.pick % pool.length] as string;
          return event(`user${spec.who}@example.com`, reply, T0 + spec.day * DAY, {
            kind: spec.kind as 'bounce' | 'delivered',
            ...(spec.stage === undefined ? {} : { stage: spec.stage }),
            ...(spec.temporary ? { temporary: true } : {}),
            ...(spec.types === undefined ? {} : { types: [...spec.types] }),
            ...(spec.provider === undefined ? {} : { mx: spec.provider }),
          });
        });
        const result = collect(events, { stormMin, minEvents });
        for (const key of [...result.dead.keys(), ...result.domainChecks.keys()]) {
          const own = events.filter((e) => e.address === key && e.kind === 'bounce');
          expect(own.some((e) => e.class === 'recipient' || e.class === 'domain'), `${key}: ${own.map((e) => `${e.class}/${e.rule}`).join(', ')}`).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
