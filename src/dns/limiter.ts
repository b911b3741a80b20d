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

/**
 * Bottleneck's local datastore yields to the event loop with setTimeout(0) (>= 1 ms) at every
 * step, and its steps are serialized: measured here, 2000 short jobs at maxConcurrent 50 ran ONE at
 * a time and took 8 s (~250 jobs/s, whatever the rate and concurrency settings). Yielding with a
 * resolved promise instead keeps every step asynchronous (the reason for the yield) without the
 * timer: the same jobs then run 50 at a time, ~2000+ jobs/s. bottleneck has not changed since
 * 2.19.5 (2020), so this private hook is stable; if it ever disappears we simply keep the slow path.
 * Measured after the patch: about 140 us of CPU per query (3,000 no-op jobs at maxConcurrent 50).
 * Queries grow with distinct domains, not rows, so that is ~0.4 s for a 2,000-domain list; a
 * hand-written queue was tried and saved CPU, but bottleneck is the design's chosen, tested limiter
 * (and its Group/Redis store are the way to share limits across processes later).
 */
function removeTimerYields(bottleneck: Bottleneck): void {
  const store = (bottleneck as unknown as { _store?: { yieldLoop?: unknown } })._store;
  if (store !== undefined && typeof store.yieldLoop === 'function') {
    store.yieldLoop = () => Promise.resolve();
  }
}

export function createLimiter(options: LimiterOptions): QueryLimiter {
  const minTime = Number.isFinite(options.rate) && options.rate > 0 ? 1000 / options.rate : 0;
  const bottleneck = new Bottleneck({ maxConcurrent: options.concurrency, minTime });
  removeTimerYields(bottleneck);
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
