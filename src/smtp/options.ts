/**
 * The `smtp` option: validated up front, defaults filled in. The two identities must be names the
 * user controls: a probe that says `HELO gmail.com` is how a verifier's user ends up on Spamhaus.
 */
import { isIP } from 'node:net';
import { addressFacts } from '../address/facts.js';
import { didYouMean } from '../did-you-mean.js';
import { ListscrubError } from '../errors.js';
import { describe } from '../options.js';
import { asciiDomain } from '../sender/lookup.js';
import type { ResolvedSmtpOptions } from './types.js';

const KEYS = ['helo', 'from', 'port', 'timeouts', 'limits', 'maxWaitSeconds', 'maxHosts', 'addressesPerConnection', 'probeUnverifiable', 'catchAll'] as const;
const FLAGS: Record<string, string> = { helo: ' (--smtp-helo)', from: ' (--smtp-from)', port: ' (--smtp-port)', maxWaitSeconds: ' (--smtp-max-wait)' };

const DEFAULTS = {
  port: 25,
  timeouts: { connectMs: 10_000, greetingMs: 30_000, commandMs: 30_000, sessionMs: 90_000 },
  limits: { connectionsPerGroup: 2, connectIntervalMs: 1000, probesPerMinute: 60 },
  maxWaitSeconds: 900,
  maxHosts: 3,
  addressesPerConnection: 20,
} as const;

/** Mail infrastructure names of the big providers that no free-mail list carries. */
const PROVIDER_INFRASTRUCTURE = new Set(['google.com', 'outlook.com', 'office365.com', 'microsoft.com', 'yahoodns.net', 'apple.com', 'amazonses.com']);

function fail(key: string, expected: string, value: unknown): never {
  throw new ListscrubError('E_OPTION', `Option "smtp.${key}"${FLAGS[key] ?? ''} must be ${expected}; got ${describe(value)}.`);
}

/** True when the name or a parent of it is a big mailbox provider's. */
function isProviderName(name: string): boolean {
  const labels = name.split('.');
  for (let i = 0; i < labels.length - 1; i++) {
    const suffix = labels.slice(i).join('.');
    if (PROVIDER_INFRASTRUCTURE.has(suffix) || addressFacts(`x@${suffix}`).free) return true;
  }
  return false;
}

/** Why `name` cannot be our identity, or null when it can. */
function identityProblem(name: string): string | null {
  const bare = name.replace(/^\[|\]$/g, '');
  if (isIP(bare) !== 0) return 'a domain name we own, not an IP address';
  const ascii = asciiDomain(name);
  if (ascii === '' || ascii === 'localhost' || ascii.endsWith('.localhost') || ascii.endsWith('.localdomain')) {
    return 'a fully qualified domain name we own (with a dot; not localhost)';
  }
  if (isProviderName(ascii)) return 'a domain we own, not a mailbox provider\'s (a probe in a provider\'s name gets our IP block-listed)';
  return null;
}

function number(key: string, value: unknown, fallback: number, { min = 1, max = Number.MAX_SAFE_INTEGER } = {}): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(key, `a whole number from ${min} to ${max}`, value);
  return value;
}

function boolean(key: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(key, 'true or false', value);
  return value;
}

function object(key: string, value: unknown, known: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(key, 'an object', value);
  rejectUnknown(`${key}.`, value, known);
  return value as Record<string, unknown>;
}

function rejectUnknown(prefix: string, value: object, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const hint = didYouMean(key, known);
    throw new ListscrubError('E_OPTION', `Unknown option "smtp.${prefix}${key}"${hint === '' ? `. Known: ${known.join(', ')}` : hint}.`);
  }
}

function identities(raw: Record<string, unknown>): { helo: string; from: string } {
  if (typeof raw.helo !== 'string' || raw.helo.trim() === '') fail('helo', 'the FQDN of the host we probe from, e.g. mx1.example.com', raw.helo);
  const heloProblem = identityProblem(raw.helo.trim());
  if (heloProblem !== null) fail('helo', heloProblem, raw.helo);
  if (typeof raw.from !== 'string' || !/^[\x21-\x7e]+$/.test(raw.from.trim()) || !/^[^\s@<>]+@[^\s@<>]+$/.test(raw.from.trim())) fail('from', 'an address we own, e.g. verify@example.com', raw.from);
  const from = raw.from.trim();
  const fromProblem = identityProblem(from.slice(from.lastIndexOf('@') + 1));
  if (fromProblem !== null) fail('from', `an address at ${fromProblem}`, raw.from);
  return { helo: asciiDomain(raw.helo), from: `${from.slice(0, from.lastIndexOf('@'))}@${asciiDomain(from.slice(from.lastIndexOf('@') + 1))}` };
}

export function validateSmtpOptions(value: unknown): ResolvedSmtpOptions {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ListscrubError('E_OPTION', `Option "smtp" must be an object with at least { helo, from }; got ${describe(value)}.`);
  }
  rejectUnknown('', value, KEYS);
  const raw = value as Record<string, unknown>;
  const t = object('timeouts', raw.timeouts, Object.keys(DEFAULTS.timeouts));
  const l = object('limits', raw.limits, Object.keys(DEFAULTS.limits));
  return {
    ...identities(raw),
    port: number('port', raw.port, DEFAULTS.port, { max: 65535 }),
    timeouts: {
      connectMs: number('timeouts.connectMs', t.connectMs, DEFAULTS.timeouts.connectMs),
      greetingMs: number('timeouts.greetingMs', t.greetingMs, DEFAULTS.timeouts.greetingMs),
      commandMs: number('timeouts.commandMs', t.commandMs, DEFAULTS.timeouts.commandMs),
      sessionMs: number('timeouts.sessionMs', t.sessionMs, DEFAULTS.timeouts.sessionMs),
    },
    limits: {
      connectionsPerGroup: number('limits.connectionsPerGroup', l.connectionsPerGroup, DEFAULTS.limits.connectionsPerGroup, { max: 10 }),
      connectIntervalMs: number('limits.connectIntervalMs', l.connectIntervalMs, DEFAULTS.limits.connectIntervalMs, { min: 0 }),
      probesPerMinute: number('limits.probesPerMinute', l.probesPerMinute, DEFAULTS.limits.probesPerMinute, { max: 6000 }),
    },
    maxWaitSeconds: number('maxWaitSeconds', raw.maxWaitSeconds, DEFAULTS.maxWaitSeconds, { min: 0, max: 86_400 }),
    maxHosts: number('maxHosts', raw.maxHosts, DEFAULTS.maxHosts, { max: 10 }),
    addressesPerConnection: number('addressesPerConnection', raw.addressesPerConnection, DEFAULTS.addressesPerConnection, { max: 100 }),
    probeUnverifiable: boolean('probeUnverifiable', raw.probeUnverifiable, false),
    catchAll: boolean('catchAll', raw.catchAll, true),
  };
}

/** Look up addresses of a name (A and AAAA together); the DNS stage's resolver in production. */
export type AddressLookup = (name: string) => Promise<string[]>;

/**
 * Warnings about identities that pass validation but will cost replies (no address record for the
 * HELO name). Only an answer with no address warns: a lookup that fails says nothing, since it
 * proves nothing about the name.
 */
export async function checkSmtpIdentity(options: { helo: string }, lookup: AddressLookup): Promise<string[]> {
  let addresses: string[];
  try {
    addresses = await lookup(options.helo);
  } catch {
    return [];
  }
  if (addresses.length > 0) return [];
  return [`The HELO name ${options.helo} has no A/AAAA record: many servers refuse or distrust a client whose name does not resolve. Publish one pointing at this host's IP.`];
}
