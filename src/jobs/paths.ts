/**
 * The files one run reads and writes must all be different files: `--summary INPUT` or
 * `--cache INPUT` would otherwise destroy the subscriber list, and two outputs on one path would
 * leave only the last one written. Compared after symlinks are resolved.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { ListscrubError } from '../errors.js';

/** The path with symlinks resolved, or just made absolute when it does not exist yet. */
export function realTarget(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

export function sameFile(a: string, b: string): boolean {
  if (a === '-' || b === '-') return false;
  return realTarget(a) === realTarget(b);
}

/**
 * Refuse (E_SAME_PATH, exit 2) when two of the files a run uses are one file. The first entry is
 * the input; unset paths and '-' are skipped. Special files (/dev/null) may be named twice.
 */
export function assertDistinctPaths(files: ReadonlyArray<readonly [label: string, path: string | undefined]>): void {
  const given = files.filter((entry): entry is readonly [string, string] => entry[1] !== undefined && entry[1] !== '-');
  for (let i = 0; i < given.length; i++) {
    for (let j = i + 1; j < given.length; j++) {
      const [labelA, pathA] = given[i] as readonly [string, string];
      const [labelB, pathB] = given[j] as readonly [string, string];
      if (pathB.startsWith('/dev/') || !sameFile(pathA, pathB)) continue;
      const message =
        i === 0
          ? `The ${labelB} path ${pathB} is the input file; choose another path so the input is not overwritten.`
          : `The ${labelA} and the ${labelB} both go to ${pathB}; give each its own file.`;
      throw new ListscrubError('E_SAME_PATH', message);
    }
  }
}
