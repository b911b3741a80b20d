/**
 * scrubCsv(): the whole clean job, as the CLI runs it, as a short list of named steps (src/job/):
 * plan -> lock -> open input -> load cache -> open outputs -> run the pipeline (read -> check ->
 * route -> write) -> guards -> commit or keep the old outputs -> save cache -> summary.
 * Every input record ends up in exactly one output; the summary proves it.
 */
import { loadBounceEvidence, type BounceEvidence } from './bounces/load.js';
import { openCsvInput, type CsvInput } from './csv/read.js';
import { ListscrubError } from './errors.js';
import { loadCache, saveCache } from './job/cache.js';
import { applyGuards } from './job/guards.js';
import { openOutputs, type JobOutputs } from './job/outputs.js';
import { runPipeline } from './job/pipeline.js';
import { planJob, takeLock, type JobPlan } from './job/plan.js';
import { UNCHECKED } from './job/route.js';
import { summarize } from './job/summary.js';
import type { ScrubCsvOptions, Summary } from './job/types.js';
import { severalEmailColumns } from './results.js';
import { checkOptionsOf } from './options.js';
import { createScrubber, type Scrubber } from './scrubber.js';

export { defaultOutputPaths } from './job/plan.js';
export { dropMatch } from './job/route.js';
export type { Progress, ScrubCsvOptions, Summary } from './job/types.js';

export async function scrubCsv(options: ScrubCsvOptions): Promise<Summary> {
  const plan = planJob(options);
  const lock = await takeLock(plan);
  try {
    return await runJob(plan);
  } finally {
    await lock?.release();
  }
}

async function runJob(plan: JobPlan): Promise<Summary> {
  const { options } = plan;
  const input = await openInput(plan);
  const scrubber = options.scrubber ?? createScrubber(checkOptionsOf(options));
  const warnings = [...input.warnings, ...dropWarnings(plan)];
  // Stops the pipeline (and any wait for 'drain') on an interrupt or an output failure.
  const stop = new AbortController();
  const onInterrupt = (): void => stop.abort(options.signal?.reason);
  if (options.signal?.aborted) onInterrupt();
  else options.signal?.addEventListener('abort', onInterrupt, { once: true });
  let outputs: JobOutputs | undefined;
  try {
    // The canary check runs while the cache loads, the outputs open and the first rows are read:
    // every domain check waits for it anyway, so no verdict depends on DNS before it is done.
    const health = scrubber.ready();
    const cache = await loadCache(plan, scrubber, warnings);
    const bounces = await loadBounces(plan, scrubber);
    const columnWarning = input.column.source === 'option' ? undefined : severalEmailColumns(input.header, input.column.index);
    if (columnWarning !== undefined) warnings.push(columnWarning);
    outputs = await openOutputs(plan, input, stop);
    const { tally, extraRows } = await runPipeline({ plan, input, scrubber, outputs, bounces }, stop.signal);
    warnings.push(...(await scrubber.smtpWarnings()));
    const guard = await applyGuards(plan, tally, tally.rows - (extraRows ?? 0), input.header !== null, bounces);
    if (guard === undefined) {
      if (tally.rows === 0) warnings.push('The input has no data rows; the outputs hold only the header.');
      await outputs.commit();
    } else {
      await outputs.discard();
    }
    await saveCache(plan, scrubber, cache, warnings);
    const summary = summarize(plan, { input, tally, extraRows, health: await health, scrubber, bounces, warnings }, guard);
    if (outputs.page !== null) summary.html = await outputs.page.finish(summary, options.htmlHistory);
    return summary;
  } catch (error) {
    // Taken before abort(): aborting the writers makes their pipelines fail too (premature close).
    const failure = outputs?.failure() ?? error;
    await outputs?.abort();
    if (options.signal?.aborted) throw new ListscrubError('E_ABORTED', 'The run was interrupted; previous outputs were left untouched.', { cause: error });
    throw failure;
  } finally {
    options.signal?.removeEventListener('abort', onInterrupt);
    input.records.destroy();
    if (options.scrubber === undefined) await scrubber.close();
  }
}

/** Step 3: the input, decoded, its delimiter and email column found, its records streamed. */
function openInput({ options }: JobPlan): Promise<CsvInput> {
  return openCsvInput({
    input: options.input,
    stdin: options.stdin,
    encoding: options.encoding,
    delimiter: options.delimiter,
    column: options.column,
    header: options.header,
    ...(options.maxRecordSize === undefined ? {} : { maxRecordSize: options.maxRecordSize }),
  });
}

/** Before any output is prepared: a bounce file that cannot be read fails the run (exit 1). */
async function loadBounces({ options }: JobPlan, scrubber: Scrubber): Promise<BounceEvidence | null> {
  if (options.bounces === undefined || options.bounces.length === 0) return null;
  return loadBounceEvidence(options.bounces, options, scrubber.domains);
}

function dropWarnings({ drop }: JobPlan): string[] {
  const neverDropped = [...drop].filter((item) => UNCHECKED.has(item));
  if (neverDropped.length === 0) return [];
  return [
    `--drop ${neverDropped.join(',')} removes nothing: a row that could not be checked is always kept ` +
      '(what was found offline still counts: --drop risky or --drop disposable); the summary counts such rows as "unchecked".',
  ];
}
