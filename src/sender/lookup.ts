/**
 * The preflight's DNS: every question goes through listscrub's own resolver (DomainChecker.query:
 * its limiter, timeouts and retries). Answers become evidence text here, and mailauth gets a
 * resolver of the shape it expects (node's dns.resolve: arrays, or errors with node's codes).
 */
import { domainToASCII } from 'node:url';
import type { DomainChecker, QueryAnswer } from '../dns/index.js';

export type Query = DomainChecker['query'];

/** The code of the answer to a question not sent because the resolver failed its health check. */
export const UNTRUSTED_CODE = 'EUNTRUSTED';

/** What an answer that is not records means, in words for the evidence. */
export function describeAnswer(answer: Exclude<QueryAnswer<unknown>, { kind: 'ok' }>): string {
  switch (answer.kind) {
    case 'nxdomain':
      return 'NXDOMAIN (no such name)';
    case 'nodata':
      return 'no records of that type';
    case 'servfail':
      return 'SERVFAIL (server failure)';
    case 'refused':
      return 'REFUSED';
    case 'timeout':
      return `no answer in time (${answer.code})`;
    default:
      return answer.code === UNTRUSTED_CODE ? 'not asked: the DNS resolver failed its health check' : `error (${answer.code})`;
  }
}

/** A temporary failure: the check cannot be made, so it is unknown. */
export function isFailure<T>(answer: QueryAnswer<T>): answer is Extract<QueryAnswer<T>, { code: string }> {
  return answer.kind !== 'ok' && answer.kind !== 'nxdomain' && answer.kind !== 'nodata';
}

const NODE_CODE: Record<string, string> = { nxdomain: 'ENOTFOUND', nodata: 'ENODATA' };

function codedError(answer: Exclude<QueryAnswer<unknown>, { kind: 'ok' }>, name: string): Error {
  const code = 'code' in answer ? answer.code : (NODE_CODE[answer.kind] ?? 'EUNKNOWN');
  return Object.assign(new Error(`${code} ${name}`), { code });
}

export type MailauthResolver = (name: string, type: string) => Promise<unknown[]>;

/** node:dns's resolve(name, type) shape, over our resolver, for mailauth. */
export function mailauthResolver(query: Query): MailauthResolver {
  return async (name, type) => {
    switch (type) {
      case 'TXT': {
        const answer = await query(name, 'TXT');
        if (answer.kind !== 'ok') throw codedError(answer, name);
        return answer.records.map((text) => [text]);
      }
      case 'A':
      case 'AAAA': {
        const answer = await query(name, type);
        if (answer.kind !== 'ok') throw codedError(answer, name);
        return answer.records.map((record) => record.address);
      }
      case 'MX':
      case 'PTR': {
        const answer = type === 'MX' ? await query(name, 'MX') : await query(name, 'PTR');
        if (answer.kind !== 'ok') throw codedError(answer, name);
        return answer.records;
      }
      default:
        throw Object.assign(new Error(`unsupported query type ${type}`), { code: 'ENOTIMP' });
    }
  };
}

/** Lower-case ASCII (punycode) form of a domain, without a trailing dot; '' when it is not one. */
export function asciiDomain(domain: string): string {
  const trimmed = domain.trim().replace(/\.$/, '').toLowerCase();
  if (!/^[^\s@/\\]+\.[^\s@/\\]+$/.test(trimmed)) return '';
  return domainToASCII(trimmed);
}
