/** Step 8 of the job: the summary, built from the router's counts and the checks' own figures. */
import type { CsvInput } from '../csv/read.js';
import type { BounceEvidence } from '../bounces/load.js';
import type { Scrubber } from '../scrubber.js';
import type { DnsHealth } from '../types.js';
import type { JobPlan } from './plan.js';
import type { Tally } from './route.js';
import type { Guard, Summary } from './types.js';

export function summarize(
  plan: JobPlan,
  run: { input: CsvInput; tally: Tally; extraRows: number | null; health: DnsHealth; scrubber: Scrubber; bounces: BounceEvidence | null; warnings: string[] },
  guard: Guard | undefined,
): Summary {
  const { options, outputPath, reportPath, accepted } = plan;
  const { tally, input } = run;
  const summary: Summary = {
    rows: tally.rows - (run.extraRows ?? 0),
    ...(run.extraRows === null ? {} : { split: { extraRows: run.extraRows } }),
    kept: tally.kept,
    removed: tally.removed,
    statuses: tally.statuses,
    reasons: tally.reasons,
    removedStatuses: tally.removedStatuses,
    dropped: tally.dropped,
    unchecked: tally.unchecked,
    dns: dnsSummary(run.scrubber, run.health),
    durationMs: Date.now() - plan.started,
    input: options.input,
    output: guard === undefined ? outputPath : null,
    report: guard === undefined ? reportPath : null,
    ...(options.results === undefined ? {} : { results: guard === undefined ? options.results : null }),
    ...(accepted === null ? {} : { applied: tally.applied }),
    column: input.column,
    ...(input.columns.length > 1 ? { columns: input.columns } : {}),
    delimiter: input.delimiter,
    warnings: run.warnings,
  };
  if (run.bounces !== null) summary.bounces = run.bounces.summary;
  if (run.scrubber.mailbox !== null) summary.smtp = run.scrubber.mailbox.summary();
  if (guard !== undefined) summary.guard = guard;
  return summary;
}

function dnsSummary(scrubber: Scrubber, initial: DnsHealth): Summary['dns'] {
  const health = scrubber.health() ?? initial;
  const stats = scrubber.stats();
  return {
    enabled: scrubber.domains !== null,
    healthy: health.healthy,
    checked: health.checked,
    detail: health.detail,
    queries: stats.queries,
    domains: stats.domains,
    cacheHits: stats.cacheHits,
  };
}
