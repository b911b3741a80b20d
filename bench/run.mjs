#!/usr/bin/env node
// listscrub benchmark: how close the tool sits to its two hard limits (CPU: reading + writing the
// CSV; DNS: queries needed / concurrency x latency), a peer comparison and peak memory.
// See bench/README.md.   npm run bench [-- --quick] [-- --runs 5 --latency 20 ...]
import { spawn, fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseCsv } from 'csv-parse/sync';
import { DEFAULT_KINDS, makeZone, writeList } from './lib/generate.mjs';
import { neededQueries, queryCounter, readZone } from './lib/zone.mjs';
import { dnsChildHandle } from './lib/dns-ipc.mjs';
import { smtpFigure } from './lib/smtp-figure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const cli = join(root, 'dist/cli/main.js');

const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    latency: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '50' },
    rate: { type: 'string', default: '100000' },
    pool: { type: 'string', default: '50' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string' }, // comma list of: cpu,warm,dns,rate,flow,peer,memory,smtp
    list: { type: 'string' }, // a given list for every figure (instead of the generated ones)
    zone: { type: 'string' }, // its DNS zone (the bench server's format or the reference generator's)
    'rate-figure': { type: 'string', default: '500' }, // the rate of figure 3c
    'flow-rate': { type: 'string', default: '200' }, // the rate of figure 6 (listscrub's default)
    'smtp-delay': { type: 'string', default: '50' }, // figure 7: the mail servers' delay per reply, ms
    'smtp-limit': { type: 'string', default: '600' }, // figure 7: smtp.limits.probesPerMinute in the job file
    'keep-data': { type: 'boolean', default: false },
    'no-save': { type: 'boolean', default: false },
  },
});
const quick = opt.quick;
const RUNS = Number(opt.runs ?? (quick ? 1 : 5));
const LATENCY = Number(opt.latency);
const CONCURRENCY = Number(opt.concurrency);
const RATE = Number(opt.rate);
const POOL = Number(opt.pool);
const SEED = Number(opt.seed);
const SIZES = quick
  ? { cpuRows: 100_000, cpuDomains: 2_000, dnsRows: 2_000, dnsDomains: 200, memRows: [100_000, 500_000] }
  : { cpuRows: 1_000_000, cpuDomains: 20_000, dnsRows: 20_000, dnsDomains: 2_000, memRows: [1_000_000, 5_000_000] };
const only = opt.only === undefined ? null : new Set(opt.only.split(','));
const want = (name) => only === null || only.has(name);
const RATE_FIGURE = Number(opt['rate-figure']);
const FLOW_RATE = Number(opt['flow-rate']);
const wantsDns = ['warm', 'dns', 'rate', 'flow', 'peer'].some(want);
if (opt.list !== undefined && opt.zone === undefined && wantsDns) {
  console.error('bench: --list needs --zone FILE for the DNS figures (warm, dns, rate, flow, peer); or pick others with --only cpu,memory');
  process.exit(2);
}
/** A given list + zone (--list, --zone) replaces every generated one. */
const given = opt.list === undefined ? null : { path: resolve(opt.list), zone: opt.zone === undefined ? null : readZone(resolve(opt.zone)) };

const dataDir = join(here, '.data');
mkdirSync(dataDir, { recursive: true });
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (n, d = 0) => (n === null || n === undefined ? 'n/a' : Number(n).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const log = (...a) => console.error('[bench]', ...a);

/** Spawn `node args...` (under /usr/bin/time when present); wall time from spawn to exit, peak RSS. */
async function timed(args, { env } = {}) {
  const rssFile = join(dataDir, `time.${process.pid}.txt`);
  const cmd = timeBin ?? process.execPath;
  const argv = timeBin ? ['-f', '%M %U %S', '-o', rssFile, process.execPath, ...args] : args;
  const t0 = performance.now();
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const [code] = await once(child, 'exit');
  const ms = performance.now() - t0;
  let maxRssKb = null;
  let cpuMs = null;
  if (timeBin) {
    const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
    const [rss, user, sys] = lines[lines.length - 1].split(' ').map(Number);
    maxRssKb = rss;
    cpuMs = (user + sys) * 1000;
    rmSync(rssFile, { force: true });
  }
  return { code, ms, cpuMs, maxRssKb, stderr };
}

async function runCli(input, extra, tag) {
  const out = join(dataDir, `${tag}.clean.csv`);
  const report = join(dataDir, `${tag}.report.csv`);
  const summaryPath = join(dataDir, `${tag}.summary.json`);
  const r = await timed([cli, 'clean', input, '-o', out, '-r', report, '-q', '--no-lock', '--summary', summaryPath, ...extra]);
  if (r.code !== 0 && r.code !== 3) throw new Error(`listscrub exited ${r.code}: ${r.stderr}`);
  const summary = JSON.parse(readFileSync(summaryPath, 'utf8'));
  return { ...r, summary, out, report };
}

async function runPassthrough(input) {
  const r = await timed([join(here, 'lib/passthrough.mjs'), input, join(dataDir, 'passthrough.out.csv')]);
  if (r.code !== 0) throw new Error(`pass-through exited ${r.code}: ${r.stderr}`);
  return r;
}

async function startDns(zone, tag) {
  const zonePath = join(dataDir, `${tag}.zone.json`);
  writeFileSync(zonePath, JSON.stringify(zone));
  const child = fork(join(here, 'lib/dns-child.mjs'), [zonePath, String(LATENCY)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return dnsChildHandle(child);
}

/** The list of a figure, with its zone: the given one (--list, --zone), or one generated here. */
function listFor(tag, rows, domains, kinds) {
  if (given !== null) return { ...given, given: true };
  const path = join(dataDir, `${tag}-${rows}-${domains}-s${SEED}.csv`);
  const t0 = performance.now();
  const info = writeList(path, { rows, domains, seed: SEED, kinds });
  log(`generated ${path} (${fmt(rows)} rows, ${fmt(info.domains)} domains, ${(statSync(path).size / 1e6).toFixed(1)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { path, zone: makeZone(info.model), given: false };
}

/** Rows the job's router gathers before its first write (its batches grow 1, 2, 4, ... to 256: src/batch.ts). */
const FIRST_WRITE_ROWS = 1;

/**
 * Figure 6 from flow runs (lib/flow.mjs): medians of the first-row and total times, and the curve of
 * the median run against the in-order ideal: rows 1..k cannot all be out before the queries they
 * need (queriesBefore[k - 1], the canary check's excluded) went out at the rate (or at C per
 * latency), plus the two round trips of a domain's MX and MX host, after the canary check.
 */
function flowFigure(flows, queriesBefore, rowCount) {
  const perMs = Math.min(FLOW_RATE / 1000, CONCURRENCY / LATENCY);
  const readyMs = median(flows.map((f) => f.readyMs));
  const ideal = (k) => readyMs + queriesBefore[Math.max(0, Math.min(k, rowCount) - 1)] / perMs + 2 * LATENCY;
  const run = [...flows].sort((a, b) => a.totalMs - b.totalMs)[flows.length >> 1];
  const rowsBy = (t) => run.points.reduce((rowsOut, [ms, k]) => (ms <= t ? k : rowsOut), 0);
  const idealRowsBy = (t) => {
    let lo = 0;
    let hi = rowCount;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ideal(mid) <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const quarters = [0.25, 0.5, 0.75, 1].map((q) => q * run.totalMs);
  const percent = (k) => Math.round((100 * k) / rowCount);
  return {
    rate: FLOW_RATE,
    concurrency: CONCURRENCY,
    latencyMs: LATENCY,
    readyMs,
    firstRowMs: median(flows.map((f) => f.firstRowMs)),
    firstRowsMs: flows.map((f) => f.firstRowMs),
    firstRowTargetMs: Math.round(readyMs + 1000 + 2 * LATENCY),
    idealFirstBatchMs: Math.round(ideal(FIRST_WRITE_ROWS)),
    totalMs: run.totalMs,
    totalsMs: flows.map((f) => f.totalMs),
    idealTotalMs: Math.round(ideal(rowCount)),
    rowsAtQuarters: quarters.map((t) => percent(rowsBy(t))),
    idealRowsAtQuarters: quarters.map((t) => percent(idealRowsBy(t))),
    maxLagMs: Math.round(Math.max(...run.points.map(([ms, k]) => ms - ideal(k)))),
    points: run.points,
  };
}

// ------------------------------------------------------------------------------------------------
const env = {
  date: new Date().toISOString(),
  node: process.version,
  cores: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGb: Number((totalmem() / 2 ** 30).toFixed(1)),
  loadAverageAtStart: loadavg().map((x) => Number(x.toFixed(2))),
  quick,
  list: given?.path ?? 'generated',
  zone: given === null ? 'generated' : opt.zone ?? null,
  runs: RUNS,
  latencyMs: LATENCY,
  concurrency: CONCURRENCY,
  rate: RATE,
  seed: SEED,
};
console.log(`listscrub bench${quick ? ' (--quick)' : ''}: ${env.cores} cores (${env.cpu}), node ${env.node}, load average ${env.loadAverageAtStart.join(' ')}; ${RUNS} run(s) per figure, medians; list ${env.list}`);

const results = { env, figures: {} };
const rows = []; // table rows: [figure, value, target, verdict, note]
const check = (ok) => (ok ? 'met' : 'MISSED');

// The CPU list: answering domains only (no SERVFAIL/timeouts), so one warm-up run caches them all.
const answeringKinds = { ...DEFAULT_KINDS, servfail: 0, drop: 0 };
let cpuList = null;
if (want('cpu') || want('warm') || want('memory')) cpuList = listFor('cpu', SIZES.cpuRows, SIZES.cpuDomains, answeringKinds);

// 1. CPU ratio ------------------------------------------------------------------------------------
if (want('cpu')) {
  const ours = [];
  const base = [];
  for (let i = 0; i < RUNS; i++) {
    // Alternate the order so drifting machine load hits both alike.
    if (i % 2 === 0) {
      base.push(await runPassthrough(cpuList.path));
      ours.push(await runCli(cpuList.path, ['--no-dns'], 'cpu'));
    } else {
      ours.push(await runCli(cpuList.path, ['--no-dns'], 'cpu'));
      base.push(await runPassthrough(cpuList.path));
    }
    log(`cpu run ${i + 1}: pass-through ${(base[i].ms / 1000).toFixed(2)} s, listscrub --no-dns ${(ours[i].ms / 1000).toFixed(2)} s`);
  }
  const n = ours[0].summary.rows;
  const baseRps = median(base.map((r) => n / (r.ms / 1000)));
  const oursRps = median(ours.map((r) => n / (r.ms / 1000)));
  const ratio = oursRps / baseRps;
  // CPU time (user + sys) is less sensitive to other load on the machine than wall time.
  const cpuRatio = timeBin ? median(base.map((r) => r.cpuMs)) / median(ours.map((r) => r.cpuMs)) : null;
  results.figures.cpu = {
    cpuTimeRatio: cpuRatio && Number(cpuRatio.toFixed(3)),
    passthroughCpuMs: base.map((r) => Math.round(r.cpuMs)),
    listscrubCpuMs: ours.map((r) => Math.round(r.cpuMs)),
    peakRssMb: ours.map((r) => r.maxRssKb && Math.round(r.maxRssKb / 1024)),
    rows: n,
    passthroughRowsPerSec: Math.round(baseRps),
    listscrubRowsPerSec: Math.round(oursRps),
    ratio: Number(ratio.toFixed(3)),
    passthroughMs: base.map((r) => Math.round(r.ms)),
    listscrubMs: ours.map((r) => Math.round(r.ms)),
    statuses: ours[0].summary.statuses,
  };
  rows.push([`1. CPU: clean --no-dns / pass-through (${fmt(n)} rows)`, `${ratio.toFixed(2)} (${fmt(oursRps)} vs ${fmt(baseRps)} rows/s; CPU-time ratio ${cpuRatio === null ? 'n/a' : cpuRatio.toFixed(2)})`, '>= 0.85', check(ratio >= 0.85)]);
}

// 2. Warm-cache ratio --------------------------------------------------------------------------------
if (want('warm')) {
  const server = await startDns(cpuList.zone, 'warm');
  const cacheFile = join(dataDir, 'warm.cache.json');
  rmSync(cacheFile, { force: true });
  const dnsFlags = ['--dns', server.address, '--concurrency', String(CONCURRENCY), '--rate', String(RATE), '--cache', cacheFile];
  const warm = await runCli(cpuList.path, dnsFlags, 'warm');
  const warmStats = await server.stats();
  log(`warm-up run: ${(warm.ms / 1000).toFixed(1)} s, ${fmt(warmStats.queries)} queries; cache ${(statSync(cacheFile).size / 1e6).toFixed(1)} MB`);
  const ours = [];
  const base = [];
  const queries = [];
  for (let i = 0; i < RUNS; i++) {
    await server.reset();
    const a = await runCli(cpuList.path, dnsFlags, 'warm');
    queries.push((await server.stats()).queries);
    const b = await runPassthrough(cpuList.path);
    ours.push(a);
    base.push(b);
    log(`warm run ${i + 1}: listscrub (DNS on, cached) ${(a.ms / 1000).toFixed(2)} s (${queries[i]} queries), pass-through ${(b.ms / 1000).toFixed(2)} s`);
  }
  await server.close();
  const n = ours[0].summary.rows;
  const baseRps = median(base.map((r) => n / (r.ms / 1000)));
  const oursRps = median(ours.map((r) => n / (r.ms / 1000)));
  const ratio = oursRps / baseRps;
  const cpuRatio = timeBin ? median(base.map((r) => r.cpuMs)) / median(ours.map((r) => r.cpuMs)) : null;
  results.figures.warm = {
    cpuTimeRatio: cpuRatio && Number(cpuRatio.toFixed(3)),
    rows: n,
    domains: ours[0].summary.dns.domains,
    warmUpMs: Math.round(warm.ms),
    warmUpQueries: warmStats.queries,
    queriesPerMeasuredRun: queries,
    passthroughRowsPerSec: Math.round(baseRps),
    listscrubRowsPerSec: Math.round(oursRps),
    ratio: Number(ratio.toFixed(3)),
    listscrubMs: ours.map((r) => Math.round(r.ms)),
    statuses: ours[0].summary.statuses,
  };
  rows.push([`2. Warm cache: clean (DNS on, ${fmt(warm.summary.dns.domains)} domains cached) / pass-through`, `${ratio.toFixed(2)} (${fmt(oursRps)} vs ${fmt(baseRps)} rows/s; CPU-time ratio ${cpuRatio === null ? 'n/a' : cpuRatio.toFixed(2)}; ${median(queries)} queries/run)`, '>= 0.7', check(ratio >= 0.7)]);
}

// 3. DNS efficiency, 6. rows flowing, and 4. the peer -------------------------------------------------
if (want('dns') || want('rate') || want('flow') || want('peer')) {
  // SERVFAIL domains answer (and are retried); no never-answering domains here: a timeout costs
  // --dns-timeout x attempts whatever the tool, which would swamp the time ratio.
  const dnsKinds = { ...DEFAULT_KINDS, drop: 0 };
  const list = listFor('dns', SIZES.dnsRows, SIZES.dnsDomains, dnsKinds);
  const server = await startDns(list.zone, 'dns');
  // The domains DNS must check, in the order of the rows: those of syntax-valid rows (the offline
  // engine decides that), and the queries each row adds to the ones before it (the in-order ideal).
  const { analyzeAddress } = await import(join(root, 'dist/address/index.js'));
  const records = parseCsv(readFileSync(list.path), { columns: true });
  const canaries = ['gmail.com', 'outlook.com', 'yahoo.com'];
  const checked = new Set(canaries);
  const count = queryCounter(list.zone);
  for (const domain of canaries) count(domain);
  const queriesBefore = new Float64Array(records.length); // queries needed by rows 1..i+1
  let cumulative = 0;
  records.forEach((r, i) => {
    const a = analyzeAddress(r.email);
    if (a.domain !== null && a.verdict.status !== 'invalid' && !checked.has(a.domain)) {
      checked.add(a.domain);
      cumulative += count(a.domain);
    }
    queriesBefore[i] = cumulative;
  });
  const needed = neededQueries(list.zone, checked);
  const dnsRows = records.length;
  const lowerBoundMs = (needed.total / CONCURRENCY) * LATENCY;
  const flags = (rate) => ['--dns', server.address, '--concurrency', String(CONCURRENCY), '--rate', String(rate), '--annotate'];

  /** `clean` over the DNS list RUNS times at `rate`, with the server's counters of each run. */
  async function dnsRuns(rate, tag) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      await server.reset();
      const r = await runCli(list.path, flags(rate), tag);
      const s = await server.stats();
      runs.push({ ...r, server: s });
      log(`${tag} run ${i + 1} (rate ${rate}): wall ${(r.ms / 1000).toFixed(2)} s, DNS phase ${fmt(s.phaseMs)} ms, ${fmt(s.queries)} queries (${JSON.stringify(s.byType)}), max in flight ${s.maxInFlight}`);
    }
    return runs;
  }

  let ours = [];
  if (want('dns') || want('peer')) {
    ours = await dnsRuns(RATE, 'dns');
    const phase = median(ours.map((r) => r.server.phaseMs));
    const sent = median(ours.map((r) => r.server.queries));
    const timeRatio = phase / lowerBoundMs;
    const queryRatio = sent / needed.total;
    results.figures.dns = {
      rows: dnsRows,
      domainsChecked: checked.size,
      domainKinds: needed.byKind,
      latencyMs: LATENCY,
      concurrency: CONCURRENCY,
      rate: RATE,
      queriesNeeded: needed.total,
      queriesSent: ours.map((r) => r.server.queries),
      queriesByType: ours[0].server.byType,
      repeatedQuestions: ours[0].server.repeatedQuestions,
      maxInFlight: ours.map((r) => r.server.maxInFlight),
      phaseMs: ours.map((r) => Math.round(r.server.phaseMs)),
      lowerBoundMs: Math.round(lowerBoundMs),
      timeRatio: Number(timeRatio.toFixed(3)),
      queryRatio: Number(queryRatio.toFixed(3)),
      wallMs: ours.map((r) => Math.round(r.ms)),
      cpuMs: ours.map((r) => r.cpuMs && Math.round(r.cpuMs)),
      statuses: ours[0].summary.statuses,
      reasons: ours[0].summary.reasons,
    };
    if (want('dns')) {
      rows.push([`3a. DNS phase / lower bound (${fmt(checked.size)} domains, ${LATENCY} ms, C=${CONCURRENCY})`, `${timeRatio.toFixed(2)} (${fmt(phase)} ms vs ${fmt(lowerBoundMs)} ms = ${needed.total} queries / ${CONCURRENCY} x ${LATENCY} ms)`, '<= 1.2', check(timeRatio <= 1.2)]);
      rows.push(['3b. DNS queries sent / needed', `${queryRatio.toFixed(3)} (${fmt(sent)} / ${fmt(needed.total)})`, '<= 1.05', check(queryRatio <= 1.05)]);
    }
  }

  // 3c. The same list under a rate limit: the phase against the rate's own bound, queries sent / rate.
  if (want('rate')) {
    const rated = await dnsRuns(RATE_FIGURE, 'rate');
    const ratios = rated.map((r) => r.server.phaseMs / ((r.server.queries / RATE_FIGURE) * 1000));
    const ratio = median(ratios);
    const phase = median(rated.map((r) => r.server.phaseMs));
    const sent = median(rated.map((r) => r.server.queries));
    results.figures.rate = {
      rate: RATE_FIGURE,
      concurrency: CONCURRENCY,
      latencyMs: LATENCY,
      phaseMs: rated.map((r) => Math.round(r.server.phaseMs)),
      queriesSent: rated.map((r) => r.server.queries),
      ratios: ratios.map((x) => Number(x.toFixed(3))),
      ratio: Number(ratio.toFixed(3)),
      wallMs: rated.map((r) => Math.round(r.ms)),
      cpuMs: rated.map((r) => r.cpuMs && Math.round(r.cpuMs)),
    };
    rows.push([`3c. --rate ${RATE_FIGURE}: DNS phase / (queries sent / rate)`, `${ratio.toFixed(2)} (${fmt(phase)} ms vs ${fmt(sent)} / ${RATE_FIGURE} per s = ${fmt((sent / RATE_FIGURE) * 1000)} ms)`, '<= 1.1', check(ratio <= 1.1)]);
  }

  // 6. Rows flowing: when rows come out of a job at listscrub's default rate, against the in-order ideal.
  if (want('flow')) {
    const flowOut = join(dataDir, 'flow.json');
    const flows = [];
    for (let i = 0; i < RUNS; i++) {
      await server.reset();
      const r = await timed([join(here, 'lib/flow.mjs'), list.path, server.address, String(FLOW_RATE), String(CONCURRENCY), flowOut]);
      if (r.code !== 0) throw new Error(`flow run exited ${r.code}: ${r.stderr}`);
      flows.push(JSON.parse(readFileSync(flowOut, 'utf8')));
      log(`flow run ${i + 1} (rate ${FLOW_RATE}): canary check ${flows[i].readyMs} ms, first row ${flows[i].firstRowMs} ms, all ${flows[i].rows} rows ${flows[i].totalMs} ms`);
    }
    results.figures.flow = flowFigure(flows, queriesBefore, dnsRows);
    const f = results.figures.flow;
    rows.push([
      `6a. Time to the first output row (rate ${FLOW_RATE}, C=${CONCURRENCY}, ${LATENCY} ms)`,
      `${fmt(f.firstRowMs)} ms (canary check ${fmt(f.readyMs)} ms; in-order ideal for the router's first write (${FIRST_WRITE_ROWS} row) ${fmt(f.idealFirstBatchMs)} ms)`,
      `<= ${fmt(f.firstRowTargetMs)} ms`,
      check(f.firstRowMs <= f.firstRowTargetMs),
    ]);
    rows.push([
      '6b. Rows out at 25 / 50 / 75 / 100% of the run (in-order ideal)',
      `${f.rowsAtQuarters.map((x) => `${x}%`).join(' / ')} (${f.idealRowsAtQuarters.map((x) => `${x}%`).join(' / ')}); largest lag behind the ideal ${fmt(f.maxLagMs)} ms`,
      'lag <= 10% of the run',
      check(f.maxLagMs <= 0.1 * f.totalMs),
    ]);
  }

  if (want('peer')) {
    await server.reset();
    const peerOut = join(dataDir, 'peer.json');
    const p = await timed([join(here, 'lib/peer-deep.mjs'), list.path, server.address, String(POOL), peerOut]);
    if (p.code !== 0) throw new Error(`deep-email-validator run exited ${p.code}: ${p.stderr}`);
    const ps = await server.stats();
    const peer = JSON.parse(readFileSync(peerOut, 'utf8'));
    const oursMs = median(ours.map((r) => r.ms));
    const oursQueries = median(ours.map((r) => r.server.queries));
    const oursRate = dnsRows / (oursMs / 1000);
    const peerRate = dnsRows / (p.ms / 1000);
    // Our verdict per id: kept rows carry email_status/email_reason (--annotate); removed rows are in the report.
    const mine = new Map();
    for (const r of parseCsv(readFileSync(ours[0].out), { columns: true })) mine.set(r.id, { status: r.email_status, reason: r.email_reason });
    for (const r of parseCsv(readFileSync(ours[0].report), { columns: true })) mine.set(r.id, { status: r.status, reason: r.reason });
    const categories = new Map();
    let compared = 0;
    let agree = 0;
    let duplicates = 0;
    for (const r of peer.results) {
      const m = mine.get(r.id);
      if (m === undefined) continue;
      if (m.status === 'duplicate') {
        duplicates++;
        continue;
      }
      compared++;
      const oursBad = m.status === 'invalid';
      const oursUncertain = m.status === 'unknown';
      const peerBad = !r.valid;
      if (!oursUncertain && oursBad === peerBad && (m.status !== 'risky' || !peerBad)) {
        agree++;
        continue;
      }
      if (oursUncertain && peerBad) {
        // unknown (kept) vs rejected: a disagreement worth listing too
      } else if (!oursBad && !peerBad && m.status === 'risky') {
        // risky (kept, flagged) vs valid: count as a soft difference
      }
      const key = `listscrub ${m.status}/${m.reason}  vs  deep-email-validator ${r.valid ? 'valid' : `invalid (${r.reason})`}`;
      const c = categories.get(key) ?? { count: 0, example: r.email, peerDetail: r.detail };
      c.count++;
      categories.set(key, c);
    }
    const disagreements = [...categories.entries()].sort((a, b) => b[1].count - a[1].count).map(([category, c]) => ({ category, ...c }));
    results.figures.peer = {
      tool: 'deep-email-validator 0.1.27 (validateSMTP: false)',
      pool: POOL,
      rows: dnsRows,
      peerWallMs: Math.round(p.ms),
      peerValidationMs: Math.round(peer.ms),
      peerAddressesPerSec: Math.round(peerRate),
      peerQueries: ps.queries,
      peerQueriesByType: ps.byType,
      listscrubWallMs: Math.round(oursMs),
      listscrubAddressesPerSec: Math.round(oursRate),
      listscrubQueries: oursQueries,
      speedRatio: Number((oursRate / peerRate).toFixed(2)),
      queryRatio: Number((oursQueries / ps.queries).toFixed(3)),
      compared,
      agree,
      duplicatesSkipped: duplicates,
      disagreements,
    };
    rows.push([`4a. Peer speed: listscrub / deep-email-validator (whole run, addresses/s, pool ${POOL})`, `${(oursRate / peerRate).toFixed(2)}x (${fmt(oursRate)} vs ${fmt(peerRate)} /s)`, '>= 8x', check(oursRate / peerRate >= 8)]);
    rows.push(['4b. Peer queries: listscrub / deep-email-validator', `${(oursQueries / ps.queries).toFixed(3)} (${fmt(oursQueries)} vs ${fmt(ps.queries)})`, 'report', '-']);
    rows.push(['4c. Verdicts: same / compared (duplicates skipped)', `${fmt(agree)} / ${fmt(compared)} (${fmt(duplicates)} skipped)`, 'report', '-']);
  }
  await server.close();
}

// 5. Memory ------------------------------------------------------------------------------------------
if (want('memory')) {
  // Dedupe table bytes for n distinct addresses out of `rows` records, as src/stream/dedupe.ts sizes
  // it (12 bytes a slot, at most 3/4 full): scrubCsv reserves room for the file's estimated records
  // up front (reserve(), up to 2^25 slots), so a file never makes the table double and the peak is the
  // table itself; past the reservation it doubles, and `peak` adds the old table kept during the copy.
  const dedupeBytes = (n, rows) => {
    let slots = 1024;
    while (rows > Math.floor(slots * 0.75) && slots < 2 ** 25) slots *= 2;
    const reserved = slots;
    while (n > Math.floor(slots * 0.75)) slots *= 2;
    return { table: slots * 12, peak: slots * 12 + (slots > reserved ? (slots / 2) * 12 : 0), slots };
  };
  const memo = [];
  // A given list is measured as it is (one size, so no 5b).
  for (const size of given !== null ? [null] : SIZES.memRows) {
    // The same domain count at every size (the CPU list's), so that the growth from the small list to
    // the large one comes from the rows and their addresses only, not from 5x the domains.
    const list = given !== null || (size === SIZES.cpuRows && cpuList !== null) ? cpuList : listFor('mem', size, SIZES.cpuDomains, answeringKinds);
    const r = await runCli(list.path, ['--no-dns'], `mem${size ?? 'given'}`);
    const n = r.summary.rows;
    // The control: the same run without the duplicate index. What grows here grows without any
    // address being stored (V8's old generation growing its collection threshold on a longer run).
    const control = await runCli(list.path, ['--no-dns', '--keep-duplicates'], `mem${size ?? 'given'}-nodedupe`);
    const s = r.summary.statuses;
    const distinct = s.valid + s.risky + s.unknown;
    const d = dedupeBytes(distinct, n);
    const rssMb = r.maxRssKb === null ? null : r.maxRssKb / 1024;
    const limitMb = 150 + (32 * distinct) / 2 ** 20;
    const controlMb = control.maxRssKb === null ? null : control.maxRssKb / 1024;
    memo.push({ rows: n, distinct, peakRssMb: rssMb && Number(rssMb.toFixed(1)), withoutIndexRssMb: controlMb && Number(controlMb.toFixed(1)), limitMb: Number(limitMb.toFixed(1)), dedupeTableMb: Number((d.table / 2 ** 20).toFixed(1)), dedupePeakMb: Number((d.peak / 2 ** 20).toFixed(1)), slots: d.slots, ms: Math.round(r.ms) });
    rows.push([`5. Peak RSS, clean --no-dns, ${fmt(n)} rows (${fmt(distinct)} distinct)`, rssMb === null ? 'n/a (no /usr/bin/time)' : `${rssMb.toFixed(0)} MB (dedupe table ${(d.table / 2 ** 20).toFixed(0)} MB)`, `< ${limitMb.toFixed(0)} MB`, rssMb === null ? '-' : check(rssMb < limitMb)]);
    if (list !== cpuList && !list.given && !opt['keep-data']) rmSync(list.path, { force: true });
  }
  if (memo.length === 2 && memo[0].peakRssMb !== null) {
    const growth = memo[1].peakRssMb - memo[0].peakRssMb;
    const tableGrowth = memo[1].dedupePeakMb - memo[0].dedupePeakMb;
    // Growth with the index minus growth without it: what the index itself adds between the sizes.
    const withoutIndex = memo[1].withoutIndexRssMb - memo[0].withoutIndexRssMb;
    const indexShare = growth - withoutIndex;
    rows.push([
      `5b. RSS growth ${fmt(SIZES.memRows[0])} -> ${fmt(SIZES.memRows[1])} rows: the duplicate index's share (with - without it) vs the index's growth`,
      `${indexShare.toFixed(0)} MB vs ${tableGrowth.toFixed(0)} MB (total growth ${growth.toFixed(0)} MB; without the index ${withoutIndex.toFixed(0)} MB: V8 heap headroom, no address stored)`,
      'explained',
      check(Math.abs(indexShare - tableGrowth) < Math.max(20, 0.25 * tableGrowth)),
    ]);
    results.figures.memoryGrowth = {
      rssGrowthMb: Number(growth.toFixed(1)),
      rssGrowthWithoutIndexMb: Number(withoutIndex.toFixed(1)),
      indexShareMb: Number(indexShare.toFixed(1)),
      dedupePeakGrowthMb: Number(tableGrowth.toFixed(1)),
    };
  }
  results.figures.memory = memo;
}

// 7. The SMTP stage: --smtp against local mail servers (lib/smtp-figure.mjs) ----------------------------
if (want('smtp')) {
  const helpers = { median, fmt, check, log };
  const probesPerMinute = Number(opt['smtp-limit']);
  const smtp = await smtpFigure({ runs: RUNS, seed: SEED, delayMs: Number(opt['smtp-delay']), probesPerMinute, dataDir, cli, startDns, helpers });
  results.figures.smtp = smtp.figure;
  rows.push(...smtp.rows);
}

// ------------------------------------------------------------------------------------------------
results.loadAverageAtEnd = loadavg().map((x) => Number(x.toFixed(2)));
results.table = rows.map(([figure, value, target, verdict]) => ({ figure, value, target, verdict }));

const widths = [0, 1, 2, 3].map((i) => Math.max(...[['figure', 'value', 'target', 'verdict'][i], ...rows.map((r) => r[i])].map((x) => String(x).length)));
const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
console.log('');
console.log(line(['figure', 'value', 'target', 'verdict']));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
console.log(`\nload average at end: ${results.loadAverageAtEnd.join(' ')}`);
if (results.figures.peer) {
  console.log('\nWhere listscrub and deep-email-validator disagree (duplicates skipped):');
  for (const d of results.figures.peer.disagreements.slice(0, 12)) console.log(`  ${String(d.count).padStart(6)}  ${d.category}   e.g. ${JSON.stringify(d.example)}`);
}

const md = [
  `# listscrub bench${quick ? ' (--quick)' : ''}`,
  '',
  `${env.date}: ${env.cores} cores (${env.cpu}), node ${env.node}, load average ${env.loadAverageAtStart.join(' ')} at start, ${results.loadAverageAtEnd.join(' ')} at end; ${RUNS} run(s) per figure (medians), DNS latency ${LATENCY} ms, concurrency ${CONCURRENCY}, rate ${RATE}.`,
  '',
  '| figure | value | target | verdict |',
  '| --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
  '',
];
if (results.figures.flow) {
  // Rows out against time, at tenths of the median run (figure 6), beside the in-order ideal.
  const f = results.figures.flow;
  const tenths = Array.from({ length: 10 }, (_, i) => ((i + 1) / 10) * f.totalMs);
  const rowsAt = (t) => f.points.reduce((k, [ms, rowsOut]) => (ms <= t ? rowsOut : k), 0);
  md.push(`Rows out against time (figure 6: rate ${f.rate}, C=${f.concurrency}, ${f.latencyMs} ms; first row at ${fmt(f.firstRowMs)} ms):`, '');
  md.push(`| time | ${tenths.map((t) => `${(t / 1000).toFixed(1)} s`).join(' | ')} |`, `| --- |${' ---: |'.repeat(10)}`);
  md.push(`| rows out | ${tenths.map((t) => fmt(rowsAt(t))).join(' | ')} |`, '');
}
if (results.figures.peer) {
  md.push('Disagreements with deep-email-validator (duplicates skipped):', '', '| rows | category | example |', '| ---: | --- | --- |');
  for (const d of results.figures.peer.disagreements.slice(0, 15)) md.push(`| ${d.count} | ${d.category} | \`${d.example}\` |`);
  md.push('');
}
if (!opt['no-save']) {
  const dir = join(here, 'results');
  mkdirSync(dir, { recursive: true });
  // A partial run (--only, or a given list) is saved under its own name: latest.* is the full run's.
  const part = [...(only ?? [])].join('-') + (given === null ? '' : '-given-list');
  const name = quick ? 'quick' : part === '' ? 'latest' : `partial-${part}`;
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(dir, `${name}.md`), md.join('\n'));
  console.log(`\nsaved bench/results/${name}.json and bench/results/${name}.md`);
}
if (!opt['keep-data']) {
  for (const f of ['passthrough.out.csv']) rmSync(join(dataDir, f), { force: true });
}
