#!/usr/bin/env node
// Rows flowing: one `clean` job through the BUILT library (dist/), timing when rows come out.
//   node bench/lib/flow.mjs <list.csv> <dns server host:port> <rate> <concurrency> <out.json>
// Writes { readyMs, firstRowMs, totalMs, rows, points: [[ms, rows], ...] }: times from the job's
// start (the scrubber made, before the canary check), `points` from scrubCsv's onProgress (at the
// first routed row and every 1,000 rows after; rows are routed in order, so these are rows written).
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [list, server, rate, concurrency, outFile] = process.argv.slice(2);
const { createScrubber, scrubCsv } = await import(new URL('../../dist/index.js', import.meta.url).href);

const scrubber = createScrubber({ dns: { servers: [server] }, rate: Number(rate), concurrency: Number(concurrency) });
const t0 = performance.now();
const health = await scrubber.ready();
const readyMs = performance.now() - t0;
if (!health.healthy) throw new Error(`the canary check failed: ${health.detail}`);
const points = [];
const summary = await scrubCsv({
  input: list,
  output: `${outFile}.clean.csv`,
  report: `${outFile}.report.csv`,
  scrubber,
  lock: false,
  onProgress: ({ rows }) => points.push([Math.round(performance.now() - t0), rows]),
});
const totalMs = performance.now() - t0;
await scrubber.close();
const first = points.find(([, rows]) => rows > 0);
writeFileSync(
  outFile,
  JSON.stringify({ readyMs: Math.round(readyMs), firstRowMs: first?.[0] ?? null, totalMs: Math.round(totalMs), rows: summary.rows, queries: summary.dns.queries, points }),
);
