#!/usr/bin/env node
// Summarize a .cpuprofile (node --cpu-prof): self time by function and by file, top N.
//   node bench/profile.mjs <file.cpuprofile> [top=30]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fnAgg = new Map();
const fileAgg = new Map();
for (const [id, us] of self) {
  const { callFrame: cf } = byId.get(id);
  const url = cf.url.replace(/^.*\/(node_modules\/[^/]+|dist|src)\//, '$1/').replace(/^node:/, 'node:');
  const key = `${cf.functionName || '(anonymous)'}  ${url}:${cf.lineNumber + 1}`;
  fnAgg.set(key, (fnAgg.get(key) ?? 0) + us);
  const fileKey = url || `(${cf.functionName})`;
  fileAgg.set(fileKey, (fileAgg.get(fileKey) ?? 0) + us);
}
const show = (title, map) => {
  console.log(`\n${title} (total ${(total / 1000).toFixed(0)} ms)`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(us / 1000).toFixed(0).padStart(7)} ms ${((us / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
  }
};
show('self time by function', fnAgg);
show('self time by file', fileAgg);
