/**
 * Block-list checks with the fail-safe rules of issue 15: a listing only from a documented listing
 * code; error codes and any other answer are unknown; "not listed" (NXDOMAIN) only when the list's
 * own test points answered as they must in this run (which also catches resolvers that rewrite
 * NXDOMAIN and zones that list everything); no queries through well-known public resolvers.
 */
import { isIPv6 } from 'node:net';
import type { AddressRecord, QueryAnswer } from '../dns/resolver.js';
import { describeAnswer, isFailure, type Query } from './lookup.js';
import { reversedIp } from './ip-names.js';
import { PUBLIC_RESOLVERS, type DnsblList } from './dnsbl-lists.js';
import { fill } from './replies.js';
import { single, type Finding } from './verdict.js';
import type { SenderCheck } from './types.js';

type Trust = { trusted: true; evidence: string[] } | { trusted: false; evidence: string[]; reason: string };

function addresses(answer: QueryAnswer<AddressRecord>): string[] {
  return answer.kind === 'ok' ? answer.records.map((r) => r.address) : [];
}

function shown(answer: QueryAnswer<AddressRecord>): string {
  return answer.kind === 'ok' ? addresses(answer).join(', ') : describeAnswer(answer);
}

/** RFC 5782 5: the positive test point must be listed with a listing code, the negative one not at all. */
async function testPoints(query: Query, list: DnsblList): Promise<Trust> {
  const [positive, negative] = await Promise.all([query(`${list.positive}.${list.zone}`, 'A'), query(`${list.negative}.${list.zone}`, 'A')]);
  const evidence = [`test point ${list.positive}.${list.label}: ${shown(positive)}`, `test point ${list.negative}.${list.label}: ${shown(negative)}`];
  const untrusted = (reason: string): Trust => ({ trusted: false, evidence, reason: `${list.label} cannot be trusted in this run: ${reason}` });
  const errors = [...addresses(positive), ...addresses(negative)].map((a) => list.errors[a]).filter((e) => e !== undefined);
  if (errors.length > 0) return untrusted(`${errors[0]}.`);
  if (isFailure(positive) || isFailure(negative)) return untrusted('its test points got no usable answer (the list or the resolver is failing).');
  const positiveOk = positive.kind === 'ok' && addresses(positive).every((a) => list.codes[a] !== undefined);
  if (!positiveOk) return untrusted(`its positive test point ${list.positive} is not listed (${shown(positive)}): the zone is not answering, or a resolver rewrites its answers.`);
  if (negative.kind !== 'nxdomain') return untrusted(`its negative test point ${list.negative} is listed too (${shown(negative)}): the zone answers everything.`);
  return { trusted: true, evidence };
}

function judge(list: DnsblList, subject: string, answer: QueryAnswer<AddressRecord>, trust: Trust): Finding {
  const found = addresses(answer);
  const error = found.map((a) => list.errors[a]).find((e) => e !== undefined);
  if (error !== undefined) return { status: 'unknown', text: `${list.label} refused the query: ${error}.`, fix: 'Use your own recursive resolver (--dns), or a Spamhaus DQS key (--dqs-key).' };
  if (isFailure(answer)) return { status: 'unknown', text: `${list.label} gave no usable answer for ${subject}: ${describeAnswer(answer)}.` };
  if (!trust.trusted) return { status: 'unknown', text: trust.reason };
  if (answer.kind === 'nxdomain') return { status: 'pass', text: `${subject} is not listed on ${list.label}.` };
  const meanings = found.map((a) => list.codes[a]);
  if (answer.kind !== 'ok' || meanings.some((m) => m === undefined)) {
    return { status: 'unknown', text: `${list.label} answered ${shown(answer)} for ${subject}, which is not one of its listing codes.` };
  }
  return {
    status: 'fail',
    text: `${subject} is listed on ${list.label}: ${[...new Set(meanings)].join('; ')}.`,
    fix: `Find and stop the cause, then ask for removal at the list's lookup page (${list.kind === 'zen' || list.kind === 'dbl' ? 'https://check.spamhaus.org' : list.zone}).`,
    reply: fill(list.reply, { IP: subject, DOMAIN: subject, ZONE: list.replyZone }),
  };
}

export interface BlockListInput {
  query: Query;
  /** The resolvers in use (ip or ip:port), to refuse public ones. */
  servers: string[];
  lists: DnsblList[];
  ips: string[];
  domains: string[];
}

export function publicResolverIn(servers: string[]): string | undefined {
  return servers.map((s) => s.replace(/^\[(.+)\](:\d+)?$/, '$1').replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, '$1')).find((s) => PUBLIC_RESOLVERS.has(s));
}

export async function checkBlockLists({ query, servers, lists, ips, domains }: BlockListInput): Promise<SenderCheck[]> {
  const publicResolver = publicResolverIn(servers);
  const perList = lists.map(async (list): Promise<SenderCheck[]> => {
    const subjects = list.target === 'ip' ? ips : domains;
    const name = (subject: string): string => `${list.label} ${subject}`;
    if (publicResolver !== undefined && !list.zone.endsWith('.dq.spamhaus.net')) {
      return subjects.map((s) =>
        single('dnsbl', name(s), [`resolver: ${publicResolver}`], {
          status: 'not_checked',
          text: `Not asked: the resolver ${publicResolver} is a public resolver, and block lists refuse or mis-answer its queries.`,
          fix: 'Run preflight with your own recursive resolver (--dns IP), or give a Spamhaus DQS key (--dqs-key KEY).',
        }),
      );
    }
    if (subjects.length === 0) return [];
    const trust = await testPoints(query, list);
    return Promise.all(
      subjects.map(async (subject) => {
        if (list.target === 'ip' && isIPv6(subject) && !list.ipv6) {
          return single('dnsbl', name(subject), [], { status: 'not_checked', text: `${list.label} does not list IPv6 addresses.` });
        }
        const asked = `${list.target === 'ip' ? reversedIp(subject) : subject}.${list.zone}`;
        const answer = await query(asked, 'A');
        const evidence = [`A ${asked.replace(list.zone, list.label)}: ${shown(answer)}`, ...trust.evidence];
        return single('dnsbl', name(subject), evidence, judge(list, subject, answer, trust));
      }),
    );
  });
  return (await Promise.all(perList)).flat();
}
