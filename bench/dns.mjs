#!/usr/bin/env node
// DNS layer micro-benchmark: the BUILT checker (dist/dns/index.js, run `npm run build` first)
// against the test DNS server (test/support/dns-server.mjs: plain ESM, so no compile step) with a
// fixed answer latency L. Measures queries per distinct domain and lookups/s for N distinct domains
// at concurrency C, and compares wall time with the lower bound (queries needed / C) x L.
//
//   node bench/dns.mjs [--domains 2000] [--hosts 20] [--concurrency 50] [--latency 20]
//                      [--rate 1000000] [--in-process] [--json]
//
// The server runs in a child process (this same file, forked) so that its CPU work is not billed to
// the checker, as with a real resolver; --in-process keeps both in one process.
//
// The rate defaults to "unlimited" (1e6 qps) so the run measures the concurrency limit; pass
// --rate 200 to see the default rate limit dominate instead. The lower bound ignores that a domain
// needs its MX answer before its MX host can be asked (two round trips in a row), so ~100% is out of
// reach for small N; 80%+ is good.

import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startDnsServer } from '../test/support/dns-server.mjs';
import { dnsChildHandle } from './lib/dns-ipc.mjs';
import { CANARY_ZONE } from './lib/zone.mjs';

const { values } = parseArgs({
  options: {
    domains: { type: 'string', default: '2000' },
    hosts: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '50' },
    latency: { type: 'string', default: '20' },
    rate: { type: 'string', default: '1000000' },
    json: { type: 'boolean', default: false },
    'in-process': { type: 'boolean', default: false },
    'server-child': { type: 'boolean', default: false },
  },
});
const N = Number(values.domains);
const HOSTS = Number(values.hosts);
const C = Number(values.concurrency);
const L = Number(values.latency);
const RATE = Number(values.rate);

function makeZone() {
  // The zone: canaries, HOSTS shared MX hosts with public addresses, N domains spread over them.
  const zone = { ...CANARY_ZONE };
  for (let h = 0; h < HOSTS; h++) zone[`mx${h}.benchmail.net`] = { A: [`93.184.${220 + (h >> 8)}.${(h % 254) + 1}`] };
  const domains = [];
  for (let i = 0; i < N; i++) {
    const domain = `shop${i}.bench${i % 10}.com`;
    domains.push(domain);
    zone[domain] = { MX: [{ preference: 10, exchange: `mx${i % HOSTS}.benchmail.net` }] };
  }
  return { zone, domains };
}

// Child mode: serve the zone, report the port, answer stats requests over IPC.
if (values['server-child']) {
  const server = await startDnsServer(makeZone().zone, { latencyMs: L });
  process.on('message', async (message) => {
    if (message === 'stats') process.send({ queries: server.queries.length, maxInFlight: server.maxInFlight });
    if (message === 'reset') {
      server.resetStats();
      process.send('reset');
    }
    if (message === 'close') {
      await server.close();
      process.disconnect();
    }
  });
  process.send({ address: server.address });
} else {
  await main();
}

/** The server, in a child process or in this one, behind one small async interface. */
async function startServer() {
  if (values['in-process']) {
    const server = await startDnsServer(makeZone().zone, { latencyMs: L });
    return {
      address: server.address,
      stats: async () => ({ queries: server.queries.length, maxInFlight: server.maxInFlight }),
      reset: async () => server.resetStats(),
      close: () => server.close(),
    };
  }
  const args = ['--server-child', '--domains', String(N), '--hosts', String(HOSTS), '--latency', String(L)];
  const child = fork(new URL(import.meta.url).pathname, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return dnsChildHandle(child);
}

async function main() {
  const distUrl = new URL('../dist/dns/index.js', import.meta.url);
  let dnsModule;
  try {
    dnsModule = await import(distUrl.href);
  } catch (error) {
    console.error(`bench/dns.mjs: cannot load ${distUrl.pathname} (${error.message}); run \`npm run build\` first.`);
    process.exit(1);
  }
  const { createDomainChecker } = dnsModule;
  const { domains } = makeZone();
  const server = await startServer();
  const checker = createDomainChecker({ dns: { servers: [server.address] }, concurrency: C, rate: RATE });

  const readyStart = performance.now();
  const health = await checker.ready();
  const readyMs = performance.now() - readyStart;
  if (!health.healthy) {
    console.error(`bench/dns.mjs: the canary check failed: ${health.detail}`);
    process.exit(1);
  }
  await server.reset();

  // Feed checks the way the stream layer does: a bounded window of pending checks, wider than C so
  // the limiter (not the feeder) is what bounds the queries in flight.
  async function run(items, width) {
    let next = 0;
    const kinds = {};
    await Promise.all(
      Array.from({ length: width }, async () => {
        while (next < items.length) {
          const outcome = await checker.check(items[next++]);
          kinds[outcome.kind] = (kinds[outcome.kind] ?? 0) + 1;
        }
      }),
    );
    return kinds;
  }

  const start = performance.now();
  const kinds = await run(domains, Math.max(C * 4, 200));
  const wallMs = performance.now() - start;
  const queries = (await server.stats()).queries;

  // Second pass over the same domains: everything from the cache.
  const cachedStart = performance.now();
  await run(domains, Math.max(C * 4, 200));
  const cachedMs = performance.now() - cachedStart;
  const afterStats = await server.stats();
  const cachedQueries = afterStats.queries - queries;

  const lowerBoundMs = (queries / C) * L;
  const result = {
    domains: N,
    mxHosts: HOSTS,
    concurrency: C,
    latencyMs: L,
    rate: RATE,
    canaryMs: Math.round(readyMs),
    outcomes: kinds,
    queries,
    queriesPerDomain: Number((queries / N).toFixed(3)),
    maxInFlightAtServer: afterStats.maxInFlight,
    server: values['in-process'] ? 'in-process' : 'child process',
    wallMs: Math.round(wallMs),
    lookupsPerSecond: Math.round((N / wallMs) * 1000),
    lowerBoundMs: Math.round(lowerBoundMs),
    efficiency: Number((lowerBoundMs / wallMs).toFixed(3)),
    cachedPassMs: Math.round(cachedMs),
    cachedPassQueries: cachedQueries,
    stats: checker.stats(),
  };

  await checker.close();
  await server.close();

  if (values.json) {
    console.log(JSON.stringify(result));
  } else {
    console.log(`DNS checker: ${N} distinct domains over ${HOSTS} MX hosts, concurrency ${C}, server latency ${L} ms (${result.server}), rate ${RATE} qps`);
    console.log(`  canary check         ${result.canaryMs} ms`);
    console.log(`  outcomes             ${JSON.stringify(kinds)}`);
    console.log(`  queries              ${queries} (${result.queriesPerDomain} per distinct domain)`);
    console.log(`  max in flight        ${result.maxInFlightAtServer} (limit ${C})`);
    console.log(`  wall time            ${result.wallMs} ms (${result.lookupsPerSecond} domains/s)`);
    console.log(`  lower bound          ${result.lowerBoundMs} ms = ${queries} queries / ${C} x ${L} ms`);
    console.log(`  efficiency           ${(result.efficiency * 100).toFixed(1)}% of the lower bound`);
    console.log(`  cached second pass   ${result.cachedPassMs} ms, ${cachedQueries} queries`);
  }
}
