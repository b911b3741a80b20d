/** `listscrub preflight`: the sender checks of src/sender/, printed for people or as JSON. */
import { ListscrubError } from '../errors.js';
import { preflight, type CheckStatus, type PreflightOptions, type PreflightReport, type SenderCheck } from '../sender/index.js';
import { DNS_FLAGS, DNS_HELP, dnsOptionsFromFlags, listFlag, parseFlags, stringFlag, type ParsedValues } from './args.js';
import { EXIT, useColor, type CliIo } from './io.js';
import { printable } from './output.js';

export const PREFLIGHT_HELP = `Usage: listscrub preflight --domain DOMAIN [options]

Before a campaign: will receivers accept mail from this sender at all? Checks the From domain's
SPF, DKIM and DMARC records, their alignment, that the sender's domains receive mail (bounces),
the reverse DNS of each sending IP, and the block lists. Each check says pass, warn, fail, unknown
(could not be checked: never counted as a fail) or not_checked, with what it saw, what to change
and the reply a receiving server would most likely give.

Options:
  --domain DOMAIN         the From: domain (required)
  --mail-from ADDR        the envelope sender / bounce address or domain (default: the From domain)
  --ip IP                 a sending IP (repeat, or comma-separated); needed for SPF per IP,
                          reverse DNS and IP block lists
  --helo NAME             the name the sending server gives in HELO/EHLO
  --selector SEL[:DOM]    a DKIM selector, for the From domain or for DOM (repeat)
  --bulk                  apply the 2024 bulk-sender rules (DMARC required)
  --dnsbl LIST            block lists: zen,dbl,barracuda,spamcop (default zen,dbl);
                          KIND=ZONE asks a kind at another zone (mirror, DQS, test zone)
  --no-dnsbl              skip the block lists
  --dqs-key KEY           a Spamhaus DQS key: zen and dbl are asked through Spamhaus DQS
  --json                  print the report as one JSON object
  -h, --help              show this help

${DNS_HELP}
  (--no-dns does not apply: preflight reads DNS records.)

Block lists are never asked through well-known public resolvers (8.8.8.8, 1.1.1.1, 9.9.9.9, ...):
Spamhaus refuses their queries, so those checks say not_checked. Use your own resolver (--dns) or
a DQS key.

Exit codes: 0 no check failed, 6 sender problems found (a check failed), 3 nothing failed but
something is unknown because DNS or a block list could not be trusted, 2 usage error.`;

const FLAGS = {
  ...DNS_FLAGS,
  domain: { type: 'string' },
  'mail-from': { type: 'string' },
  ip: { type: 'string', multiple: true },
  helo: { type: 'string' },
  selector: { type: 'string', multiple: true },
  bulk: { type: 'boolean' },
  dnsbl: { type: 'string' },
  'no-dnsbl': { type: 'boolean' },
  'dqs-key': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Repeated flags, each possibly a comma-separated list. */
function repeated(values: ParsedValues, name: string): string[] {
  const raw = values[name];
  const items = Array.isArray(raw) ? raw.filter((v): v is string => typeof v === 'string') : [];
  return items.flatMap((item) => listFlag(item) ?? []);
}

function optionsFromFlags(values: ParsedValues, positionals: string[], io: CliIo): PreflightOptions {
  if (positionals.length > 0) throw new ListscrubError('E_USAGE', `preflight takes no arguments, got "${positionals[0]}" (the domain goes after --domain).`);
  const domain = stringFlag(values, 'domain');
  if (domain === undefined) throw new ListscrubError('E_USAGE', 'preflight needs --domain (the From: domain you send as).');
  if (values['no-dns'] === true) throw new ListscrubError('E_USAGE', 'preflight checks DNS records: --no-dns cannot be used with it.');
  if (values['no-dnsbl'] === true && stringFlag(values, 'dnsbl') !== undefined) throw new ListscrubError('E_USAGE', '--dnsbl and --no-dnsbl contradict each other.');
  const { dns, rate, concurrency } = dnsOptionsFromFlags(values, io.env);
  const options: PreflightOptions = { domain, ...(dns === false || dns === undefined ? {} : { dns }) };
  if (rate !== undefined) options.rate = rate;
  if (concurrency !== undefined) options.concurrency = concurrency;
  const mailFrom = stringFlag(values, 'mail-from');
  if (mailFrom !== undefined) options.mailFrom = mailFrom;
  options.ips = repeated(values, 'ip');
  options.selectors = repeated(values, 'selector');
  const helo = stringFlag(values, 'helo');
  if (helo !== undefined) options.helo = helo;
  if (values.bulk === true) options.bulk = true;
  options.dnsbl = values['no-dnsbl'] === true ? false : (listFlag(stringFlag(values, 'dnsbl')) ?? ['zen', 'dbl']);
  const dqsKey = stringFlag(values, 'dqs-key');
  if (dqsKey !== undefined) options.dqsKey = dqsKey;
  return options;
}

const COLORS: Record<CheckStatus, string> = { pass: '32', warn: '33', fail: '31', unknown: '36', not_checked: '90' };

function paint(status: CheckStatus, text: string, color: boolean): string {
  return color ? `\u001b[${COLORS[status]}m${text}\u001b[0m` : text;
}

function formatCheck(check: SenderCheck, color: boolean): string {
  const lines = [`${paint(check.status, check.status.toUpperCase().padEnd(11), color)} ${check.check.padEnd(12)} ${printable(check.subject, 70)}`];
  const indent = ' '.repeat(12);
  lines.push(`${indent}${check.summary}`);
  if (check.status !== 'pass') {
    for (const seen of check.evidence) lines.push(`${indent}saw:   ${printable(seen, 120)}`);
    if (check.fix !== undefined) lines.push(`${indent}fix:   ${check.fix}`);
    if (check.reply !== undefined) lines.push(`${indent}reply: ${check.reply}`);
  }
  return lines.join('\n');
}

export function formatReport(report: PreflightReport, color: boolean): string {
  const about = [
    `mail from ${report.mailFrom}`,
    report.ips.length > 0 ? `IP ${report.ips.join(', ')}` : 'no IP',
    ...(report.helo === null ? [] : [`HELO ${report.helo}`]),
    report.selectors.length > 0 ? `DKIM ${report.selectors.join(', ')}` : 'no DKIM selector',
    ...(report.bulk ? ['bulk sender rules'] : []),
  ];
  const counts = (['pass', 'warn', 'fail', 'unknown', 'not_checked'] as const).map((s) => `${report.counts[s]} ${s.replace('_', ' ')}`).join(', ');
  return [
    `Sender preflight for ${report.domain} (${about.join('; ')})`,
    '',
    ...report.checks.map((check) => formatCheck(check, color)),
    '',
    `Result: ${paint(report.status, report.status.toUpperCase(), color)} (${counts})`,
    `DNS: ${report.dns.detail}`,
  ].join('\n');
}

export function exitCodeForReport(report: PreflightReport): number {
  if (report.status === 'fail') return EXIT.senderProblems;
  return report.status === 'unknown' ? EXIT.dnsUnhealthy : EXIT.ok;
}

export async function runPreflight(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, FLAGS);
  if (values.help === true) {
    io.stdout.write(`${PREFLIGHT_HELP}\n`);
    return EXIT.ok;
  }
  const options = optionsFromFlags(values, positionals, io);
  const stopped = io.interrupted.then((signal) => (signal === 'SIGINT' ? EXIT.sigint : EXIT.sigterm));
  const report = await Promise.race([preflight(options), stopped]);
  if (typeof report === 'number') return report;
  io.stdout.write(values.json === true ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report, useColor(io.stdout, io.env))}\n`);
  if (!report.dns.healthy) io.stderr.write(`listscrub: DNS is unhealthy: ${report.dns.detail}\n`);
  return exitCodeForReport(report);
}
