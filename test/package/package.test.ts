/**
 * The package as a user's project sees it: `npm pack` the (already built) project, install the
 * tarball in a scratch TypeScript project, type-check a file that uses the public API under strict
 * NodeNext with the repo's tsc, compile it, run it, and check what it prints. This proves the
 * `exports` map, the shipped .d.ts files and the declared dependencies.
 *
 * Installing the tarball: `npm install --offline` first (no network; it works when the npm cache
 * holds the metadata of the tarball's dependencies). A fresh `npm ci` caches tarballs, not always
 * that metadata, so when the offline install fails the tarball is unpacked into node_modules/listscrub
 * by hand and exactly its declared dependencies (and theirs, recursively) are linked from this
 * repo's node_modules: a dependency missing from "dependencies" still fails the run.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/spawn.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { CANARY_ZONE } from '../support/zones.js';

const exec = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');

let scratch: string;
let consumer: string;
let tarball: string;
let installedWith: 'npm install --offline' | 'unpacked + linked dependencies';
let server: DnsServer;

interface PackFile {
  path: string;
}

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await exec(NPM, args, {
    cwd,
    // Never the network, never a prompt, no update check.
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

async function link(target: string, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  if (!existsSync(path)) await symlink(target, path, 'dir');
}

/** Link `name` and, recursively, its dependencies from the repo's node_modules into the consumer's. */
async function linkWithDependencies(name: string, seen = new Set<string>()): Promise<void> {
  if (seen.has(name)) return;
  seen.add(name);
  const source = join(ROOT, 'node_modules', name);
  await link(source, join(consumer, 'node_modules', name));
  const pkg = JSON.parse(await readFile(join(source, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const dependency of Object.keys(pkg.dependencies ?? {})) await linkWithDependencies(dependency, seen);
}

async function installTarball(): Promise<typeof installedWith> {
  try {
    // LISTSCRUB_TEST_PACK_INSTALL=link exercises the fallback on a machine where npm would succeed.
    if (process.env.LISTSCRUB_TEST_PACK_INSTALL === 'link') throw new Error('fallback requested');
    await npm(['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', tarball], consumer);
    await access(join(consumer, 'node_modules', 'listscrub', 'package.json'));
    return 'npm install --offline';
  } catch {
    await rm(join(consumer, 'node_modules'), { recursive: true, force: true });
    const target = join(consumer, 'node_modules', 'listscrub');
    await mkdir(target, { recursive: true });
    await exec('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
    const pkg = JSON.parse(await readFile(join(target, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    const seen = new Set<string>();
    for (const dependency of Object.keys(pkg.dependencies ?? {})) await linkWithDependencies(dependency, seen);
    return 'unpacked + linked dependencies';
  }
}

const CONSUMER_TS = `
import { Readable } from 'node:stream';
import { readFile, writeFile } from 'node:fs/promises';
import {
  createScrubber,
  createScrubStream,
  checkAddress,
  scrubCsv,
  type Verdict,
  type Summary,
  type ScrubbedRow,
} from 'listscrub';

const out: Record<string, unknown> = {};

// checkAddress: one address, offline.
const typo: Verdict = await checkAddress('jane@gmial.com', { dns: false });
const status: 'valid' | 'risky' | 'invalid' | 'unknown' = typo.status;
out.typo = { status, reason: typo.reason, suggestion: typo.suggestion ?? null };

// The types are real, not any: these must not compile.
// @ts-expect-error 'maybe' is not a Status
const wrong: Verdict = { input: '', address: null, status: 'maybe', reason: 'ok', detail: '' };
void wrong;
function typeOnly(): void {
  // @ts-expect-error checkAddress takes a string
  void checkAddress(42);
}
void typeOnly;

// createScrubber: one cache and limiter for many checks; DNS through the test server when given.
const dnsServer = process.env.TEST_DNS;
const scrubber = createScrubber(dnsServer ? { dns: { servers: [dnsServer], timeoutMs: 2000, retries: 1 } } : { dns: false });
await scrubber.ready();
const checked: Verdict[] = await Promise.all(['ann@gmail.com', 'bad@@gmail.com', 'gary@nullmx.org'].map((a) => scrubber.check(a)));
out.scrubber = checked.map((v) => v.status + ':' + v.reason);
out.healthy = scrubber.health()?.healthy ?? null;
await scrubber.close();

// createScrubStream: records in, rows with verdicts out, in order.
const rows: string[] = [];
const stream = createScrubStream({ column: 1, dns: false });
for await (const row of Readable.from([['Ann', 'ann@gmail.com'], ['Ann again', 'ANN@gmail.com'], ['Bob', 'bob']]).pipe(stream)) {
  const { record, verdict, index } = row as ScrubbedRow<string[]>;
  rows.push(index + ' ' + record[0] + ' ' + verdict.status);
}
out.stream = rows;

// scrubCsv: the whole job, as the CLI runs it.
await writeFile('list.csv', 'name,email\\nAnn,ann@gmail.com\\nBob,bob@@gmail.com\\n');
const summary: Summary = await scrubCsv({ input: 'list.csv', dns: false });
const rowsTotal: number = summary.rows;
out.summary = { rows: rowsTotal, kept: summary.kept, removed: summary.removed, output: summary.output, report: summary.report };
out.cleaned = await readFile('list.clean.csv', 'utf8');

// Only the exports map's entries are reachable.
try {
  await import('listscrub/dist/batch.js' as string);
  out.deepImport = 'allowed';
} catch (error) {
  out.deepImport = (error as NodeJS.ErrnoException).code;
}

console.log(JSON.stringify(out));
`;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'listscrub-pack-'));
  consumer = join(scratch, 'consumer');
  await mkdir(consumer);
  // The build already ran (npm test's pretest); --ignore-scripts keeps "prepare" from rebuilding.
  const packed = JSON.parse(await npm(['pack', '--pack-destination', scratch, '--ignore-scripts', '--json'], ROOT)) as Array<{ filename: string }>;
  tarball = join(scratch, (packed[0] as { filename: string }).filename);
  await writeFile(
    join(consumer, 'package.json'),
    `${JSON.stringify({ name: 'listscrub-consumer', private: true, type: 'module', dependencies: { listscrub: `file:${tarball}` } }, null, 2)}\n`,
  );
  installedWith = await installTarball();
  // TypeScript tooling from this repo: the types of node for the consumer's compile.
  await link(join(ROOT, 'node_modules', '@types', 'node'), join(consumer, 'node_modules', '@types', 'node'));
  server = await startDnsServer({ ...CANARY_ZONE, 'nullmx.org': { MX: [{ preference: 0, exchange: '.' }] } });
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('npm pack --dry-run ships dist (JS, types, the bin) and README, and no sources or tests', async () => {
    const [listing] = JSON.parse(await npm(['pack', '--dry-run', '--ignore-scripts', '--json'], ROOT)) as Array<{ files: PackFile[] }>;
    const paths = (listing?.files ?? []).map((file) => file.path);
    for (const path of ['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js']) expect(paths).toContain(path);
    expect(paths.filter((path) => /^(src|test|bench|samples)\//.test(path) || path.endsWith('.ts') && !path.endsWith('.d.ts'))).toEqual([]);
    expect(paths.filter((path) => !path.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(path))).toEqual([]);
  });

  it('type-checks under strict NodeNext, compiles and runs in a consumer project', async () => {
    await writeFile(join(consumer, 'main.ts'), CONSUMER_TS);
    await writeFile(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2022'],
          types: ['node'],
          strict: true,
          noUncheckedIndexedAccess: true,
          // The package's own .d.ts files must type-check too.
          skipLibCheck: false,
          outDir: 'out',
        },
        files: ['main.ts'],
      }),
    );
    const compiled = await exec(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: consumer }).catch((error: { stdout: string; stderr: string }) => error);
    expect(`${compiled.stdout}${compiled.stderr}`, `installed with ${installedWith}`).toBe('');

    // One after the other: both runs write list.clean.csv in the same directory, and the second
    // would find the first one's output lock (E_LOCKED, exit 5) whenever their scrubCsv overlapped.
    const offline = await exec(process.execPath, ['out/main.js'], { cwd: consumer, env: { ...process.env, TEST_DNS: '' } });
    const online = await exec(process.execPath, ['out/main.js'], { cwd: consumer, env: { ...process.env, TEST_DNS: server.address } });
    const result = JSON.parse(offline.stdout) as Record<string, unknown>;
    expect(result).toEqual({
      typo: { status: 'risky', reason: 'typo_domain', suggestion: 'jane@gmail.com' },
      scrubber: ['valid:ok', 'invalid:syntax', 'valid:ok'],
      healthy: null,
      stream: ['1 Ann valid', '2 Ann again duplicate', '3 Bob invalid'],
      summary: { rows: 2, kept: 1, removed: 1, output: 'list.clean.csv', report: 'list.report.csv' },
      cleaned: 'name,email\nAnn,ann@gmail.com\n',
      deepImport: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    });
    expect((JSON.parse(online.stdout) as Record<string, unknown>).scrubber).toEqual(['valid:ok', 'invalid:syntax', 'invalid:null_mx']);
    expect((JSON.parse(online.stdout) as Record<string, unknown>).healthy).toBe(true);
  });

  it('the installed package\'s bin (dist/cli/main.js) runs from the tarball', async () => {
    const bin = join(consumer, 'node_modules', 'listscrub', 'dist', 'cli', 'main.js');
    const { stdout } = await exec(process.execPath, [bin, 'check', 'jane@gmial.com', '--json', '--no-dns'], { cwd: consumer });
    expect(JSON.parse(stdout)).toMatchObject({ reason: 'typo_domain', suggestion: 'jane@gmail.com' });
    const pkg = JSON.parse(await readFile(join(consumer, 'node_modules', 'listscrub', 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin).toEqual({ listscrub: 'dist/cli/main.js' });
  });
});
