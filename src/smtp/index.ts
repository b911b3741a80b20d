/**
 * The SMTP mailbox check (issue 17): what the job's "mailbox" stage uses. createMailboxChecker()
 * validates its options and returns the checker; applyMailboxOutcome() folds an outcome into a
 * verdict. Off unless the `smtp` option is given.
 */
import { Checker, type CheckerDeps, type MailboxChecker } from './checker.js';
import { validateSmtpOptions } from './options.js';
import type { SmtpOptions } from './types.js';

export { applyMailboxOutcome } from './verdict.js';
export { validateSmtpOptions, checkSmtpIdentity, type AddressLookup } from './options.js';
export { groupOf } from './groups.js';
export type { MailboxCache, MailboxCacheSnapshot } from './cache.js';
export type { CheckerDeps, MailboxChecker } from './checker.js';
export type { Connector } from './session.js';
export { MAILBOX_REASONS } from './types.js';
export type { BreakerTrip, MailboxOutcome, MailboxReason, MxTarget, ResolvedSmtpOptions, SmtpEvidence, SmtpLimits, SmtpOptions, SmtpSummary, SmtpTimeouts } from './types.js';

export function createMailboxChecker(options: SmtpOptions, deps?: CheckerDeps): MailboxChecker {
  return new Checker(validateSmtpOptions(options), deps);
}
