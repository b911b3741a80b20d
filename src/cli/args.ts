/**
 * Flag parsing shared by the commands, on node:util parseArgs. Usage mistakes become E_USAGE errors,
 * which the single top-level handler prints without a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { didYouMean } from '../did-you-mean.js';
import { ListscrubError } from '../errors.js';
import { checkServers } from './dns-servers.js';
import type { CheckOptions, DnsOptions } from '../types.js';

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** DNS flags, the same for every command that resolves domains. */
export const DNS_FLAGS = {
  dns: { type: 'string' },
  'no-dns': { type: 'boolean' },
  'dns-timeout': { type: 'string' },
  'dns-retries': { type: 'string' },
  'dns-canary': { type: 'string' },
  'allow-private': { type: 'boolean' },
  'allow-loopback': { type: 'boolean' },
  rate: { type: 'string' },
  concurrency: { type: 'string' },
} as const satisfies OptionSpec;

export const DNS_HELP = `DNS options:
  --dns IP[:PORT],...     resolvers to use (default: $LISTSCRUB_DNS, else the system's)
  --no-dns                offline: check syntax and policy only, no DNS lookups
  --dns-timeout MS        per-attempt timeout in milliseconds (default 2000)
  --dns-retries N         retries after a timeout (default 2)
  --dns-canary A,B        domains that must resolve for DNS to be trusted
                          (default gmail.com,outlook.com,yahoo.com; "" disables the check)
  --allow-private         accept MX hosts on private addresses (internal lists)
  --allow-loopback        accept MX hosts on 127.0.0.0/8 and ::1 (tests, local relays)
  --rate N                DNS queries per second (default 200)
  --concurrency N         DNS queries in flight (default 50)`;

export type ParsedValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export function parseFlags(args: string[], options: OptionSpec): { values: ParsedValues; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as ParsedValues, positionals };
  } catch (error) {
    // parseArgs errors are about the command line: say what was wrong, without a stack.
    const message = error instanceof Error ? error.message.replace(/\. To specify a positional.*$/s, '.') : String(error);
    throw new ListscrubError('E_USAGE', withFlagHint(message, options));
  }
}

/** "Unknown option '--colum'." gets the near-miss flag: "... (did you mean "--column"?)". */
function withFlagHint(message: string, options: OptionSpec): string {
  const unknown = /^Unknown option '--([^'=]+)'/.exec(message);
  if (unknown === null) return message;
  const hint = didYouMean(unknown[1]!, Object.keys(options)).replace(/"([^"]+)"/, '"--$1"');
  return hint === '' ? message : `${message.replace(/\.$/, '')}${hint}.`;
}

export function stringFlag(values: ParsedValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function numberFlag(values: ParsedValues, name: string, { integer = false, min = 0 } = {}): number | undefined {
  const raw = stringFlag(values, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new ListscrubError('E_USAGE', `--${name} takes ${integer ? 'a whole number' : 'a number'} of at least ${min}; got "${raw}".`);
  }
  return value;
}

export function listFlag(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Turn the DNS flags (and LISTSCRUB_DNS) into library options. */
export function dnsOptionsFromFlags(values: ParsedValues, env: Record<string, string | undefined>): CheckOptions {
  const options: CheckOptions = {};
  const rate = numberFlag(values, 'rate', { min: 0.001 });
  const concurrency = numberFlag(values, 'concurrency', { integer: true, min: 1 });
  if (rate !== undefined) options.rate = rate;
  if (concurrency !== undefined) options.concurrency = concurrency;
  if (values['no-dns'] === true) {
    if (stringFlag(values, 'dns') !== undefined) throw new ListscrubError('E_USAGE', '--dns and --no-dns contradict each other.');
    options.dns = false;
    return options;
  }
  const dns: DnsOptions = {};
  const flag = stringFlag(values, 'dns');
  const servers = listFlag(flag ?? env.LISTSCRUB_DNS);
  if (servers !== undefined) checkServers(servers, flag === undefined ? '$LISTSCRUB_DNS' : '--dns');
  if (servers !== undefined && servers.length > 0) dns.servers = servers;
  const timeoutMs = numberFlag(values, 'dns-timeout', { integer: true, min: 1 });
  if (timeoutMs !== undefined) dns.timeoutMs = timeoutMs;
  const retries = numberFlag(values, 'dns-retries', { integer: true, min: 0 });
  if (retries !== undefined) dns.retries = retries;
  const canary = listFlag(stringFlag(values, 'dns-canary'));
  if (canary !== undefined) dns.canary = canary;
  if (values['allow-private'] === true) dns.allowPrivate = true;
  if (values['allow-loopback'] === true) dns.allowLoopback = true;
  options.dns = dns;
  return options;
}
