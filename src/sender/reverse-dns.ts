/**
 * Reverse DNS of a sending IP: a PTR record, whose name resolves back to the IP (forward-confirmed,
 * FCrDNS), that does not look like a dynamic/residential name, and that matches the HELO name.
 */
import { isIPv4 } from 'node:net';
import { describeAnswer, isFailure, type Query } from './lookup.js';
import { ptrName, sameIp } from './ip-names.js';
import { REPLIES } from './replies.js';
import { fromFindings, single, type Finding } from './verdict.js';
import type { SenderCheck } from './types.js';

const PTR_FIX = 'Ask whoever runs the IP (your host or ISP) to set its PTR to a name of yours, and give that name an A/AAAA record with this IP.';

/** Words ISPs use in names of dynamic and residential addresses. */
const GENERIC_WORD = /(^|[.-])(dyn|dynamic|dhcp|pool|dsl|adsl|cable|ppp|dialup|dial|client|cust|customer|broadband|residential)\d*([.-]|$)/;

/** A name built from the IP (192-0-2-13.example.net, host13.2.0.192...) or with dynamic-pool words. */
export function isGenericName(name: string, ip: string): boolean {
  const lower = name.toLowerCase();
  if (isIPv4(ip)) {
    const octets = ip.split('.');
    const forward = octets.join('[.-]');
    const backward = [...octets].reverse().join('[.-]');
    if (new RegExp(`(^|[^0-9])(${forward}|${backward})([^0-9]|$)`).test(lower)) return true;
  }
  return GENERIC_WORD.test(lower.split('.').slice(0, -2).join('.'));
}

async function forwardAddresses(query: Query, name: string, ip: string): Promise<{ confirmed: boolean; failed: boolean; evidence: string }> {
  const answer = isIPv4(ip) ? await query(name, 'A') : await query(name, 'AAAA');
  const type = isIPv4(ip) ? 'A' : 'AAAA';
  if (answer.kind !== 'ok') return { confirmed: false, failed: isFailure(answer), evidence: `${type} ${name}: ${describeAnswer(answer)}` };
  const addresses = answer.records.map((r) => r.address);
  return { confirmed: addresses.some((a) => sameIp(a, ip)), failed: false, evidence: `${type} ${name}: ${addresses.join(', ')}` };
}

export async function checkReverseDns(query: Query, ip: string, helo: string | undefined): Promise<SenderCheck> {
  const name = ptrName(ip);
  const answer = await query(name, 'PTR');
  if (answer.kind !== 'ok') {
    const evidence = [`PTR ${name}: ${describeAnswer(answer)}`];
    if (isFailure(answer)) return single('reverse_dns', ip, evidence, { status: 'unknown', text: `The PTR record of ${ip} could not be read: ${describeAnswer(answer)}.` });
    return single('reverse_dns', ip, evidence, { status: 'fail', text: `${ip} has no PTR record.`, fix: PTR_FIX, reply: REPLIES.gmailPtr });
  }
  const names = answer.records.map((n) => n.replace(/\.$/, '').toLowerCase());
  const evidence = [`PTR ${name}: ${names.join(', ')}`];
  const forward = await Promise.all(names.map((n) => forwardAddresses(query, n, ip)));
  evidence.push(...forward.map((f) => f.evidence));
  const confirmed = names.filter((_, i) => forward[i]?.confirmed === true);
  const findings: Finding[] = [];
  if (confirmed.length === 0) {
    if (forward.some((f) => f.failed)) {
      findings.push({ status: 'unknown', text: `Whether ${names.join(', ')} resolves back to ${ip} could not be checked (DNS failed).` });
    } else {
      findings.push({ status: 'fail', text: `The PTR name ${names.join(', ')} does not resolve back to ${ip} (not forward-confirmed).`, fix: PTR_FIX, reply: REPLIES.gmailPtr });
    }
  } else {
    findings.push({ status: 'pass', text: `${ip} has the forward-confirmed name ${confirmed.join(', ')}.` });
    const generic = confirmed.filter((n) => isGenericName(n, ip));
    if (generic.length === confirmed.length) {
      findings.push({ status: 'warn', text: `${generic.join(', ')} looks like an ISP's generic name for a dynamic address; receivers score such senders as residential.`, fix: 'Set the PTR to a name of your own, e.g. mta1.yourdomain.' });
    }
  }
  if (helo !== undefined) findings.push(heloFinding(helo, names, confirmed));
  return fromFindings('reverse_dns', ip, evidence, findings);
}

function heloFinding(helo: string, names: string[], confirmed: string[]): Finding {
  const wanted = helo.replace(/\.$/, '').toLowerCase();
  if (confirmed.includes(wanted)) return { status: 'pass', text: `The HELO name ${wanted} is the PTR name.` };
  return {
    status: 'warn',
    text: `The HELO name ${wanted} is not the ${confirmed.length > 0 ? 'forward-confirmed ' : ''}PTR name (${names.join(', ')}): many receivers score that as suspicious.`,
    fix: 'Make the server say the PTR name in HELO/EHLO (Postfix: smtp_helo_name).',
  };
}
