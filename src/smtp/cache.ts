/**
 * Answers kept across runs (with --cache), so a nightly run probes only new and expired addresses:
 * accepted and invalid answers for 7 days, a domain's catch-all finding for a day, unknown never.
 * Absolute expiry from an injectable clock, plain data out, plain data in (like src/dns/cache.ts).
 */
import type { MailboxOutcome, MailboxReason } from './types.js';

const ADDRESS_TTL_MS = 7 * 24 * 3600 * 1000;
const CATCH_ALL_TTL_MS = 24 * 3600 * 1000;

/** What the catch-all probe found: `undetermined` is never cached. */
export type CatchAllState = 'yes' | 'no';

const CACHED_REASONS: ReadonlySet<MailboxReason> = new Set(['accepted', 'mailbox_not_found', 'mailbox_disabled']);

export interface MailboxCacheSnapshot {
  /** Keyed by address (local part as given, domain lower-case ASCII). */
  addresses: Record<string, { outcome: MailboxOutcome; expiresAt: number }>;
  /** Keyed by domain. */
  catchAll: Record<string, { state: CatchAllState; expiresAt: number }>;
}

export interface MailboxCache {
  /** Unexpired entries. */
  export(): MailboxCacheSnapshot;
  /** Load an earlier export; expired and malformed entries are skipped. Returns how many were loaded. */
  import(snapshot: unknown): number;
  /** True once an answer was stored since creation or the last export. */
  readonly changed: boolean;
  getAddress(address: string): MailboxOutcome | undefined;
  /** Stores accepted / mailbox_not_found / mailbox_disabled; other reasons are ignored. */
  setAddress(address: string, outcome: MailboxOutcome): void;
  getCatchAll(domain: string): CatchAllState | undefined;
  setCatchAll(domain: string, state: CatchAllState): void;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOutcome(value: unknown): value is MailboxOutcome {
  return isRecord(value) && typeof value.detail === 'string' && CACHED_REASONS.has(value.reason as MailboxReason);
}

export function createMailboxCache(now: () => number): MailboxCache {
  const addresses = new Map<string, { outcome: MailboxOutcome; expiresAt: number }>();
  const catchAll = new Map<string, { state: CatchAllState; expiresAt: number }>();
  let changed = false;
  const fresh = <T extends { expiresAt: number }>(entry: T | undefined): T | undefined => (entry !== undefined && entry.expiresAt > now() ? entry : undefined);
  return {
    get changed() {
      return changed;
    },
    export() {
      changed = false;
      const snapshot: MailboxCacheSnapshot = { addresses: {}, catchAll: {} };
      for (const [key, entry] of addresses) if (fresh(entry)) snapshot.addresses[key] = entry;
      for (const [key, entry] of catchAll) if (fresh(entry)) snapshot.catchAll[key] = entry;
      return snapshot;
    },
    import(snapshot) {
      if (!isRecord(snapshot)) return 0;
      let loaded = 0;
      for (const [key, entry] of Object.entries(isRecord(snapshot.addresses) ? snapshot.addresses : {})) {
        if (isRecord(entry) && typeof entry.expiresAt === 'number' && entry.expiresAt > now() && isOutcome(entry.outcome)) {
          addresses.set(key, { outcome: entry.outcome, expiresAt: Math.min(entry.expiresAt, now() + ADDRESS_TTL_MS) });
          loaded++;
        }
      }
      for (const [key, entry] of Object.entries(isRecord(snapshot.catchAll) ? snapshot.catchAll : {})) {
        if (isRecord(entry) && typeof entry.expiresAt === 'number' && entry.expiresAt > now() && (entry.state === 'yes' || entry.state === 'no')) {
          catchAll.set(key, { state: entry.state, expiresAt: Math.min(entry.expiresAt, now() + CATCH_ALL_TTL_MS) });
          loaded++;
        }
      }
      return loaded;
    },
    getAddress: (address) => fresh(addresses.get(address))?.outcome,
    setAddress(address, outcome) {
      if (!CACHED_REASONS.has(outcome.reason)) return;
      addresses.set(address, { outcome, expiresAt: now() + ADDRESS_TTL_MS });
      changed = true;
    },
    getCatchAll: (domain) => fresh(catchAll.get(domain))?.state,
    setCatchAll(domain, state) {
      catchAll.set(domain, { state, expiresAt: now() + CATCH_ALL_TTL_MS });
      changed = true;
    },
  };
}
