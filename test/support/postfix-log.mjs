#!/usr/bin/env node
// Writes a large, realistic Postfix mail log for the memory measurement in README "Bounces":
// per message a connect, cleanup and qmgr line, then one smtp status line per recipient (about 90%
// sent, 6% bounced with real Gmail / Microsoft / Yahoo / Postfix replies, 4% deferred), recipients
// drawn from a fixed pool so the number of distinct addresses stays the same whatever the size.
//   node test/support/postfix-log.mjs OUT.log SIZE_MB [POOL]
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const [out, sizeArg, poolArg] = process.argv.slice(2);
if (out === undefined || sizeArg === undefined) {
  console.error('usage: node test/support/postfix-log.mjs OUT.log SIZE_MB [POOL]');
  process.exit(2);
}
const target = Number(sizeArg) * 1024 * 1024;
const pool = Number(poolArg ?? 200_000);
const DOMAINS = [
  ['gmail.com', 'gmail-smtp-in.l.google.com[142.250.27.27]'],
  ['outlook.com', 'outlook-com.olc.protection.outlook.com[52.101.8.44]'],
  ['yahoo.com', 'mta5.am0.yahoodns.net[67.195.204.72]'],
  ['example.org', 'mx.example.org[93.184.215.21]'],
];
const BOUNCES = [
  ['5.1.1', "550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 unnecessary spaces. For more information, go to 550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1si1234567wmb.123 - gsmtp (in reply to RCPT TO command)"],
  ['5.7.1', "550 5.7.1 Unfortunately, messages from [198.51.100.20] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). [DB5EUR03FT012.eop-EUR03.prod.protection.outlook.com] (in reply to MAIL FROM command)"],
  ['5.0.0', "554 delivery error: dd This user doesn't have a yahoo.com account [0] - mta4008.mail.gq1.yahoo.com (in reply to end of DATA command)"],
  ['5.1.1', '550 5.1.1 <x@example.org>: Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO command)'],
];
const stream = createWriteStream(out);
let written = 0;
let n = 0;
let seed = 12345;
const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const pad = (v) => String(v).padStart(2, '0');
while (written < target) {
  n += 1;
  const minute = Math.floor(n / 600);
  const stamp = `May ${pad(1 + (Math.floor(minute / 1440) % 28)).replace(/^0/, ' ')} ${pad(Math.floor(minute / 60) % 24)}:${pad(minute % 60)}:${pad(n % 60)}`;
  const queue = n.toString(16).toUpperCase().padStart(10, '0');
  const lines = [
    `${stamp} mx1 postfix/smtpd[${1000 + (n % 5000)}]: connect from app1.sender.example[198.51.100.20]`,
    `${stamp} mx1 postfix/cleanup[${2000 + (n % 500)}]: ${queue}: message-id=<${n}.${queue}@sender.example>`,
    `${stamp} mx1 postfix/qmgr[1201]: ${queue}: from=<news@sender.example>, size=18234, nrcpt=1 (queue active)`,
  ];
  const user = Math.floor(random() * pool);
  const [domain, relay] = DOMAINS[user % DOMAINS.length];
  const to = `user${user}@${domain}`;
  const roll = random();
  if (roll < 0.9) {
    lines.push(`${stamp} mx1 postfix/smtp[${3000 + (n % 800)}]: ${queue}: to=<${to}>, relay=${relay}:25, delay=0.9, delays=0.01/0/0.4/0.49, dsn=2.0.0, status=sent (250 2.0.0 OK  1714568405 a1si1234567wmb.12 - gsmtp)`);
  } else if (roll < 0.96) {
    const [dsn, reply] = BOUNCES[user % BOUNCES.length];
    lines.push(`${stamp} mx1 postfix/smtp[${3000 + (n % 800)}]: ${queue}: to=<${to}>, relay=${relay}:25, delay=0.9, delays=0.01/0/0.4/0.49, dsn=${dsn}, status=bounced (host ${relay.replace(/\[.*/, '')}[1.2.3.4] said: ${reply})`);
  } else {
    lines.push(`${stamp} mx1 postfix/smtp[${3000 + (n % 800)}]: ${queue}: to=<${to}>, relay=${relay}:25, delay=300, delays=0.01/0/300/0, dsn=4.4.1, status=deferred (connect to ${relay}:25: Connection timed out)`);
  }
  lines.push(`${stamp} mx1 postfix/qmgr[1201]: ${queue}: removed`);
  const text = `${lines.join('\n')}\n`;
  written += Buffer.byteLength(text);
  if (!stream.write(text)) await once(stream, 'drain');
}
stream.end();
await once(stream, 'finish');
console.error(`${out}: ${(written / 1024 / 1024).toFixed(0)} MB, ${n.toLocaleString('en-US')} messages, ${pool.toLocaleString('en-US')} addresses in the pool`);
