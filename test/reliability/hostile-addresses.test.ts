/**
 * Addresses designed to hurt the engine: 1 MB cells, deeply nested comments and quotes, long runs of
 * escapes, confusable letters, right-to-left marks. The engine must never throw, and the RFC 5322
 * parser (email-addresses, the one part whose cost is not linear) must only ever see short input:
 * heavy cells are rejected before it. Counted, not timed: the parser is wrapped and its calls logged.
 */
import fc from 'fast-check';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { seedOf } from './helpers.js';

const parserInputs: string[] = [];
vi.mock('email-addresses', async (importOriginal) => {
  const real = ((await importOriginal()) as { default: { parseOneAddress: (options: { input: string }) => unknown } }).default;
  return {
    default: {
      ...real,
      parseOneAddress: (options: { input: string }) => {
        parserInputs.push(options.input);
        return real.parseOneAddress(options);
      },
    },
  };
});

const { analyzeAddress, MAX_INPUT_LENGTH } = await import('../../src/address/index.js');

beforeEach(() => {
  parserInputs.length = 0;
});

const STATUSES = ['valid', 'risky', 'invalid', 'unknown'];

describe('cells designed to be expensive are rejected before the parser', () => {
  test('the counter works: a short address with a comment does reach the parser', () => {
    // (A plain quoted local part no longer does: the scan knows the grammar accepts it.)
    expect(analyzeAddress('ann(home)@example.com').verdict.status).toBe('risky');
    expect(parserInputs).toEqual(['ann(home)@example.com']);
  });

  const cases: Array<[string, string]> = [
    ['a 1 MB cell', `${'a'.repeat(1024 * 1024)}@example.com`],
    ['a 1 MB quoted local part', `"${'\\"'.repeat(512 * 1024)}"@example.com`],
    ['200 nested comments', `ann${'('.repeat(200)}x${')'.repeat(200)}@example.com`],
    ['comments nested 5 deep (the limit is 4)', 'ann(a(b(c(d(e)))))@example.com'],
    ['400 comments in a row', `ann${'(c)'.repeat(400)}@example.com`],
    ['a 990-character run of quoted escapes', `"${'\\\\'.repeat(495)}"@example.com`],
    ['900 nested quotes and brackets', `${'"<'.repeat(450)}ann@example.com`],
    ['an unclosed comment 999 long', `ann(${'x'.repeat(990)}@example.com`],
  ];

  test.each(cases)('%s: an invalid verdict, bounded parser input', (_label, cell) => {
    const { verdict } = analyzeAddress(cell);
    expect(verdict.status).toBe('invalid');
    expect(verdict.reason).toBe('syntax');
    expect(verdict.detail.length).toBeLessThan(300);
    for (const input of parserInputs) expect(input.length).toBeLessThanOrEqual(MAX_INPUT_LENGTH);
  });

  test('cells over the length cap never reach the parser at all', () => {
    for (const [, cell] of cases.filter(([, c]) => c.length > MAX_INPUT_LENGTH)) analyzeAddress(cell);
    expect(parserInputs).toEqual([]);
  });

  test('comments nested past the limit never reach the parser', () => {
    for (let depth = 5; depth <= 300; depth += 7) {
      const cell = `ann${'('.repeat(depth)}x${')'.repeat(depth)}@example.com`;
      expect(analyzeAddress(cell).verdict.detail).toBe('The address has comments nested too deeply.');
    }
    expect(parserInputs).toEqual([]);
  });

  test('property: any mix of the characters that drive the parsers (up to 5,000) never throws; the parser sees at most 1,000 characters', () => {
    const unit = fc.constantFrom('(', ')', '"', '\\', '@', '<', '>', '[', ']', '.', ',', ';', ':', ' ', 'a', 'é', '\u202e');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 5000 }), fc.string({ unit, maxLength: 40 }), (noise, tail) => {
        const { verdict } = analyzeAddress(`${noise}@example.com${tail}`);
        expect(STATUSES).toContain(verdict.status);
        for (const input of parserInputs) expect(input.length).toBeLessThanOrEqual(MAX_INPUT_LENGTH);
      }),
      { numRuns: 300, seed: seedOf(99) },
    );
  });
});

describe('confusables and direction marks', () => {
  test('a Cyrillic "а" in a well-known domain: checked as its own punycode name, never as gmail.com', () => {
    const { verdict, domain } = analyzeAddress('ann@gm\u0430il.com');
    expect(domain).toBe('xn--gmil-63d.com');
    expect(verdict.address).toBe('ann@xn--gmil-63d.com');
  });

  test('Cyrillic letters in the local part: flagged (needs SMTPUTF8), not valid', () => {
    expect(analyzeAddress('\u0430\u0440\u0440\u043b\u0435@example.com').verdict).toMatchObject({ status: 'risky', reason: 'unusual_syntax' });
    // Mixed with Latin letters they are look-alikes: risky, with the plain-ASCII suggestion.
    expect(analyzeAddress('\u0430\u0440\u0440le@example.com').verdict).toMatchObject({ status: 'risky', reason: 'confusable', suggestion: 'apple@example.com' });
  });

  test.each([
    ['RIGHT-TO-LEFT MARK', '\u200f'],
    ['RIGHT-TO-LEFT OVERRIDE', '\u202e'],
    ['LEFT-TO-RIGHT ISOLATE', '\u2066'],
  ])('a %s inside the address: invalid, named by code point', (_name, mark) => {
    for (const cell of [`ann${mark}@example.com`, `ann@exa${mark}mple.com`, `${mark}ann@example.com${mark}x`]) {
      const { verdict } = analyzeAddress(cell);
      expect(verdict).toMatchObject({ status: 'invalid', reason: 'syntax' });
      expect(verdict.detail).toContain(`U+${mark.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
    }
  });
});
