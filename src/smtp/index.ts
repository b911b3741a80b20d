/**
 * The SMTP mailbox check (issue 17): what the job's "mailbox" stage uses. createChecker() builds the
 * checker from options validateSmtpOptions() already resolved; createMailboxChecker() validates raw
 * options first (for library users). applyMailboxOutcome() folds an outcome into a verdict. Off
 * unless the `smtp` option is given.
 */
import { createChecker, type CheckerDeps, type MailboxChecker } from './checker.js';
import { validateSmtpOptions } from './options.js';
import type { SmtpOptions } from './types.js';

export { applyMailboxOutcome } from './verdict.js';
export { validateSmtpOptions, checkSmtpIdentity, type AddressLookup } from './options.js';
export { groupOf } from './groups.js';
export type { MailboxCache, MailboxCacheSnapshot } from './cache.js';
export { createChecker, type CheckerDeps, type MailboxChecker } from './checker.js';
export type { Connector } from './session.js';
export { MAILBOX_REASONS } from './types.js';
export type { BreakerTrip, MailboxOutcome, MailboxReason, MxTarget, ResolvedSmtpOptions, SmtpEvidence, SmtpLimits, SmtpOptions, SmtpSummary, SmtpTimeouts } from './types.js';

/** Validate raw `smtp` options (throws E_OPTION), then createChecker(). */
export function createMailboxChecker(options: SmtpOptions, deps?: CheckerDeps): MailboxChecker {
  return createChecker(validateSmtpOptions(options), deps);
}
