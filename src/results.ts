/**
 * What the outputs say about each row, beyond keeping or removing it: the result file (`--results`,
 * every row with its verdict and flags, like a commercial cleaner's result file), the annotation
 * columns (`--annotate`), suggestions written in place (`--apply-suggestions`), and the note about
 * which column was checked. Pure functions; batch.ts wires them into the run.
 */
import { addressFacts } from './address/facts.js';
import { ListscrubError } from './errors.js';
import { describe } from './options.js';
import type { DomainOutcome, ReasonCode, RowVerdict } from './types.js';

/** Columns the result file appends to the input's columns. */
export const RESULT_COLUMNS = [
  'email_status',
  'email_reason',
  'email_detail',
  'email_suggestion',
  'email_bounce',
  'email_free',
  'email_role',
  'email_disposable',
  'email_mx',
] as const;

/** The SMTP reply of a probed row (--smtp), in the report after `raw`. */
export const SMTP_COLUMNS = ['smtp_code', 'smtp_enhanced', 'smtp_text', 'mx_host'] as const;
/** The same, at the end of the result file. */
export const RESULT_SMTP_COLUMNS = ['email_smtp_reason', 'email_smtp_code', 'email_smtp_enhanced', 'email_smtp_text', 'email_smtp_host'] as const;

/** Every column listscrub appends (result file, annotations): never the input's own data. */
const OUR_COLUMNS: ReadonlySet<string> = new Set<string>([...RESULT_COLUMNS, ...RESULT_SMTP_COLUMNS]);

/** The SMTP cells of a row: empty when it was not probed. */
export function smtpCells(verdict: RowVerdict, withReason: boolean): string[] {
  const mailbox = verdict.mailbox;
  const cells = [mailbox?.code === undefined ? '' : String(mailbox.code), mailbox?.enhanced ?? '', mailbox?.text ?? '', mailbox?.mxHost ?? ''];
  return withReason ? [mailbox?.reason ?? '', ...cells] : cells;
}

/** Columns `--annotate` appends to the cleaned list. */
export const ANNOTATE_COLUMNS = ['email_status', 'email_reason', 'email_suggestion'] as const;

/** Reasons whose suggestion `--apply-suggestions` writes without being told: the repair is certain. */
export const CERTAIN_REPAIRS: readonly ReasonCode[] = ['repaired'];

/** Reasons `--apply-suggestions` accepts: findings that come with a suggested address. */
export const SUGGESTION_REASONS: readonly ReasonCode[] = ['repaired', 'typo_domain', 'confusable', 'unusual_syntax', 'syntax'];

export interface OutputLayout {
  /** The header to write (null without a header row). */
  header: string[] | null;
  /** Input columns copied, by index; null: all of them. */
  keep: number[] | null;
}

/**
 * The layout of an output that appends `added` columns: columns of the input with the same names
 * (a file listscrub wrote before, cleaned again) are dropped, so a re-cleaned file never grows
 * duplicate columns; the fresh values are appended.
 */
export function appendLayout(header: string[] | null, added: readonly string[]): OutputLayout {
  if (header === null) return { header: null, keep: null };
  const keep = header.map((_name, index) => index).filter((index) => !OUR_COLUMNS.has(header[index]!.trim().toLowerCase()));
  return {
    header: [...keep.map((index) => header[index]!), ...added],
    keep: keep.length === header.length ? null : keep,
  };
}

function copied(record: readonly string[], layout: OutputLayout): string[] {
  return layout.keep === null ? [...record] : layout.keep.map((index) => record[index] ?? '');
}

/** The MX host a deliverable DNS outcome names ('' for none, or a fallback to the domain's address). */
export function mxHost(outcome: DomainOutcome | undefined): string {
  if (outcome?.kind !== 'deliverable') return '';
  return /^MX (\S+) /.exec(outcome.detail)?.[1] ?? '';
}

function flag(value: boolean | undefined): string {
  return value === undefined ? '' : value ? 'true' : 'false';
}

/** A result-file row: the input's cells, then the verdict and the address's flags. */
export function resultRow(record: readonly string[], layout: OutputLayout, verdict: RowVerdict, mx: string): string[] {
  const facts = verdict.address === null ? undefined : addressFacts(verdict.address);
  return [
    ...copied(record, layout),
    verdict.status,
    verdict.reason,
    verdict.detail,
    verdict.suggestion ?? '',
    verdict.bounce ?? '',
    flag(facts?.free),
    flag(facts?.role),
    flag(facts?.disposable),
    mx,
  ];
}

/** A cleaned-list row with the annotation columns. */
export function annotatedRow(record: readonly string[], layout: OutputLayout, verdict: RowVerdict): string[] {
  return [...copied(record, layout), verdict.status, verdict.reason, verdict.suggestion ?? ''];
}

/** Check `applySuggestions`: true (certain repairs only) or a list of reason codes to accept too. */
export function validateApplySuggestions(value: unknown): ReadonlySet<ReasonCode> | null {
  if (value === undefined || value === false) return null;
  if (value === true) return new Set(CERTAIN_REPAIRS);
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new ListscrubError('E_OPTION', `Option "applySuggestions" must be true or a list of reason codes; got ${describe(value)}.`);
  }
  for (const item of value) {
    if (!(SUGGESTION_REASONS as readonly string[]).includes(item)) {
      throw new ListscrubError('E_OPTION', `Option "applySuggestions" has "${item}"; suggestions come with these reasons: ${SUGGESTION_REASONS.join(', ')}.`);
    }
  }
  return new Set([...CERTAIN_REPAIRS, ...(value as ReasonCode[])]);
}

/** The address to write in place of the cell, when the row's one finding is an accepted suggestion. */
export function suggestionToApply(verdict: RowVerdict, accepted: ReadonlySet<ReasonCode> | null): string | undefined {
  if (accepted === null || verdict.suggestion === undefined || !accepted.has(verdict.reason)) return undefined;
  return verdict.suggestion;
}

/**
 * The verdict of what is written: a repaired cell written as its repaired address (`--normalize`
 * or `--apply-suggestions`) holds a plain address with no other finding (the engine reports a
 * stronger finding over a repair), so the row is judged valid.
 */
export function judgeWritten(verdict: RowVerdict): RowVerdict {
  if (verdict.reason !== 'repaired' || verdict.address === null) return verdict;
  return { ...verdict, status: 'valid', reason: 'ok', detail: `Written as '${verdict.address}'. ${verdict.detail}` };
}

/** Header names that say "email" in the languages lists come in. */
const EMAIL_LIKE = /e-?mail|courriel|correo|posta elettronica|mailadres|adres e-?mail|^mail$/i;

/**
 * A warning when several columns look like email columns (`Work Email`, `Personal Email`): only one
 * was checked; it says how to check them all. Undefined otherwise.
 */
export function severalEmailColumns(header: readonly string[] | null, used: number): string | undefined {
  if (header === null) return undefined;
  const alike = header
    .map((name, index) => ({ name, index }))
    .filter(({ name }) => EMAIL_LIKE.test(name) && !OUR_COLUMNS.has(name.trim().toLowerCase()));
  if (alike.length < 2 || !alike.some(({ index }) => index === used)) return undefined;
  const others = alike.filter(({ index }) => index !== used).map(({ name }) => `'${name}'`);
  const all = alike.map(({ name }) => name);
  // A name holding a comma would be split: such columns are given by number.
  const list = all.some((name) => name.includes(',')) ? alike.map(({ index }) => index + 1).join(',') : all.join(',');
  return (
    `several columns look like email columns: '${header[used]}' was checked, ${others.join(', ')} ${others.length === 1 ? 'was' : 'were'} not; ` +
    `name the one to check, or check them all with --column ${JSON.stringify(list)} (option "column": ${JSON.stringify(all)}): a row is then kept unless every address in it is invalid`
  );
}

/** How the email column was found, in words: "column 2, 'Email', found by its header name". */
export function describeColumn(column: { index: number; name: string | null; source?: string }): string {
  return `${columnName(column)}, ${howFound(column.source)}`;
}

/** Several columns, in words: "column 3 'Work Email', column 5 'Personal Email', named with --column". */
export function describeColumns(columns: ReadonlyArray<{ index: number; name: string | null; source?: string }>): string {
  return `${columns.map(columnName).join(', ')}, ${howFound(columns[0]?.source)}`;
}

function columnName(column: { index: number; name: string | null }): string {
  return `column ${column.index + 1}${column.name === null ? '' : ` '${column.name}'`}`;
}

function howFound(source: string | undefined): string {
  return source === 'option'
    ? 'named with --column'
    : source === 'header'
      ? 'found by its header name'
      : source === 'content'
        ? 'found by its content (addresses in the first rows)'
        : 'no data rows to decide on';
}
