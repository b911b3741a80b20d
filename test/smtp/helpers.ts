/**
 * Driving the checker under fake timers against real loopback sockets: virtual time moves in small
 * steps, and each step gives real I/O an event-loop turn, so a reply that is on the wire arrives long
 * before any 30-second timer could fire (300 steps). Only setTimeout/clearTimeout/setInterval/Date are
 * faked; setImmediate and socket I/O stay real.
 */
import { afterEach, beforeEach, vi } from 'vitest';
import { createMailboxChecker, type MailboxChecker, type MxTarget, type SmtpOptions } from '../../src/smtp/index.js';
import { startScriptServers, type ScriptOptions, type ScriptServer } from '../support/smtp-script-server.js';

export function useFakeClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'], now: Date.parse('2026-03-02T09:00:00Z') });
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Advance virtual time until `promise` settles; fails after `maxMs` of virtual time. */
export async function drive<T>(promise: Promise<T>, { stepMs = 100, maxMs = 3_600_000 } = {}): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => {
    settled = true;
  });
  for (let elapsed = 0; !settled; elapsed += stepMs) {
    if (elapsed > maxMs) throw new Error(`still pending after ${maxMs} ms of virtual time`);
    await turn();
    await turn();
    await vi.advanceTimersByTimeAsync(stepMs);
  }
  return watched;
}

/** Identities that pass validation, the servers' port, and the defaults otherwise. */
export function options(server: Pick<ScriptServer, 'port'>, extra: Partial<SmtpOptions> = {}): SmtpOptions {
  return { helo: 'probe.listscrub-test.net', from: 'verify@listscrub-test.net', port: server.port, ...extra };
}

/** One MX host per server, preferences 10, 20, ... */
export function mxOf(servers: readonly Pick<ScriptServer, 'host'>[], names: readonly string[] = servers.map((_, i) => `mx${i + 1}.example.net`)): MxTarget[] {
  return servers.map((server, i) => ({ host: names[i] as string, preference: 10 * (i + 1), addresses: [server.host] }));
}

/**
 * Per test: a fake clock, scripted servers and checkers that are closed (and the servers stopped)
 * after it. Returns the two ways a test makes them.
 */
export function useScriptedServers(): { serve(...scripts: ScriptOptions[]): Promise<ScriptServer[]>; make(...args: Parameters<typeof createMailboxChecker>): MailboxChecker } {
  let servers: ScriptServer[] = [];
  let checkers: MailboxChecker[] = [];
  beforeEach(() => useFakeClock());
  afterEach(async () => {
    for (const checker of checkers) await drive(checker.close());
    checkers = [];
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
    vi.useRealTimers();
  });
  return {
    async serve(...scripts) {
      servers = await startScriptServers(scripts);
      return servers;
    },
    make(...args) {
      const checker = createMailboxChecker(...args);
      checkers.push(checker);
      return checker;
    },
  };
}
