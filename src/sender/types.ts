/** The sender preflight's public shapes: options in, a report of checks out (data, never errors). */
import type { DnsHealth, DnsOptions } from '../types.js';

/** `unknown`: the check could not be made (DNS or a block list could not be trusted). Never a fail. */
export const CHECK_STATUSES = ['pass', 'warn', 'fail', 'unknown', 'not_checked'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

export const CHECK_NAMES = ['mail_domain', 'spf', 'spf_ip', 'dkim', 'dmarc', 'alignment', 'reverse_dns', 'dnsbl'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export interface SenderCheck {
  check: CheckName;
  /** What was checked: a domain, a DNS name, an IP, "zen.spamhaus.org 203.0.113.5". */
  subject: string;
  status: CheckStatus;
  /** One sentence: what was found. */
  summary: string;
  /** The records and answers the check saw, as text. */
  evidence: string[];
  /** What to change, when something should change. */
  fix?: string;
  /** The reply a receiving server would most likely give for this problem. */
  reply?: string;
}

/** Block-list kinds `--dnsbl` accepts. */
export const DNSBL_KINDS = ['zen', 'dbl', 'barracuda', 'spamcop'] as const;
export type DnsblKind = (typeof DNSBL_KINDS)[number];

export interface PreflightOptions {
  /** The From: domain. */
  domain: string;
  /** The envelope sender (bounce address) or its domain; default: the From domain. */
  mailFrom?: string;
  /** The sending IPs (v4 or v6). */
  ips?: string[];
  /** The name the sending server gives in HELO/EHLO. */
  helo?: string;
  /** DKIM selectors: "s1" (at the From domain) or "s1:mg.example.com". */
  selectors?: string[];
  /** Apply the 2024 bulk-sender rules (Gmail, Yahoo, Microsoft): DMARC is required. */
  bulk?: boolean;
  /** Block lists: kinds ("zen", "dbl") or "KIND=ZONE"; false: none. Default ["zen", "dbl"]. */
  dnsbl?: false | string[];
  /** A Spamhaus Data Query Service key: zen and dbl are asked at KEY.zen.dq.spamhaus.net etc. */
  dqsKey?: string;
  dns?: DnsOptions;
  rate?: number;
  concurrency?: number;
}

export type PreflightStatus = Exclude<CheckStatus, 'not_checked'>;

export interface PreflightReport {
  domain: string;
  mailFrom: string;
  mailFromDomain: string;
  ips: string[];
  helo: string | null;
  selectors: string[];
  bulk: boolean;
  /** The worst result: fail, else unknown, else warn, else pass. */
  status: PreflightStatus;
  counts: Record<CheckStatus, number>;
  checks: SenderCheck[];
  dns: DnsHealth;
}
