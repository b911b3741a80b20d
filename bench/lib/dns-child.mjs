// The bench DNS server, run as a forked child so its work never shares the event loop with the code
// being measured. argv: <zone.json> <latencyMs>. IPC: 'stats' | 'reset' | 'close'.
// On top of the test server's query log it timestamps every question, so the DNS phase can be
// measured where it happens: from the first question received to the last answer sent.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { startDnsServer } from '../../test/support/dns-server.mjs';

const [zonePath, latencyArg] = process.argv.slice(2);
const latencyMs = Number(latencyArg ?? 20);
const zone = JSON.parse(readFileSync(zonePath, 'utf8'));
const server = await startDnsServer(zone, { latencyMs });

let first = null;
let last = null;
const push = server.queries.push;
server.queries.push = function timestamped(...entries) {
  const now = performance.now();
  first ??= now;
  last = now;
  return push.apply(this, entries);
};

process.on('message', async (message) => {
  if (message === 'stats') {
    const byType = {};
    const names = new Map();
    for (const q of server.queries) {
      byType[q.type] = (byType[q.type] ?? 0) + 1;
      const key = `${q.name} ${q.type}`;
      names.set(key, (names.get(key) ?? 0) + 1);
    }
    let repeated = 0;
    for (const count of names.values()) if (count > 1) repeated += count - 1;
    process.send({
      queries: server.queries.length,
      byType,
      repeatedQuestions: repeated,
      maxInFlight: server.maxInFlight,
      // First question in to last answer out (answers leave latencyMs after their question).
      phaseMs: first === null ? 0 : last + latencyMs - first,
    });
  } else if (message === 'reset') {
    server.resetStats();
    first = null;
    last = null;
    process.send('reset');
  } else if (message === 'close') {
    await server.close();
    process.disconnect();
  }
});
process.send({ address: server.address });
