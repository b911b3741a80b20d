#!/usr/bin/env node
// Prints the corpus agreement table (Markdown) for the README.
// Usage: npx tsc -p tsconfig.build.json && node test/corpus/report.mjs
import fs from 'node:fs';
import { analyzeAddress } from '../../dist/address/index.js';
import { evaluate, formatTable, loadCorpora } from './corpus-lib.mjs';

const exceptions = JSON.parse(fs.readFileSync(new URL('./exceptions.json', import.meta.url), 'utf8'));
const corpora = loadCorpora(new URL('./data/', import.meta.url));
const { table, unlisted, stale } = evaluate(analyzeAddress, corpora, exceptions);
console.log(formatTable(table));
console.log(`\nRaw agreement counts every row; "listed exceptions" are deliberate policy differences (test/corpus/exceptions.json).`);
if (unlisted.length || stale.length) {
  console.log(`\nUNLISTED mismatches: ${unlisted.length}, stale exceptions: ${stale.length}`);
  process.exitCode = 1;
}
