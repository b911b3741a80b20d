/** `listscrub check <address...>`: one verdict per address, in the order given. */
import { ListscrubError } from '../errors.js';
import { createScrubber, type Scrubber } from '../scrubber.js';
import type { Verdict } from '../types.js';
import { DNS_FLAGS, DNS_HELP, dnsOptionsFromFlags, parseFlags } from './args.js';
import { EXIT, useColor, writeText, type CliIo } from './io.js';
import { boundedLines } from './stdin-lines.js';
import { formatSmtpLines, SMTP_FLAGS, SMTP_HELP, smtpOptionsFromFlags } from './smtp-flags.js';
import { formatTable, paintStatus, printable, terminalSafe, terminalSafeJson } from './output.js';

export const CHECK_HELP = `Usage: listscrub check [options] <address...>

Checks each address (syntax, policy, and its domain's mail setup in DNS) and prints one verdict per
address in the order given. "-" reads addresses from standard input, one per line (a line over 1024
characters is an invalid verdict); "--" ends the options, so an address starting with "-" can be checked.

Options:
  --json                  one JSON object per line instead of a table
  -h, --help              show this help

${DNS_HELP}

${SMTP_HELP}

Exit codes: 0 checked (whatever the verdicts), 2 usage error, 3 a check was unavailable (DNS was
unhealthy: DNS-dependent verdicts are "unknown"; or --smtp could not reach any mail server, or its
check stopped after three providers tripped their breakers: the DNS verdicts stand).`;

/** Addresses checked at once: bounded so a huge stdin never floods the resolver or memory. */
const WINDOW = 64;

/**
 * Characters of a standard-input line that are checked and shown: four times the longest address
 * (254). A longer line is an invalid verdict saying how long it was, never a crash.
 */
const MAX_LINE_CHARS = 1024;

interface Item {
  address: string;
  /** Set when a standard-input line was longer than MAX_LINE_CHARS: its full length. */
  overlong?: number;
}

async function* addressesFrom(positionals: string[], io: CliIo): AsyncGenerator<Item> {
  for (const item of positionals) {
    if (item !== '-') {
      yield { address: item };
      continue;
    }
    for await (const line of boundedLines(io.stdin, MAX_LINE_CHARS)) {
      if (line.length > MAX_LINE_CHARS) yield { address: line.text, overlong: line.length };
      else if (line.text.trim() !== '') yield { address: line.text };
    }
  }
}

/** The verdict of an item: an over-long line's detail gives the line's real length. */
async function checkItem(scrubber: Scrubber, item: Item): Promise<Verdict> {
  const verdict = await scrubber.check(item.address);
  // (The kept part is over 254 characters, so it is invalid unless it was mostly blanks around an address.)
  if (item.overlong === undefined || verdict.status !== 'invalid') return verdict;
  return {
    ...verdict,
    detail: `The line is ${item.overlong} characters long (only the first ${MAX_LINE_CHARS + 1} are shown); no email address is longer than 254.`,
  };
}

export async function runCheck(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, { ...DNS_FLAGS, ...SMTP_FLAGS, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help === true) {
    io.stdout.write(`${CHECK_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new ListscrubError('E_USAGE', 'check needs at least one address (or "-" to read standard input).');
  const smtp = smtpOptionsFromFlags(values);
  const scrubber = createScrubber({ ...dnsOptionsFromFlags(values, io.env), ...(smtp === undefined ? {} : { smtp }) });
  const json = values.json === true;
  const color = useColor(io.stdout, io.env);
  const rows: string[][] = [];
  // JSON lines go out as they are decided, at the pace the reader takes them (backpressure).
  const emit = async (verdict: Verdict): Promise<void> => {
    if (json) await writeText(io.stdout, `${terminalSafeJson(JSON.stringify(verdict))}\n`);
    else {
      const suggestion = verdict.suggestion ? `did you mean ${verdict.suggestion}?` : '';
      rows.push([printable(verdict.input, 60), verdict.status, verdict.reason, terminalSafe(verdict.detail), terminalSafe(suggestion)]);
    }
  };
  try {
    await scrubber.ready();
    const stopped = io.interrupted.then((signal) => (signal === 'SIGINT' ? EXIT.sigint : EXIT.sigterm));
    const finished = (async (): Promise<undefined> => {
      // Keep input order with a bounded window of lookups in flight.
      const pending: Array<Promise<Verdict>> = [];
      for await (const item of addressesFrom(positionals, io)) {
        pending.push(checkItem(scrubber, item));
        if (pending.length >= WINDOW) await emit(await (pending.shift() as Promise<Verdict>));
      }
      for (const verdict of pending) await emit(await verdict);
      return undefined;
    })();
    const signalled = await Promise.race([finished, stopped]);
    if (signalled !== undefined) return signalled;
    if (!json && rows.length > 0) {
      const table = formatTable([['ADDRESS', 'STATUS', 'REASON', 'DETAIL', 'SUGGESTION'], ...rows], (r, c, text) =>
        r > 0 && c === 1 ? paintStatus(rows[r - 1]?.[1] as Verdict['status'], text, color) : text,
      );
      await writeText(io.stdout, `${table}\n`);
    }
    for (const warning of await scrubber.smtpWarnings()) io.stderr.write(`listscrub: warning: ${terminalSafe(warning)}\n`);
    const health = scrubber.health();
    if (health !== null && !health.healthy) {
      io.stderr.write(`listscrub: DNS is unhealthy: ${terminalSafe(health.detail)}\n`);
      return EXIT.dnsUnhealthy;
    }
    const smtpSummary = scrubber.mailbox?.summary();
    if (smtpSummary !== undefined) {
      for (const line of formatSmtpLines(smtpSummary)) if (smtpSummary.status !== 'ok' || line.includes('SENDER PROBLEM')) io.stderr.write(`listscrub:${terminalSafe(line.replace(/^ +/, ' '))}
`);
      if (smtpSummary.status !== 'ok') return EXIT.dnsUnhealthy;
    }
    return EXIT.ok;
  } finally {
    await scrubber.close();
  }
}
