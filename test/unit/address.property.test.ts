import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAST_PATTERN, analyzeAddress, analyzeAddressFast, analyzeAddressFull, plainAt } from '../../src/address/index.js';
import { scanAddrSpec } from '../../src/address/scan.js';

const ATEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-";
const LDH = 'abcdefghijklmnopqrstuvwxyz0123456789';

const atom = fc.string({ unit: fc.constantFrom(...ATEXT), minLength: 1, maxLength: 12 });
/** A dot-atom local part of at most 64 characters. */
const localPart = fc
  .array(atom, { minLength: 1, maxLength: 5 })
  .map((atoms) => atoms.join('.'))
  .filter((l) => l.length <= 64);
/** A host-name label: letters/digits, hyphens only inside. */
const label = fc
  .tuple(
    fc.constantFrom(...LDH),
    fc.string({ unit: fc.constantFrom(...LDH, '-'), maxLength: 20 }),
    fc.constantFrom(...LDH),
  )
  .map(([a, mid, b]) => a + mid + b)
  .chain((l) => fc.constantFrom(l, l.slice(0, 1)));
const tld = fc.constantFrom('com', 'org', 'net', 'de', 'io', 'uk', 'fr', 'info');
const domain = fc.tuple(fc.array(label, { minLength: 1, maxLength: 4 }), tld).map(([ls, t]) => [...ls, t].join('.'));
const validAddress = fc.tuple(localPart, domain).map(([l, d]) => `${l}@${d}`);

/** Plain-looking addresses with mutations that push them over the edges of the rules. */
const mutated = fc
  .tuple(
    validAddress,
    fc.array(
      fc.tuple(
        fc.constantFrom('.', '..', '-', '@', '+', '_', 'A', 'Z', '9', ' ', '"', '(', ')', '[', ']', ',', 'ü', '\t', 'x'.repeat(70)),
        fc.nat(),
      ),
      { maxLength: 3 },
    ),
    fc.boolean(),
  )
  .map(([addr, edits, upper]) => {
    let s = upper ? addr.toUpperCase() : addr;
    for (const [ins, pos] of edits) {
      const i = pos % (s.length + 1);
      s = s.slice(0, i) + ins + s.slice(i);
    }
    return s;
  });

/** Plain cells around the length cap (the fast path must apply it too). */
const longPlain = fc
  .tuple(fc.string({ unit: fc.constantFrom('a', 'b', '.'), minLength: 985, maxLength: 1000 }), domain)
  .map(([l, d]) => `${l}@${d}`);

/** Any UTF-16 code units, including lone surrogates, NUL and other controls. */
const anyUnits = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 80 })
  .map((codes) => String.fromCharCode(...codes));
const emailish = fc
  .array(fc.constantFrom('a', '.', '@', '"', '\\', '(', ')', '[', ']', '<', '>', ' ', ',', ';', ':', 'é', '\u0000', '\r', 'x.com', 'IPv6:', '1'), {
    maxLength: 40,
  })
  .map((parts) => parts.join(''));

function wellFormed(r: ReturnType<typeof analyzeAddress>): void {
  expect(['valid', 'risky', 'invalid', 'unknown']).toContain(r.verdict.status);
  expect(typeof r.verdict.detail).toBe('string');
  expect(r.verdict.detail.length).toBeGreaterThan(0);
  if (r.verdict.status === 'invalid') {
    expect(r.verdict.address).toBeNull();
    expect(r.domain).toBeNull();
  }
}

describe('address engine properties', () => {
  it('never throws on any string', () => {
    const input = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), anyUnits, emailish, mutated);
    fc.assert(
      fc.property(input, (s) => {
        wellFormed(analyzeAddress(s));
        wellFormed(analyzeAddressFull(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on big strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 900, maxLength: 3000 }), emailish, (big, tail) => {
        wellFormed(analyzeAddress(big + tail));
        wellFormed(analyzeAddress(tail + big));
      }),
      { numRuns: 50 },
    );
  });

  it('normalization is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(validAddress, mutated, emailish), (s) => {
        const first = analyzeAddress(s).verdict.address;
        if (first === null) return;
        expect(analyzeAddress(first).verdict.address).toBe(first);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts every address built from valid parts', () => {
    fc.assert(
      fc.property(validAddress, (s) => {
        const v = analyzeAddress(s).verdict;
        expect(v.status, `${s}: ${v.detail}`).not.toBe('invalid');
        expect(v.address).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });

  it('the fast path agrees with the full parser wherever it decides', () => {
    let decided = 0;
    fc.assert(
      fc.property(fc.oneof(validAddress, mutated, longPlain), (s) => {
        const fast = analyzeAddressFast(s);
        if (fast === undefined) return;
        decided++;
        expect(fast).toEqual(analyzeAddressFull(s));
      }),
      { numRuns: 3000 },
    );
    // the generator must actually exercise the fast path
    expect(decided).toBeGreaterThan(1000);
  });

  it('the fast path\'s scanner accepts exactly what its pattern matches, and splits at the same @', () => {
    // Strings over the characters that matter (atext, dots, @, LDH, and some that must be refused).
    const text = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '-', '.', '@', '+', '_', '!', '~', '`', ' ', '"', '(', ',', 'é', '\u0000', '\u00ff'), maxLength: 14 });
    let matched = 0;
    fc.assert(
      fc.property(fc.oneof(text, validAddress, mutated), (s) => {
        const m = FAST_PATTERN.exec(s);
        const at = plainAt(s);
        if (m === null) {
          expect(at, s).toBe(-1);
          return;
        }
        matched++;
        expect(at, s).toBe(m[1]!.length);
        expect([s.slice(0, at), s.slice(at + 1)]).toEqual([m[1], m[2]]);
      }),
      { numRuns: 5000 },
    );
    expect(matched).toBeGreaterThan(500);
  });

  it('the scan\'s shortcut past the RFC 5322 parser gives the verdict the parser path gives', () => {
    // Quoted local parts (qtext, quoted pairs, spaces and what must be refused), non-ASCII and
    // underscores in either part, comments and literals: the shapes the shortcut does or must not take.
    const quotedText = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '\t', '\\', '"', '!', '#', '[', ']', '(', ')', '@', '.', ',', 'é', '\u00ff', '\u3042', '\u007f'), maxLength: 12 });
    const quoted = fc
      .tuple(quotedText, fc.constantFrom('', '.x', 'x.'), domain)
      .map(([text, tail, d]) => (tail === 'x.' ? `x."${text}"@${d}` : `"${text}"${tail}@${d}`));
    const unusual = fc
      .tuple(localPart, fc.constantFrom('', 'é', 'ü.', '_', '(c)', '\u00df'), domain, fc.constantFrom('', '_x', 'ö', '(c)', '.[1.2.3.4]'))
      .map(([l, extra, d, tail]) => `${l}${extra}@${d}${tail}`);
    let shortcut = 0;
    fc.assert(
      fc.property(fc.oneof(quoted, unusual, mutated, emailish, anyUnits), (s) => {
        const scan = scanAddrSpec(s.trim());
        if (scan.ok && scan.grammatical && plainAt(s.trim()) < 0) shortcut++;
        expect(analyzeAddressFull(s), s).toEqual(analyzeAddressFull(s, 'always'));
        expect(analyzeAddress(s), s).toEqual(analyzeAddressFull(s, 'always'));
      }),
      { numRuns: 5000 },
    );
    // the generators must actually exercise the shortcut
    expect(shortcut).toBeGreaterThan(500);
  });
});
