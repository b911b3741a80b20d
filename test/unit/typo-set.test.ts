/**
 * The labelled typo set (test/typos): at least 300 typos and 3,000 correct addresses at the same
 * providers. The figures are measured here on the sources and printed; the README quotes them.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { analyzeAddress, MAJOR_PROVIDERS } from '../../src/address/index.js';
// @ts-expect-error plain ESM helper shared with the command line (no type declarations)
import { formatMeasure, loadSet, measure } from '../typos/measure.mjs';

interface Measure {
  typos: number;
  hits: number;
  hitRate: number;
  wrong: string[];
  correct: number;
  falseSuggestions: string[];
  falseRate: number;
}

describe('labelled typo set', () => {
  const m = measure(analyzeAddress) as Measure;

  it('is big enough: >= 300 typos, >= 3,000 correct addresses at the same providers', () => {
    expect(m.typos).toBeGreaterThanOrEqual(300);
    expect(m.correct).toBeGreaterThanOrEqual(3000);
    const meant = new Set((loadSet('typos.csv') as string[][]).map((row) => row[1]));
    const correctDomains = new Set((loadSet('correct.csv') as string[][]).map((row) => row[0]!.split('@')[1]));
    for (const domain of meant) expect(correctDomains.has(domain), domain).toBe(true);
  });

  it('false-suggestion rate on correct addresses stays below 0.1%', () => {
    console.log(`\n${formatMeasure(m)}\n`);
    expect(m.falseRate).toBeLessThan(0.001);
  });

  it('suggests the domain meant for most typos, and never another provider', () => {
    // 376 of 420 when measured (the misses are slips in names of four letters or fewer: gmx, web, qq).
    expect(m.hitRate).toBeGreaterThan(0.85);
    expect(m.wrong).toEqual([]);
  });
});

describe('provider list', () => {
  it('every typo target is a free-mail provider in the maintained email-providers list', () => {
    const all = new Set(createRequire(import.meta.url)('email-providers/all.json') as string[]);
    expect(MAJOR_PROVIDERS.filter((domain) => !all.has(domain))).toEqual([]);
  });
});
