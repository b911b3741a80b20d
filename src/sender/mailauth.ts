/**
 * The adapter to mailauth (pinned to 4.13.3, its last release for Node 20: 5.x needs Node 22): SPF
 * evaluation and DKIM key parsing, always with our resolver. Only the parts used are typed here;
 * mailauth is CommonJS without type declarations for lib/tools.js, hence createRequire.
 */
import { createRequire } from 'node:module';
import { getDomain } from 'tldts';
import type { MailauthResolver } from './lookup.js';

const require = createRequire(import.meta.url);

export type SpfResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'permerror' | 'temperror';

export interface SpfOutcome {
  result: SpfResult;
  /** mailauth's explanation ("... does not designate 192.0.2.1 as permitted sender"). */
  comment: string;
  /** DNS lookups counted against the 10-lookup limit, and void lookups against the limit of 2. */
  lookups: { count: number; void: number; limit: number };
}

interface MailauthSpf {
  spf(options: { sender: string; ip: string; helo?: string; mta: string; resolver: MailauthResolver }): Promise<{
    status: { result: SpfResult; comment?: string };
    lookups?: { count: number; void: number; limit: number };
  }>;
}

interface MailauthTools {
  getPublicKey(type: 'DKIM', name: string, minBitLength: number, resolver: MailauthResolver): Promise<{ modulusLength?: number; rr: string }>;
}

const { spf } = require('mailauth/lib/spf/index.js') as MailauthSpf;
const { getPublicKey } = require('mailauth/lib/tools.js') as MailauthTools;

/** Evaluate SPF (RFC 7208) for one sending IP; a DNS failure comes back as temperror, never fail. */
export async function evaluateSpf(sender: string, ip: string, helo: string | undefined, resolver: MailauthResolver): Promise<SpfOutcome> {
  // mailauth ignores some failed lookups (a SERVFAIL inside include: counts as "no match"), which
  // would turn a DNS failure into fail. Any failed lookup makes the result temperror here.
  let failed: string | undefined;
  const watched: MailauthResolver = async (name, type) => {
    try {
      return await resolver(name, type);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'ENOTFOUND' && code !== 'ENODATA') failed ??= `${type} ${name}: ${code ?? 'error'}`;
      throw error;
    }
  };
  const response = await spf({ sender, ip, mta: 'listscrub', resolver: watched, ...(helo === undefined ? {} : { helo }) });
  if (failed !== undefined && response.status.result !== 'pass') {
    return { result: 'temperror', comment: `a DNS lookup failed (${failed})`, lookups: response.lookups ?? { count: 0, void: 0, limit: 10 } };
  }
  return {
    result: response.status.result,
    comment: (response.status.comment ?? '').replace(/^listscrub: /, ''),
    lookups: response.lookups ?? { count: 0, void: 0, limit: 10 },
  };
}

export type DkimKey = { ok: true; keyType: 'rsa' | 'ed25519'; bits: number | null } | { ok: false; code: string; message: string };

/** Parse a DKIM key record (RFC 6376 3.6.1) as a verifier would: its text is given, not looked up. */
export async function parseDkimKey(name: string, record: string): Promise<DkimKey> {
  try {
    // Minimum length 1: the length is judged by the caller (warn under 2048, fail under 1024).
    const key = await getPublicKey('DKIM', name, 1, async () => [[record]]);
    const bits = key.modulusLength ?? null;
    return { ok: true, keyType: bits === null ? 'ed25519' : 'rsa', bits };
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    return { ok: false, code: code ?? 'EINVALID', message: message ?? String(error) };
  }
}

/** The organizational domain (RFC 7489 3.2) from the Public Suffix List, as mailauth's DMARC uses it. */
export function organizationalDomain(domain: string): string {
  return getDomain(domain, { allowIcannDomains: true, allowPrivateDomains: true }) ?? domain;
}
