/**
 * The readers, on fixture files shaped like the real exports (test/fixtures/bounces/README.md):
 * every format detected, every event with its codes, stage, time and source line; lines that are not
 * bounces skipped and counted; malformed ones reported with their line number, never a crash.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonSplitter } from '../../src/bounces/json-scan.js';
import { collectBounces } from '../../src/bounces/load.js';
import { readBounceFile, sniffFormat } from '../../src/bounces/read.js';
import { postfixTime } from '../../src/bounces/read-postfix.js';
import type { BounceEvent, ReadItem } from '../../src/bounces/types.js';
import { ListscrubError } from '../../src/errors.js';
import { FIXTURES } from '../support/cli.js';

const DIR = join(FIXTURES, 'bounces');
const NOW = Date.UTC(2026, 10, 30);

async function read(file: string): Promise<{ events: BounceEvent[]; summary: Awaited<ReturnType<typeof collectBounces>>['summary'] }> {
  const events: BounceEvent[] = [];
  const { summary } = await collectBounces([join(DIR, file)], { now: NOW, onEvent: (event) => void events.push(event) });
  return { events, summary };
}

function byAddress(events: BounceEvent[]): Record<string, BounceEvent> {
  return Object.fromEntries(events.map((event) => [event.address, event]));
}

let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'listscrub-bounces-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('format detection', () => {
  it('tells the formats apart from the first bytes', () => {
    expect(sniffFormat('May  1 10:00:01 mx1 postfix/smtp[4110]: 4F3A2: to=<a@b.c>, status=bounced')).toBe('postfix');
    expect(sniffFormat('2026-05-01T10:00:01.123456+00:00 mx1 postfix/smtp[4110]: 4F3A2: to=<a@b.c>, status=sent')).toBe('postfix');
    expect(sniffFormat('From MAILER-DAEMON  Fri May  1 12:00:00 2026\nReturn-Path: <>')).toBe('dsn');
    expect(sniffFormat('Return-Path: <>\nDate: Fri, 01 May 2026')).toBe('dsn');
    expect(sniffFormat('\uFEFF[{"email":"a@b.c"}]')).toBe('json');
    expect(sniffFormat('{"notificationType":"Bounce"}\n')).toBe('json');
    expect(sniffFormat('email,reason,status\na@b.c,550,5.1.1')).toBe('csv');
  });
});

describe('Postfix logs', () => {
  it('reads status lines with codes, stage, relay, time and line; skips the rest; reports a broken status line', async () => {
    const { events, summary } = await read('postfix/mail.log');
    const by = byAddress(events);
    expect(by['alice.gone@gmail.com']).toMatchObject({ kind: 'bounce', basic: '550', enhanced: '5.1.1', stage: 'RCPT', mx: 'gmail-smtp-in.l.google.com', provider: 'Gmail', line: 5, class: 'recipient' });
    expect(by['alice.gone@gmail.com']?.text).toMatch(/^550 5\.1\.1 The email account that you tried to reach does not exist\. Please try double-checking/);
    expect(by['alice.gone@gmail.com']?.time).toBe(Date.UTC(2026, 4, 1, 10, 0, 1));
    expect(by['data.stage@example.com']).toMatchObject({ stage: 'DATA', class: 'unknown' });
    expect(by['greylisted@example.org']).toMatchObject({ temporary: true, class: 'transient' });
    expect(by['nobody@parked-brandname.com']).toMatchObject({ enhanced: '5.1.10', class: 'recipient', rule: 'null-mx' });
    expect(by['someone@example.com']).toMatchObject({ enhanced: '4.4.3', class: 'transient' });
    expect(events.filter((event) => event.kind === 'delivered').map((event) => event.address)).toEqual(['later.ok@yahoo.com', 'bounced.then.ok@example.org']);
    expect(summary).toMatchObject({ events: 23, delivered: 2, skipped: 7, problems: 1 });
    expect(summary.problemSamples[0]).toMatch(/mail\.log:27: a Postfix status line/);
  });

  it('puts a syslog line without a year in the latest year that is not in the future', () => {
    expect(postfixTime('May  1 10:00:01 mx1 postfix/smtp[1]: x', Date.UTC(2026, 10, 30))).toBe(Date.UTC(2026, 4, 1, 10, 0, 1));
    expect(postfixTime('Dec 31 23:00:00 mx1 postfix/smtp[1]: x', Date.UTC(2027, 0, 2))).toBe(Date.UTC(2026, 11, 31, 23));
    expect(postfixTime('2026-05-01T10:00:01.5+02:00 mx1 postfix/smtp[1]: x', 0)).toBe(Date.UTC(2026, 4, 1, 8, 0, 1, 500));
  });

  it('reads a gzip-compressed log (as logrotate leaves it) the same', async () => {
    const { readFile } = await import('node:fs/promises');
    const file = join(tmp, 'mail.log.1.gz');
    await writeFile(file, gzipSync(await readFile(join(DIR, 'postfix/mail.log'))));
    const plain = await read('postfix/mail.log');
    const events: BounceEvent[] = [];
    await collectBounces([file], { now: NOW, onEvent: (event) => void events.push(event) });
    expect(events.map((e) => [e.address, e.rule])).toEqual(plain.events.map((e) => [e.address, e.rule]));
  });
});

describe('RFC 3464 delivery reports', () => {
  it('reads a single .eml: recipient, status, folded diagnostic joined, remote MTA, last attempt time', async () => {
    const { events } = await read('dsn/gmail-no-such-user.eml');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ address: 'dsn.gone@gmail.com', enhanced: '5.1.1', basic: '550', stage: 'report', mx: 'gmail-smtp-in.l.google.com', provider: 'Gmail', class: 'recipient', line: 38 });
    expect(events[0]?.text).toMatch(/does not exist\. Please try double-checking the recipient's email address for typos or unnecessary spaces\./);
    expect(events[0]?.time).toBe(Date.parse('2026-05-01T17:15:00Z'));
  });

  it('reads an mbox: each report, a delayed one as temporary, an auto-reply skipped, a report without Action/Status reported', async () => {
    const { events, summary } = await read('dsn/bounces.mbox');
    const by = byAddress(events);
    expect(by['left.company@example.net']).toMatchObject({ enhanced: '5.4.1', class: 'recipient', rule: 'ms365-access-denied', line: 25 });
    // "Status: 5.0.0" with "550 5.1.1" in the diagnostic: the precise code is kept.
    expect(by['exim.gone@example.es']).toMatchObject({ enhanced: '5.1.1', class: 'recipient', line: 62 });
    expect(by['slow.server@example.org']).toMatchObject({ temporary: true, class: 'transient' });
    expect(by['fan@icloud.com']).toMatchObject({ class: 'sender', provider: 'iCloud', ip: '198.51.100.20' });
    expect(summary).toMatchObject({ events: 4, skipped: 1, problems: 1 });
    expect(summary.problemSamples[0]).toMatch(/bounces\.mbox:138: the delivery report for no\.status@example\.org has no Action or Status/);
  });
});

describe('provider JSON', () => {
  it('SES: JSON lines, SNS-wrapped, bounceSubType decides where explicit, deliveries, a cut-off line reported', async () => {
    const { events, summary } = await read('ses/notifications.jsonl');
    const by = byAddress(events);
    expect(by['ses.gone@example.com']).toMatchObject({ class: 'recipient', rule: 'no-such-user', source: 'SES', line: 1 });
    expect(by['noemail@example.org']).toMatchObject({ class: 'recipient', rule: 'provider-no-email' });
    expect(by['full@example.org']).toMatchObject({ class: 'transient' });
    expect(by['was.suppressed@example.org']).toMatchObject({ class: 'unknown', rule: 'provider-suppressed' });
    expect(by['sns.gone@gmail.com']).toMatchObject({ class: 'recipient', line: 7 });
    expect(by['ses.blocked@outlook.com']).toMatchObject({ class: 'sender', rule: 'microsoft-block-list', ip: '54.240.3.1' });
    expect(by['happy@example.org']).toMatchObject({ kind: 'delivered' });
    expect(by['undetermined@example.org']).toMatchObject({ class: 'unknown', line: 10 });
    expect(summary).toMatchObject({ problems: 1, skipped: 1 });
    expect(summary.problemSamples[0]).toMatch(/notifications\.jsonl:9: the JSON value starting here is not complete/);
  });

  it('SendGrid: an array of webhook events; "blocked" is sender whatever the text; dropped is no evidence', async () => {
    const { events, summary } = await read('sendgrid/events.json');
    const by = byAddress(events);
    expect(by['sg.gone@example.com']).toMatchObject({ class: 'recipient', ip: '167.89.100.10', time: Date.UTC(2026, 4, 1, 13), line: 2 });
    expect(by['sg.blocked@example.com']).toMatchObject({ class: 'sender', rule: 'provider-blocked' });
    expect(by['sg.deferred@example.com']).toMatchObject({ class: 'transient' });
    expect(by['sg.dropped@example.com']).toMatchObject({ class: 'unknown', rule: 'provider-suppressed' });
    expect(by['sg.happy@example.com']).toMatchObject({ kind: 'delivered' });
    expect(summary).toMatchObject({ skipped: 1, problems: 0 });
  });

  it('Mailgun: the events API page ({"items": [...]}), espblock and suppress-bounce, sending IP', async () => {
    const { events, summary } = await read('mailgun/events.json');
    const by = byAddress(events);
    expect(by['mg.gone@example.com']).toMatchObject({ class: 'recipient', basic: '550', enhanced: '5.1.1', ip: '209.61.151.10', mx: 'mx.example.com', line: 3 });
    expect(by['mg.esp@yahoo.com']).toMatchObject({ class: 'sender', rule: 'provider-blocked' });
    expect(by['mg.later@example.com']).toMatchObject({ class: 'transient' });
    expect(by['mg.suppressed@example.com']).toMatchObject({ class: 'unknown', rule: 'provider-suppressed' });
    expect(by['mg.happy@example.com']).toMatchObject({ kind: 'delivered' });
    expect(summary).toMatchObject({ problems: 0, skipped: 0 });
  });

  it('Postmark: the bounces API page ({"Bounces": [...]}), Type decides where explicit', async () => {
    const { events } = await read('postmark/bounces.json');
    const by = byAddress(events);
    expect(by['pm.gone@example.com']).toMatchObject({ class: 'recipient', enhanced: '5.1.1' });
    expect(by['pm.blocked@example.com']).toMatchObject({ class: 'sender', rule: 'provider-blocked' });
    expect(by['pm.dmarc@outlook.com']).toMatchObject({ class: 'sender', rule: 'provider-authentication' });
    expect(by['pm.soft@gmail.com']).toMatchObject({ class: 'transient' });
  });

  it('the splitter yields one record at a time across chunk boundaries, and reports junk lines', () => {
    const splitter = new JsonSplitter();
    const text = '{"a": "x}{"}\nnot json\n[{"b": [1, {"c": 2}]},\n {"d": "\\"]"}]\n{"items": [{"e": 1}], "paging": {"next": "x"}}\n';
    const pieces = [...text].flatMap((ch) => splitter.push(ch)).concat(splitter.end());
    expect(pieces).toEqual([
      { text: '{"a": "x}{"}', line: 1 },
      { error: 'not a JSON object', line: 2 },
      { text: '{"b": [1, {"c": 2}]}', line: 3 },
      { text: '{"d": "\\"]"}', line: 4 },
      { text: '{"e": 1}', line: 5 },
    ]);
  });
});

describe('CSV', () => {
  it('SendGrid, Mailgun and Postmark downloads: columns found by name, codes from their own columns', async () => {
    const sendgrid = byAddress((await read('sendgrid/bounces.csv')).events);
    expect(sendgrid['sgcsv.gone@example.com']).toMatchObject({ class: 'recipient', enhanced: '5.1.1', time: Date.UTC(2026, 4, 1, 13), line: 2 });
    expect(sendgrid['sgcsv.spam@example.com']).toMatchObject({ class: 'sender', rule: 'block-list' });
    expect(sendgrid['sgcsv.bare@example.com']).toMatchObject({ class: 'unknown' });
    const mailgun = byAddress((await read('mailgun/bounces.csv')).events);
    expect(mailgun['mgcsv.gone@example.com']).toMatchObject({ class: 'recipient', time: Date.UTC(2026, 4, 1, 13) });
    const postmark = byAddress((await read('postmark/bounces-export.csv')).events);
    expect(postmark['pmcsv.gone@example.com']).toMatchObject({ class: 'recipient', enhanced: '5.1.1' });
    expect(postmark['pmcsv.blocked@example.com']).toMatchObject({ class: 'sender', rule: 'provider-blocked' });
    expect(postmark['pmcsv.later@example.com']).toMatchObject({ class: 'transient' });
  });

  it('a generic CSV (semicolons, free header names), a malformed row reported with its line; no header: address, code, message', async () => {
    const { events, summary } = await read('generic/bounces.csv');
    const by = byAddress(events);
    expect(by['generic.gone@example.com']).toMatchObject({ class: 'recipient', basic: '550' });
    expect(by['generic.block@example.com']).toMatchObject({ class: 'sender' });
    expect(by['generic.nocode@example.com']).toMatchObject({ class: 'unknown', time: null });
    expect(summary.problems).toBe(1);
    expect(summary.problemSamples[0]).toMatch(/generic\/bounces\.csv:5: line 5/);
    const noHeader = await read('generic/no-header.csv');
    expect(noHeader.events.map((e) => [e.address, e.class])).toEqual([['generic.noheader@example.com', 'recipient']]);
    expect(noHeader.summary.skipped).toBe(1);
  });
});

describe('unreadable files', () => {
  it('a missing file or a directory is one E_INPUT error naming it', async () => {
    const items: ReadItem[] = [];
    const drain = async (file: string) => {
      for await (const item of readBounceFile(file)) items.push(item);
    };
    await expect(drain(join(tmp, 'missing.log'))).rejects.toThrow(ListscrubError);
    await expect(drain(join(tmp, 'missing.log'))).rejects.toThrow(/cannot read the bounce file .*missing\.log: no such file/);
    await expect(drain(tmp)).rejects.toThrow(/is a directory/);
    expect(items).toEqual([]);
  });
});

describe('JsonSplitter property', () => {
  it('whatever the layout and the chunk boundaries, yields exactly the records JSON.parse sees, with their lines', async () => {
    const fc = (await import('fast-check')).default;
    const record = fc.dictionary(fc.constantFrom('email', 'event', 'reason', 'a"b', 'x\\y', '{', ']'), fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 3 })), { minKeys: 1, maxKeys: 4 });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 8 }), fc.constantFrom('lines', 'array', 'pretty', 'items'), fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 6 }), (records, layout, cuts) => {
        const lines = records.map((r) => JSON.stringify(r));
        const text =
          layout === 'lines' ? `${lines.join('\n')}\n`
            : layout === 'array' ? `[${lines.join(',\n')}]\n`
              : layout === 'pretty' ? `${JSON.stringify(records, null, 2)}\n`
                : `{"paging": {"next": "x"}, "items": [\n${lines.join(',\n')}\n], "total": ${records.length}}\n`;
        const splitter = new JsonSplitter();
        const pieces = [];
        for (let at = 0, i = 0; at < text.length; i++) {
          const size = cuts[i % cuts.length] as number;
          pieces.push(...splitter.push(text.slice(at, at + size)));
          at += size;
        }
        pieces.push(...splitter.end());
        expect(pieces.every((piece) => 'text' in piece)).toBe(true);
        expect(pieces.map((piece) => JSON.parse((piece as { text: string }).text) as unknown)).toEqual(records);
        if (layout !== 'pretty') {
          const first = layout === 'items' ? 2 : 1;
          expect(pieces.map((piece) => piece.line)).toEqual(records.map((_, i) => first + i));
        }
      }),
      { numRuns: 300 },
    );
  });
});
