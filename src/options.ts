/**
 * Options are validated once, up front, with coded errors naming the key and what was expected.
 */
import { didYouMean } from './did-you-mean.js';
import { ListscrubError } from './errors.js';
import type { CheckOptions, DnsOptions } from './types.js';

export interface ValidatedCheckOptions {
  dns: false | DnsOptions;
  rate: number | undefined;
  concurrency: number | undefined;
  cacheTtl: { min?: number; max?: number } | undefined;
}

function fail(key: string, expected: string, value: unknown): never {
  throw new ListscrubError('E_OPTION', `Option "${key}" must be ${expected}; got ${describe(value)}.`);
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : String(value);
}

export function positiveNumber(key: string, value: unknown, { integer = false, min = 0 } = {}): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= min || (integer && !Number.isInteger(value))) {
    fail(key, integer ? `a whole number above ${min}` : `a number above ${min}`, value);
  }
  return value;
}

export function stringList(key: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) fail(key, 'a list of strings', value);
  return value as string[];
}

function rejectUnknownKeys(prefix: string, value: object, known: readonly string[], where = ''): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      const hint = didYouMean(key, known);
      throw new ListscrubError('E_OPTION', `Unknown option "${prefix}${key}"${where}${hint === '' ? `. Known: ${known.join(', ')}` : hint}.`);
    }
  }
}

/** The keys of CheckOptions, the options every entry point shares. */
export const CHECK_OPTION_KEYS = ['dns', 'rate', 'concurrency', 'cacheTtl', 'smtp'] as const;

/** The check options among an entry point's options (the ones given), for the scrubber it builds. */
export function checkOptionsOf(options: CheckOptions): CheckOptions {
  const picked: Record<string, unknown> = {};
  for (const key of CHECK_OPTION_KEYS) if (options[key] !== undefined) picked[key] = options[key];
  return picked as CheckOptions;
}

/**
 * Refuse keys an entry point does not know (`{ colum: 2 }` would otherwise be ignored without a
 * word), naming the near miss. `entry` names the function, e.g. "createScrubStream()".
 */
export function rejectUnknownOptions(options: object, known: readonly string[], entry: string): void {
  rejectUnknownKeys('', options, known, ` for ${entry}`);
}

const DNS_KEYS = ['servers', 'timeoutMs', 'retries', 'canary', 'allowPrivate', 'allowLoopback'] as const;

export function validateDnsOptions(value: unknown): false | DnsOptions {
  if (value === false) return false;
  if (value === undefined || value === true) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('dns', 'false or an object', value);
  rejectUnknownKeys('dns.', value, DNS_KEYS);
  const raw = value as Record<string, unknown>;
  const dns: DnsOptions = {};
  const servers = stringList('dns.servers', raw.servers);
  if (servers !== undefined) dns.servers = servers;
  const timeoutMs = positiveNumber('dns.timeoutMs', raw.timeoutMs, { integer: true });
  if (timeoutMs !== undefined) dns.timeoutMs = timeoutMs;
  if (raw.retries !== undefined) {
    if (typeof raw.retries !== 'number' || !Number.isInteger(raw.retries) || raw.retries < 0 || raw.retries > 10) {
      fail('dns.retries', 'a whole number from 0 to 10', raw.retries);
    }
    dns.retries = raw.retries;
  }
  const canary = stringList('dns.canary', raw.canary);
  if (canary !== undefined) dns.canary = canary;
  if (raw.allowPrivate !== undefined) {
    if (typeof raw.allowPrivate !== 'boolean') fail('dns.allowPrivate', 'true or false', raw.allowPrivate);
    dns.allowPrivate = raw.allowPrivate;
  }
  if (raw.allowLoopback !== undefined) {
    if (typeof raw.allowLoopback !== 'boolean') fail('dns.allowLoopback', 'true or false', raw.allowLoopback);
    dns.allowLoopback = raw.allowLoopback;
  }
  return dns;
}

export function validateCheckOptions(options: CheckOptions): ValidatedCheckOptions {
  if (typeof options !== 'object' || options === null) fail('options', 'an object', options);
  assertSmtpNeedsDns(options);
  return {
    dns: validateDnsOptions(options.dns),
    rate: positiveNumber('rate', options.rate),
    concurrency: positiveNumber('concurrency', options.concurrency, { integer: true }),
    cacheTtl: validateCacheTtl(options.cacheTtl),
  };
}

/**
 * The SMTP stage asks the MX hosts DNS found, so it needs DNS. (Its own options are checked by
 * src/smtp's validateSmtpOptions, where the stage is built.)
 */
function assertSmtpNeedsDns(options: CheckOptions): void {
  if (options.smtp !== undefined && options.dns === false) {
    throw new ListscrubError('E_OPTION', 'The SMTP check asks the mail servers DNS finds, so it needs DNS: drop --no-dns (option dns: false) or --smtp (option smtp).');
  }
}

function validateCacheTtl(value: unknown): { min?: number; max?: number } | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('cacheTtl', 'an object { min, max } in seconds', value);
  rejectUnknownKeys('cacheTtl.', value, ['min', 'max']);
  const raw = value as Record<string, unknown>;
  const ttl: { min?: number; max?: number } = {};
  const min = positiveNumber('cacheTtl.min', raw.min);
  const max = positiveNumber('cacheTtl.max', raw.max);
  if (min !== undefined) ttl.min = min;
  if (max !== undefined) ttl.max = max;
  if (min !== undefined && max !== undefined && min > max) fail('cacheTtl.min', `at most cacheTtl.max (${max})`, min);
  return ttl;
}
