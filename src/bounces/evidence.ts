/**
 * The evidence aggregator: classified events in (any order of files), per address out: which
 * addresses the bounces prove dead. Rules, in the order applied:
 * - only `recipient` events count (and `domain` ones, which DNS must confirm afterwards);
 * - a later successful delivery to the address cancels its earlier bounces;
 * - events older than `since` do not count (nor undated ones, when `since` is set);
 * - a storm (one provider rejecting at least `stormMin` distinct recipients in a day with one
 *   normalized text that is sender-class or no mailbox signal) is a sender incident: none of that
 *   provider's events that day counts;
 * - "mailbox disabled / inactive" counts only from `minEvents` such events on.
 * Memory: per address with a recipient-class event, per delivered address (its last delivery time),
 * and per provider, day and text; never per line.
 */
import { domainToASCII } from 'node:url';
import { normalizeText, ruleMeaning } from './classify.js';
import type { BounceClass, BounceEvent } from './types.js';

export interface EvidenceOptions {
  /** Events of a "repeat" rule (mailbox disabled) needed to count. Default 2. */
  minEvents?: number;
  /** Distinct recipients one provider rejects in a day with one text for a storm. Default 20. */
  stormMin?: number;
  /** Epoch ms: older events do not count. */
  since?: number;
}

export const DEFAULT_MIN_EVENTS = 2;
export const DEFAULT_STORM_MIN = 20;

/** A transient failure on this many distinct days, with no delivery after, is flagged. */
const PERSISTENT_DAYS = 3;
/** Events kept per address (the latest). */
const EVENTS_PER_ADDRESS = 16;
/** Text groups kept per run; beyond, events are only counted. */
const MAX_GROUPS = 20_000;

/** The key an address is matched by: trimmed, without <>, lower-case, ASCII domain. */
export function addressKey(address: string): string {
  let bare = address.trim().toLowerCase();
  if (bare.startsWith('<') && bare.endsWith('>')) bare = bare.slice(1, -1);
  const at = bare.lastIndexOf('@');
  if (at < 0) return bare;
  const domain = bare.slice(at + 1);
  // eslint-disable-next-line no-control-regex
  return /[^\u0000-\u007f]/.test(domain) ? `${bare.slice(0, at)}@${domainToASCII(domain) || domain}` : bare;
}

/**
 * A copy of a string that shares no memory with the text it was cut from. V8 keeps a substring as
 * a view of its parent, so one address kept in a map would keep its whole 64 KB read chunk alive
 * (a 100 MB log held 200 MB of heap). Used for what is kept beyond the line: keys, kept texts.
 */
export function own(text: string): string {
  return text.length === 0 ? '' : Buffer.from(text, 'utf8').toString('utf8');
}

function dayOf(time: number | null): string {
  return time === null ? 'undated' : new Date(time).toISOString().slice(0, 10);
}

interface Seen {
  event: BounceEvent;
  seq: number;
  day: string;
}

interface Group {
  provider: string;
  day: string;
  cls: BounceClass;
  rule: string;
  text: string;
  events: number;
  recipients: Set<string>;
  /** Sending IPs quoted by the replies (a few). */
  ips: Set<string>;
  permanent: boolean;
}

/** A sender incident: the storm guard fired. */
export interface Incident {
  provider: string;
  day: string;
  rule: string;
  class: BounceClass;
  recipients: number;
  events: number;
  text: string;
  detail: string;
}

/** Sender-class rejections grouped by provider, day and rule. */
export interface SenderProblem {
  provider: string;
  day: string;
  rule: string;
  category: string;
  events: number;
  recipients: number;
  /** Sending IPs the replies name. */
  ips: string[];
  text: string;
  detail: string;
}

/** Why an address counts as dead. */
export interface DeadEvidence {
  /** The deciding event (the latest that counts). */
  event: BounceEvent;
  /** Events that count for it. */
  events: number;
}

export interface EvidenceResult {
  /** Proven dead by recipient-class events. */
  dead: Map<string, DeadEvidence>;
  /** Only domain-class evidence: dead if DNS says so now. */
  domainChecks: Map<string, DeadEvidence>;
  incidents: Incident[];
  senderProblems: SenderProblem[];
  /** Addresses with transient failures on several days and no delivery since (flagged, kept). */
  persistent: string[];
  /** Recipient-class events that did not count, and why. */
  discounted: { cancelled: number; storm: number; old: number; belowMinEvents: number };
}

/** The event as kept per address: only what the decision and the report's detail use. */
function compact(event: BounceEvent): BounceEvent {
  const kept: BounceEvent = {
    kind: event.kind, address: own(event.address), text: own(event.text.slice(0, 300)), time: event.time,
    file: event.file, line: event.line, class: event.class, category: event.category, rule: event.rule, provider: own(event.provider),
    repeat: event.repeat, bounce: event.bounce,
  };
  if (event.stage !== undefined) kept.stage = event.stage;
  return kept;
}

/** The receiver's own code or block list a reply names (S3150, [TSS04], RTR:BL, Spamhaus, ...). */
const NAMED = /\b(S3\d{3}|AS\(\d+\)|RTR:[A-Z]{2}|DYN:T\d)|(\[(?:BL2\d|TSS0\d|TS0\d|CS\d\d|HM\d\d)\])|\b(spamhaus|barracuda|spamcop|proofpoint|cloudmark|sorbs|uceprotect)\b/i;
const POLICY_CODE = /\b[45]\.7\.\d{1,3}\b/;

/** What a sender problem cites: the name the reply gives, else its 5.7.x code, else the rule. */
function citation(text: string, rule: string): string {
  const named = NAMED.exec(text);
  if (named?.[3] !== undefined) return named[3].charAt(0).toUpperCase() + named[3].slice(1).toLowerCase();
  return named?.[1] ?? named?.[2] ?? POLICY_CODE.exec(text)?.[0] ?? rule;
}

function isBefore(a: { time: number | null; seq: number }, b: { time: number | null; seq: number }): boolean {
  return a.time !== null && b.time !== null ? a.time < b.time : a.seq < b.seq;
}

export class EvidenceCollector {
  private seq = 0;
  private readonly candidates = new Map<string, Seen[]>();
  private readonly delivered = new Map<string, { time: number | null; seq: number }>();
  private readonly transientDays = new Map<string, Set<string>>();
  private readonly groups = new Map<string, Group>();
  private readonly minEvents: number;
  private readonly stormMin: number;

  constructor(private readonly options: EvidenceOptions = {}) {
    this.minEvents = options.minEvents ?? DEFAULT_MIN_EVENTS;
    this.stormMin = options.stormMin ?? DEFAULT_STORM_MIN;
  }

  add(event: BounceEvent): void {
    this.seq += 1;
    const key = addressKey(event.address);
    if (event.rule === 'delivered') {
      const last = this.delivered.get(key);
      const current = { time: event.time, seq: this.seq };
      if (last === undefined) this.delivered.set(own(key), current);
      else if (isBefore(last, current)) this.delivered.set(key, current);
      return;
    }
    const day = dayOf(event.time);
    this.group(event, key, day);
    if (event.class === 'recipient' || event.class === 'domain') {
      let list = this.candidates.get(key);
      if (list === undefined) {
        list = [];
        this.candidates.set(own(key), list);
      }
      list.push({ event: compact(event), seq: this.seq, day });
      if (list.length > EVENTS_PER_ADDRESS) list.shift();
    } else if (event.class === 'transient' && day !== 'undated') {
      let days = this.transientDays.get(key);
      if (days === undefined) {
        days = new Set<string>();
        this.transientDays.set(own(key), days);
      }
      if (days.size < PERSISTENT_DAYS) days.add(day);
    }
  }

  private group(event: BounceEvent, key: string, day: string): void {
    const text = normalizeText(event.text);
    const id = `${event.provider}\u0000${day}\u0000${event.rule}\u0000${text}`;
    let group = this.groups.get(id);
    if (group === undefined) {
      if (this.groups.size >= MAX_GROUPS) return;
      group = { provider: own(event.provider), day, cls: event.class, rule: event.rule, text: own(event.text.slice(0, 200)), events: 0, recipients: new Set(), ips: new Set(), permanent: false };
      this.groups.set(own(id), group);
    }
    group.events += 1;
    if (event.ip !== undefined && group.ips.size < 3 && !group.ips.has(event.ip)) group.ips.add(own(event.ip));
    if (event.temporary !== true && event.basic?.startsWith('4') !== true && event.enhanced?.startsWith('4.') !== true) group.permanent = true;
    // Distinct recipients: up to the storm threshold, or a useful count for the sender summary.
    if (group.recipients.size < (group.cls === 'sender' ? Math.max(this.stormMin, 10_000) : this.stormMin) && !group.recipients.has(key)) group.recipients.add(own(key));
  }

  /** Provider-day keys with a storm, and the incidents. */
  private storms(): { keys: Set<string>; incidents: Incident[] } {
    const keys = new Set<string>();
    const incidents: Incident[] = [];
    for (const group of this.groups.values()) {
      const notMailbox = group.cls === 'sender' || (group.cls === 'unknown' && group.permanent);
      if (!notMailbox || group.recipients.size < this.stormMin) continue;
      keys.add(`${group.provider}\u0000${group.day}`);
      incidents.push({
        provider: group.provider,
        day: group.day,
        rule: group.rule,
        class: group.cls,
        recipients: group.recipients.size,
        events: group.events,
        text: group.text,
        detail: `${group.provider} rejected ${group.recipients.size} recipients on ${group.day} with one ${group.cls === 'sender' ? 'sender-class' : 'non-mailbox'} reply (${group.rule}): a sender incident, so none of ${group.provider}'s bounces that day removes an address`,
      });
    }
    return { keys, incidents };
  }

  private senderProblems(): SenderProblem[] {
    const byRule = new Map<string, Omit<SenderProblem, 'ips'> & { keys: Set<string>; ipSet: Set<string> }>();
    for (const group of this.groups.values()) {
      if (group.cls !== 'sender') continue;
      const id = `${group.provider}\u0000${group.day}\u0000${group.rule}`;
      let problem = byRule.get(id);
      if (problem === undefined) {
        problem = { provider: group.provider, day: group.day, rule: group.rule, category: '', events: 0, recipients: 0, text: group.text, detail: '', keys: new Set(), ipSet: new Set() };
        byRule.set(id, problem);
      }
      problem.events += group.events;
      for (const key of group.recipients) problem.keys.add(key);
      for (const ip of group.ips) problem.ipSet.add(ip);
    }
    return [...byRule.values()]
      .map(({ keys, ipSet, ...problem }) => {
        const meaning = ruleMeaning(problem.rule) ?? problem.rule;
        const ips = [...ipSet];
        const from = ips.length === 0 ? '' : ` (sending IP ${ips.join(', ')})`;
        return { ...problem, recipients: keys.size, ips, detail: `${problem.events} ${problem.provider} rejections ${problem.day === 'undated' ? '(undated)' : `on ${problem.day}`} cite ${citation(problem.text, problem.rule)}: ${meaning}${from}` };
      })
      .sort((a, b) => b.events - a.events);
  }

  finish(): EvidenceResult {
    const { keys: stormKeys, incidents } = this.storms();
    const discounted = { cancelled: 0, storm: 0, old: 0, belowMinEvents: 0 };
    const dead = new Map<string, DeadEvidence>();
    const domainChecks = new Map<string, DeadEvidence>();
    const since = this.options.since;
    for (const [key, seen] of this.candidates) {
      const delivered = this.delivered.get(key);
      const counting = seen.filter(({ event, seq, day }) => {
        if (delivered !== undefined && isBefore({ time: event.time, seq }, delivered)) return void (discounted.cancelled += 1);
        if (since !== undefined && (event.time === null || event.time < since)) return void (discounted.old += 1);
        if (stormKeys.has(`${event.provider}\u0000${day}`)) return void (discounted.storm += 1);
        return true;
      });
      const firm = counting.filter(({ event }) => event.class === 'recipient' && !event.repeat);
      const repeated = counting.filter(({ event }) => event.class === 'recipient' && event.repeat);
      const domain = counting.filter(({ event }) => event.class === 'domain');
      const latest = (list: Seen[]): BounceEvent => (list[list.length - 1] as Seen).event;
      if (firm.length > 0) dead.set(key, { event: latest(firm), events: firm.length + repeated.length });
      else if (repeated.length >= this.minEvents) dead.set(key, { event: latest(repeated), events: repeated.length });
      else {
        if (repeated.length > 0) discounted.belowMinEvents += repeated.length;
        if (domain.length > 0) domainChecks.set(key, { event: latest(domain), events: domain.length });
      }
    }
    const persistent: string[] = [];
    for (const [key, days] of this.transientDays) {
      if (days.size < PERSISTENT_DAYS) continue;
      const delivered = this.delivered.get(key);
      const lastDay = [...days].sort().pop() as string;
      if (delivered?.time != null && dayOf(delivered.time) >= lastDay) continue;
      persistent.push(key);
    }
    return { dead, domainChecks, incidents, senderProblems: this.senderProblems(), persistent, discounted };
  }
}
