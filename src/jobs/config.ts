/**
 * Job files: the options of `listscrub clean`, written down once for unattended runs
 * (`listscrub clean --config job.json`, or `listscrub.config.json` found in the working directory).
 *
 * Keys are the clean command's flags in camelCase. Everything is checked up front, before any row
 * is read, and every mistake is an E_CONFIG error naming the file and the key, with a suggestion
 * for near-miss key names: an unattended job must fail at once and say why, not run half-configured.
 *
 * Decisions worth knowing:
 * - Relative paths (input, output, report, cache, history, summary) resolve against the job file's
 *   directory, not the cwd, so a job file means the same thing wherever cron starts it. "-" (stdin /
 *   stdout) is left alone.
 * - `column`: a header name (string) or a 1-based column number (1 = first column), or a list of
 *   them to check several email columns.
 * - `cacheTtl` is an object of seconds, `{ "min": 60, "max": 86400 }`; both optional; it clamps DNS
 *   TTLs before they become cache expiries.
 * - `lock` defaults to true, `header` to auto-detection: the loader leaves absent keys absent (so
 *   mergeConfig can tell "not said" from "said"); the caller applies defaults.
 * - JSON only: no comments, no trailing commas (the syntax error says where). A UTF-8 BOM is fine.
 */
import { lstat, stat } from 'node:fs/promises';
import { readRegularFile } from '../files/open-regular.js';
import { userInfo } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ListscrubError } from '../errors.js';
import { describe } from '../options.js';
import { SUGGESTION_REASONS } from '../results.js';
import { DROP_CHOICES, type DnsOptions, type ReasonCode, type RowStatus } from '../types.js';
import { didYouMean as suggestion } from '../did-you-mean.js';
import { findJsonSyntaxError } from './json-position.js';
import { normalizeEncoding } from '../csv/decode.js';
import { BOUNCE_FORMATS, type BounceOptions } from '../bounces/types.js';
import { validateSmtpOptions, type SmtpOptions } from '../smtp/index.js';

/** The file `listscrub clean` picks up from the working directory when no --config is given. */
export const CONFIG_FILE_NAME = 'listscrub.config.json';

export const ENCODINGS = ['utf8', 'utf16le', 'latin1', 'windows-1252'] as const;
export type Encoding = (typeof ENCODINGS)[number];

/** What `drop` accepts: a status (drops every row with it) or a reason code. */
export type DropItem = RowStatus | ReasonCode;

/** Bounds in seconds for how long a DNS answer is cached. */
export interface CacheTtl {
  min?: number;
  max?: number;
}

export interface JobConfig extends BounceOptions {
  input?: string;
  output?: string;
  report?: string;
  /** Result file: every row with its verdict columns. */
  results?: string;
  /** true: write certain repairs in place of the address; a list: accept these reasons' suggestions too. */
  applySuggestions?: boolean | string[];
  /** One row per address for cells that list several. */
  split?: boolean;
  /** The SMTP mailbox check's settings (helo, from, port, ...): see src/smtp/types.ts. */
  smtp?: SmtpOptions;
  /** Header name, or 1-based column number; or a list of them (several email columns). */
  column?: string | number | Array<string | number>;
  /** One character. */
  delimiter?: string;
  encoding?: Encoding;
  header?: boolean;
  dns?: false | DnsOptions;
  rate?: number;
  concurrency?: number;
  drop?: DropItem[];
  keepDuplicates?: boolean;
  annotate?: boolean;
  normalize?: boolean;
  /** DNS cache file path. */
  cache?: string;
  cacheTtl?: CacheTtl;
  /** Fail the run (without replacing the output) when more than this share of rows would be removed. 0..1. */
  maxInvalidRate?: number;
  /** Let an input with no data rows replace a cleaned list that has rows. */
  allowEmpty?: boolean;
  /** With `history`: fail the run when the list shrank by more than this share since the last good run. 0..1. */
  maxShrink?: number;
  /** Characters one record may have before it is malformed. */
  maxRecordSize?: number;
  /** Encoding of both outputs (default: the input's). */
  outputEncoding?: Encoding;
  /** Delimiter of both outputs (default: the input's). */
  outputDelimiter?: string;
  /** Run history file path (JSON Lines). */
  history?: string;
  /** Hold `<output>.lock` during the run. Default true. */
  lock?: boolean;
  /** Summary JSON file path. */
  summary?: string;
  /** HTML report file path (src/report/). */
  html?: string;
  quiet?: boolean;
  json?: boolean;
}

type Fail = (key: string, expected: string, value: unknown, hint?: string) => never;
interface Context {
  fail: Fail;
  source: string;
  baseDir: string | undefined;
}
type Field<T> = (value: unknown, ctx: Context, key: string) => T;

/** Keys holding file paths (resolved against the job file's directory). */
export const PATH_KEYS = ['input', 'output', 'report', 'results', 'cache', 'history', 'summary', 'html'] as const;

// ---- field validators: each returns the checked value or fails with the key and what it expected.

const path: Field<string> = (value, ctx, key) => {
  if (typeof value !== 'string' || value.trim() === '') return ctx.fail(key, 'a file path', value);
  if (value === '-' || ctx.baseDir === undefined || isAbsolute(value)) return value;
  return resolve(ctx.baseDir, value);
};

const bool: Field<boolean> = (value, ctx, key) => (typeof value === 'boolean' ? value : ctx.fail(key, 'true or false', value));

function number({ integer = false, min = 0, max = Infinity, minInclusive = false } = {}): Field<number> {
  const expected =
    max !== Infinity
      ? `a number from ${min} to ${max}`
      : `${integer ? 'a whole number' : 'a number'} ${minInclusive ? `of ${min} or more` : `above ${min}`}`;
  return (value, ctx, key) => {
    const ok =
      typeof value === 'number' && Number.isFinite(value) && (!integer || Number.isInteger(value)) &&
      (minInclusive ? value >= min : value > min) && value <= max;
    return ok ? (value as number) : ctx.fail(key, expected, value);
  };
}

function stringList(nonEmptyItems = true): Field<string[]> {
  return (value, ctx, key) => {
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && (!nonEmptyItems || item.trim() !== ''))) {
      return ctx.fail(key, 'a list of non-empty strings', value);
    }
    return [...(value as string[])];
  };
}

function oneOf<T extends string>(choices: readonly T[]): Field<T> {
  return (value, ctx, key) => {
    if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
    const hint = typeof value === 'string' ? suggestion(value, choices) : '';
    return ctx.fail(key, `one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`, value, hint);
  };
}

/** An object with a closed set of keys, each with its own validator. */
function object<T extends object>(fields: { [K in keyof T]-?: Field<T[K]> }): Field<T> {
  return (value, ctx, key) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return ctx.fail(key, 'an object', value);
    return checkKeys(value as Record<string, unknown>, fields, ctx, `${key}.`);
  };
}

/** One character (a code point, so a tab or "§" counts); quotes and line breaks would break parsing. */
const oneCharacter: Field<string> = (value, ctx, key) => {
  if (typeof value === 'string' && [...value].length === 1 && !'"\r\n'.includes(value)) return value;
  return ctx.fail(key, 'one character other than a quote or line break', value);
};

/** An encoding name or one of its aliases (utf-8, latin-1, cp1252...), kept as its canonical name. */
const encodingName: Field<Encoding> = (value, ctx, key) => {
  try {
    if (typeof value === 'string') return normalizeEncoding(value.trim());
  } catch {
    // named below, with the choices
  }
  return ctx.fail(key, `one of ${ENCODINGS.map((c) => JSON.stringify(c)).join(', ')} (or an alias such as "utf-8", "latin-1", "cp1252")`, value);
};

const DNS_FIELDS: { [K in keyof DnsOptions]-?: Field<DnsOptions[K]> } = {
  servers: stringList(),
  timeoutMs: number({ integer: true }),
  retries: number({ integer: true, min: 0, max: 10, minInclusive: true }),
  canary: stringList(),
  allowPrivate: bool,
  allowLoopback: bool,
};
const dnsObject = object<DnsOptions>(DNS_FIELDS);

const CACHE_TTL_FIELDS: { [K in keyof CacheTtl]-?: Field<CacheTtl[K]> } = {
  min: number({ minInclusive: true }),
  max: number({ minInclusive: true }),
};
const cacheTtlObject = object<CacheTtl>(CACHE_TTL_FIELDS);


const FIELDS: { [K in keyof JobConfig]-?: Field<JobConfig[K]> } = {
  input: path,
  output: path,
  report: path,
  results: path,
  split: bool,
  applySuggestions: (value, ctx, key) => {
    if (typeof value === 'boolean') return value;
    const items = stringList()(value, ctx, key);
    for (const item of items) {
      if (!SUGGESTION_REASONS.includes(item as ReasonCode)) {
        ctx.fail(key, `true, false or a list of reason codes (${SUGGESTION_REASONS.join(', ')})`, item, suggestion(item, SUGGESTION_REASONS));
      }
    }
    return items;
  },
  column: (value, ctx, key) => {
    const isColumn = (one: unknown): one is string | number =>
      (typeof one === 'string' && one.trim() !== '') || (typeof one === 'number' && Number.isInteger(one) && one >= 1);
    if (isColumn(value)) return value;
    if (Array.isArray(value) && value.length > 0 && value.every(isColumn)) return [...value];
    return ctx.fail(key, 'a column name, a column number from 1, or a non-empty list of them', value);
  },
  delimiter: oneCharacter,
  encoding: encodingName,
  header: bool,
  dns: (value, ctx, key) => (value === false ? false : value === true ? {} : dnsObject(value, ctx, key)),
  rate: number(),
  concurrency: number({ integer: true }),
  drop: (value, ctx, key) => {
    const items = stringList()(value, ctx, key);
    for (const item of items) {
      if (!DROP_CHOICES.includes(item)) {
        ctx.fail(key, `a list of statuses or reason codes (${DROP_CHOICES.join(', ')})`, item, suggestion(item, DROP_CHOICES));
      }
    }
    return items as DropItem[];
  },
  keepDuplicates: bool,
  annotate: bool,
  normalize: bool,
  cache: path,
  cacheTtl: (value, ctx, key) => {
    const ttl = cacheTtlObject(value, ctx, key);
    if (ttl.min !== undefined && ttl.max !== undefined && ttl.min > ttl.max) {
      ctx.fail(`${key}.min`, `at most "${key}.max" (${ttl.max})`, ttl.min);
    }
    return ttl;
  },
  maxInvalidRate: number({ min: 0, max: 1, minInclusive: true }),
  allowEmpty: bool,
  maxShrink: number({ min: 0, max: 1, minInclusive: true }),
  maxRecordSize: number({ integer: true, min: 1, minInclusive: true }),
  outputEncoding: encodingName,
  outputDelimiter: oneCharacter,
  history: path,
  lock: bool,
  summary: path,
  html: path,
  quiet: bool,
  json: bool,
  bounces: (value, ctx, key) => stringList()(value, ctx, key).map((item, i) => path(item, ctx, `${key}[${i}]`)),
  bouncesSince: (value, ctx, key) =>
    typeof value === 'string' && /^\s*\d+\s*[hdw]\s*$|^\d{4}-\d\d-\d\d/i.test(value) ? value : ctx.fail(key, 'a span like "90d", "12w", "48h" or a date like "2026-01-31"', value),
  bounceFormat: oneOf(BOUNCE_FORMATS),
  bounceMinEvents: number({ integer: true, min: 1, minInclusive: true }),
  bounceStorm: number({ integer: true, min: 1, minInclusive: true }),
  maxBounceShare: number({ min: 0, max: 1, minInclusive: true }),
  smtp: (value, ctx, key) => {
    try {
      validateSmtpOptions(value);
    } catch (error) {
      throw new ListscrubError('E_CONFIG', `${ctx.source}: "${key}": ${(error as Error).message}`);
    }
    return value as SmtpOptions;
  },
};

/** Check an object against a closed field table; unknown keys are errors with a did-you-mean. */
function checkKeys<T extends object>(raw: Record<string, unknown>, fields: { [K in keyof T]-?: Field<T[K]> }, ctx: Context, prefix: string): T {
  const known = Object.keys(fields);
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!Object.hasOwn(fields, key)) {
      const hint = suggestion(key, known);
      throw new ListscrubError(
        'E_CONFIG',
        `${ctx.source}: "${prefix}${key}" is not an option${hint || `; options are: ${known.join(', ')}`}`,
      );
    }
    // null / undefined are not "unset": an explicit null is almost always a mistake worth naming.
    result[key] = (fields[key as keyof T] as Field<unknown>)(value, ctx, `${prefix}${key}`);
  }
  return result as T;
}

/** Validate an already-parsed job object. `baseDir` resolves relative paths (the file's directory). */
export function validateJobConfig(obj: unknown, source: string, options: { baseDir?: string } = {}): JobConfig {
  const ctx: Context = {
    source,
    baseDir: options.baseDir,
    fail: (key, expected, value, hint = '') => {
      throw new ListscrubError('E_CONFIG', `${source}: "${key}" must be ${expected}; got ${describe(value)}${hint}`);
    },
  };
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new ListscrubError('E_CONFIG', `${source}: a job file must be a JSON object of options; got ${describe(obj)}`);
  }
  return checkKeys<JobConfig>(obj as Record<string, unknown>, FIELDS, ctx, '');
}

/** Read, parse and validate a job file. Every failure is E_CONFIG naming the file. */
export async function loadJobConfig(file: string): Promise<JobConfig> {
  let text: string;
  try {
    text = (await readRegularFile(file)).text; // a FIFO at the path must not hang the run
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new ListscrubError('E_CONFIG', `${file}: cannot read the job file (${why})`, { cause: error });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // editors on Windows add a BOM
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const where = findJsonSyntaxError(text);
    const detail = where ? `line ${where.line}, column ${where.column}: ${where.message}` : (error as Error).message;
    throw new ListscrubError('E_CONFIG', `${file}: invalid JSON at ${detail}`, { cause: error, ...(where ? { line: where.line } : {}) });
  }
  return validateJobConfig(data, file, { baseDir: dirname(resolve(file)) });
}

/** The auto-discovered job file in `cwd`, or null when there is none. */
export async function findJobConfig(cwd: string): Promise<string | null> {
  const candidate = join(cwd, CONFIG_FILE_NAME);
  return stat(candidate).then(
    (s) => (s.isFile() ? candidate : null),
    () => null,
  );
}

/**
 * Refuse an implicit job file (found in the working directory, not named with --config) that the
 * running user did not write: whoever can write it chooses the outputs, the resolvers and the cache
 * of a run that may be root's. Trusted: a regular file (or a link to one) owned by the running user
 * or root, that neither its group nor others may write, and a link itself owned by one of those
 * two, as the kernel's protected_symlinks rule would ask. Throws E_CONFIG saying why.
 */
export async function assertTrustedJobFile(file: string, uid: number = userInfo().uid): Promise<void> {
  const refuse = (why: string): never => {
    throw new ListscrubError(
      'E_CONFIG',
      `${file}: refused to use this job file found in the working directory: ${why}; name a job file you trust with --config`,
    );
  };
  const trusted = (owner: number): boolean => owner === uid || owner === 0;
  const link = await lstat(file);
  if (link.isSymbolicLink() && !trusted(link.uid)) refuse(`it is a symbolic link owned by uid ${link.uid}`);
  const info = await stat(file);
  if (!info.isFile()) refuse('it is not a regular file');
  if (!trusted(info.uid)) refuse(`it is owned by uid ${info.uid}, not by you (uid ${uid}) or root`);
  if ((info.mode & 0o022) !== 0) refuse(`others may write it (mode ${(info.mode & 0o777).toString(8).padStart(4, '0')}); chmod go-w it`);
}

/**
 * Command-line flags override the file, key by key; `undefined` in flags means "not given". The two
 * nested objects merge one level deep, so `--dns-timeout` keeps the file's `dns.servers`; a flag of
 * `dns: false` (`--no-dns`) switches DNS off whatever the file says.
 */
export function mergeConfig(fileConfig: JobConfig, flags: JobConfig): JobConfig {
  const merged: JobConfig = { ...fileConfig };
  for (const [key, value] of Object.entries(flags) as [keyof JobConfig, unknown][]) {
    if (value === undefined) continue;
    const base = fileConfig[key];
    (merged as Record<string, unknown>)[key] =
      (key === 'dns' || key === 'cacheTtl' || key === 'smtp') && isPlainObject(base) && isPlainObject(value)
        ? { ...base, ...definedOnly(value) }
        : value;
  }
  return merged;
}

// ---- helpers

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function definedOnly(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}
