/**
 * The mailbox checker: queues addresses per provider group, opens polite sessions (bottleneck
 * Groups: 2 connections per group, 1 s between new ones; one global probe rate), reuses each
 * connection for up to 20 addresses of a host, and applies the fail-safe rules: breakers per group,
 * the stop after three groups trip, greylisting retries, the catch-all probe and the blanket guard
 * (README "Mailbox verification over SMTP"). Every address gets exactly one outcome; anything we
 * could not decide is an unknown reason, never a rejection.
 */
import { randomBytes } from 'node:crypto';
import Bottleneck from 'bottleneck';
import { createMailboxCache, type MailboxCache } from './cache.js';
import { evidenceOf, replyDetail } from './details.js';
import { groupOf, isUnverifiable, skipsCatchAllProbe } from './groups.js';
import { classifyBeforeRcpt, classifyRcpt, namedDelayMs, type ReplyClass, type SmtpReply } from './reply.js';
import { defaultConnector, SessionError, SmtpSession, type Connector, type OpenFailure } from './session.js';
import type { BreakerTrip, MailboxOutcome, MailboxReason, MxTarget, ResolvedSmtpOptions, SmtpSummary } from './types.js';

export interface MailboxChecker {
  /** Port-25 check before the stage: TCP + greeting on up to three MX hosts of different provider groups. */
  probeReachability(candidates: readonly MxTarget[][]): Promise<{ reachable: boolean; detail: string }>;
  /** One address at a domain whose MX hosts DNS already found. */
  check(address: string, domain: string, mx: readonly MxTarget[]): Promise<MailboxOutcome>;
  summary(): SmtpSummary;
  readonly cache: MailboxCache;
  /** QUIT open sessions, clear timers; pending checks end `unknown`. */
  close(): Promise<void>;
}

export interface CheckerDeps {
  now?: () => number;
  connect?: Connector;
  /** Random bytes for the catch-all local part (tests pin it). */
  random?: (size: number) => Buffer;
}

interface Item {
  address: string;
  domain: string;
  hosts: readonly MxTarget[];
  /** The first MX host: items with the same key share connections. */
  hostKey: string;
  firstAt: number;
  greylistRetries: number;
  requeued: boolean;
  done: boolean;
  resolve(outcome: MailboxOutcome): void;
}

interface GroupState {
  name: string;
  pending: Item[];
  /** Sessions scheduled or running. */
  sessions: number;
  pauseMs: number;
  openUntil: number;
  trip?: { reason: MailboxReason; detail: string };
  timeoutsInRow: number;
  /** The group accepted some recipient this run: its mailbox rejections are trusted. */
  trusted: boolean;
  blanket: boolean;
  probes: number;
  rejections: number;
  postmaster?: Promise<'accepted' | 'rejected' | 'undetermined'>;
}

type CatchAll = 'yes' | 'no' | 'undetermined';

const BREAKER_PAUSE_MS = 30 * 60_000;
const STOP_WINDOW_MS = 10 * 60_000;
const GREYLIST_DEFAULT_MS = 5 * 60_000;
const MAX_GREYLIST_RETRIES = 2;
const BLANKET_MIN_PROBES = 20;
const BLANKET_SHARE = 0.9;
const REJECTIONS_BEFORE_QUIT = 3;

export class Checker implements MailboxChecker {
  readonly cache: MailboxCache;
  readonly #o: ResolvedSmtpOptions;
  readonly #now: () => number;
  readonly #connect: Connector;
  readonly #random: (size: number) => Buffer;
  readonly #limiters: Bottleneck.Group;
  readonly #probeLimiter: Bottleneck;
  readonly #groups = new Map<string, GroupState>();
  readonly #sessions = new Set<SmtpSession>();
  readonly #waiting = new Map<Item, ReturnType<typeof setTimeout>>();
  readonly #catchAll = new Map<string, CatchAll | Promise<CatchAll>>();
  readonly #noTls = new Set<string>();
  /** Set when three groups tripped (the stage stops) or close() ran: every later address gets it. */
  #stopped: { reason: MailboxReason; detail: string } | undefined;
  /** Why the stage stopped, for the summary (not set by close()). */
  #stopDetail: string | undefined;
  #unreachable: string | undefined;
  readonly #stats: Omit<SmtpSummary, 'status' | 'stopped'> = { probes: 0, connections: 0, reasons: {}, cacheHits: 0, breakers: [], blanketGroups: [], senderProblems: [] };

  constructor(options: ResolvedSmtpOptions, deps: CheckerDeps = {}) {
    this.#o = options;
    this.#now = deps.now ?? Date.now;
    this.#connect = deps.connect ?? defaultConnector;
    this.#random = deps.random ?? randomBytes;
    this.cache = createMailboxCache(this.#now);
    const { connectionsPerGroup, connectIntervalMs, probesPerMinute } = options.limits;
    this.#limiters = new Bottleneck.Group({ maxConcurrent: connectionsPerGroup, minTime: connectIntervalMs });
    this.#probeLimiter = new Bottleneck({ minTime: Math.ceil(60_000 / probesPerMinute) });
  }

  async probeReachability(candidates: readonly MxTarget[][]): Promise<{ reachable: boolean; detail: string }> {
    const picked = new Map<string, MxTarget>();
    for (const mx of candidates) {
      const host = sortHosts(mx, 1)[0];
      // A provider we do not ask (Yahoo-style) is not greeted either: any connection is a probe to it.
      if (host === undefined || (!this.#o.probeUnverifiable && isUnverifiable(host.host))) continue;
      if (!picked.has(groupOf(host.host)) && picked.size < 3) picked.set(groupOf(host.host), host);
    }
    if (picked.size === 0) return { reachable: true, detail: 'No MX host to try.' };
    const tries = await Promise.all([...picked.values()].map((host) => this.#greet(host)));
    const answered = tries.find((t) => t.answered);
    if (answered !== undefined) return { reachable: true, detail: answered.detail };
    this.#unreachable = `Outbound port ${this.#o.port} appears blocked: none of ${tries.length} mail servers answered (${tries.map((t) => t.detail).join('; ')}). Most cloud and home networks block it; run from a host that may send mail.`;
    return { reachable: false, detail: this.#unreachable };
  }

  async #greet(host: MxTarget): Promise<{ answered: boolean; detail: string }> {
    const ip = host.addresses[0] as string;
    this.#stats.connections++;
    const opened = await SmtpSession.greet({ mxHost: host.host, ip, port: this.#o.port }, this.#o, { connect: this.#connect, now: this.#now });
    return opened;
  }

  check(address: string, domain: string, mx: readonly MxTarget[]): Promise<MailboxOutcome> {
    return new Promise((resolve) => {
      const hosts = sortHosts(mx, this.#o.maxHosts);
      const item: Item = { address, domain, hosts, hostKey: hosts[0]?.host ?? '', firstAt: this.#now(), greylistRetries: 0, requeued: false, done: false, resolve };
      const early = this.#early(item, hosts);
      // An early outcome is a cache hit or an unknown (never cached): nothing to store, and storing
      // a hit again would restart its 7 days on every run, so it would never be asked again.
      if (early !== undefined) return this.#settle(item, early, false);
      this.#enqueue(item);
    });
  }

  /** An outcome that needs no connection: stopped, port 25 closed, cached, no host, unverifiable, paused. */
  #early(item: Item, hosts: readonly MxTarget[]): MailboxOutcome | undefined {
    // Not left to #paused below: once stopped, the stop comes before the cache and every other answer.
    if (this.#stopped !== undefined) return this.#stopped;
    if (this.#unreachable !== undefined) return { reason: 'smtp_unreachable', detail: this.#unreachable };
    // Only printable ASCII goes on the wire: no SMTPUTF8, and no line break that could smuggle a command.
    if (!/^[\x21-\x7e]+$/.test(item.address) || /[<>]/.test(item.address)) {
      return { reason: 'smtp_unrecognized', detail: 'Not asked: the address has characters an SMTP command cannot carry (non-ASCII, spaces, line breaks or angle brackets).' };
    }
    const cached = this.cache.getAddress(item.address);
    if (cached !== undefined) {
      this.#stats.cacheHits++;
      return cached.reason === 'accepted' && this.cache.getCatchAll(item.domain) === 'yes' ? { ...cached, reason: 'catch_all', detail: `${cached.detail} The domain accepts any address (catch-all).` } : cached;
    }
    const first = hosts[0];
    if (first === undefined) return { reason: 'smtp_unreachable', detail: 'No MX host with an address to ask.' };
    if (!this.#o.probeUnverifiable && isUnverifiable(first.host)) {
      return { reason: 'smtp_provider_unverifiable', detail: `${first.host} belongs to a provider that blocks or misleads mailbox probes (Yahoo/AOL, Outlook.com); not asked.` };
    }
    return this.#paused(this.#group(first.host));
  }

  #paused(group: GroupState): MailboxOutcome | undefined {
    if (this.#stopped !== undefined) return this.#stopped;
    if (group.trip === undefined || this.#now() >= group.openUntil) return undefined;
    return { reason: group.trip.reason, detail: `Not asked: checks against ${group.name} are paused until ${new Date(group.openUntil).toISOString()} after ${group.trip.detail}` };
  }

  #group(host: string): GroupState {
    const name = groupOf(host);
    let group = this.#groups.get(name);
    if (group === undefined) {
      group = { name, pending: [], sessions: 0, pauseMs: 0, openUntil: 0, timeoutsInRow: 0, trusted: false, blanket: false, probes: 0, rejections: 0 };
      this.#groups.set(name, group);
    }
    return group;
  }

  #settle(item: Item, outcome: MailboxOutcome, store = true): void {
    if (item.done) return;
    item.done = true;
    this.#stats.reasons[outcome.reason] = (this.#stats.reasons[outcome.reason] ?? 0) + 1;
    if (!store) return item.resolve(outcome);
    // The cache keeps the address's own answer; the catch-all finding is kept per domain (and expires
    // sooner), so the detail is rebuilt from the reply rather than carrying either wording.
    if ((outcome.reason === 'accepted' || outcome.reason === 'catch_all') && outcome.smtp !== undefined) this.cache.setAddress(item.address, { reason: 'accepted', detail: replyDetail('accepted', outcome.smtp), smtp: outcome.smtp });
    else this.cache.setAddress(item.address, outcome);
    item.resolve(outcome);
  }

  #enqueue(item: Item): void {
    const group = this.#group(item.hostKey);
    group.pending.push(item);
    this.#pump(group);
  }

  /**
   * Start sessions while the group has free connections and more waiting addresses than the open
   * sessions will take (20 each): a second connection only when it has work of its own.
   */
  #pump(group: GroupState): void {
    while (group.sessions < this.#o.limits.connectionsPerGroup && group.pending.length > group.sessions * this.#o.addressesPerConnection) {
      group.sessions++;
      this.#limiters
        .key(group.name)
        .schedule(() => this.#runSession(group))
        .catch(() => undefined)
        .finally(() => {
          group.sessions--;
          if (this.#stopped === undefined) this.#pump(group);
        });
    }
  }

  /** The longest-waiting address; with `hostKey`, the longest-waiting one that can use this connection. */
  #take(group: GroupState, hostKey?: string): Item | undefined {
    const at = group.pending.findIndex((item) => hostKey === undefined || item.hostKey === hostKey);
    return at < 0 ? undefined : group.pending.splice(at, 1)[0];
  }

  async #runSession(group: GroupState): Promise<void> {
    const first = this.#take(group);
    if (first === undefined) return;
    const paused = this.#paused(group);
    if (paused !== undefined) return this.#settle(first, paused);
    const session = await this.#open(group, first);
    if (session === undefined) return;
    this.#sessions.add(session);
    try {
      await this.#useSession(group, session, first);
    } finally {
      await session.quit();
      this.#sessions.delete(session);
    }
  }

  async #useSession(group: GroupState, session: SmtpSession, first: Item): Promise<void> {
    let item: Item | undefined = first;
    let asked = 0;
    let rejectionsInRow = 0;
    while (item !== undefined) {
      const result = await this.#ask(group, session, item);
      asked++;
      rejectionsInRow = result === 'rejected' ? rejectionsInRow + 1 : 0;
      if (result === 'end' || session.closed || asked >= this.#o.addressesPerConnection || rejectionsInRow >= REJECTIONS_BEFORE_QUIT) return;
      // Leave room for a whole probe (and its catch-all or postmaster follow-up) before the deadline.
      if (session.remainingMs < 3 * Math.min(this.#o.timeouts.commandMs, 10_000) || this.#paused(group) !== undefined) return;
      item = this.#take(group, first.hostKey);
    }
  }

  /** Connect to the item's MX hosts in order; on failure the item (and its host's queue) gets the outcome. */
  async #open(group: GroupState, item: Item): Promise<SmtpSession | undefined> {
    const failures: string[] = [];
    let last: OpenFailure | undefined;
    for (const host of item.hosts) {
      for (const ip of host.addresses.slice(0, 2)) {
        const opened = await this.#openOne(host.host, ip);
        if (opened instanceof SmtpSession) return opened;
        last = opened;
        failures.push(opened.kind === 'reply' ? `${host.host}: ${opened.reply.text}` : opened.detail);
        if (opened.kind !== 'connect') break;
      }
      // The next MX only when this one took no TCP connection, answered 421 or refused the greeting.
      if (last !== undefined && !(last.kind === 'connect' || (last.kind === 'reply' && last.stage === 'greeting'))) break;
    }
    this.#openFailed(group, item, last, failures);
    return undefined;
  }

  async #openOne(mxHost: string, ip: string): Promise<SmtpSession | OpenFailure> {
    const target = { mxHost, ip, port: this.#o.port };
    const deps = { connect: this.#connect, now: this.#now };
    this.#stats.connections++;
    try {
      return await SmtpSession.open(target, this.#o, deps, !this.#noTls.has(mxHost));
    } catch (error) {
      if (!(error instanceof SessionError) || error.kind !== 'tls') throw error;
      // A broken STARTTLS: once more in plain text, and not again with this host this run.
      this.#noTls.add(mxHost);
      this.#stats.connections++;
      return SmtpSession.open(target, this.#o, deps, false);
    }
  }

  #openFailed(group: GroupState, item: Item, last: OpenFailure | undefined, failures: string[]): void {
    if (last === undefined || last.kind === 'connect') {
      const outcome: MailboxOutcome = { reason: 'smtp_unreachable', detail: `No MX host accepted a connection: ${failures.join('; ')}.` };
      // Its neighbours would meet the same closed doors: they get the same answer, without more tries.
      for (const other of group.pending.filter((p) => p.hostKey === item.hostKey)) this.#settle(other, outcome);
      group.pending = group.pending.filter((p) => !p.done);
      return this.#settle(item, outcome);
    }
    if (last.kind !== 'reply') {
      const outcome: MailboxOutcome = { reason: last.kind === 'timeout' ? 'smtp_timeout' : 'smtp_temp_error', detail: `${item.hostKey}: ${last.detail}.` };
      this.#settle(item, outcome);
      if (last.kind === 'timeout') this.#countTimeout(group, outcome);
      return;
    }
    const evidence = evidenceOf(last.reply, last.mxHost);
    const verdict = classifyBeforeRcpt(last.reply, evidence.mxHost);
    const outcome: MailboxOutcome = { reason: verdict.reason, detail: replyDetail(verdict.reason, evidence, ` (at ${last.stage})`), smtp: evidence };
    this.#noteSender(verdict);
    this.#settle(item, outcome);
    if (verdict.reason !== 'smtp_temp_error') this.#trip(group, outcome);
  }

  /** One address over an open session: 'rejected' counts toward quitting, 'end' closes the session. */
  async #ask(group: GroupState, session: SmtpSession, item: Item): Promise<'ok' | 'rejected' | 'end'> {
    const mxHost = session.target.mxHost;
    const reply = await this.#rcpt(group, session, item.address, item);
    if (reply === undefined) return 'end';
    if (reply.stage === 'MAIL') {
      const verdict = classifyBeforeRcpt(reply.reply, mxHost);
      return this.#finishRefused(group, item, verdict, reply.reply, mxHost, ' (at MAIL FROM)');
    }
    group.probes++;
    const evidence = evidenceOf(reply.reply, mxHost);
    const verdict = classifyRcpt(reply.reply, mxHost);
    switch (verdict.reason) {
      case 'accepted':
        group.trusted = true;
        this.#settle(item, await this.#acceptedOutcome(session, item, evidence));
        return 'ok';
      case 'mailbox_not_found':
      case 'mailbox_disabled':
        group.rejections++;
        this.#settle(item, await this.#guardRejection(group, session, item, verdict.reason, evidence));
        return 'rejected';
      case 'greylisted':
        if (this.#retryLater(item, reply.reply)) return 'ok';
        this.#settle(item, { reason: 'greylisted', detail: replyDetail('greylisted', evidence, item.greylistRetries === 0 ? ' (asked once; no waiting allowed)' : ` (asked ${item.greylistRetries + 1} times)`), smtp: evidence });
        return 'ok';
      case 'smtp_blocked':
      case 'smtp_rate_limited':
        return this.#finishRefused(group, item, verdict, reply.reply, mxHost, '');
      default:
        // "452 4.5.3 Too many recipients": this connection is spent; the address goes to a fresh one once.
        if (reply.reply.code === 452 && reply.reply.enhanced === '4.5.3' && !item.requeued) {
          item.requeued = true;
          group.pending.unshift(item);
          return 'end';
        }
        this.#settle(item, { reason: verdict.reason, detail: replyDetail(verdict.reason, evidence), smtp: evidence });
        return 'ok';
    }
  }

  #finishRefused(group: GroupState, item: Item, verdict: ReplyClass, reply: SmtpReply, mxHost: string, where: string): 'end' {
    const evidence = evidenceOf(reply, mxHost);
    const outcome: MailboxOutcome = { reason: verdict.reason, detail: replyDetail(verdict.reason, evidence, where), smtp: evidence };
    this.#noteSender(verdict);
    this.#settle(item, outcome);
    if (verdict.reason === 'smtp_blocked' || verdict.reason === 'smtp_rate_limited') this.#trip(group, outcome);
    return 'end';
  }

  /** MAIL/RCPT/RSET for one recipient within the probe rate; undefined when the session failed (the item is settled). */
  async #rcpt(group: GroupState, session: SmtpSession, recipient: string, item?: Item): Promise<{ stage: 'MAIL' | 'RCPT'; reply: SmtpReply } | undefined> {
    await this.#probeLimiter.schedule(() => Promise.resolve());
    const paused = this.#paused(group);
    if (paused !== undefined) {
      if (item !== undefined) this.#settle(item, paused);
      return undefined;
    }
    try {
      this.#stats.probes++;
      const reply = await session.probe(this.#o.from, recipient);
      group.timeoutsInRow = 0;
      return reply;
    } catch (error) {
      if (item === undefined) return undefined;
      const timeout = error instanceof SessionError && error.kind === 'timeout';
      const message = error instanceof Error ? error.message : String(error);
      const outcome: MailboxOutcome = { reason: timeout ? 'smtp_timeout' : 'smtp_temp_error', detail: `${session.target.mxHost}: ${message} while asking about the address.` };
      this.#settle(item, outcome);
      if (timeout) this.#countTimeout(group, outcome);
      return undefined;
    }
  }

  #countTimeout(group: GroupState, outcome: MailboxOutcome): void {
    group.timeoutsInRow++;
    if (group.timeoutsInRow >= 3) this.#trip(group, { ...outcome, detail: `three timeouts in a row (${outcome.detail.replace(/\.$/, '')}).` });
  }

  /** An accepted address, then the domain's catch-all finding (probed once per domain, in this session). */
  async #acceptedOutcome(session: SmtpSession, item: Item, evidence: NonNullable<MailboxOutcome['smtp']>): Promise<MailboxOutcome> {
    if (!this.#o.catchAll || skipsCatchAllProbe(item.domain)) return { reason: 'accepted', detail: replyDetail('accepted', evidence), smtp: evidence };
    let state = this.cache.getCatchAll(item.domain) ?? this.#catchAll.get(item.domain);
    if (state === undefined) {
      state = this.#probeCatchAll(session, item.domain);
      this.#catchAll.set(item.domain, state);
    }
    const found = await state;
    if (found === 'yes') return { reason: 'catch_all', detail: replyDetail('catch_all', evidence), smtp: evidence };
    const extra = found === 'undetermined' ? '; whether the domain accepts any address could not be determined' : '';
    return { reason: 'accepted', detail: replyDetail('accepted', evidence, extra), smtp: evidence };
  }

  async #probeCatchAll(session: SmtpSession, domain: string): Promise<CatchAll> {
    const local = `listscrub-${this.#random(9).toString('hex')}`;
    const reply = await this.#rcpt(this.#group(session.target.mxHost), session, `${local}@${domain}`);
    let state: CatchAll = 'undetermined';
    if (reply?.stage === 'RCPT') {
      const verdict = classifyRcpt(reply.reply, session.target.mxHost).reason;
      state = verdict === 'accepted' ? 'yes' : verdict === 'mailbox_not_found' ? 'no' : 'undetermined';
    }
    this.#catchAll.set(domain, state);
    if (state !== 'undetermined') this.cache.setCatchAll(domain, state);
    return state;
  }

  /**
   * The blanket guard (lead's decision): a rejection is trusted once the group accepted someone this
   * run; before that, postmaster@ (RFC 5321 4.5.1) decides. From 20 probes on, a group rejecting
   * more than 90% is rejecting us, whatever it accepted.
   */
  async #guardRejection(group: GroupState, session: SmtpSession, item: Item, reason: MailboxReason, evidence: NonNullable<MailboxOutcome['smtp']>): Promise<MailboxOutcome> {
    const rejection: MailboxOutcome = { reason, detail: replyDetail(reason, evidence), smtp: evidence };
    if (!group.blanket && group.probes >= BLANKET_MIN_PROBES && group.rejections / group.probes > BLANKET_SHARE) this.#markBlanket(group);
    if (group.blanket) return this.#blanket(evidence, `it rejected ${group.rejections} of ${group.probes} addresses asked`);
    if (group.trusted) return rejection;
    group.postmaster ??= this.#probePostmaster(group, session, item.domain);
    const postmaster = await group.postmaster;
    if (postmaster === 'accepted') return rejection;
    if (postmaster === 'rejected') return this.#blanket(evidence, `it rejected postmaster@${item.domain} too, which every domain must accept (RFC 5321 4.5.1)`);
    return this.#blanket(evidence, `it has accepted no address this run and postmaster@${item.domain} could not be checked`);
  }

  async #probePostmaster(group: GroupState, session: SmtpSession, domain: string): Promise<'accepted' | 'rejected' | 'undetermined'> {
    const reply = await this.#rcpt(group, session, `postmaster@${domain}`);
    const verdict = reply?.stage === 'RCPT' ? classifyRcpt(reply.reply, session.target.mxHost).reason : undefined;
    if (verdict === 'accepted') group.trusted = true;
    if (verdict === 'mailbox_not_found' || verdict === 'mailbox_disabled') this.#markBlanket(group);
    // An undetermined answer is not remembered: the next rejection asks again.
    if (verdict !== 'mailbox_not_found' && verdict !== 'mailbox_disabled' && verdict !== 'accepted') delete group.postmaster;
    return verdict === 'accepted' ? 'accepted' : group.blanket ? 'rejected' : 'undetermined';
  }

  #markBlanket(group: GroupState): void {
    group.blanket = true;
    if (!this.#stats.blanketGroups.includes(group.name)) this.#stats.blanketGroups.push(group.name);
  }

  #blanket(evidence: NonNullable<MailboxOutcome['smtp']>, why: string): MailboxOutcome {
    return { reason: 'smtp_blanket_reject', detail: `${evidence.mxHost} rejected the address ("${evidence.text}"), but ${why}: it is rejecting us, not its users.`, smtp: evidence };
  }

  /** Greylisting: the same sender and recipient again after the named delay (else 5 min), twice at most, within maxWaitSeconds. */
  #retryLater(item: Item, reply: SmtpReply): boolean {
    const delay = namedDelayMs(reply.text) ?? GREYLIST_DEFAULT_MS;
    if (item.greylistRetries >= MAX_GREYLIST_RETRIES || this.#now() + delay > item.firstAt + this.#o.maxWaitSeconds * 1000) return false;
    const timer = setTimeout(() => {
      this.#waiting.delete(item);
      item.greylistRetries++;
      const blocked = this.#paused(this.#group(item.hostKey));
      if (blocked !== undefined) this.#settle(item, blocked);
      else this.#enqueue(item);
    }, delay);
    this.#waiting.set(item, timer);
    return true;
  }

  #noteSender(verdict: ReplyClass): void {
    const problem = verdict.senderProblem;
    if (problem !== undefined && !this.#stats.senderProblems.includes(problem) && this.#stats.senderProblems.length < 20) this.#stats.senderProblems.push(problem);
  }

  /** Pause a group (30 min, doubling); its waiting addresses get the breaker's reason. Three groups in ten minutes stop the stage. */
  #trip(group: GroupState, outcome: MailboxOutcome): void {
    const now = this.#now();
    if (group.trip !== undefined && now < group.openUntil) return;
    group.pauseMs = group.pauseMs === 0 ? BREAKER_PAUSE_MS : group.pauseMs * 2;
    group.openUntil = now + group.pauseMs;
    group.trip = { reason: outcome.reason, detail: outcome.detail };
    const trip: BreakerTrip = { group: group.name, reason: outcome.reason, at: now, pausedForMs: group.pauseMs };
    this.#stats.breakers.push(trip);
    this.#drain((item) => this.#group(item.hostKey) === group, this.#paused(group) as MailboxOutcome);
    const recent = new Set(this.#stats.breakers.filter((t) => t.at >= now - STOP_WINDOW_MS).map((t) => t.group));
    if (recent.size >= 3 && this.#stopped === undefined) {
      this.#stopDetail = `SMTP checks were stopped for this run after ${recent.size} provider groups refused us within ten minutes (${[...recent].join(', ')}).`;
      this.#stopped = { reason: outcome.reason, detail: `Not asked: ${this.#stopDetail}` };
      this.#drain(() => true, this.#stopped);
    }
  }

  /** Settle every waiting or queued address that `which` selects. */
  #drain(which: (item: Item) => boolean, outcome: MailboxOutcome): void {
    for (const [item, timer] of this.#waiting) {
      if (!which(item)) continue;
      clearTimeout(timer);
      this.#waiting.delete(item);
      this.#settle(item, outcome);
    }
    for (const group of this.#groups.values()) {
      for (const item of group.pending.filter(which)) this.#settle(item, outcome);
      group.pending = group.pending.filter((item) => !item.done);
    }
  }

  summary(): SmtpSummary {
    const status = this.#unreachable !== undefined ? 'unreachable' : this.#stopDetail !== undefined ? 'stopped' : 'ok';
    const summary: SmtpSummary = { status, ...structuredClone(this.#stats) };
    const stopped = this.#unreachable ?? this.#stopDetail;
    if (stopped !== undefined) summary.stopped = stopped;
    return summary;
  }

  async close(): Promise<void> {
    this.#stopped ??= { reason: 'smtp_temp_error', detail: 'Not asked: the run ended before this address was checked.' };
    this.#drain(() => true, this.#stopped);
    await Promise.all([...this.#sessions].map((session) => session.quit()));
    await this.#probeLimiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
    for (const limiter of this.#limiters.limiters()) await limiter.limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
  }
}

/** MX hosts with an address, lowest preference first, at most `max`. */
function sortHosts(mx: readonly MxTarget[], max: number): MxTarget[] {
  return mx.filter((host) => host.addresses.length > 0).sort((a, b) => a.preference - b.preference).slice(0, max);
}

/** The checker for options validateSmtpOptions() already resolved (not validated again). */
export function createChecker(options: ResolvedSmtpOptions, deps?: CheckerDeps): MailboxChecker {
  return new Checker(options, deps);
}
