/**
 * The block lists preflight knows: where they live, what their answers mean and their test points.
 * Only an answer among a list's documented listing codes means "listed"; the error codes say the
 * query itself was refused. Sources: Spamhaus "DNSBL return codes" and "DQS" pages, Barracuda's
 * and SpamCop's usage pages, RFC 5782 section 5 (test points).
 */
import { ListscrubError } from '../errors.js';
import { DNSBL_KINDS, type DnsblKind } from './types.js';
import { REPLIES } from './replies.js';

export interface DnsblList {
  kind: DnsblKind;
  /** The zone asked; its label hides a DQS key; replyZone is the one a receiver's reply names. */
  zone: string;
  label: string;
  replyZone: string;
  /** What is looked up: reversed IPs or domain names. */
  target: 'ip' | 'domain';
  /** Listing codes and their meaning. */
  codes: Readonly<Record<string, string>>;
  /** Answers that mean the query was refused, and why. */
  errors: Readonly<Record<string, string>>;
  /** A name the list must list (positive) and one it must not (negative), before the zone suffix. */
  positive: string;
  negative: string;
  reply: string;
  ipv6: boolean;
}

const SPAMHAUS_ERRORS = {
  '127.255.255.252': 'the list name is wrong (Spamhaus answers 127.255.255.252 to queries of a mistyped zone)',
  '127.255.255.254': 'the query came through a public or open resolver, whose queries Spamhaus refuses (127.255.255.254)',
  '127.255.255.255': 'the resolver sent too many queries and is rate limited by Spamhaus (127.255.255.255)',
};

const XBL = 'XBL: the IP is infected or runs an open proxy (exploits block list)';
const ZEN_CODES = {
  '127.0.0.2': 'SBL: the IP is a known spam source (Spamhaus Block List)',
  '127.0.0.3': 'SBL CSS: the IP sent snowshoe spam (Spamhaus CSS)',
  '127.0.0.4': XBL,
  '127.0.0.5': XBL,
  '127.0.0.6': XBL,
  '127.0.0.7': XBL,
  '127.0.0.8': XBL,
  '127.0.0.9': 'SBL DROP: the IP is in a hijacked or spammer-owned range (DROP/EDROP)',
  '127.0.0.10': 'PBL: the IP is an end-user address that its ISP says should not send mail directly',
  '127.0.0.11': 'PBL: Spamhaus lists the IP as an end-user address that should not send mail directly',
};

const DBL_CODES = {
  '127.0.1.2': 'spam domain',
  '127.0.1.3': 'spammed redirector domain',
  '127.0.1.4': 'phishing domain',
  '127.0.1.5': 'malware domain',
  '127.0.1.6': 'botnet command-and-control domain',
  '127.0.1.102': 'abused legitimate domain, used in spam',
  '127.0.1.103': 'abused legitimate domain, spammed redirector',
  '127.0.1.104': 'abused legitimate domain, used in phishing',
  '127.0.1.105': 'abused legitimate domain, used for malware',
  '127.0.1.106': 'abused legitimate domain, botnet command-and-control',
};

function base(kind: DnsblKind): Omit<DnsblList, 'label' | 'replyZone'> {
  const ipTest = { target: 'ip' as const, positive: '2.0.0.127', negative: '1.0.0.127' };
  switch (kind) {
    case 'zen':
      return { kind, zone: 'zen.spamhaus.org', ...ipTest, codes: ZEN_CODES, errors: SPAMHAUS_ERRORS, reply: REPLIES.postfixRbl, ipv6: true };
    case 'dbl':
      return {
        kind,
        zone: 'dbl.spamhaus.org',
        target: 'domain',
        positive: 'dbltest.com',
        negative: 'invalid',
        codes: DBL_CODES,
        errors: { ...SPAMHAUS_ERRORS, '127.0.1.255': 'an IP address was sent to this domain list (127.0.1.255)' },
        reply: REPLIES.postfixDbl,
        ipv6: false,
      };
    case 'barracuda':
      return { kind, zone: 'b.barracudacentral.org', ...ipTest, codes: { '127.0.0.2': 'listed by Barracuda Reputation' }, errors: {}, reply: REPLIES.postfixRbl, ipv6: false };
    case 'spamcop':
      return { kind, zone: 'bl.spamcop.net', ...ipTest, codes: { '127.0.0.2': 'listed by SpamCop (reported spam)' }, errors: {}, reply: REPLIES.postfixRbl, ipv6: false };
  }
}

const DQS_ZONES: Partial<Record<DnsblKind, string>> = { zen: 'zen.dq.spamhaus.net', dbl: 'dbl.dq.spamhaus.net' };

/** "zen,dbl" or "zen=zen.dnsbl.test,dbl": the lists to ask, each at its zone. */
export function resolveLists(specs: string[], dqsKey: string | undefined, suggest: (given: string) => string): DnsblList[] {
  const lists: DnsblList[] = [];
  for (const spec of specs) {
    const [kindText = '', zoneOverride] = spec.split('=', 2).map((part) => part.trim().toLowerCase());
    if (!(DNSBL_KINDS as readonly string[]).includes(kindText)) {
      throw new ListscrubError('E_OPTION', `unknown block list "${kindText}" in dnsbl${suggest(kindText)}; the lists are ${DNSBL_KINDS.join(', ')} (KIND=ZONE points one at another zone).`);
    }
    if (zoneOverride === '') throw new ListscrubError('E_OPTION', `dnsbl "${spec}" names no zone after "=".`);
    const list = base(kindText as DnsblKind);
    const dqs = DQS_ZONES[list.kind];
    if (zoneOverride !== undefined) lists.push({ ...list, zone: zoneOverride, label: zoneOverride, replyZone: zoneOverride });
    else if (dqsKey !== undefined && dqs !== undefined) lists.push({ ...list, zone: `${dqsKey}.${dqs}`, label: `<dqs-key>.${dqs}`, replyZone: list.zone });
    else lists.push({ ...list, label: list.zone, replyZone: list.zone });
  }
  return lists;
}

/**
 * Resolvers whose block-list queries Spamhaus refuses (answered 127.255.255.254, or worse, as not
 * listed by lists that do not say so): Google, Cloudflare, Quad9, OpenDNS and others.
 */
export const PUBLIC_RESOLVERS: ReadonlySet<string> = new Set([
  '8.8.8.8', '8.8.4.4', '2001:4860:4860::8888', '2001:4860:4860::8844',
  '1.1.1.1', '1.0.0.1', '2606:4700:4700::1111', '2606:4700:4700::1001',
  '9.9.9.9', '149.112.112.112', '2620:fe::fe', '2620:fe::9',
  '208.67.222.222', '208.67.220.220', '2620:119:35::35', '2620:119:53::53',
  '94.140.14.14', '94.140.15.15', '76.76.2.0', '76.76.10.0', '185.228.168.9', '185.228.169.9',
  '64.6.64.6', '64.6.65.6', '4.2.2.1', '4.2.2.2',
]);
