import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/jobs/lock.js';

let dir: string;
let lockPath: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'listscrub-lock-'));
  lockPath = join(dir, 'clean.csv.lock');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A pid that certainly belonged to a process which has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  const pid = child.pid as number;
  await once(child, 'exit');
  return pid;
}

const exists = (path: string) => stat(path).then(() => true, () => false);

describe('acquireLock', () => {
  it('writes pid, hostname and start time, and release removes the file', async () => {
    const lock = await acquireLock(lockPath, { now: () => Date.parse('2024-05-01T06:00:00Z') });
    const content = JSON.parse(await readFile(lockPath, 'utf8'));
    expect(content).toMatchObject({ pid: process.pid, hostname: hostname(), startedAt: '2024-05-01T06:00:00.000Z' });
    await lock.release();
    expect(await exists(lockPath)).toBe(false);
  });

  it('refuses a second acquire while held, with E_LOCKED naming pid, time and path', async () => {
    const lock = await acquireLock(lockPath);
    const error = await acquireLock(lockPath).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_LOCKED' });
    const message = (error as Error).message;
    expect(message).toContain(`pid ${process.pid}`);
    expect(message).toContain(lockPath);
    expect(message).toMatch(/started \d{4}-\d\d-\d\dT/);
    expect(message).toContain('if no run is active, delete it');
    await lock.release();
    const again = await acquireLock(lockPath);
    await again.release();
  });

  it('takes over a lock whose process has died', async () => {
    const pid = await deadPid();
    await writeFile(lockPath, JSON.stringify({ pid, hostname: hostname(), startedAt: new Date().toISOString() }));
    const lock = await acquireLock(lockPath);
    expect(JSON.parse(await readFile(lockPath, 'utf8')).pid).toBe(process.pid);
    await lock.release();
    expect(await exists(lockPath)).toBe(false);
  });

  it('keeps a live lock from another host unless it is older than staleMs', async () => {
    const startedAt = '2024-05-01T06:00:00.000Z';
    const t0 = Date.parse(startedAt);
    await writeFile(lockPath, JSON.stringify({ pid: 1, hostname: 'elsewhere.example', startedAt }));
    await expect(acquireLock(lockPath, { staleMs: 60_000, now: () => t0 + 30_000 })).rejects.toMatchObject({
      code: 'E_LOCKED',
      message: expect.stringContaining('pid 1 on elsewhere.example'),
    });
    await expect(acquireLock(lockPath, { now: () => t0 + 86_400_000 })).rejects.toMatchObject({ code: 'E_LOCKED' });
    const lock = await acquireLock(lockPath, { staleMs: 60_000, now: () => t0 + 120_000 });
    expect(JSON.parse(await readFile(lockPath, 'utf8')).hostname).toBe(hostname());
    await lock.release();
  });

  it('treats a fresh corrupt lock as being created, and an old one as stale', async () => {
    await writeFile(lockPath, '{"pid": 12');
    await expect(acquireLock(lockPath)).rejects.toMatchObject({ code: 'E_LOCKED' });
    const old = new Date(Date.now() - 3_600_000);
    await utimes(lockPath, old, old);
    const lock = await acquireLock(lockPath);
    await lock.release();
  });

  it('release is idempotent and never removes a lock that is no longer ours', async () => {
    const lock = await acquireLock(lockPath);
    await lock.release();
    await lock.release();
    // Someone else's lock appears at the same path: our stale handle must leave it alone.
    const other = JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), token: 'theirs' });
    await writeFile(lockPath, other);
    await lock.release();
    expect(await readFile(lockPath, 'utf8')).toBe(other);
  });

  it('lets exactly one of many concurrent acquirers win', async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => acquireLock(lockPath)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'E_LOCKED' });
    await (won[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
  });
});
