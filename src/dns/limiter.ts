/**
 * The query limiter: the ONLY module that imports bottleneck (unmaintained since 2020, so it stays
 * behind this small interface and can be swapped). Every DNS query attempt, retries included, runs
 * through schedule(): at most `concurrency` in flight, and no more than `rate` started per second
 * (minTime = 1000 / rate spaces the starts evenly; no bursts).
 */
import Bottleneck from 'bottleneck';

export interface QueryLimiter {
  /** Run fn when a slot is free; rejects if the limiter was stopped before fn started. */
  schedule<T>(fn: () => Promise<T>): Promise<T>;
  /** Drop waiting jobs (they reject) and wait for running ones. Idempotent. */
  stop(): Promise<void>;
}

export interface LimiterOptions {
  /** Queries per second; Infinity (or 0) means no rate limit. */
  rate: number;
  /** Queries in flight at most. */
  concurrency: number;
}

export function createLimiter(options: LimiterOptions): QueryLimiter {
  const minTime = Number.isFinite(options.rate) && options.rate > 0 ? 1000 / options.rate : 0;
  const bottleneck = new Bottleneck({ maxConcurrent: options.concurrency, minTime });
  // Bottleneck emits 'error' for failures inside its own machinery; our jobs never throw into it
  // unhandled, but an unhandled 'error' event must not crash the host process.
  bottleneck.on('error', () => {});
  let stopping: Promise<void> | undefined;
  return {
    schedule<T>(fn: () => Promise<T>): Promise<T> {
      return bottleneck.schedule(fn);
    },
    stop(): Promise<void> {
      stopping ??= bottleneck.stop({ dropWaitingJobs: true }).catch(() => {});
      return stopping;
    },
  };
}
