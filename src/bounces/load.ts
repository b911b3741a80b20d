/**
 * The hook `clean --bounces` uses: read and classify every bounce file, aggregate the evidence,
 * re-check "domain not found" bounces in DNS now, and hand the router one lookup per row.
 */
import { ListscrubError } from '../errors.js';
import { describe } from '../options.js';
import type { DomainChecker } from '../dns/index.js';
import type { DomainOutcome, RowVerdict } from '../types.js';
import { classifyEvent } from './classify.js';
import { EvidenceCollector, addressKey, type DeadEvidence, type EvidenceOptions, type Incident, type SenderProblem } from './evidence.js';
import { checkFormat, readBounceFile } from './read.js';
import type { BounceClass, BounceEvent, BounceOptions, BounceProblem } from './types.js';

export type { BounceOptions } from './types.js';


export const DEFAULT_MAX_BOUNCE_SHARE = 0.1;

/** What the bounces said, for the run's summary. */
export interface BounceSummary {
  files: string[];
  events: number;
  byClass: Record<BounceClass, number>;
  delivered: number;
  /** Lines or records that are not bounces (connections, other events). */
  skipped: number;
  /** Lines that could not be read, and the first few messages. */
  problems: number;
  problemSamples: string[];
  /** Addresses the bounces prove dead (rows removed: see `reasons.bounced`). */
  deadAddresses: number;
  /** "Domain not found" bounces whose domain DNS confirmed dead now / did not. */
  domainChecks: { confirmed: number; notConfirmed: number };
  discounted: { cancelled: number; storm: number; old: number; belowMinEvents: number };
  incidents: Incident[];
  senderProblems: SenderProblem[];
  /** Addresses failing temporarily on several days with no delivery since: kept, worth a look. */
  persistent: { count: number; sample: string[] };
}

export interface BounceEvidence {
  dead: Map<string, DeadEvidence>;
  summary: BounceSummary;
}

const PROBLEM_SAMPLES = 10;

/** "90d" / "12w" / "48h" / an ISO date to an epoch-ms cutoff. */
export function parseSince(value: string, now: number): number {
  const relative = /^\s*(\d+)\s*([hdw])\s*$/i.exec(value);
  if (relative !== null) {
    const hours = { h: 1, d: 24, w: 24 * 7 }[(relative[2] as string).toLowerCase() as 'h' | 'd' | 'w'];
    return now - Number(relative[1]) * hours * 3_600_000;
  }
  const ms = /^\d{4}-\d\d-\d\d/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new ListscrubError('E_OPTION', `Option "bouncesSince" takes a span like 90d, 12w or 48h, or a date like 2026-01-31; got ${JSON.stringify(value)}.`);
  return ms;
}

/** Check the bounce options up front (before any file is read). */
export function validateBounceOptions(options: BounceOptions): void {
  const { bounces, bounceMinEvents, bounceStorm, maxBounceShare } = options;
  if (bounces !== undefined && (!Array.isArray(bounces) || !bounces.every((file) => typeof file === 'string' && file !== ''))) {
    throw new ListscrubError('E_OPTION', `Option "bounces" must be a list of file paths; got ${describe(bounces)}.`);
  }
  for (const [key, value] of [['bounceMinEvents', bounceMinEvents], ['bounceStorm', bounceStorm]] as const) {
    if (value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value >= 1)) {
      throw new ListscrubError('E_OPTION', `Option "${key}" must be a whole number of 1 or more; got ${describe(value)}.`);
    }
  }
  if (maxBounceShare !== undefined && !(typeof maxBounceShare === 'number' && maxBounceShare >= 0 && maxBounceShare <= 1)) {
    throw new ListscrubError('E_OPTION', `Option "maxBounceShare" must be a number from 0 to 1; got ${describe(maxBounceShare)}.`);
  }
  checkFormat(options.bounceFormat);
  if (options.bouncesSince !== undefined) parseSince(options.bouncesSince, Date.now());
}

export interface ClassifiedStream {
  /** Called for every classified event, in file order; a promise returned pauses the reading (backpressure). */
  onEvent?: (event: BounceEvent) => Promise<void> | undefined;
  now?: number;
}

/** Read, classify and aggregate the files (no DNS). */
export async function collectBounces(files: string[], options: BounceOptions & ClassifiedStream = {}): Promise<{ evidence: ReturnType<EvidenceCollector['finish']>; summary: BounceSummary }> {
  const now = options.now ?? Date.now();
  const evidenceOptions: EvidenceOptions = {};
  if (options.bounceMinEvents !== undefined) evidenceOptions.minEvents = options.bounceMinEvents;
  if (options.bounceStorm !== undefined) evidenceOptions.stormMin = options.bounceStorm;
  if (options.bouncesSince !== undefined) evidenceOptions.since = parseSince(options.bouncesSince, now);
  const collector = new EvidenceCollector(evidenceOptions);
  const summary: BounceSummary = {
    files,
    events: 0,
    byClass: { sender: 0, recipient: 0, domain: 0, transient: 0, unknown: 0 },
    delivered: 0,
    skipped: 0,
    problems: 0,
    problemSamples: [],
    deadAddresses: 0,
    domainChecks: { confirmed: 0, notConfirmed: 0 },
    discounted: { cancelled: 0, storm: 0, old: 0, belowMinEvents: 0 },
    incidents: [],
    senderProblems: [],
    persistent: { count: 0, sample: [] },
  };
  const format = checkFormat(options.bounceFormat);
  for (const file of files) {
    for await (const item of readBounceFile(file, { now, ...(format === undefined ? {} : { format }) })) {
      if ('skipped' in item) summary.skipped += item.skipped;
      else if ('problem' in item) addProblem(summary, item.problem);
      else {
        const event = classifyEvent(item.event);
        if (event.kind === 'delivered') summary.delivered += 1;
        else {
          summary.events += 1;
          summary.byClass[event.class] += 1;
        }
        collector.add(event);
        const wait = options.onEvent?.(event);
        if (wait !== undefined) await wait;
      }
    }
  }
  const evidence = collector.finish();
  summary.incidents = evidence.incidents;
  summary.senderProblems = evidence.senderProblems;
  summary.discounted = evidence.discounted;
  summary.persistent = { count: evidence.persistent.length, sample: evidence.persistent.slice(0, 10) };
  summary.deadAddresses = evidence.dead.size;
  summary.domainChecks.notConfirmed = evidence.domainChecks.size;
  return { evidence, summary };
}

function addProblem(summary: BounceSummary, problem: BounceProblem): void {
  summary.problems += 1;
  if (summary.problemSamples.length < PROBLEM_SAMPLES) summary.problemSamples.push(problem.message);
}

/**
 * The evidence for `clean`: the addresses proven dead. "Domain not found" bounces count only when
 * the domain is undeliverable now, per `domains` (the run's DNS checker) and only while DNS is
 * healthy; offline (`domains` null) they never count.
 */
export async function loadBounceEvidence(files: string[], options: BounceOptions & { now?: number } = {}, domains: DomainChecker | null = null): Promise<BounceEvidence> {
  const { evidence, summary } = await collectBounces(files, options);
  const dead = evidence.dead;
  summary.domainChecks.notConfirmed = 0;
  if (evidence.domainChecks.size > 0 && domains !== null && (await domains.ready()).healthy) {
    const domainOf = (key: string): string => key.slice(key.lastIndexOf('@') + 1);
    const names = [...new Set([...evidence.domainChecks.keys()].map(domainOf))];
    const outcomes = new Map(await Promise.all(names.map(async (name) => [name, await domains.check(name)] as const)));
    for (const [key, found] of evidence.domainChecks) {
      const outcome = outcomes.get(domainOf(key)) as DomainOutcome;
      if (outcome.kind === 'undeliverable' && domains.health().healthy) {
        dead.set(key, { ...found, event: { ...found.event, text: `${found.event.text} (checked now: ${outcome.detail})` } });
        summary.domainChecks.confirmed += 1;
      } else summary.domainChecks.notConfirmed += 1;
    }
  } else summary.domainChecks.notConfirmed = evidence.domainChecks.size;
  summary.deadAddresses = dead.size;
  return { dead, summary };
}

function evidenceDetail(found: DeadEvidence): string {
  const { event } = found;
  const when = event.time === null ? 'undated' : new Date(event.time).toISOString().slice(0, 10);
  const times = found.events > 1 ? `${found.events} bounces, last: ` : 'Bounced: ';
  const text = event.text.length > 200 ? `${event.text.slice(0, 199)}…` : event.text;
  return `${times}${text || event.rule} (${event.provider}, ${when}, rule ${event.rule}, ${event.file}:${event.line})`;
}

/** The row's verdict with the bounce evidence applied: a dead address becomes invalid / bounced. */
export function applyBounceEvidence(verdict: RowVerdict, dead: ReadonlyMap<string, DeadEvidence>): RowVerdict {
  if (verdict.address === null || verdict.status === 'invalid' || verdict.status === 'duplicate' || verdict.status === 'malformed') return verdict;
  const found = dead.get(addressKey(verdict.address));
  if (found === undefined) return verdict;
  const bounced: RowVerdict = { ...verdict, status: 'invalid', reason: 'bounced', detail: evidenceDetail(found), bounce: found.event.bounce ?? '5.1.1' };
  if (verdict.reason !== 'ok') bounced.alsoFound = verdict.reason;
  return bounced;
}

/** The guard: too large a share of rows removed as bounced. */
export function bounceGuard(bounced: number, rows: number, maxBounceShare: number): { kind: 'max_bounce_share'; maxBounceShare: number; removedRate: number; detail: string } | undefined {
  const share = rows === 0 ? 0 : bounced / rows;
  if (share <= maxBounceShare) return undefined;
  return {
    kind: 'max_bounce_share',
    maxBounceShare,
    removedRate: share,
    detail: `${(share * 100).toFixed(1)}% of rows would be removed as bounced, above the --max-bounce-share of ${(maxBounceShare * 100).toFixed(1)}%; the previous outputs were left untouched.`,
  };
}
