/** Bounce-aware suppression: readers per format, the classifier, the evidence aggregator. */
export { classifyEvent, parseReply, normalizeText, providerOf } from './classify.js';
export { RULES, PROVIDER_RULES, type BounceRule, type ProviderRule } from './rules.js';
export { readBounceFile, sniffFormat } from './read.js';
export { EvidenceCollector, addressKey, DEFAULT_MIN_EVENTS, DEFAULT_STORM_MIN, type DeadEvidence, type Incident, type SenderProblem } from './evidence.js';
export {
  applyBounceEvidence,
  bounceGuard,
  collectBounces,
  loadBounceEvidence,
  parseSince,
  validateBounceOptions,
  DEFAULT_MAX_BOUNCE_SHARE,
  type BounceEvidence,
  type BounceOptions,
  type BounceSummary,
} from './load.js';
export { BOUNCE_CLASSES, BOUNCE_FORMATS, type BounceClass, type BounceEvent, type BounceFormat, type RawBounce, type Stage } from './types.js';
