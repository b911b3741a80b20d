/**
 * listscrub's public API. Re-exports only: every function here is a thin entry to the same core.
 *
 *   createScrubber(options)   one cache + one limiter: check(address), stream({ column })
 *   createScrubStream(opts)   the object-mode Transform on its own
 *   checkAddress(address)     one address, one throwaway scrubber
 *   scrubCsv(options)         the whole clean job, as the CLI runs it (with `bounces`: bounce-aware)
 *   collectBounces(files)     read and classify bounce files (what `bounces classify` prints)
 *   analyzeAddress(cell)      the offline engine (pure, synchronous)
 *   preflight(options)        the sender checks (SPF, DKIM, DMARC, PTR, block lists) before a campaign
 */
export { createScrubber, checkAddress, type Scrubber } from './scrubber.js';
export {
  createScrubStream,
  scrubRecords,
  DEFAULT_WINDOW,
  type ScrubStreamOptions,
  type ScrubbedRow,
  type ScrubInput,
  type CsvRecord,
  type RecordEnvelope,
  type MalformedEnvelope,
} from './stream/index.js';
export { scrubCsv, defaultOutputPaths, type ScrubCsvOptions, type Summary, type Progress } from './batch.js';
export { readHistory, type HistoryEntry } from './jobs/history.js';
export { collectBounces, DEFAULT_MAX_BOUNCE_SHARE, type BounceOptions, type BounceSummary } from './bounces/load.js';
export { RULES as BOUNCE_RULES, PROVIDER_RULES as BOUNCE_PROVIDER_RULES, type BounceRule, type ProviderRule } from './bounces/rules.js';
export type { BounceClass, BounceEvent, BounceFormat, Stage } from './bounces/types.js';
export { analyzeAddress, normalizeAddress, suggestCorrection } from './address/index.js';
export { preflight, CHECK_STATUSES, CHECK_NAMES, DNSBL_KINDS, type PreflightOptions, type PreflightReport, type SenderCheck, type CheckStatus, type CheckName, type DnsblKind, type PreflightStatus } from './sender/index.js';
export { REASONS, type ReasonInfo } from './verdict.js';
export { ListscrubError, isListscrubError, ERROR_CODES, type ErrorCode } from './errors.js';
export {
  DEFAULT_DNS_TIMEOUT_MS,
  DEFAULT_RETRIES,
  DEFAULT_RATE,
  DEFAULT_CONCURRENCY,
  DEFAULT_CANARIES,
} from './dns/index.js';
export {
  REASON_CODES,
  type Status,
  type RowStatus,
  type ReasonCode,
  type Verdict,
  type RowVerdict,
  type CellVerdict,
  type AddressAnalysis,
  type DomainOutcome,
  type DnsHealth,
  type DnsStats,
  type DnsOptions,
  type CheckOptions,
} from './types.js';
