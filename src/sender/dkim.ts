/**
 * DKIM key records (RFC 6376 3.6.1) for the selectors given: the record exists, parses (mailauth),
 * is not revoked (empty p=), and its RSA key has at least 1024 bits (receivers ignore shorter keys;
 * 2048 is what Gmail and Yahoo ask for).
 */
import { parseDkimKey } from './mailauth.js';
import { describeAnswer, isFailure, type Query } from './lookup.js';
import { REPLIES } from './replies.js';
import { single } from './verdict.js';
import type { SenderCheck } from './types.js';

export interface Selector {
  selector: string;
  /** The signing domain (d=). */
  domain: string;
}

/** "s1" signs for the From domain; "s1:mg.example.com" for another d= domain. */
export function parseSelector(spec: string, fromDomain: string): Selector {
  const colon = spec.indexOf(':');
  if (colon < 0) return { selector: spec, domain: fromDomain };
  return { selector: spec.slice(0, colon), domain: spec.slice(colon + 1).toLowerCase() };
}

const REVOKED = /(^|;)\s*p\s*=\s*(;|$)/i;
const NEW_KEY = 'Publish a 2048-bit RSA key (or keep a 2048-bit one next to an ed25519 key) and sign with it.';

export function noSelector(domain: string): SenderCheck {
  return single('dkim', domain, [], {
    status: 'not_checked',
    text: 'No DKIM selector given (--selector): DKIM keys are published under a name only the signer knows.',
    fix: 'Give the selector your mail service signs with (the s= tag of a DKIM-Signature header).',
  });
}

export async function checkDkim(query: Query, { selector, domain }: Selector): Promise<SenderCheck> {
  const name = `${selector}._domainkey.${domain}`;
  const answer = await query(name, 'TXT');
  if (answer.kind !== 'ok') {
    if (isFailure(answer)) {
      return single('dkim', name, [`TXT ${name}: ${describeAnswer(answer)}`], { status: 'unknown', text: `The DKIM key at ${name} could not be read: ${describeAnswer(answer)}.` });
    }
    return single('dkim', name, [`TXT ${name}: ${describeAnswer(answer)}`], {
      status: 'fail',
      text: `No DKIM key is published at ${name}: every signature with s=${selector} d=${domain} fails.`,
      fix: 'Publish the public key your mail service gives you at that name, or check the selector.',
      reply: REPLIES.gmailUnauthenticated,
    });
  }
  const record = answer.records.find((text) => /(^|;)\s*p\s*=/i.test(text)) ?? (answer.records[0] as string);
  const evidence = answer.records.map((text) => `TXT ${name}: "${text}"`);
  if (REVOKED.test(record)) {
    return single('dkim', name, evidence, { status: 'fail', text: `The key at ${name} is revoked (empty p=): signatures with it fail.`, fix: NEW_KEY, reply: REPLIES.gmailUnauthenticated });
  }
  const key = await parseDkimKey(name, record);
  if (!key.ok) {
    return single('dkim', name, evidence, {
      status: 'fail',
      text: `The key at ${name} does not parse (${key.message}): verifiers treat its signatures as failing.`,
      fix: 'Republish the record exactly as your mail service gives it ("v=DKIM1; k=rsa; p=<base64>").',
      reply: REPLIES.gmailUnauthenticated,
    });
  }
  if (key.bits === null) return single('dkim', name, evidence, { status: 'pass', text: `An ${key.keyType} key is published at ${name}.` });
  evidence.push(`key: ${key.keyType}, ${key.bits} bits`);
  if (key.bits < 1024) {
    return single('dkim', name, evidence, { status: 'fail', text: `The key at ${name} has ${key.bits} bits: receivers ignore keys under 1024 bits, so mail counts as unsigned.`, fix: NEW_KEY, reply: REPLIES.gmailUnauthenticated });
  }
  if (key.bits < 2048) {
    return single('dkim', name, evidence, { status: 'warn', text: `The key at ${name} has ${key.bits} bits: accepted today, but Gmail and Yahoo ask for 2048.`, fix: NEW_KEY });
  }
  return single('dkim', name, evidence, { status: 'pass', text: `A ${key.bits}-bit RSA key is published at ${name}.` });
}
