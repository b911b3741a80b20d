/**
 * Operational failures (bad options, unreadable input, unwritable output) are ListscrubErrors with a
 * code from a closed union. Invalid addresses are results, never errors.
 */
export const ERROR_CODES = [
  'E_OPTION', // an option has a wrong type or value
  'E_USAGE', // CLI usage error (unknown flag, missing argument)
  'E_INPUT', // the input cannot be read (missing, a directory, permissions)
  'E_NOT_CSV', // the input is not a CSV list (binary, nothing parsed)
  'E_ENCODING', // the input is not valid in the declared encoding
  'E_NO_EMAIL_COLUMN', // no email column found or the named one does not exist
  'E_OUTPUT', // an output cannot be written
  'E_SAME_PATH', // input and output are the same file
  'E_CONFIG', // a job file is unreadable or has wrong keys
  'E_LOCKED', // another run holds the lock
  'E_ABORTED', // the run was interrupted
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class ListscrubError extends Error {
  readonly code: ErrorCode;
  /** 1-based input line the error refers to, when there is one. */
  readonly line?: number;

  constructor(code: ErrorCode, message: string, options: { line?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ListscrubError';
    this.code = code;
    if (options.line !== undefined) this.line = options.line;
  }
}

export function isListscrubError(error: unknown): error is ListscrubError {
  return error instanceof ListscrubError;
}
