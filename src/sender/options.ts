/** preflight()'s options, checked up front: coded errors that name the option and what it expected. */
import { isIP } from 'node:net';
import { ListscrubError } from '../errors.js';
import { didYouMean as suggestion } from '../did-you-mean.js';
import { validateCheckOptions } from '../options.js';
import type { DnsOptions } from '../types.js';
import { resolveLists, type DnsblList } from './dnsbl-lists.js';
import { parseSelector, type Selector } from './dkim.js';
import { asciiDomain } from './lookup.js';
import { DNSBL_KINDS, type PreflightOptions } from './types.js';

export interface CheckedPreflight {
  domain: string;
  sender: string;
  mailFromDomain: string;
  ips: string[];
  helo: string | undefined;
  selectors: Selector[];
  bulk: boolean;
  lists: DnsblList[];
  dns: DnsOptions;
  rate: number | undefined;
  concurrency: number | undefined;
}

function optionError(message: string): ListscrubError {
  return new ListscrubError('E_OPTION', message);
}

function domainOption(name: string, value: unknown): string {
  const domain = typeof value === 'string' ? asciiDomain(value) : '';
  if (domain === '') throw optionError(`${name} must be a domain name such as example.com; got ${JSON.stringify(value)}.`);
  return domain;
}

function stringArray(name: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw optionError(`${name} must be a list of strings.`);
  return value as string[];
}

/** "bounce@mg.example.com" or "mg.example.com" -> the address used for SPF and its domain. */
function mailFromOption(value: unknown, domain: string): { sender: string; mailFromDomain: string } {
  if (value === undefined) return { sender: `postmaster@${domain}`, mailFromDomain: domain };
  if (typeof value !== 'string') throw optionError('mailFrom must be an address or a domain.');
  const at = value.lastIndexOf('@');
  const mailFromDomain = domainOption('mailFrom', at < 0 ? value : value.slice(at + 1));
  const local = at <= 0 ? 'postmaster' : value.slice(0, at);
  return { sender: `${local}@${mailFromDomain}`, mailFromDomain };
}

export function checkPreflightOptions(options: PreflightOptions): CheckedPreflight {
  if (typeof options !== 'object' || options === null) throw optionError('preflight needs an options object with at least { domain }.');
  const domain = domainOption('domain', options.domain);
  const ips = stringArray('ips', options.ips).map((ip) => ip.trim());
  const badIp = ips.find((ip) => isIP(ip) === 0);
  if (badIp !== undefined) throw optionError(`ips: "${badIp}" is not an IPv4 or IPv6 address.`);
  const helo = options.helo === undefined ? undefined : domainOption('helo', options.helo);
  const selectors = stringArray('selectors', options.selectors).map((spec) => {
    const selector = parseSelector(spec.trim(), domain);
    if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/i.test(selector.selector)) throw optionError(`selectors: "${spec}" is not a DKIM selector (letters, digits, "-", "_", dots).`);
    return { ...selector, domain: domainOption('selectors', selector.domain) };
  });
  if (options.dqsKey !== undefined && (typeof options.dqsKey !== 'string' || !/^[a-z0-9]+$/i.test(options.dqsKey))) {
    throw optionError('dqsKey must be the letters and digits of a Spamhaus DQS key.');
  }
  const specs = options.dnsbl === false ? [] : stringArray('dnsbl', options.dnsbl ?? ['zen', 'dbl']);
  const lists = resolveLists(specs, options.dqsKey, (given) => suggestion(given, DNSBL_KINDS));
  const checked = validateCheckOptions({ dns: options.dns ?? {}, rate: options.rate, concurrency: options.concurrency });
  if (checked.dns === false) throw optionError('preflight needs DNS: dns cannot be false.');
  return {
    domain,
    ...mailFromOption(options.mailFrom, domain),
    ips: [...new Set(ips)],
    helo,
    selectors,
    bulk: options.bulk === true,
    lists,
    dns: checked.dns,
    rate: checked.rate,
    concurrency: checked.concurrency,
  };
}
