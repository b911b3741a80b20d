/** Chains the stages for one cell: a value when every stage answered at once, else one promise. */
import type { Verdict } from '../types.js';
import type { AddressStage, Finding, Stage } from './types.js';

function isPromise(value: Finding | Promise<Finding>): value is Promise<Finding> {
  return typeof (value as Partial<Promise<Finding>>).then === 'function';
}

export function runStages(input: string, first: AddressStage, rest: readonly Stage[]): Verdict | Promise<Verdict> {
  return continueFrom(first.check(input), rest, 0);
}

function continueFrom(start: Finding, stages: readonly Stage[], from: number): Verdict | Promise<Verdict> {
  let found = start;
  for (let at = from; at < stages.length; at++) {
    const next = (stages[at] as Stage).check(found);
    if (isPromise(next)) return next.then((later) => continueFrom(later, stages, at + 1));
    found = next;
  }
  return found.verdict;
}
