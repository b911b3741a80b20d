/** Flag helpers for the result options of `clean` (--apply-suggestions takes an optional list). */
import { ListscrubError } from '../errors.js';
import { didYouMean } from '../did-you-mean.js';
import { SUGGESTION_REASONS } from '../results.js';
import { listFlag } from './args.js';

/** The value a bare `--apply-suggestions` stands for: certain repairs only. */
export const APPLY_CERTAIN = 'repaired';

/**
 * node:util parseArgs has no optional values: a bare `flag` (last, or followed by another flag or by
 * something that is not a list of reason codes, such as the input file) becomes `flag=fallback`.
 */
export function withOptionalValue(args: readonly string[], flag: string, fallback: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return [...out, ...args.slice(i)];
    if (arg !== flag) {
      out.push(arg);
      continue;
    }
    const next = args[i + 1];
    // A list of known reasons, or something shaped like one (`typo_domian`): parsed, so a slip is named.
    const isList =
      next !== undefined &&
      next !== '' &&
      ((listFlag(next) ?? []).every((item) => (SUGGESTION_REASONS as readonly string[]).includes(item)) || /^[a-z]+_[a-z_,]*$/.test(next));
    if (isList) {
      out.push(`${flag}=${next}`);
      i++;
    } else out.push(`${flag}=${fallback}`);
  }
  return out;
}

/** `--apply-suggestions typo_domain,confusable`: reason codes, each checked (did-you-mean on a slip). */
export function parseApplySuggestions(raw: string): string[] {
  const items = listFlag(raw) ?? [];
  for (const item of items) {
    if (!(SUGGESTION_REASONS as readonly string[]).includes(item)) {
      throw new ListscrubError(
        'E_USAGE',
        `--apply-suggestions takes reason codes that come with a suggestion (${SUGGESTION_REASONS.join(', ')}); got "${item}"${didYouMean(item, SUGGESTION_REASONS)}.`,
      );
    }
  }
  return items;
}
