#!/usr/bin/env node
/**
 * Installs what the tests need from outside npm, before `npm test` builds and runs them.
 *
 * Each entry is a program the tests run and the Debian package that provides it. When a program is
 * missing: on Debian as root, `apt-get update && apt-get install -y <packages>` (unattended: no
 * stdin, DEBIAN_FRONTEND=noninteractive); anywhere else, stop with a message naming the package
 * (exit 1), since installing system software is then the machine owner's call.
 *
 * `debconf` lines (optional) are fed to `debconf-set-selections` before installing, for packages
 * that would otherwise ask a question (noninteractive would take the package's default answer,
 * which for Postfix is "Internet Site": a configured system MTA the tests do not want).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Add a row for each system program the tests use. */
export const SYSTEM_DEPS = [
  { program: '/usr/bin/chromium', debianPackage: 'chromium', neededBy: 'the HTML report tests (test/browser/)' },
  {
    program: '/usr/sbin/postfix',
    debianPackage: 'postfix',
    neededBy: 'the SMTP tests (a real MTA on loopback, test/support/postfix.ts)',
    // No configuration: the package writes no main.cf and starts nothing; the tests write their own.
    debconf: ['postfix postfix/main_mailer_type select No configuration'],
  },
];

const isDebian = existsSync('/etc/debian_version') && existsSync('/usr/bin/apt-get');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function run(command, args, input) {
  console.error(`ensure-system-deps: ${[command, ...args].join(' ')}${input === undefined ? '' : ` <<< ${JSON.stringify(input)}`}`);
  const result = spawnSync(command, args, {
    input,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.error) throw result.error;
  return result.status === 0;
}

const missing = SYSTEM_DEPS.filter((dep) => !existsSync(dep.program));
if (missing.length === 0) process.exit(0);

const packages = [...new Set(missing.map((dep) => dep.debianPackage))];
const list = missing.map((dep) => `${dep.program} (Debian package "${dep.debianPackage}", for ${dep.neededBy})`).join('; ');
if (!isDebian || !isRoot) {
  const how = isDebian ? `run as root: apt-get install -y ${packages.join(' ')}` : `install the package(s) ${packages.join(', ')} with your system's package manager`;
  console.error(`ensure-system-deps: missing ${list}. Please ${how}, then run the tests again.`);
  process.exit(1);
}
const preseed = missing.flatMap((dep) => dep.debconf ?? []);
if (preseed.length > 0 && !run('debconf-set-selections', [], `${preseed.join('\n')}\n`)) {
  console.error(`ensure-system-deps: debconf-set-selections refused ${JSON.stringify(preseed)} (see above).`);
  process.exit(1);
}
if (!run('apt-get', ['update']) || !run('apt-get', ['install', '-y', '--no-install-recommends', ...packages])) {
  console.error(`ensure-system-deps: could not install ${packages.join(' ')} with apt-get (see above).`);
  process.exit(1);
}
const stillMissing = missing.filter((dep) => !existsSync(dep.program));
if (stillMissing.length > 0) {
  console.error(`ensure-system-deps: installed ${packages.join(' ')}, but ${stillMissing.map((dep) => dep.program).join(', ')} is still missing.`);
  process.exit(1);
}
