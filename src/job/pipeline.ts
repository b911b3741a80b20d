/**
 * Step 4 of the job, the pipeline itself: read -> (split) -> check (the stages, in order) -> route
 * -> write. Every input record comes out of the router exactly once; the counts prove it.
 */
import { pipeline } from 'node:stream/promises';
import type { BounceEvidence } from '../bounces/load.js';
import type { CsvInput } from '../csv/read.js';
import type { Scrubber } from '../scrubber.js';
import { createSplitter } from '../split.js';
import { ListscrubError } from '../errors.js';
import { checkTransformOptions, scrubTransform } from '../stream/transform.js';
import type { JobOutputs } from './outputs.js';
import type { JobPlan } from './plan.js';
import { createRouter, type Tally } from './route.js';

/**
 * Rows in flight in the scrub stream for a whole job (the stream's own default is 256). The stream
 * keeps output in input order, so one slow domain (a SERVFAIL retried with backoff: ~360 ms) holds
 * back every row behind it; 256 rows filled up in milliseconds and the DNS queries stopped flowing
 * (the bench's DNS phase ran at many times its lower bound). 8192 rows hide such a stall at full
 * query speed and cost a few MB (a row is a few hundred bytes).
 */
const JOB_WINDOW = 8192;

export interface PipelineParts {
  plan: JobPlan;
  input: CsvInput;
  scrubber: Scrubber;
  outputs: JobOutputs;
  bounces: BounceEvidence | null;
}

export interface PipelineRun {
  tally: Tally;
  /** With --split: the rows it made beyond the input records; else null. */
  extraRows: number | null;
}

export async function runPipeline({ plan, input, scrubber, outputs, bounces }: PipelineParts, signal: AbortSignal): Promise<PipelineRun> {
  const { options } = plan;
  const columns = input.columns.map(({ index }) => index);
  if (options.split === true && columns.length > 1) {
    throw new ListscrubError('E_OPTION', '--split (option split) makes one row per address of one email column; it cannot be combined with several email columns (--column, option column). Check the columns without --split, or split one column at a time.');
  }
  const column = input.column.index;
  const splitter = options.split === true ? createSplitter(column) : null;
  const { sink, tally } = createRouter({ plan, input, outputs, bounces, domains: scrubber.domains, splitter });
  // keepDuplicates: the router decides duplicates itself, in the same order. The row's detail names
  // each of several columns by its header name.
  const labels = input.columns.map(({ index, name }) => name ?? `column ${index + 1}`);
  const streamOptions = checkTransformOptions({ column: columns.length === 1 ? column : columns, keepDuplicates: true, window: JOB_WINDOW });
  const scrub = scrubTransform<string[]>(scrubber, false, streamOptions, labels);
  if (splitter === null) await pipeline(input.records, scrub, sink, { signal });
  else await pipeline(input.records, splitter.transform, scrub, sink, { signal });
  await outputs.written();
  options.onProgress?.({ rows: tally.rows, bytesRead: input.bytesRead(), totalBytes: input.totalBytes });
  if (tally.kept + tally.removed !== tally.rows) {
    throw new Error(`row accounting failed: ${tally.rows} rows, ${tally.kept} kept + ${tally.removed} removed`);
  }
  return { tally, extraRows: splitter === null ? null : splitter.extraRows };
}
