/**
 * The reason table and the rules that turn findings into one Verdict. Every layer builds verdicts
 * through here, so a reason code always carries the same status, bounce code and advice.
 */
import type { DomainOutcome, ReasonCode, RowStatus, Status, Verdict } from './types.js';

export interface ReasonInfo {
  /** Status this reason gives an address (row reasons give row statuses). */
  status: RowStatus;
  /** RFC 3463 enhanced status code a receiving MTA would most likely answer with. */
  bounce?: string;
  /** Short explanation, for docs and summaries. */
  summary: string;
  /** What the list owner can do about it. */
  fix: string;
}

export const REASONS: Record<ReasonCode, ReasonInfo> = {
  ok: { status: 'valid', summary: 'No problem found.', fix: 'Nothing to do.' },
  empty: {
    status: 'invalid',
    summary: 'The email cell is empty: there is no address to send to (no bounce code: nothing was sent).',
    fix: 'Nothing to fix in the address; fill the cell from another source, or leave the row in the report.',
  },
  syntax: {
    status: 'invalid',
    bounce: '5.1.3',
    summary: 'The address is not a valid email address.',
    fix: 'Correct the address (see the suggestion) or ask the subscriber to enter it again.',
  },
  multiple_addresses: {
    status: 'risky',
    summary: 'The cell holds several addresses (a@x.com; b@y.com), each of them well formed.',
    fix: 'Split the cell (--split writes one row per address) or keep the one the subscriber wants.',
  },
  repaired: {
    status: 'risky',
    summary: 'A good address in noise (quotation marks, invisible characters, markup, mailto:, a trailing separator); the suggestion is the repaired address.',
    fix: 'Write the repaired address with --normalize or --apply-suggestions; it needs no confirmation.',
  },
  confusable: {
    status: 'risky',
    summary: 'The address mixes look-alike letters from another script (a Cyrillic "а" in "gmаil.com").',
    fix: 'Replace the address with the plain-ASCII suggestion after confirming with the subscriber.',
  },
  unusual_syntax: {
    status: 'risky',
    summary: 'RFC-valid but unusual form (quoted local part, comment, IP literal) that most platforms refuse.',
    fix: 'Keep only if you know this subscriber; most sending platforms reject such addresses.',
  },
  disposable: {
    status: 'risky',
    summary: 'The domain is a disposable (throwaway) mailbox provider.',
    fix: 'Ask the subscriber for a permanent address, or drop it with --drop disposable.',
  },
  role_account: {
    status: 'risky',
    summary: 'A role address (info@, admin@, ...) that reaches a team, not a person.',
    fix: 'Keep only if the team opted in; drop with --drop role_account.',
  },
  typo_domain: {
    status: 'risky',
    summary: 'The domain looks like a misspelling of a common mail provider.',
    fix: 'Replace the address with the suggestion after confirming with the subscriber.',
  },
  domain_not_found: {
    status: 'invalid',
    bounce: '5.1.2',
    summary: 'The domain does not exist in DNS (NXDOMAIN).',
    fix: 'Correct the domain (see the suggestion) or remove the address.',
  },
  null_mx: {
    status: 'invalid',
    bounce: '5.1.10',
    summary: 'The domain publishes a null MX (RFC 7505): it accepts no mail.',
    fix: 'Remove the address; the domain owner states it receives no email.',
  },
  no_mail_server: {
    status: 'invalid',
    bounce: '5.4.4',
    summary: 'The domain exists but has no MX record and no address to fall back on.',
    fix: 'Remove the address or ask the subscriber for another one.',
  },
  mx_invalid: {
    status: 'invalid',
    bounce: '5.4.4',
    summary: 'The domain\'s mail servers have no usable (public) address.',
    fix: 'Remove the address; mail to this domain cannot be delivered.',
  },
  dns_timeout: {
    status: 'unknown',
    summary: 'DNS did not answer in time; the domain could not be checked.',
    fix: 'Nothing removed; run again later or raise --dns-timeout.',
  },
  dns_error: {
    status: 'unknown',
    summary: 'DNS answered with a server failure (SERVFAIL/REFUSED); the domain could not be checked.',
    fix: 'Nothing removed; run again later.',
  },
  dns_unavailable: {
    status: 'unknown',
    summary: 'The resolver is unhealthy (down, filtered or lying), so DNS results were not trusted.',
    fix: 'Nothing removed; fix the resolver or pass --dns with a working one, then run again.',
  },
  bounced: {
    status: 'invalid',
    bounce: '5.1.1',
    summary: 'The sender\'s own bounces prove the mailbox dead (user unknown, null MX, disabled); the detail cites the bounce.',
    fix: 'Remove the address; it bounced for a reason about the mailbox, not about the sender.',
  },
  mailbox_not_found: {
    status: 'invalid',
    bounce: '5.1.1',
    summary: 'The receiving server, asked over SMTP, said the mailbox does not exist (RCPT answered 5xx with a mailbox-level signal and no block or policy text).',
    fix: 'Remove the address, or correct it if the suggestion fits; a send would bounce with 550 5.1.1.',
  },
  mailbox_disabled: {
    status: 'invalid',
    bounce: '5.2.1',
    summary: 'The receiving server, asked over SMTP, said the mailbox is disabled or inactive.',
    fix: 'Remove the address; the mailbox no longer takes mail.',
  },
  mailbox_full: {
    status: 'risky',
    summary: 'The receiving server, asked over SMTP, said the mailbox is over quota: it exists, but mail to it is deferred or bounces for now.',
    fix: 'Keep it out of this send or retry later; a mailbox full for months is abandoned.',
  },
  catch_all: {
    status: 'risky',
    summary: 'The domain accepts any address, even a made-up one, so its acceptance of this one proves nothing.',
    fix: 'Keep if the subscriber opted in recently; otherwise watch its bounces (--drop catch_all removes such rows).',
  },
  greylisted: {
    status: 'unknown',
    summary: 'The receiving server deferred the probe (450/451, greylisting) and still did after the retries --smtp-max-wait allowed.',
    fix: 'Nothing removed; with --cache the next run asks again.',
  },
  smtp_blocked: {
    status: 'unknown',
    summary: 'The receiving server refused us (our IP, HELO name, sender or reverse DNS; a block list or a 5.7.x policy), not the address.',
    fix: 'Nothing removed. Check the summary\'s sender problems: that refusal is what your campaign would get too (listscrub preflight).',
  },
  smtp_rate_limited: {
    status: 'unknown',
    summary: 'The receiving server asked us to slow down (421 or a rate text); its provider was paused.',
    fix: 'Nothing removed; run again later, or lower the probe rate.',
  },
  smtp_temp_error: {
    status: 'unknown',
    summary: 'The receiving server answered with a temporary error (4xx) that is not greylisting.',
    fix: 'Nothing removed; run again later.',
  },
  smtp_timeout: {
    status: 'unknown',
    summary: 'The receiving server did not answer in time (connect, greeting or a command).',
    fix: 'Nothing removed; run again later.',
  },
  smtp_unreachable: {
    status: 'unknown',
    summary: 'No MX host of the domain accepted a connection on the SMTP port.',
    fix: 'Nothing removed; if every domain says so, outbound port 25 is blocked where listscrub runs.',
  },
  smtp_unrecognized: {
    status: 'unknown',
    summary: 'The receiving server rejected the address at RCPT without saying it is about the mailbox.',
    fix: 'Nothing removed; the reply is in the report\'s smtp_text column.',
  },
  smtp_provider_unverifiable: {
    status: 'unknown',
    summary: 'The provider (Yahoo/AOL, Outlook.com consumer) blocks or misleads mailbox probes, so it was not asked.',
    fix: 'Nothing removed; its DNS verdict stands as the best evidence.',
  },
  smtp_blanket_reject: {
    status: 'unknown',
    summary: 'The server rejected nearly every address we asked (or postmaster too): it is rejecting us, not its users.',
    fix: 'Nothing removed; see the summary for the server, and the sender checks (listscrub preflight).',
  },
  duplicate: {
    status: 'duplicate',
    summary: 'The same address appeared earlier in the list.',
    fix: 'Nothing to do; the first occurrence is kept (use --keep-duplicates to keep all).',
  },
  malformed_row: {
    status: 'malformed',
    summary: 'The CSV record could not be parsed (unclosed quote, wrong field count, oversized field).',
    fix: 'Fix the row in the source file at the given line and run again.',
  },
};

/**
 * Precedence of address statuses: the most severe finding wins, and a finding that was made
 * (risky) outranks a check that could not be made (unknown).
 */
const SEVERITY: Record<Status, number> = { valid: 0, unknown: 1, risky: 2, invalid: 3 };

export function isMoreSevere(a: Status, b: Status): boolean {
  return SEVERITY[a] > SEVERITY[b];
}

/** Build a verdict for an address-level reason, with its status and bounce code from the table. */
export function makeVerdict(
  input: string,
  address: string | null,
  reason: Exclude<ReasonCode, 'duplicate' | 'malformed_row'>,
  detail: string,
  suggestion?: string,
): Verdict {
  const info = REASONS[reason];
  const verdict: Verdict = { input, address, status: info.status as Status, reason, detail };
  if (suggestion !== undefined) verdict.suggestion = suggestion;
  if (info.bounce !== undefined) verdict.bounce = info.bounce;
  return verdict;
}

/**
 * Combine the offline verdict with what DNS said about the domain. Deliverable leaves the verdict as
 * it was; an undeliverable domain makes it invalid (a risky finding kept as `alsoFound`). An
 * uncertain DNS answer makes a valid address unknown; a risky one stays risky, since what was found
 * offline (disposable, a typo...) holds whatever DNS did, with the DNS reason as `alsoFound`. So the
 * status is always the most severe finding made, `--drop risky` removes every risky address, and
 * `unknown` means exactly "nothing found, and the domain could not be checked". Suggestions stay.
 */
export function applyDomainOutcome(verdict: Verdict, outcome: DomainOutcome): Verdict {
  if (outcome.kind === 'deliverable' || verdict.status === 'invalid') return verdict;
  if (outcome.kind === 'unknown' && verdict.status === 'risky') {
    return { ...verdict, detail: `${verdict.detail} Its domain was not checked: ${outcome.detail.replace(/\.$/, '')}.`, alsoFound: outcome.reason };
  }
  const combined = makeVerdict(verdict.input, verdict.address, outcome.reason, outcome.detail, verdict.suggestion);
  if (verdict.status === 'risky') combined.alsoFound = verdict.reason;
  return combined;
}
