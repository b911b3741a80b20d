#!/usr/bin/env node
// The query limiter alone (dist/dns/limiter.js; `npm run build` first): N jobs of 20 ms each (a
// timer standing in for a DNS round trip) at a rate R and concurrency C; wall time against the rate's
// ideal N / R, and the CPU it took.
//   node bench/limiter.mjs [--rate 500] [--jobs 2000] [--concurrency 50]
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { rate: { type: 'string', default: '500' }, jobs: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '50' } },
});
const rate = Number(values.rate);
const jobs = Number(values.jobs);
const { createLimiter } = await import(new URL('../dist/dns/limiter.js', import.meta.url).href);
const limiter = createLimiter({ rate, concurrency: Number(values.concurrency) });
const t0 = performance.now();
const cpu0 = process.cpuUsage();
await Promise.all(Array.from({ length: jobs }, (_, i) => limiter.schedule(() => new Promise((resolve) => setTimeout(resolve, 20)), i)));
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const ideal = (jobs / rate) * 1000;
console.log(
  `rate ${rate}, ${jobs} jobs of 20 ms, concurrency ${values.concurrency}: ${Math.round(ms)} ms (ideal ${Math.round(ideal)} ms, ` +
    `ratio ${(ms / ideal).toFixed(3)}), CPU ${Math.round((cpu.user + cpu.system) / 1000)} ms`,
);
await limiter.stop();
