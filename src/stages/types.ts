/**
 * The checks a row goes through, as stages with one shape. The address stage turns a cell into a
 * Finding; every further stage (domain, then with --smtp mailbox) takes a Finding and returns the next one,
 * synchronously when it needs no I/O (offline, cached, nothing to check), or as a promise when it
 * must ask a server. The runner (runStages) chains them; the stream keeps the rows in order.
 */
import type { Verdict } from '../types.js';

/** What the stages know about one address so far. */
export interface Finding {
  verdict: Verdict;
  /** The ASCII domain later stages check, or null when there is nothing to check (invalid syntax, IP literal). */
  domain: string | null;
}

export type StageName = 'address' | 'domain' | 'mailbox';

/** The first stage: a cell's text in, a Finding out, always without I/O (src/address). */
export interface AddressStage {
  readonly name: 'address';
  check(input: string): Finding;
}

/**
 * A stage after the address: the next Finding now (most rows: no I/O, no promise), or later. Rows
 * that share a unit of work (a domain, a mail provider) share one lookup: the stage coalesces them
 * and applies its limits per unit. The domain stage starts its lookups in row order, so the rows
 * nearest the head of the stream's window are served first; the mailbox stage asks each provider's
 * addresses in the order they reach it.
 */
export interface Stage {
  readonly name: StageName;
  check(found: Finding): Finding | Promise<Finding>;
  /** Release timers, sockets and limiters. */
  close(): Promise<void>;
}
