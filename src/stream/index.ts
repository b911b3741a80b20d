/**
 * The scrub stream's public entry: createScrubStream() (a scrubber of its own unless one is given) and
 * scrubRecords(). The transform itself is in transform.ts, which the Scrubber also builds on.
 * How the transform keeps order and bounds memory: see transform.ts.
 */
import { Readable, pipeline } from 'node:stream';
import { ListscrubError } from '../errors.js';
import { CHECK_OPTION_KEYS, checkOptionsOf, rejectUnknownOptions } from '../options.js';
import { createScrubber, type Scrubber } from '../scrubber.js';
import type { CheckOptions } from '../types.js';
import { checkTransformOptions, scrubTransform, type CsvRecord, type ScrubbedRow, type ScrubInput, type ScrubTransform, type ScrubTransformOptions } from './transform.js';

export { DedupeSet, fingerprintOf } from './dedupe.js';
export {
  DEFAULT_WINDOW,
  markDuplicates,
  recordChars,
  type CsvRecord,
  type MalformedEnvelope,
  type RecordEnvelope,
  type RecordInfo,
  type ScrubbedRow,
  type ScrubInput,
  type ScrubTransform,
} from './transform.js';

export interface ScrubStreamOptions extends CheckOptions, ScrubTransformOptions {
  /** A shared scrubber (not closed by the stream). Default: one made from the options, closed at the end. */
  scrubber?: Scrubber;
}

const STREAM_OPTION_KEYS = [...CHECK_OPTION_KEYS, 'column', 'scrubber', 'keepDuplicates', 'window'] as const;

/** Validate and build the transform. Bad options throw here, synchronously, with code E_OPTION. */
export function createScrubStream<R extends CsvRecord = CsvRecord>(options: ScrubStreamOptions): ScrubTransform<R> {
  if (typeof options === 'object' && options !== null) rejectUnknownOptions(options, STREAM_OPTION_KEYS, 'createScrubStream()');
  const checked = checkTransformOptions(options);
  if (options.scrubber !== undefined && typeof options.scrubber?.evaluate !== 'function') {
    throw new ListscrubError('E_OPTION', 'Option "scrubber" must be a Scrubber (see createScrubber()).');
  }
  const owns = options.scrubber === undefined;
  const scrubber = options.scrubber ?? createScrubber(checkOptionsOf(options));
  return scrubTransform<R>(scrubber, owns, checked) as ScrubTransform<R>;
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
