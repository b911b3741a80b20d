/** Small helpers shared by the checks: building a SenderCheck and combining statuses. */
import type { CheckName, CheckStatus, SenderCheck } from './types.js';

/** Worse first: a fail outweighs an unknown, which outweighs a warn. */
const RANK: Record<CheckStatus, number> = { fail: 4, unknown: 3, warn: 2, pass: 1, not_checked: 0 };

export function worst(statuses: CheckStatus[]): CheckStatus {
  let result: CheckStatus = 'pass';
  for (const status of statuses) if (RANK[status] > RANK[result]) result = status;
  return statuses.length > 0 && statuses.every((s) => s === 'not_checked') ? 'not_checked' : result;
}

/** One problem (or the all-clear) found by a check. */
export interface Finding {
  status: CheckStatus;
  text: string;
  fix?: string;
  reply?: string;
}

/**
 * A check from its findings: the status is the worst; the summary lists the findings at that status
 * (or all of them when everything passed); fix and reply come from the worst findings.
 */
export function fromFindings(check: CheckName, subject: string, evidence: string[], findings: Finding[]): SenderCheck {
  const status = worst(findings.map((f) => f.status));
  const top = findings.filter((f) => f.status === status);
  const result: SenderCheck = { check, subject, status, summary: top.map((f) => f.text).join(' '), evidence };
  const fixes = [...new Set(findings.filter((f) => f.fix !== undefined && f.status !== 'pass').map((f) => f.fix))];
  if (fixes.length > 0) result.fix = fixes.join(' ');
  const reply = top.find((f) => f.reply !== undefined)?.reply;
  if (reply !== undefined) result.reply = reply;
  return result;
}

export function single(check: CheckName, subject: string, evidence: string[], finding: Finding): SenderCheck {
  return fromFindings(check, subject, evidence, [finding]);
}
