import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DedupeSet, fingerprintOf } from '../../src/stream/dedupe.js';

describe('DedupeSet', () => {
  it('stores many distinct addresses through several growths, within 32 bytes each', () => {
    const set = new DedupeSet(16);
    const n = 200_000;
    let added = 0;
    for (let i = 0; i < n; i++) if (set.add(`user${i}@example${i % 97}.com`)) added += 1;
    expect(added).toBe(n);
    expect(set.size).toBe(n);
    let again = 0;
    for (let i = 0; i < n; i += 7) if (set.add(`USER${i}@Example${i % 97}.COM`)) again += 1;
    expect(again).toBe(0);
    expect(set.size).toBe(n);
    expect(set.has('user5@example5.com')).toBe(true);
    expect(set.has('user5@example6.com')).toBe(false);
    // 2^18 slots: 200k / 262144 = 0.76 > 3/4 would have grown, so 2^19 slots, 12 bytes each.
    expect(set.capacity()).toBe(2 ** 19);
    expect(set.memoryBytes()).toBe(2 ** 19 * 12);
    expect(set.bytesPerEntry()).toBeLessThanOrEqual(32);
  });

  it('returns the value stored with the first occurrence', () => {
    const set = new DedupeSet();
    expect(set.insert('a@x.com', 1)).toBe(-1);
    expect(set.insert('b@x.com', 2)).toBe(-1);
    expect(set.insert('A@X.COM', 3)).toBe(1);
    expect(set.insert('b@x.com', 4)).toBe(2);
    expect(set.insert('c@x.com', 0xffffffff)).toBe(-1);
    expect(set.insert('C@x.com', 5)).toBe(0xffffffff);
  });

  it('folds case over the whole address, non-ASCII included, and nothing else', () => {
    const set = new DedupeSet();
    expect(set.add('Émile@Exemple.fr')).toBe(true);
    expect(set.add('émile@exemple.FR')).toBe(false);
    expect(set.add('emile@exemple.fr')).toBe(true);
    expect(set.add(' émile@exemple.fr')).toBe(true);
    expect(fingerprintOf('ABC@X.COM')).toEqual(fingerprintOf('abc@x.com'));
    expect(fingerprintOf('ÄBC@X.COM')).toEqual(fingerprintOf('äbc@x.com'));
    expect(fingerprintOf('')).toEqual(fingerprintOf(''));
    expect(fingerprintOf('a')[0]).not.toBe(0);
  });

  it('probes past colliding slots, wraps around the end of the table, and keeps them through growth', () => {
    const set = new DedupeSet(16);
    const last = set.capacity() - 1;
    // Same home slot (the murmur half decides it), different fingerprints.
    expect(set.insertFingerprint(1, last, 10)).toBe(-1);
    expect(set.insertFingerprint(2, last, 20)).toBe(-1); // wraps to slot 0
    expect(set.insertFingerprint(3, last, 30)).toBe(-1); // slot 1
    expect(set.insertFingerprint(1, last + 16, 40)).toBe(-1); // same slot, same fnv, other murmur
    expect(set.insertFingerprint(2, last, 99)).toBe(20);
    expect(set.insertFingerprint(3, last, 99)).toBe(30);
    expect(set.insertFingerprint(1, last + 16, 99)).toBe(40);
    expect(set.size).toBe(4);
    // Fill past 3/4 with more colliders on slot 0: all must survive the rehash into 32 slots.
    for (let i = 0; i < 10; i++) expect(set.insertFingerprint(100 + i, 0, i)).toBe(-1);
    expect(set.capacity()).toBe(32);
    expect(set.insertFingerprint(1, last, 99)).toBe(10);
    expect(set.insertFingerprint(2, last, 99)).toBe(20);
    expect(set.insertFingerprint(3, last, 99)).toBe(30);
    expect(set.insertFingerprint(1, last + 16, 99)).toBe(40);
    for (let i = 0; i < 10; i++) expect(set.insertFingerprint(100 + i, 0, 99)).toBe(i);
    expect(set.size).toBe(14);
  });

  it('agrees with a Set of lower-cased strings on random data', () => {
    const address = fc.stringMatching(/^[a-cA-CéÉ]{0,3}@[xyXY]{1,2}$/);
    fc.assert(
      fc.property(fc.array(address, { maxLength: 300 }), fc.integer({ min: 1, max: 64 }), (addresses, capacity) => {
        const set = new DedupeSet(capacity);
        const model = new Set<string>();
        for (const item of addresses) {
          const key = item.toLowerCase();
          expect(set.add(item)).toBe(!model.has(key));
          model.add(key);
        }
        expect(set.size).toBe(model.size);
      }),
      { numRuns: 300 },
    );
  });

  it('insertBatch gives what insert() one at a time gives, however the addresses are batched (and grows the same)', () => {
    const address = fc.stringMatching(/^[a-cA-CéÉ]{0,3}@[xyXY]{1,2}$/);
    fc.assert(
      fc.property(
        fc.array(address, { maxLength: 300 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 64 }),
        (addresses, sizes, capacity) => {
          const one = new DedupeSet(capacity);
          const expected = addresses.map((a, i) => one.insert(a, i + 1));
          const batched = new DedupeSet(capacity);
          const got: number[] = [];
          for (let at = 0, k = 0; at < addresses.length; k++) {
            const size = sizes[k % sizes.length]!;
            const slice = addresses.slice(at, at + size);
            const results = new Int32Array(slice.length);
            batched.insertBatch(slice, slice.map((_, i) => at + i + 1), results);
            got.push(...results);
            at += size;
          }
          expect(got).toEqual(expected);
          expect(batched.size).toBe(one.size);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('has no fingerprint collisions among a million similar addresses', () => {
    // A sanity check of the hashes (a collision here would have odds of about 1e-8).
    const set = new DedupeSet();
    for (let i = 0; i < 1_000_000; i++) set.add(`a${i}@b.c`);
    expect(set.size).toBe(1_000_000);
  });
});
