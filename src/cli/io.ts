/**
 * What a CLI command may touch of the outside world. main.ts fills it from `process`; tests can pass
 * their own streams. Nothing below src/cli/ sees any of this.
 */
import type { Readable, Writable } from 'node:stream';
import { isListscrubError, type ErrorCode } from '../errors.js';

export interface CliIo {
  stdin: Readable;
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Resolves when the user asks the process to stop (SIGINT/SIGTERM), with that signal's name. */
  interrupted: Promise<'SIGINT' | 'SIGTERM'>;
}

/** Exit codes: documented in the README; stable for cron and alerting. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  dnsUnhealthy: 3,
  guardTripped: 4,
  locked: 5,
  senderProblems: 6,
  sigint: 130,
  sigterm: 143,
} as const;

export function useColor(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  return stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

const EXIT_FOR_ERROR: Partial<Record<ErrorCode, number>> = {
  E_USAGE: EXIT.usage,
  E_OPTION: EXIT.usage,
  E_CONFIG: EXIT.usage,
  E_NO_EMAIL_COLUMN: EXIT.usage,
  E_SAME_PATH: EXIT.usage,
  E_LOCKED: EXIT.locked,
};

/** The exit code for an error: usage mistakes 2, a held lock 5, everything else 1. */
export function exitCodeFor(error: unknown): number {
  return isListscrubError(error) ? (EXIT_FOR_ERROR[error.code] ?? EXIT.failure) : EXIT.failure;
}

/**
 * Write `text` and wait while the stream is full, so output of any size goes out at the pace the
 * reader takes it, never piling up in memory. Resolves at once on a stream that has failed (EPIPE:
 * the reader chose to stop; the command's error handling reports other failures).
 */
export function writeText(stream: Writable, text: string): Promise<void> | undefined {
  if (stream.destroyed) return undefined;
  if (stream.write(text)) return undefined;
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}
