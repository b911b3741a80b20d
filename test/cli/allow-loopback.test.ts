/**
 * `--allow-loopback` (job file / library `dns.allowLoopback`): MX hosts on 127.0.0.0/8 and ::1 count
 * as usable, for tests and local relays; without it they are mx_invalid, even with --allow-private.
 * The built CLI, spawned against the test DNS server (POSTFIX_ZONE: MX hosts on 127.0.0.2).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliZone, csvRecords, removeWorkdirs, workdir } from '../support/cli.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { run, STACK_LINE } from '../support/spawn.js';
import { POSTFIX_ZONE } from '../support/zones.js';

let server: DnsServer;
let dns: string[];

beforeAll(async () => {
  server = await startDnsServer({ ...cliZone(), ...POSTFIX_ZONE });
  dns = ['--dns', server.address];
});
afterAll(async () => {
  await server.close();
  await removeWorkdirs();
});

const verdicts = (stdout: string): Array<{ address: string; status: string; reason: string; detail: string }> =>
  stdout.trimEnd().split('\n').map((line) => JSON.parse(line));

describe('--allow-loopback', () => {
  const addresses = ['ann@loopback-only.net', 'bob@postfix-twomx.net', 'cy@example.com'];

  it('check: a loopback MX is mx_invalid without the flag (and with --allow-private), valid with it', async () => {
    const [plain, privateOnly, loopback] = await Promise.all([
      run(['check', ...addresses, '--json', ...dns]),
      run(['check', ...addresses, '--json', ...dns, '--allow-private']),
      run(['check', ...addresses, '--json', ...dns, '--allow-loopback']),
    ]);
    for (const result of [plain, privateOnly, loopback]) expect(result.code, result.stderr).toBe(0);
    expect(verdicts(plain.stdout).map((v) => `${v.status}:${v.reason}`)).toEqual(['invalid:mx_invalid', 'invalid:mx_invalid', 'valid:ok']);
    expect(verdicts(plain.stdout)[0]!.detail).toContain('127.0.0.2 (loopback)');
    expect(verdicts(privateOnly.stdout).map((v) => v.reason)).toEqual(['mx_invalid', 'mx_invalid', 'ok']);
    // postfix-twomx.net's preferred MX host (127.0.0.4) has no listener: DNS cannot tell, SMTP will.
    expect(verdicts(loopback.stdout).map((v) => `${v.status}:${v.reason}`)).toEqual(['valid:ok', 'valid:ok', 'valid:ok']);
  });

  it('clean keeps the loopback domain with the flag, and the job file key does the same', async () => {
    const dir = await workdir();
    await writeFile(join(dir, 'list.csv'), 'email\nann@loopback-only.net\ncy@example.com\n');
    const flag = await run(['clean', 'list.csv', ...dns, '--allow-loopback', '-o', 'flag.csv', '-r', 'flag-report.csv', '--json'], { cwd: dir });
    expect(flag.code, flag.stderr).toBe(0);
    expect((await csvRecords(join(dir, 'flag.csv'))).map((r) => r.email)).toEqual(['ann@loopback-only.net', 'cy@example.com']);

    const job = { input: 'list.csv', output: 'job.csv', report: 'job-report.csv', dns: { servers: [server.address], allowLoopback: true }, json: true };
    await writeFile(join(dir, 'job.json'), JSON.stringify(job));
    const fromJob = await run(['clean', '--config', 'job.json'], { cwd: dir });
    expect(fromJob.code, fromJob.stderr).toBe(0);
    expect(JSON.parse(fromJob.stdout)).toMatchObject({ rows: 2, kept: 2, removed: 0 });

    const without = await run(['clean', 'list.csv', ...dns, '-o', 'plain.csv', '-r', 'plain-report.csv', '--json'], { cwd: dir });
    expect(without.code, without.stderr).toBe(0);
    expect((await csvRecords(join(dir, 'plain-report.csv'))).map((r) => r.reason)).toEqual(['mx_invalid']);
  });

  it('a job file with a malformed allowLoopback is a usage error naming the key', async () => {
    const dir = await workdir();
    await writeFile(join(dir, 'list.csv'), 'email\nann@loopback-only.net\n');
    await writeFile(join(dir, 'job.json'), JSON.stringify({ input: 'list.csv', dns: { allowLoopback: 'yes' } }));
    const result = await run(['clean', '--config', 'job.json'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/dns\.allowLoopback/);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });
});
