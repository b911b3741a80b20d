#!/usr/bin/env node
/**
 * Measures typo detection on the labelled set (typos.csv, correct.csv beside this file):
 *   hit rate              typos whose suggestion is the domain meant
 *   wrong suggestions     typos given a suggestion other than the domain meant
 *   false-suggestion rate correct addresses given any suggestion (or a typo_domain reason)
 * `node test/typos/measure.mjs` (after `npm run build`) prints the figures the README shows;
 * test/unit/typo-set.test.ts runs the same function on the sources.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export function loadSet(name) {
  const [, ...lines] = readFileSync(new URL(name, import.meta.url), 'utf8').trim().split('\n');
  return lines.map((line) => line.split(','));
}

export function measure(analyzeAddress) {
  const typos = loadSet('typos.csv');
  const correct = loadSet('correct.csv');
  const byKind = {};
  const missed = [];
  const wrong = [];
  let hits = 0;
  for (const [email, meant, kind] of typos) {
    const { suggestion } = analyzeAddress(email).verdict;
    const got = suggestion?.slice(suggestion.lastIndexOf('@') + 1);
    const entry = (byKind[kind] ??= { typos: 0, hits: 0 });
    entry.typos += 1;
    if (got === meant) {
      hits += 1;
      entry.hits += 1;
    } else if (got === undefined) missed.push(email);
    else wrong.push(`${email} -> ${got} (meant ${meant})`);
  }
  const falseSuggestions = correct
    .map(([email]) => [email, analyzeAddress(email).verdict])
    .filter(([, verdict]) => verdict.suggestion !== undefined || verdict.reason === 'typo_domain')
    .map(([email, verdict]) => `${email} -> ${verdict.suggestion}`);
  // Real mail domains beyond the providers: the free-mail list of the email-providers package. Some of
  // its entries are typo catchers themselves (gmial.com), so this is a figure to read, not a gate.
  const real = createRequire(import.meta.url)('email-providers/all.json');
  const realSuggested = real.filter((domain) => analyzeAddress(`anna@${domain}`).verdict.reason === 'typo_domain');
  return {
    typos: typos.length,
    hits,
    hitRate: hits / typos.length,
    wrong,
    missed,
    byKind,
    correct: correct.length,
    falseSuggestions,
    falseRate: falseSuggestions.length / correct.length,
    realDomains: real.length,
    realSuggested,
  };
}

export function formatMeasure(m) {
  const pct = (x) => `${(x * 100).toFixed(1)}%`;
  const lines = [
    `typos: ${m.typos}, suggestion = the domain meant: ${m.hits} (${pct(m.hitRate)}), another domain: ${m.wrong.length}, none: ${m.missed.length}`,
    `correct addresses: ${m.correct}, given a suggestion: ${m.falseSuggestions.length} (${(m.falseRate * 100).toFixed(2)}%)`,
    `real free-mail domains (email-providers list): ${m.realDomains}, reported as typos: ${m.realSuggested.length} (${(m.realSuggested.length / m.realDomains * 100).toFixed(2)}%)`,
    'by kind:',
    ...Object.entries(m.byKind)
      .sort()
      .map(([kind, k]) => `  ${kind.padEnd(13)} ${String(k.hits).padStart(3)} / ${String(k.typos).padStart(3)}  ${pct(k.hits / k.typos)}`),
  ];
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { analyzeAddress } = await import('../../dist/address/index.js');
  const m = measure(analyzeAddress);
  console.log(formatMeasure(m));
  if (process.argv.includes('--list')) console.log(['wrong:', ...m.wrong, 'missed:', ...m.missed, 'false:', ...m.falseSuggestions, 'real domains reported as typos:', ...m.realSuggested].join('\n'));
}
