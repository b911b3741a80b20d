/**
 * HTML reports: the run page (`clean --html`, library option `html`) and the history page
 * (`history --html`). Pages are written atomically, like the other outputs: a reader never sees half
 * a page, and a failed run leaves the previous page alone.
 */
import { basename, dirname, resolve } from 'node:path';
import { cleanStaleTempFiles, createAtomicFileWriter, type AtomicWriter } from '../csv/write.js';
import { ListscrubError } from '../errors.js';
import { readHistory, type HistoryEntry } from '../jobs/history.js';
import { describe } from '../options.js';
import { renderRunPage, type RunSummary } from './html.js';
import { TREND_RUNS } from './trend.js';
import { createInsightsCollector, type InsightsCollector } from './insights.js';

export { renderRunPage, exitCodeOfRun, type RunPageData, type RunSummary } from './html.js';
export { renderHistoryPage, TREND_RUNS, type HistoryPageData } from './trend.js';
export { createInsightsCollector, TOP_N, type InsightsCollector, type ReportInsights } from './insights.js';

/** An atomic writer for `path`, after removing temp files a killed run left beside it. */
async function openPage(path: string): Promise<AtomicWriter> {
  const target = resolve(path);
  await cleanStaleTempFiles(dirname(target), basename(target)).catch(() => []);
  return createAtomicFileWriter(path);
}

/** Write a whole page atomically (E_OUTPUT naming the path when it cannot be written). */
export async function writeHtmlFile(path: string, html: string): Promise<void> {
  const writer = await openPage(path);
  try {
    writer.stream.end(html);
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** The run page in the making: fed every routed row, written when the run has its summary. */
export interface RunReport {
  /** One call per routed row (see InsightsCollector.add). */
  add: InsightsCollector['add'];
  /** Render and commit the page; returns its path. */
  finish(summary: RunSummary, history?: readonly HistoryEntry[]): Promise<string>;
  /** Drop the page (the run failed): the previous page stays. */
  abort(): Promise<void>;
}

/**
 * Opened before any row is checked, so an unwritable path fails the run at once (E_OUTPUT) instead
 * of after the outputs were replaced. `delimiter` joins a malformed record's cells (see insights.ts).
 */
export async function openRunReport(path: unknown, options: { delimiter: string; startedAt: Date }): Promise<RunReport> {
  if (typeof path !== 'string' || path.trim() === '' || path === '-') {
    throw new ListscrubError('E_OPTION', `Option "html" must be a file path for the HTML report; got ${describe(path)}.`);
  }
  const writer = await openPage(path);
  const insights = createInsightsCollector(options.delimiter);
  return {
    add: insights.add,
    async finish(summary, history) {
      const html = renderRunPage({ summary, insights: insights.result(), startedAt: options.startedAt, ...(history === undefined ? {} : { history }) });
      writer.stream.end(html);
      await writer.commit();
      return path;
    },
    abort: () => writer.abort(),
  };
}

/**
 * The runs before this one, for the run page's trend. The history must never stop a run: a file that
 * cannot be read gives no trend and a warning (the run's append will then most likely warn too).
 */
export async function earlierRuns(history: string): Promise<{ entries?: HistoryEntry[]; warning?: string }> {
  try {
    return { entries: (await readHistory(history, { last: TREND_RUNS - 1 })).entries };
  } catch (error) {
    return { warning: `${(error as Error).message}; the HTML report has no trend.` };
  }
}
