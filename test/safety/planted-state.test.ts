/**
 * Issue 18, items 5-8: inputs and state that another local user can plant in a shared drop
 * directory (a job file, a lock, a cache, FIFOs), and a second signal that must end the process in
 * every phase. The attacker plants as `nobody` when the tests run as root (see ./attacker.ts); the
 * built CLI then runs as we do, against the real test DNS server on 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DnsServer } from '../support/dns-server.js';
import { runCli, startCli, type CliOptions } from '../support/spawn.js';
import { dnsFlags, exists, readJson, useNightlyServer, waitForJsonFile, writeList, type CacheFileJson } from '../nightly/helpers.js';
import { IS_ROOT, NOBODY, plantFifo, plantFile, plantLink, useDropDir } from './attacker.js';

let server: DnsServer;
let drop: string;
useNightlyServer((s) => (server = s));
useDropDir((d) => (drop = d));

/** A hang must fail its test: the CLI is killed after this long (a refusal takes well under a second). */
const HANG: CliOptions = { killAfterMs: 20_000 };

describe('implicit job file (item 5)', () => {
  it('a listscrub.config.json planted by another user in the working directory is refused, and nothing is written', async () => {
    await writeList(join(drop, 'list.csv'), ['ann@good.com']);
    const stolen = join(drop, 'stolen.csv');
    const job = JSON.stringify({ input: 'list.csv', output: stolen, dns: false });
    if (IS_ROOT) plantFile(join(drop, 'listscrub.config.json'), job);
    else await writeFile(join(drop, 'listscrub.config.json'), job, { mode: 0o666 }); // one uid: a file others may write
    if (!IS_ROOT) execFileSync('chmod', ['0666', join(drop, 'listscrub.config.json')]);

    const result = await runCli(['clean', '-q'], { cwd: drop, ...HANG });

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/listscrub\.config\.json: refused to use this job file found in the working directory: /);
    expect(result.stderr).toMatch(IS_ROOT ? new RegExp(`owned by uid ${NOBODY}, not by you`) : /others may write it \(mode 0666\)/);
    expect(await exists(stolen)).toBe(false);
  });

  it('a link to the job file planted by another user is refused too', async () => {
    // One uid cannot make a link owned by someone else: the link then points at a file others may write.
    await writeList(join(drop, 'list.csv'), ['ann@good.com']);
    const real = join(drop, 'real-job.json');
    await writeFile(real, JSON.stringify({ input: 'list.csv', dns: false }), { mode: 0o644 });
    if (!IS_ROOT) execFileSync('chmod', ['0666', real]);
    plantLink(real, join(drop, 'listscrub.config.json'));

    const result = await runCli(['clean', '-q'], { cwd: drop, ...HANG });

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(IS_ROOT ? new RegExp(`symbolic link owned by uid ${NOBODY}`) : /others may write it/);
  });

  it('our own job file, not writable by others, is used (the check does not refuse everything)', async () => {
    await writeList(join(drop, 'list.csv'), ['ann@good.com']);
    await writeFile(join(drop, 'listscrub.config.json'), JSON.stringify({ input: 'list.csv', dns: false }), { mode: 0o644 });

    const result = await runCli(['clean', '-q'], { cwd: drop, ...HANG });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await readFile(join(drop, 'list.clean.csv'), 'utf8')).toBe('email\nann@good.com\n');
  });
});

describe('lock files (item 6)', () => {
  const forged = (): string => JSON.stringify({ pid: 1, hostname: hostname(), startedAt: new Date().toISOString(), token: 'forged' });

  it("a forged lock naming pid 1, planted by another user, does not block the run; the run's own lock is released", async () => {
    const list = await writeList(join(drop, 'list.csv'), ['ann@good.com']);
    const lock = join(drop, 'list.clean.csv.lock');
    // One uid: our own file would be trusted, so the forged lock is a link to one (not a regular file).
    if (IS_ROOT) plantFile(lock, forged());
    else {
      await writeFile(join(drop, 'forged.json'), forged());
      await symlink(join(drop, 'forged.json'), lock);
    }

    const result = await runCli(['clean', list, '--no-dns', '-q'], HANG);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await readFile(join(drop, 'list.clean.csv'), 'utf8')).toBe('email\nann@good.com\n');
    expect(await exists(lock)).toBe(false);
  });

  it('a FIFO at the lock path neither hangs the run nor is trusted', async () => {
    const list = await writeList(join(drop, 'list.csv'), ['ann@good.com']);
    plantFifo(join(drop, 'list.clean.csv.lock'));

    const result = await runCli(['clean', list, '--no-dns', '-q'], HANG);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await exists(join(drop, 'list.clean.csv.lock'))).toBe(false);
  });

  it('a lock of our own naming a live process still blocks the run (exit 5)', async () => {
    const list = await writeList(join(drop, 'list.csv'), ['ann@good.com']);
    const live = JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), token: 'mine' });
    await writeFile(join(drop, 'list.clean.csv.lock'), live, { mode: 0o600 });

    const result = await runCli(['clean', list, '--no-dns', '-q'], HANG);

    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(new RegExp(`another listscrub run \\(pid ${process.pid}, started `));
  });
});

describe('cache entries (item 7)', () => {
  it('a planted never-expiring "domain_not_found" is not believed, and no saved entry outlives the maximum TTL', async () => {
    const list = await writeList(join(drop, 'list.csv'), ['ann@good.com', 'fay@fine.org']);
    const cache = join(drop, 'dns-cache.json');
    plantFile(
      cache,
      JSON.stringify({
        format: 'listscrub-dns-cache',
        version: 1,
        savedAt: new Date().toISOString(),
        domains: {
          'good.com': { outcome: { kind: 'undeliverable', reason: 'domain_not_found', detail: 'planted' }, expiresAt: 1e308 },
          'fine.org': { outcome: { kind: 'deliverable', detail: 'planted, deliverable' }, expiresAt: 1e308 },
        },
        hosts: {},
      }),
    );
    const before = Date.now();

    const result = await runCli(['clean', list, '--cache', cache, '-q', ...dnsFlags(server)], HANG);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await readFile(join(drop, 'list.clean.csv'), 'utf8')).toBe('email\nann@good.com\nfay@fine.org\n');
    expect(server.count('good.com', 'MX')).toBeGreaterThan(0); // asked DNS instead of believing the file
    const saved = await readJson<CacheFileJson>(cache);
    expect(saved.domains['good.com']?.outcome.kind).toBe('deliverable');
    const latest = Date.now() + 86_400_000;
    for (const entry of [...Object.values(saved.domains), ...Object.values(saved.hosts)]) {
      expect(entry.expiresAt).toBeGreaterThan(before);
      expect(entry.expiresAt).toBeLessThanOrEqual(latest);
    }
  });
});

describe('FIFOs where a file is read (item 8)', () => {
  it('an input that is a FIFO with no writer is refused at once (exit 1), naming the path', async () => {
    const fifo = join(drop, 'list.csv');
    plantFifo(fifo);

    const result = await runCli(['clean', fifo, '--no-dns', '-q'], HANG);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`listscrub: cannot read ${fifo}: is a named pipe (FIFO), not a regular file\n`);
    expect(await exists(join(drop, 'list.clean.csv.lock'))).toBe(false);
  });

  it('a cache path that is a FIFO is ignored with a warning; the run completes', async () => {
    const list = await writeList(join(drop, 'list.csv'), ['ann@good.com']);
    const fifo = join(drop, 'cache.json');
    plantFifo(fifo);

    const result = await runCli(['clean', list, '--cache', fifo, '--json', ...dnsFlags(server)], HANG);

    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { warnings: string[] };
    expect(summary.warnings.join('\n')).toMatch(/DNS cache file .*cache\.json could not be read \(is a named pipe \(FIFO\), not a regular file\)/);
  });

  it('a job file (--config) or a history file that is a FIFO is refused at once', async () => {
    const job = join(drop, 'job.json');
    plantFifo(job);
    const history = join(drop, 'history.jsonl');
    plantFifo(history);

    const clean = await runCli(['clean', '--config', job], HANG);
    const shown = await runCli(['history', history], HANG);

    expect(clean.code).toBe(2);
    expect(clean.stderr).toBe(`listscrub: ${job}: cannot read the job file (is a named pipe (FIFO), not a regular file)\n`);
    expect(shown.code).toBe(1);
    expect(shown.stderr).toBe(`listscrub: cannot read the history file ${history}: is a named pipe (FIFO), not a regular file\n`);
  });
});

describe('a second signal (item 8)', () => {
  it('ends the process at once even while a threadpool thread is stuck in a blocking open', async () => {
    // The preload parks one libuv threadpool thread in open() of a FIFO nobody writes to: what a
    // planted FIFO at any path opened without O_NONBLOCK does. process.exit() joins the threadpool,
    // so a second-signal handler that called it hung for ever.
    const stuck = join(drop, 'stuck');
    plantFifo(stuck);
    const preload = `data:text/javascript,import { open } from "node:fs"; open(${JSON.stringify(stuck)}, "r", () => {});`;
    await writeList(join(drop, 'list.csv'), ['ann@good.com']);
    const job = join(drop, 'job.json');
    // A scheduled run is never interrupted by the first signal: the schedule stops after it. The DNS
    // server drops every query, so the run sits in its canary check for several seconds.
    await writeFile(job, JSON.stringify({ input: 'list.csv', dns: { servers: [server.address], timeoutMs: 5000, retries: 0, canary: ['gmail.com'] } }));
    server.setMode('drop');
    const schedule = startCli(['schedule', '--cron', '* * * * * *', '--config', job], { nodeArgs: ['--import', preload], killAfterMs: 30_000 });

    await waitForJsonFile(join(drop, 'list.clean.csv.lock')); // a run has started
    schedule.child.kill('SIGTERM');
    await schedule.waitFor(/SIGTERM received; stopping after the current run/);
    schedule.child.kill('SIGTERM');
    const result = await schedule.done;

    expect(result.signal).toBe('SIGTERM'); // not SIGKILL from killAfterMs: the second signal ended it
    expect(await exists(join(drop, 'list.clean.csv'))).toBe(false);
  });
});
