/**
 * What the HTML report shows beyond the Summary's counts: the domains that cost the most rows, the
 * typo suggestions, and the malformed records. Fed one routed row at a time; memory stays bounded
 * whatever the list's size (at most MAX_TRACKED keys per table, MALFORMED_KEPT records), and the page
 * only ever shows the top TOP_N of each table next to exact totals.
 */
import type { ReasonCode, RowVerdict } from '../types.js';

/** Rows shown per table on the page. */
export const TOP_N = 50;
/** Keys a table tracks before it forgets its rarest ones (then it forgets the rarer half). */
export const MAX_TRACKED = 10_000;
/** Characters of a malformed record's text kept for the page. */
export const RAW_TEXT_LIMIT = 300;

/**
 * Reasons about the address itself, not its domain: everything else (the DNS reasons, disposable,
 * typo_domain, and any reason added later, such as SMTP findings) counts against the domain.
 */
const ADDRESS_LEVEL: ReadonlySet<string> = new Set<ReasonCode>(['ok', 'syntax', 'unusual_syntax', 'role_account', 'duplicate', 'malformed_row', 'empty', 'repaired', 'multiple_addresses']);

export interface DomainCost {
  domain: string;
  rows: number;
  /** Rows by reason, most frequent first. */
  reasons: Array<{ reason: string; rows: number }>;
  /** The verdict detail of the first row seen for the domain's main reason: what DNS (or a list) said. */
  evidence: string;
}

export interface SuggestionGroup {
  /** The domain (or whole address) as written, and the suggested replacement. */
  from: string;
  to: string;
  rows: number;
  /** One address it touches, as written. */
  example: string;
}

export interface MalformedRecord {
  line: number | null;
  /** Why the record could not be parsed. */
  message: string;
  /** The record's source text, cut at RAW_TEXT_LIMIT characters. */
  raw: string;
}

/** A table's top entries with the totals they were taken from. */
export interface Ranked<T> {
  top: T[];
  /** Distinct keys seen (a lower bound when `approximate`). */
  keys: number;
  /** Rows behind all keys, exact. */
  rows: number;
  /** True when rare keys were forgotten to bound memory: top counts may then be slightly low. */
  approximate: boolean;
}

export interface ReportInsights {
  domains: Ranked<DomainCost>;
  suggestions: Ranked<SuggestionGroup>;
  /** The first TOP_N malformed records, in input order; `rows` is all of them. */
  malformed: { first: MalformedRecord[]; rows: number };
}

/** Counts per key, with a payload per key, that never holds more than MAX_TRACKED keys. */
class BoundedCounter<T extends { rows: number }> {
  private readonly entries = new Map<string, T>();
  rows = 0;
  keys = 0;
  approximate = false;

  add(key: string, create: () => T, update?: (entry: T) => void): void {
    this.rows += 1;
    let entry = this.entries.get(key);
    if (entry === undefined) {
      if (this.entries.size >= MAX_TRACKED) this.prune();
      entry = create();
      this.entries.set(key, entry);
      this.keys += 1;
    }
    entry.rows += 1;
    update?.(entry);
  }

  /**
   * Forget the rarer half of the keys. Keys that matter (many rows) survive, since they grow faster
   * than newcomers; a forgotten key that comes back starts again from zero.
   */
  private prune(): void {
    this.approximate = true;
    const kept = [...this.entries].sort((a, b) => b[1].rows - a[1].rows).slice(0, MAX_TRACKED / 2);
    this.entries.clear();
    for (const [key, entry] of kept) this.entries.set(key, entry);
  }

  ranked(): Ranked<T> {
    const top = [...this.entries.values()].sort((a, b) => b.rows - a.rows).slice(0, TOP_N);
    // Once pruned, a key that came back was counted twice: the keys still held are a safe lower bound.
    return { top, keys: this.approximate ? this.entries.size : this.keys, rows: this.rows, approximate: this.approximate };
  }
}

interface DomainEntry {
  domain: string;
  rows: number;
  reasons: Map<string, { rows: number; evidence: string }>;
}

export interface InsightsCollector {
  /** Take one routed row (every row of the run, kept or removed, exactly once). */
  add(row: { verdict: RowVerdict; record: unknown; line?: number }): void;
  result(): ReportInsights;
}

/** `delimiter` joins a malformed record's cells when the reader did not pass its source text. */
export function createInsightsCollector(delimiter = ','): InsightsCollector {
  const domains = new BoundedCounter<DomainEntry>();
  const suggestions = new BoundedCounter<SuggestionGroup>();
  const malformed: MalformedRecord[] = [];
  let malformedRows = 0;

  return {
    add({ verdict, record, line }) {
      if (verdict.status === 'malformed') {
        malformedRows += 1;
        if (malformed.length < TOP_N) malformed.push(malformedRecord(verdict, record, line, delimiter));
        return;
      }
      if (verdict.suggestion !== undefined && verdict.status !== 'duplicate') {
        const change = suggestedChange(verdict.input.trim(), verdict.suggestion);
        suggestions.add(`${change.from}\n${change.to}`, () => ({ ...change, rows: 0, example: verdict.input }));
      }
      if (ADDRESS_LEVEL.has(verdict.reason)) return;
      const domain = domainOf(verdict.address);
      if (domain !== null) {
        domains.add(domain, () => ({ domain, rows: 0, reasons: new Map() }), (entry) => {
          const reason = entry.reasons.get(verdict.reason);
          if (reason === undefined) entry.reasons.set(verdict.reason, { rows: 1, evidence: verdict.detail });
          else reason.rows += 1;
        });
      }
    },
    result() {
      const rankedDomains = domains.ranked();
      return {
        domains: { ...rankedDomains, top: rankedDomains.top.map(domainCost) },
        suggestions: suggestions.ranked(),
        malformed: { first: malformed, rows: malformedRows },
      };
    },
  };
}

function domainCost(entry: DomainEntry): DomainCost {
  const reasons = [...entry.reasons].map(([reason, r]) => ({ reason, rows: r.rows, evidence: r.evidence })).sort((a, b) => b.rows - a.rows);
  return {
    domain: entry.domain,
    rows: entry.rows,
    reasons: reasons.map(({ reason, rows }) => ({ reason, rows })),
    evidence: reasons[0]?.evidence ?? '',
  };
}

function domainOf(address: string | null): string | null {
  if (address === null) return null;
  const at = address.lastIndexOf('@');
  return at < 0 || at === address.length - 1 ? null : address.slice(at + 1).toLowerCase();
}

/**
 * The change a suggestion makes: "@gmial.com" -> "@gmail.com" when only the domain changes (so every
 * address at that misspelt domain adds to one row of the table), else the whole addresses.
 */
function suggestedChange(written: string, suggestion: string): { from: string; to: string } {
  const at = written.lastIndexOf('@');
  const suggestedAt = suggestion.lastIndexOf('@');
  const [domain, suggestedDomain] = [written.slice(at + 1).toLowerCase(), suggestion.slice(suggestedAt + 1).toLowerCase()];
  if (at > 0 && suggestedAt > 0 && written.slice(0, at) === suggestion.slice(0, suggestedAt) && domain !== suggestedDomain) {
    return { from: `@${domain}`, to: `@${suggestedDomain}` };
  }
  return { from: written, to: suggestion };
}

function malformedRecord(verdict: RowVerdict, record: unknown, line: number | undefined, delimiter: string): MalformedRecord {
  // The reader gives a malformed record's complete source text as its verdict's input; a record
  // from elsewhere (the stream API) may have only its cells.
  const cells = Array.isArray(record) ? record.map(String) : [];
  const raw = verdict.input !== '' ? verdict.input : cells.join(delimiter);
  const message = verdict.detail.replace(/^The CSV record at line \d+ could not be parsed: /, '');
  return {
    line: line ?? null,
    message,
    raw: raw.length > RAW_TEXT_LIMIT ? `${raw.slice(0, RAW_TEXT_LIMIT)}…` : raw,
  };
}
