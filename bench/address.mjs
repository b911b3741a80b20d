#!/usr/bin/env node
// Micro-benchmark of the address engine (not a test).
// Usage: npx tsc -p tsconfig.build.json && node bench/address.mjs [rows]
import { analyzeAddress, analyzeAddressFull, clearDomainCache } from '../dist/address/index.js';

const N = Number(process.argv[2] ?? 200_000);

// Deterministic PRNG so runs are comparable.
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = (a) => a[Math.floor(rand() * a.length)];

const first = ['jane', 'john', 'maria', 'li', 'ahmed', 'olga', 'pierre', 'sam', 'kim', 'noah', 'emma', 'lucas'];
const last = ['doe', 'smith', 'garcia', 'wang', 'khan', 'ivanova', 'martin', 'lee', 'park', 'brown'];
const providers = ['gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'icloud.com', 'aol.com', 'gmx.de', 'web.de', 'orange.fr', 'comcast.net'];
// a long tail of company domains, so the domain cache sees misses too
const companies = Array.from({ length: 5000 }, (_, i) => `company${i}.${pick(['com', 'org', 'net', 'de', 'io', 'co.uk'])}`);

function plain() {
  const f = pick(first), l = pick(last);
  const local = pick([`${f}.${l}`, `${f}${l}`, `${f}_${l}${Math.floor(rand() * 100)}`, `${f[0]}${l}`, `${f}+news`, `${f.toUpperCase()}.${l}`]);
  return `${local}@${rand() < 0.6 ? pick(providers) : pick(companies)}`;
}
function unusual() {
  const f = pick(first);
  return pick([
    `"${f} ${pick(last)}"@example.com`, `${pick(first)} ${pick(last)} <${f}@example.org>`, `${f}@münchen.de`,
    `${f}(comment)@example.com`, `${f}@[192.0.2.${Math.floor(rand() * 255)}]`, `josé.${f}@example.es`,
    `${f}..x@example.com`, `${f}@gmail.con`, `${f}@example.com, other@example.com`, ` ${f}@Example.COM `, `mailto:${f}@example.net`,
  ]);
}
// realistic mix: ~95% plain, ~5% unusual or broken
const rows = Array.from({ length: N }, () => (rand() < 0.95 ? plain() : unusual()));

function run(name, fn, input) {
  clearDomainCache();
  for (let i = 0; i < Math.min(5000, input.length); i++) fn(input[i]); // warm up
  clearDomainCache();
  const t = process.hrtime.bigint();
  let risky = 0;
  for (const s of input) if (fn(s).verdict.status !== 'valid') risky++;
  const sec = Number(process.hrtime.bigint() - t) / 1e9;
  console.log(`${name.padEnd(40)} ${String(input.length).padStart(7)} rows  ${(input.length / sec).toFixed(0).padStart(9)} addresses/s  (${risky} not valid)`);
}

console.log(`node ${process.version}`);
run('analyzeAddress (fast path + fallback)', analyzeAddress, rows);
run('analyzeAddressFull (email-addresses)', analyzeAddressFull, rows.slice(0, Math.min(N, 50_000)));
run('analyzeAddress, plain rows only', analyzeAddress, rows.filter((s) => /^[\w.+-]+@[\w.-]+$/.test(s)));
run('analyzeAddress, unusual rows only', analyzeAddress, rows.filter((s) => !/^[\w.+-]+@[\w.-]+$/.test(s)).slice(0, 20_000));
