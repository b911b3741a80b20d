#!/usr/bin/env node
// node scripts/readme-screenshots.mjs: the README's pictures of the two HTML pages, made from
// samples/subscribers.csv with the sample DNS zone (as `npm run demo`), in headless Chromium.
//
// Five runs into one history file, as five nights could go: a normal night, one whose guard tripped
// (exit 4), one offline, one with a lying resolver (exit 3), and a normal one that writes the run
// page. Then `listscrub history --html` writes the trend page. Writes docs/html-report-run.png and
// docs/html-report-history.png; the pages themselves are left in a temporary directory, printed.
// Needs a build (`npm run build`), the dev dependencies and /usr/bin/chromium.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { startDnsServer } from '../test/support/dns-server.mjs';
import { sampleZone } from '../test/support/sample-zone.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'dist', 'cli', 'main.js');
const out = mkdtempSync(join(tmpdir(), 'listscrub-screenshots-'));
const server = await startDnsServer(sampleZone());
const dns = ['--dns', server.address, '--dns-timeout', '300', '--dns-retries', '1'];
// Run in the scratch directory with relative paths, so the pages show names, not temporary paths.
copyFileSync(join(root, 'samples', 'subscribers.csv'), join(out, 'subscribers.csv'));
const common = ['subscribers.csv', '--history', 'history.jsonl', '-q'];

/** Run the built CLI (asynchronously: the DNS server answers from this process's event loop). */
async function listscrub(args) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: out, stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise((resolve) => child.on('exit', resolve));
  process.stderr.write(`listscrub ${args.join(' ')} -> exit ${code}\n`);
}

await listscrub(['clean', ...common, ...dns]);
await listscrub(['clean', ...common, ...dns, '--max-invalid-rate', '0.05']);
await listscrub(['clean', ...common, '--no-dns']);
await listscrub(['clean', ...common, ...dns, '--dns-canary', 'canary-that-does-not-exist.invalid']);
await listscrub(['clean', ...common, ...dns, '--html', 'subscribers.report.html']);
await listscrub(['history', 'history.jsonl', '--html', 'history.html']);
await server.close();

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
for (const [name, file] of [['run', 'subscribers.report.html'], ['history', 'history.html']]) {
  await page.goto(pathToFileURL(join(out, file)).href);
  await page.screenshot({ path: join(root, 'docs', `html-report-${name}.png`), fullPage: true });
}
await browser.close();
process.stderr.write(`pages in ${out}\n`);
