/**
 * The scrub stream's public entry: createScrubStream() (a scrubber of its own unless one is given) and
 * scrubRecords(). The transform itself is in transform.ts, which the Scrubber also builds on.
 *
 * The scrub transform: CSV records in, one ScrubbedRow per record out, in input order.
 *
 * Rows are checked through a Scrubber. Offline verdicts come back synchronously and go straight out
 * (no promise, no queue). A row that needs DNS takes a slot in a ring of `window` slots; the ring is the
 * in-order queue, and its fill level is the only concurrency control:
 *
 *   - input:  the transform callback (which lets the writable side hand us the next record) is held
 *             back while `window` rows are pending, so at most `window` rows are in flight;
 *   - output: when push() returns false, completed rows stay in the ring until the reader calls
 *             _read(); they still count against the window, so a slow reader stops the input too.
 *
 * Memory is bounded by: writable buffer (16 records) + window + readable buffer (16 rows).
 *
 * Duplicates are decided when a row leaves the ring, i.e. in input order, so the first occurrence wins
 * even when a later copy's DNS answer arrives first.
 */
import { Readable, type Transform, pipeline } from 'node:stream';
import { ListscrubError } from '../errors.js';
import { createScrubber, type Scrubber } from '../scrubber.js';
import type { CheckOptions } from '../types.js';
import { checkTransformOptions, scrubTransform, type CsvRecord, type ScrubbedRow, type ScrubInput, type ScrubTransformOptions } from './transform.js';

export { DedupeSet, fingerprintOf } from './dedupe.js';
export {
  DEFAULT_WINDOW,
  markDuplicates,
  type CsvRecord,
  type MalformedEnvelope,
  type RecordEnvelope,
  type RecordInfo,
  type ScrubbedRow,
  type ScrubInput,
} from './transform.js';

export interface ScrubStreamOptions extends CheckOptions, ScrubTransformOptions {
  /** A shared scrubber (not closed by the stream). Default: one made from the options, closed at the end. */
  scrubber?: Scrubber;
}

/** Validate and build the transform. Bad options throw here, synchronously, with code E_OPTION. */
export function createScrubStream<R extends CsvRecord = CsvRecord>(options: ScrubStreamOptions): Transform {
  const checked = checkTransformOptions(options);
  if (options.scrubber !== undefined && typeof options.scrubber?.evaluate !== 'function') {
    throw new ListscrubError('E_OPTION', 'Option "scrubber" must be a Scrubber (see createScrubber()).');
  }
  const owns = options.scrubber === undefined;
  const scrubber =
    options.scrubber ?? createScrubber({ dns: options.dns, rate: options.rate, concurrency: options.concurrency });
  return scrubTransform<R>(scrubber, owns, checked);
}

/** Scrub records from any (async) iterable; iterate the result for the rows, in order. */
export function scrubRecords<R extends CsvRecord = CsvRecord>(
  records: Iterable<ScrubInput<R>> | AsyncIterable<ScrubInput<R>>,
  options: ScrubStreamOptions,
): AsyncIterable<ScrubbedRow<R>> {
  const stream = createScrubStream<R>(options);
  // Errors reach the caller through the stream (iteration rejects); pipeline only wires teardown.
  pipeline(Readable.from(records, { objectMode: true }), stream, () => {});
  return stream;
}
