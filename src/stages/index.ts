export { addressStage } from './address.js';
export { domainStage } from './domain.js';
export { mailboxStage, smtpIdentityWarnings } from './mailbox.js';
export { runStages } from './run.js';
export type { AddressStage, Finding, Stage, StageName } from './types.js';
