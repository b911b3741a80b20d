/**
 * The query limiter: every DNS query attempt, retries included, runs through schedule().
 *
 *   - in flight: a plain local semaphore, at most `concurrency` queries at once;
 *   - order: waiting queries start by priority (lower first; equal priorities in arrival order), so
 *     the caller decides what goes first (src/dns/index.ts: the domain nearest the head of the
 *     ordered output, then the one after...);
 *   - rate: no more than `rate` started per second, spaced evenly (minTime = 1000 / rate, no
 *     bursts). That is bottleneck's job, and the ONLY use of it (this is the only module that imports
 *     bottleneck, unmaintained since 2020, so it can be swapped): a free slot asks bottleneck for a
 *     start time, and the query that starts then is the first by priority AT THAT MOMENT, so a query
 *     asked later but more urgent overtakes the ones waiting for the rate.
 */
import Bottleneck from 'bottleneck';

export interface QueryLimiter {
  /**
   * Run fn when a slot is free and the rate allows; lower `priority` first (default 0), equal ones in
   * arrival order. Rejects if the limiter was stopped before fn started.
   */
  schedule<T>(fn: () => Promise<T>, priority?: number): Promise<T>;
  /** Drop waiting jobs (they reject) and wait for running ones. Idempotent. */
  stop(): Promise<void>;
}

export interface LimiterOptions {
  /** Queries per second; Infinity (or 0) means no rate limit. */
  rate: number;
  /** Queries in flight at most. */
  concurrency: number;
}

interface Waiting {
  priority: number;
  /** Arrival order, for ties. */
  order: number;
  /** Start the job (or reject it, when `stopped` is true). */
  run(stopped: boolean): void;
}

function before(a: Waiting, b: Waiting): boolean {
  return a.priority < b.priority || (a.priority === b.priority && a.order < b.order);
}

/** A binary min-heap of waiting jobs: push and pop in O(log n). */
class WaitingQueue {
  readonly #items: Waiting[] = [];

  get size(): number {
    return this.#items.length;
  }

  push(item: Waiting): void {
    const items = this.#items;
    let i = items.push(item) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(item, items[parent]!)) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = item;
  }

  pop(): Waiting | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const child = left + 1 < items.length && before(items[left + 1]!, items[left]!) ? left + 1 : left;
      if (!before(items[child]!, last)) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }

  drain(): Waiting[] {
    return this.#items.splice(0);
  }
}

/**
 * Bottleneck's starts are at least GRANT_MS apart, each granting `burst` queries (rate x GRANT_MS /
 * 1000, at least 1), started at once. Why: bottleneck spaces starts by minTime from the previous
 * ACTUAL start, and Node timers fire a millisecond or more late (more under load), so each lateness
 * adds up; and every bottleneck job costs CPU. Measured (bench/limiter.mjs: 2,000 jobs of 20 ms,
 * C = 50, --rate 500, load average ~9 on 2 cores, timer-yield patch below on): one grant per query
 * took 1.03-1.09x the ideal time and ~1,170 ms CPU; grants of 10 ms took 1.01-1.04x and ~550-620 ms. A burst is at most
 * 10 ms worth of the rate (5 queries at --rate 500, 2 at the default 200).
 */
const GRANT_MS = 10;

interface RateGate {
  /** Queries each grant allows. */
  readonly burst: number;
  /** Resolves at the next start time bottleneck grants (rejects once stopped). */
  next(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Bottleneck's local datastore yields to the event loop with setTimeout(0) (>= 1 ms) at each of its
 * steps. With one bottleneck job per query that capped it near 250 jobs/s; at one job per grant it
 * no longer limits the rate, but each yield is a timer: measured (bench/limiter.mjs, --rate 200,
 * 1,000 jobs, 3 paired runs, load average ~17) 835-877 ms of CPU without this patch, 665-732 ms with
 * it, i.e. ~150 us per query at the default rate. So it stays: the yield becomes a resolved promise
 * (every step stays asynchronous, without the timer). bottleneck has not changed since 2.19.5
 * (2020); if the private hook ever disappears, only this saving is lost. (The other former patch,
 * skipping the announcement of events nobody listens to, saved ~35 us per query at one job per
 * query and was dropped.)
 */
function removeTimerYields(bottleneck: Bottleneck): void {
  const store = (bottleneck as unknown as { _store?: { yieldLoop?: unknown } })._store;
  if (store !== undefined && typeof store.yieldLoop === 'function') {
    store.yieldLoop = () => Promise.resolve();
  }
}

/** Start times at `rate` per second, from bottleneck's minTime; null when there is no rate limit. */
function rateGate(rate: number): RateGate | null {
  if (!(Number.isFinite(rate) && rate > 0)) return null;
  const burst = Math.max(1, Math.floor((rate * GRANT_MS) / 1000));
  const bottleneck = new Bottleneck({ minTime: (1000 * burst) / rate });
  removeTimerYields(bottleneck);
  // Bottleneck emits 'error' for failures inside its own machinery; our no-op jobs never throw, but
  // an unhandled 'error' event must not crash the host process.
  bottleneck.on('error', () => {});
  const granted = (): Promise<void> => Promise.resolve();
  return {
    burst,
    next: () => bottleneck.schedule(granted),
    stop: () => bottleneck.stop({ dropWaitingJobs: true }).catch(() => {}),
  };
}

function stoppedError(): Error {
  return new Error('the query limiter was stopped');
}

export function createLimiter(options: LimiterOptions): QueryLimiter {
  const { concurrency } = options;
  const gate = rateGate(options.rate);
  const waiting = new WaitingQueue();
  let arrivals = 0;
  let running = 0;
  let stopping: Promise<void> | undefined;
  const idle: Array<() => void> = [];

  /** Starts granted by the rate gate and not used yet (at most a grant's worth, plus change). */
  let credits = 0;
  /** Grants asked of the rate gate and not yet given. */
  let asked = 0;

  function startNext(): void {
    const job = waiting.pop();
    if (job === undefined) return;
    running++;
    job.run(false);
  }

  /**
   * A finished job's slot is refilled once the microtasks it set off have run (setImmediate: still in
   * this turn of the event loop, after its I/O callbacks). The caller's follow-up (the MX host lookup
   * after an MX answer, which outranks the next domain's MX query) is asked a few promise hops after
   * the answer; refilled at once, the slot would go to the next domain, measured with one slot: MX a,
   * MX b, A mx.a, A mx.b instead of MX a, A mx.a, MX b, A mx.b.
   */
  let refill: NodeJS.Immediate | undefined;

  function finished(): void {
    running--;
    if (running === 0) for (const resolve of idle.splice(0)) resolve();
    refill ??= setImmediate(() => {
      refill = undefined;
      fill();
    });
  }

  /** Start waiting jobs in the free slots: at once without a rate, else as the gate grants starts. */
  function fill(): void {
    if (stopping !== undefined) return;
    while (running < concurrency && waiting.size > 0 && (gate === null || credits > 0)) {
      if (gate !== null) credits--;
      startNext();
    }
    if (gate === null) return;
    const wanted = Math.min(concurrency - running, waiting.size) - credits;
    while (asked * gate.burst < wanted) {
      asked++;
      gate.next().then(
        () => {
          asked--;
          credits += gate.burst;
          fill();
        },
        () => {
          asked--;
        },
      );
    }
  }

  return {
    schedule<T>(fn: () => Promise<T>, priority = 0): Promise<T> {
      if (stopping !== undefined) return Promise.reject(stoppedError());
      return new Promise<T>((resolve, reject) => {
        waiting.push({
          priority,
          order: arrivals++,
          run(stopped) {
            if (stopped) return reject(stoppedError());
            let result: Promise<T>;
            try {
              result = fn();
            } catch (error) {
              result = Promise.reject(error);
            }
            result.then(resolve, reject).finally(finished);
          },
        });
        fill();
      });
    },
    stop(): Promise<void> {
      if (stopping === undefined) {
        for (const job of waiting.drain()) job.run(true);
        const runningDone = running === 0 ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve));
        stopping = Promise.all([gate?.stop(), runningDone]).then(() => undefined);
      }
      return stopping;
    },
  };
}
