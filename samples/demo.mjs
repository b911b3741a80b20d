#!/usr/bin/env node
// npm run demo [-- extra clean flags]: the quick start without the internet.
//
// Starts the test DNS server on 127.0.0.1 (random port) with the sample zone, which gives every
// domain of samples/README.md its intended outcome, then runs the built CLI on
// samples/subscribers.csv against it and exits with the CLI's exit code.
// Needs a build first (`npm run build`) and the dev dependencies (dns-packet).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startDnsServer } from '../test/support/dns-server.mjs';
import { sampleZone } from '../test/support/sample-zone.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(bin)) {
  process.stderr.write('demo: dist/cli/main.js is missing; run "npm run build" first.\n');
  process.exit(1);
}

const server = await startDnsServer(sampleZone());
const args = [
  bin,
  'clean',
  'samples/subscribers.csv',
  '--dns',
  server.address,
  '--dns-timeout',
  '300',
  '--dns-retries',
  '1',
  ...process.argv.slice(2),
];
process.stderr.write(`demo: sample DNS zone on ${server.address}\ndemo: listscrub ${args.slice(1).join(' ')}\n`);

const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
// Ctrl-C reaches the child through the terminal's process group; let it stop cleanly.
const forward = (signal) => child.kill(signal);
process.on('SIGINT', () => {});
process.on('SIGTERM', forward);
const code = await new Promise((resolve) => {
  child.on('error', (error) => {
    process.stderr.write(`demo: cannot run the CLI: ${error.message}\n`);
    resolve(1);
  });
  child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal === 'SIGINT' ? 130 : 143)));
});
await server.close();
process.exit(code);
