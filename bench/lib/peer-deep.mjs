// deep-email-validator over a list, for comparison (run in its own process).
// argv: <input.csv> <dnsServer host:port> <pool> <out.json>
// validateSMTP: false; regex, typo, disposable and MX checks as the package's defaults.
// It resolves MX through node's global dns module: dns.setServers points it at the bench server.
import dns from 'node:dns';
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parse } from 'csv-parse/sync';
import { validate } from 'deep-email-validator';

const [input, server, poolArg, out] = process.argv.slice(2);
dns.setServers([server]);
const records = parse(readFileSync(input), { columns: true });
const pool = Number(poolArg);
const results = new Array(records.length);
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: pool }, async () => {
    while (next < records.length) {
      const i = next++;
      const email = records[i].email;
      const r = await validate({ email, validateSMTP: false });
      results[i] = { id: records[i].id, email, valid: r.valid, reason: r.reason ?? null, detail: r.reason ? r.validators[r.reason]?.reason ?? '' : '' };
    }
  }),
);
const ms = performance.now() - started;
writeFileSync(out, JSON.stringify({ ms, results }));
