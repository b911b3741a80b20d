/** Pure pieces of the DNS layer: address usability, error mapping, TTL cache, messages, limiter. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { isIP, isIPv4 } from 'node:net';
import { TtlCache, clampTtl } from '../../src/dns/cache.js';
import { describeFailure } from '../../src/dns/health.js';
import { isDottedQuad, isIpAddress, unusableReason } from '../../src/dns/ip.js';
import { createLimiter } from '../../src/dns/limiter.js';
import { mapErrorCode } from '../../src/dns/resolver.js';
import {
  DEFAULT_CANARIES,
  DEFAULT_CONCURRENCY,
  DEFAULT_DNS_TIMEOUT_MS,
  DEFAULT_RATE,
  DEFAULT_RETRIES,
  createDomainChecker,
} from '../../src/dns/index.js';

describe('isDottedQuad / isIpAddress', () => {
  it('accepts exactly what net.isIPv4 accepts (and isIpAddress is net.isIP !== 0)', () => {
    const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('00', '01', '010', '0255', '', '-1', '1e2', ' 1'));
    const quadish = fc.array(octet, { minLength: 2, maxLength: 6 }).map((parts) => parts.join('.'));
    const text = fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9', '.', ':', 'a', ' '), maxLength: 16 });
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(quadish, text, fc.ipV4(), fc.ipV6()), (s) => {
        expect(isDottedQuad(s), s).toBe(isIPv4(s));
        expect(isIpAddress(s), s).toBe(isIP(s) !== 0);
        if (isDottedQuad(s)) accepted++;
      }),
      { numRuns: 5000 },
    );
    expect(accepted).toBeGreaterThan(500);
  });
});

describe('unusableReason', () => {
  it.each([
    ['93.184.216.34', null],
    ['8.8.8.8', null],
    ['2606:4700::1111', null],
    ['0.0.0.0', 'unspecified ("this network")'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['10.0.0.1', 'private (RFC 1918)'],
    ['172.16.0.1', 'private (RFC 1918)'],
    ['172.31.255.255', 'private (RFC 1918)'],
    ['172.32.0.1', null],
    ['192.168.1.1', 'private (RFC 1918)'],
    ['100.64.0.1', 'shared carrier-grade NAT space'],
    ['169.254.1.1', 'link-local'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['224.0.0.1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fd00::1', 'private (unique local)'],
    ['fe80::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['::ffff:127.0.0.1', 'IPv4-mapped'],
    ['100::1', 'reserved'],
    ['not-an-ip', 'not an IP address'],
  ])('%s -> %s', (address, reason) => {
    expect(unusableReason(address)).toBe(reason);
  });

  it('allowPrivate accepts RFC 1918, CGNAT and ULA, never loopback or link-local', () => {
    for (const ip of ['10.0.0.1', '172.20.1.1', '192.168.0.1', '100.64.1.1', 'fd12::1']) {
      expect(unusableReason(ip, true)).toBeNull();
    }
    for (const ip of ['127.0.0.1', '::1', '169.254.0.1', 'fe80::1', '0.0.0.0']) {
      expect(unusableReason(ip, true)).not.toBeNull();
    }
  });

  it('allowLoopback accepts 127.0.0.0/8 and ::1 only; allowPrivate stays separate', () => {
    for (const ip of ['127.0.0.1', '127.0.0.2', '127.255.255.254', '::1']) {
      expect(unusableReason(ip, { allowLoopback: true })).toBeNull();
      expect(unusableReason(ip, { allowPrivate: true })).toBe('loopback');
    }
    for (const ip of ['10.0.0.1', 'fd12::1', '169.254.0.1', '0.0.0.0', '::', '::ffff:127.0.0.1']) {
      expect(unusableReason(ip, { allowLoopback: true })).not.toBeNull();
    }
    expect(unusableReason('10.0.0.1', { allowLoopback: true, allowPrivate: true })).toBeNull();
    expect(unusableReason('127.0.0.2', { allowLoopback: true, allowPrivate: true })).toBeNull();
  });
});

describe('mapErrorCode', () => {
  it.each([
    ['ENOTFOUND', 'nxdomain'],
    ['ENODATA', 'nodata'],
    ['ESERVFAIL', 'servfail'],
    ['EREFUSED', 'refused'],
    ['ETIMEOUT', 'timeout'],
    ['ECONNREFUSED', 'timeout'],
    ['EFORMERR', 'error'],
    ['ECANCELLED', 'error'],
    [undefined, 'error'],
  ])('%s -> %s', (code, kind) => {
    expect(mapErrorCode(code)).toBe(kind);
  });
});

describe('TtlCache', () => {
  it('expires entries by the injected clock and keeps them as stale', () => {
    let now = 1_000_000;
    const cache = new TtlCache<string>(() => now, 100);
    cache.set('a', 'x', 120);
    now += 119_999;
    expect(cache.get('a')).toBe('x');
    now += 1;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.peekStale('a')).toBe('x');
    expect([...cache.live()]).toEqual([]);
  });

  it('clamps TTLs to [60 s, 1 day]', () => {
    expect(clampTtl(0)).toBe(60);
    expect(clampTtl(5)).toBe(60);
    expect(clampTtl(300)).toBe(300);
    expect(clampTtl(10 ** 9)).toBe(86_400);
    expect(clampTtl(Number.NaN)).toBe(60);
    fc.assert(fc.property(fc.double(), (ttl) => clampTtl(ttl) >= 60 && clampTtl(ttl) <= 86_400));
  });

  it('stays bounded, dropping expired entries first, then the oldest writes', () => {
    let now = 0;
    const cache = new TtlCache<number>(() => now, 10);
    for (let i = 0; i < 5; i++) cache.set(`old${i}`, i, 60);
    now = 61_000;
    for (let i = 0; i < 6; i++) cache.set(`new${i}`, i, 60);
    expect(cache.size).toBe(6);
    for (let i = 0; i < 20; i++) cache.set(`more${i}`, i, 60);
    expect(cache.size).toBeLessThanOrEqual(10);
    expect(cache.get('more19')).toBe(19);
  });
});

describe('describeFailure', () => {
  const nx = { kind: 'undeliverable', reason: 'domain_not_found', detail: '' } as const;
  const to = { kind: 'unknown', reason: 'dns_timeout', detail: '' } as const;
  it('names the resolver and the canaries in plain English', () => {
    expect(
      describeFailure('10.0.0.53', ['gmail.com', 'outlook.com', 'yahoo.com'].map((domain) => ({ domain, outcome: nx })), false),
    ).toBe(
      'The DNS resolver at 10.0.0.53 answered NXDOMAIN for gmail.com, outlook.com and yahoo.com, which certainly exist: ' +
        'it is lying or filtered. No address was called invalid on DNS grounds.',
    );
    expect(describeFailure('10.0.0.53', [{ domain: 'gmail.com', outcome: to }], true)).toBe(
      'The DNS resolver at 10.0.0.53 did not answer for gmail.com (timeout): it is down, unreachable or blocked. ' +
        'This was detected during the run; from then on no address was called invalid on DNS grounds.',
    );
  });
});

describe('limiter', () => {
  /** A job that runs until the test releases it. */
  function held(): { promise: Promise<void>; release: () => void } {
    let release!: () => void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    return { promise, release };
  }

  /** One turn of the event loop (not a timer). */
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

  it('never runs more than `concurrency` jobs at once, and fills every slot', async () => {
    const limiter = createLimiter({ rate: Number.POSITIVE_INFINITY, concurrency: 3 });
    let running = 0;
    let max = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        limiter.schedule(async () => {
          running++;
          max = Math.max(max, running);
          await turn();
          running--;
        }),
      ),
    );
    expect(max).toBe(3);
    await limiter.stop();
  });

  it('a burst of 1,000 jobs runs every job once, equal priorities in arrival order, within the bound', async () => {
    const limiter = createLimiter({ rate: Number.POSITIVE_INFINITY, concurrency: 4 });
    const started: number[] = [];
    let running = 0;
    let max = 0;
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        limiter.schedule(async () => {
          started.push(i);
          running++;
          max = Math.max(max, running);
          await turn();
          running--;
          return i * 2;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 1000 }, (_, i) => i * 2));
    expect(started).toEqual(Array.from({ length: 1000 }, (_, i) => i)); // FIFO
    expect(max).toBe(4);
    await limiter.stop();
  });

  it('waiting jobs start by priority, lower first, ties in arrival order', async () => {
    const limiter = createLimiter({ rate: Number.POSITIVE_INFINITY, concurrency: 1 });
    const blocker = held();
    const started: string[] = [];
    const first = limiter.schedule(() => blocker.promise);
    const priorities: Array<[string, number]> = [['e', 5], ['b', 1], ['d', 3], ['c', 1], ['a', 0], ['f', 9], ['g', 5]];
    const rest = priorities.map(([name, priority]) =>
      limiter.schedule(async () => {
        started.push(name);
      }, priority),
    );
    blocker.release();
    await Promise.all([first, ...rest]);
    expect(started).toEqual(['a', 'b', 'c', 'd', 'e', 'g', 'f']);
    await limiter.stop();
  });

  it('under a rate, an urgent job asked later overtakes the jobs waiting for their start time', async () => {
    // 100 per second: one start every 10 ms, so the later jobs are still waiting when 'urgent' comes.
    const limiter = createLimiter({ rate: 100, concurrency: 10 });
    const started: string[] = [];
    let urgent: Promise<void> | undefined;
    const jobs = Array.from({ length: 4 }, (_, i) =>
      limiter.schedule(async () => {
        started.push(`job${i}`);
        if (i === 0) {
          urgent = limiter.schedule(async () => {
            started.push('urgent');
          }, 0);
        }
      }, 10),
    );
    await Promise.all(jobs);
    await urgent;
    expect(started).toEqual(['job0', 'urgent', 'job1', 'job2', 'job3']);
    await limiter.stop();
  });

  it('a job that throws or rejects frees its slot, and the caller gets the error', async () => {
    const limiter = createLimiter({ rate: Number.POSITIVE_INFINITY, concurrency: 1 });
    const thrown = limiter.schedule(() => {
      throw new Error('thrown');
    });
    const rejected = limiter.schedule(() => Promise.reject(new Error('rejected')));
    const after = limiter.schedule(async () => 'ran');
    await expect(thrown).rejects.toThrow('thrown');
    await expect(rejected).rejects.toThrow('rejected');
    await expect(after).resolves.toBe('ran');
    await limiter.stop();
  });

  it('stop() drops every waiting job (they reject) and waits for the running ones', async () => {
    const limiter = createLimiter({ rate: 1000, concurrency: 1 });
    const events: string[] = [];
    const blocker = held();
    let started!: () => void;
    const hasStarted = new Promise<void>((resolve) => (started = resolve));
    const running = limiter.schedule(async () => {
      events.push('started');
      started();
      await blocker.promise;
      events.push('finished');
      return 'ran';
    });
    const waiting = Array.from({ length: 9 }, () => limiter.schedule(async () => 'ran').catch(() => 'dropped'));
    await hasStarted;
    expect(events).toEqual(['started']);
    const stopped = limiter.stop().then(() => events.push('stopped'));
    blocker.release();
    await stopped;
    expect(events).toEqual(['started', 'finished', 'stopped']);
    await expect(running).resolves.toBe('ran');
    expect(await Promise.all(waiting)).toEqual(Array.from({ length: 9 }, () => 'dropped'));
    await expect(limiter.schedule(async () => 'late')).rejects.toThrow('stopped');
  });

  it('stop() with nothing running resolves at once, and again when asked again', async () => {
    const limiter = createLimiter({ rate: 200, concurrency: 2 });
    await expect(limiter.schedule(async () => 1)).resolves.toBe(1);
    await limiter.stop();
    await limiter.stop();
    await expect(limiter.schedule(async () => 2)).rejects.toThrow('stopped');
  });
});

describe('the default cache clock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is read once a second by a timer: an entry expires within a second of its time', async () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    const checker = createDomainChecker({ dns: { servers: ['127.0.0.1:9'], canary: [] } });
    try {
      await checker.ready();
      const outcome = { kind: 'deliverable' as const, detail: 'MX mx.example.com resolves to 93.184.216.34' };
      checker.cache.import({ domains: new Map([['example.com', { outcome, expiresAt: Date.now() + 30_500 }]]), hosts: new Map() });
      expect(checker.checkCached('example.com')).toEqual(outcome);
      vi.advanceTimersByTime(30_000);
      expect(checker.checkCached('example.com')).toEqual(outcome);
      vi.advanceTimersByTime(1_000);
      expect(checker.checkCached('example.com')).toBeUndefined();
    } finally {
      await checker.close();
    }
    // close() stopped the clock's timer.
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('createDomainChecker options', () => {
  it('exports its defaults', () => {
    expect(DEFAULT_DNS_TIMEOUT_MS).toBe(2000);
    expect(DEFAULT_RETRIES).toBe(2);
    expect(DEFAULT_RATE).toBe(200);
    expect(DEFAULT_CONCURRENCY).toBe(50);
    expect(DEFAULT_CANARIES).toEqual(['gmail.com', 'outlook.com', 'yahoo.com']);
  });

  it.each([
    [{ concurrency: 0 }],
    [{ concurrency: 1.5 }],
    [{ rate: -1 }],
    [{ dns: { timeoutMs: 0 } }],
    [{ dns: { retries: -1 } }],
    [{ dns: { servers: ['not a server'] } }],
  ])('rejects %j with E_OPTION', (options) => {
    expect(() => createDomainChecker(options)).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
  });
});
