/**
 * Helpers for the reliability tests. Spawning the BUILT command line, temporary directories, waiting
 * on files and parsing CSV are shared with the other end-to-end folders (../support/spawn.ts); what
 * is here is only the reliability tests' own.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Temporary files of the atomic writer (`.<name>.<pid>.<hex>.tmp`) and lock files in `dir`. */
export async function leftovers(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.tmp') || name.endsWith('.lock')).sort();
}

export interface Workspace {
  dir: string;
  output: string;
  report: string;
}

let workspaces = 0;
/** A fresh directory under `root` holding previous outputs (out.csv, report.csv) of known content. */
export async function makeWorkspace(root: string, previous: { output: string; report: string }): Promise<Workspace> {
  const dir = join(root, `ws-${++workspaces}`);
  await mkdir(dir);
  const output = join(dir, 'out.csv');
  const report = join(dir, 'report.csv');
  await writeFile(output, previous.output);
  await writeFile(report, previous.report);
  return { dir, output, report };
}

/**
 * The seed of a property: fixed so a failure reproduces; LISTSCRUB_TEST_SEED explores other ones
 * (`LISTSCRUB_TEST_SEED=123 npx vitest run test/reliability`).
 */
export function seedOf(fixed: number): number {
  const override = Number(process.env.LISTSCRUB_TEST_SEED);
  return Number.isInteger(override) && override !== 0 ? override : fixed;
}
