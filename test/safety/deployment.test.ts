/**
 * Issue 18, Deployment: the systemd units in docs/nightly carry the hardening a service handling
 * personal data should have, systemd itself accepts them (`systemd-analyze verify`), and its own
 * offline audit (`systemd-analyze security`) rates them well. The units are checked as shipped; only
 * the two ExecStart= programs are pointed at this checkout (verify insists they exist).
 *
 * Needs `systemd-analyze` (Debian package "systemd"). It is not installed by the tests: without it
 * they fail and say which package to install.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../support/spawn.js';

const DOCS = join(ROOT, 'docs', 'nightly');
const UNITS = ['listscrub-clean.service', 'listscrub-clean.timer', 'listscrub-alert@.service'];

/** Directives the issue asks of both services (values where they matter). */
const HARDENING = [
  'UMask=0077', 'TimeoutStartSec=', 'MemoryMax=', 'PrivateDevices=yes', 'CapabilityBoundingSet=',
  'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX', 'SystemCallFilter=@system-service', 'SystemCallArchitectures=native',
  'LockPersonality=yes', 'RestrictNamespaces=yes', 'RestrictRealtime=yes', 'RestrictSUIDSGID=yes',
  'ProtectKernelTunables=yes', 'ProtectKernelModules=yes', 'ProtectKernelLogs=yes', 'ProtectControlGroups=yes',
  'ProtectClock=yes', 'ProtectHostname=yes', 'ProtectProc=invisible', 'NoNewPrivileges=yes',
];

function systemdAnalyze(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('systemd-analyze', args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (result.error !== undefined && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error('systemd-analyze is not installed: install the Debian package "systemd" (apt-get install systemd) to run this test.');
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'listscrub-units-'));
  for (const unit of UNITS) {
    const text = (await readFile(join(DOCS, unit), 'utf8'))
      .replace('ExecStart=/usr/bin/listscrub ', `ExecStart=${BIN} `)
      .replace('ExecStart=/usr/local/bin/listscrub-alert ', `ExecStart=${join(DOCS, 'listscrub-alert')} `);
    await writeFile(join(dir, unit), text);
  }
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('docs/nightly systemd units', () => {
  it.each(['listscrub-clean.service', 'listscrub-alert@.service'])('%s has every hardening directive (and not MemoryDenyWriteExecute=, which breaks the JIT)', async (unit) => {
    const lines = (await readFile(join(DOCS, unit), 'utf8')).split('\n');
    for (const directive of HARDENING) expect(lines.some((line) => line.startsWith(directive)), directive).toBe(true);
    expect(lines.some((line) => line.startsWith('MemoryDenyWriteExecute='))).toBe(false);
  });

  it('the clean service keeps its state directory private; the alert does not run as root', async () => {
    const clean = await readFile(join(DOCS, 'listscrub-clean.service'), 'utf8');
    const alert = await readFile(join(DOCS, 'listscrub-alert@.service'), 'utf8');
    expect(clean).toMatch(/^StateDirectoryMode=0700$/m);
    expect(clean).toMatch(/^User=listscrub$/m);
    expect(alert).toMatch(/^DynamicUser=yes$/m);
  });

  it('systemd-analyze verify accepts them without a warning', () => {
    const result = systemdAnalyze(['verify', '--man=no', ...UNITS], dir);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each(['listscrub-clean.service', 'listscrub-alert@x.service'])('systemd-analyze security rates %s at 2.0 or better', (unit) => {
    const result = systemdAnalyze(['security', '--offline=true', '--no-pager', '--threshold=20', unit], dir);
    const overall = /Overall exposure level for \S+: ([\d.]+)/.exec(result.stdout)?.[1];
    expect(Number(overall)).toBeLessThanOrEqual(2);
    expect(result.status).toBe(0);
  });

  it('the crontab line sets umask 077 before the run', async () => {
    expect(await readFile(join(DOCS, 'crontab.example'), 'utf8')).toMatch(/^15 3 \* \* \* umask 077 && /m);
    // The sh that cron runs accepts the line as written (syntax only).
    const line = (await readFile(join(DOCS, 'crontab.example'), 'utf8')).split('\n').find((l) => l.startsWith('15 3 '));
    execFileSync('sh', ['-n', '-c', (line ?? '').replace(/^(\S+\s+){5}/, '')]);
  });
});
