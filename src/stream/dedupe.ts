/**
 * The duplicate index: which normalized addresses this run has already kept.
 *
 * A Set<string> of 10 million addresses costs well over 1 GB (string headers, the strings themselves,
 * hash-table entries). Here each address is reduced to a 64-bit fingerprint, two independent 32-bit
 * hashes over the UTF-16 code units of the lower-cased address (FNV-1a and a murmur3-style mix), and
 * the fingerprints live in an open-addressing table made of typed arrays, with linear probing:
 *
 *   - one Uint32Array, 3 words per slot, [fnv, murmur, value] side by side, so that a probe and the
 *     insert or the answer after it touch one cache line (with the values in an array of their own,
 *     each new address cost a second cache miss: 1M inserts into a 24 MB table are mostly misses);
 *     fnv === 0 marks an empty slot (a real fnv of 0 is stored as 1);
 *   - value: a number the caller attaches to the first occurrence (the stream stores its row or line
 *     so a duplicate can say which row it repeats).
 *
 * That is 12 bytes per slot. The table doubles when it is 3/4 full, so between growths it holds
 * 12 / 0.75 = 16 to 12 / 0.375 = 32 bytes per distinct address. At 10 million addresses the table has
 * 2^24 slots = 201 MB, 20.1 bytes per address. While growing, the old and the new table briefly coexist
 * (1.5x the new table's size), unless reserve() sized the table up front (scrubCsv does, from the file size).
 *
 * The price of fingerprints: two different addresses with the same 64 bits would be taken for
 * duplicates, the later one reported as a duplicate of the earlier. With n distinct addresses the chance
 * of any such collision is about n^2 / 2^65: 3e-12 for 10 thousand, 3e-8 for 1 million, 3e-6 for 10
 * million. We accept that instead of storing the strings.
 */

const MAX_LOAD = 0.75;
/** reserve() goes no further than this: 2^25 slots, 384 MB, room for 25 million addresses. */
const MAX_RESERVED_SLOTS = 2 ** 25;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Final avalanche of murmur3: every input bit affects every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Scratch output of fingerprint(): a pair without allocating a pair per address. */
let fpFnv = 0;
let fpMurmur = 0;

/**
 * Hash `text` case-insensitively into fpFnv/fpMurmur. ASCII is folded in the loop (no lower-cased copy
 * for the common case); a string with any non-ASCII code unit is hashed via toLowerCase(), which gives
 * the same result for its ASCII parts, so both paths agree whenever the lower-cased strings agree.
 */
function fingerprint(text: string, lowered = false): void {
  let fnv = FNV_OFFSET;
  let murmur = 0x9747b28c;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0x80 && !lowered) {
      fingerprint(text.toLowerCase(), true);
      return;
    }
    if (c >= 0x41 && c <= 0x5a && !lowered) c += 0x20;
    fnv = Math.imul(fnv ^ c, FNV_PRIME);
    // murmur3 body step, one code unit at a time.
    let k = Math.imul(c, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    murmur ^= k;
    murmur = (murmur << 13) | (murmur >>> 19);
    murmur = (Math.imul(murmur, 5) + 0xe6546b64) | 0;
  }
  fpFnv = fmix32(fnv ^ length) || 1;
  fpMurmur = fmix32(murmur ^ length);
}

/** The fingerprint of an address, for tests and tools. */
export function fingerprintOf(address: string): [number, number] {
  fingerprint(address);
  return [fpFnv, fpMurmur];
}

export class DedupeSet {
  /** [fnv, murmur, value] per slot. */
  private table: Uint32Array;
  private mask: number;
  private count = 0;
  private limit: number;
  /** Scratch for insertBatch(). */
  private batchFnv = new Uint32Array(0);
  private batchMurmur = new Uint32Array(0);
  private touched = 0;

  /** `capacity` is rounded up to a power of two (at least 16). */
  constructor(capacity = 1024) {
    let slots = 16;
    while (slots < capacity) slots *= 2;
    this.table = new Uint32Array(slots * 3);
    this.mask = slots - 1;
    this.limit = Math.floor(slots * MAX_LOAD);
  }

  /** Distinct addresses stored. */
  get size(): number {
    return this.count;
  }

  /** Add an address (case-insensitive). True if it was not there yet. */
  add(address: string): boolean {
    return this.insert(address, 0) === -1;
  }

  /** True if the address (case-insensitive) was added before. */
  has(address: string): boolean {
    fingerprint(address);
    return this.find(fpFnv, fpMurmur) >= 0;
  }

  /**
   * Add an address with a value (0..2^32-1) for its first occurrence. Returns -1 if the address is
   * new, or the value stored by its first occurrence.
   */
  insert(address: string, value: number): number {
    fingerprint(address);
    return this.insertFingerprint(fpFnv, fpMurmur, value);
  }

  /**
   * insert() for many addresses at once, in order: results[i] is what insert(addresses[i], values[i])
   * would have returned, called one after the other. Faster on a large table: the fingerprints are
   * computed first, then every home slot is read in one tight loop, so the cache and TLB misses (one
   * per new address, ~400 ns each on a busy VM) overlap instead of queueing, and the inserts then
   * find their slots cached.
   */
  insertBatch(addresses: readonly string[], values: readonly number[], results: Int32Array): void {
    const count = addresses.length;
    if (this.batchFnv.length < count) {
      this.batchFnv = new Uint32Array(count);
      this.batchMurmur = new Uint32Array(count);
    }
    const fnvs = this.batchFnv;
    const murmurs = this.batchMurmur;
    for (let i = 0; i < count; i++) {
      fingerprint(addresses[i] as string);
      fnvs[i] = fpFnv;
      murmurs[i] = fpMurmur;
    }
    const table = this.table;
    const mask = this.mask;
    let touched = 0;
    for (let i = 0; i < count; i++) touched ^= table[((murmurs[i] as number) & mask) * 3] as number;
    this.touched = touched; // keeps the reads from being optimized away
    for (let i = 0; i < count; i++) results[i] = this.insertFingerprint(fnvs[i] as number, murmurs[i] as number, values[i] as number);
  }

  /** insert() on a precomputed fingerprint; `fnv` must not be 0. Exposed so tests can force collisions. */
  insertFingerprint(fnv: number, murmur: number, value: number): number {
    const table = this.table;
    let slot = murmur & this.mask;
    for (;;) {
      const at = slot * 3;
      const stored = table[at];
      if (stored === 0) break;
      if (stored === fnv && table[at + 1] === murmur) return table[at + 2] as number;
      slot = (slot + 1) & this.mask;
    }
    const at = slot * 3;
    table[at] = fnv;
    table[at + 1] = murmur;
    table[at + 2] = value;
    if (++this.count > this.limit) this.grow();
    return -1;
  }

  /**
   * Make room for `addresses` distinct addresses up front (no growth, and none of the old + new
   * tables side by side that growing costs, until there are more). At most MAX_RESERVED_SLOTS slots
   * are reserved; past that the table grows as usual. Never shrinks the table.
   */
  reserve(addresses: number): void {
    if (!(addresses > 0)) return;
    let slots = this.mask + 1;
    while (Math.floor(slots * MAX_LOAD) < addresses && slots < MAX_RESERVED_SLOTS) slots *= 2;
    if (slots > this.mask + 1) this.resize(slots);
  }

  /** Table bytes (12 a slot). */
  memoryBytes(): number {
    return this.table.byteLength;
  }

  /** Table bytes per distinct address stored (the table's size when empty). */
  bytesPerEntry(): number {
    return this.count === 0 ? this.memoryBytes() : this.memoryBytes() / this.count;
  }

  /** Slots in the table (a power of two). */
  capacity(): number {
    return this.mask + 1;
  }

  private find(fnv: number, murmur: number): number {
    const table = this.table;
    let slot = murmur & this.mask;
    for (;;) {
      const stored = table[slot * 3];
      if (stored === 0) return -1;
      if (stored === fnv && table[slot * 3 + 1] === murmur) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  private grow(): void {
    const slots = (this.mask + 1) * 2;
    if (slots * 2 > 2 ** 32) throw new RangeError('DedupeSet is full (2^31 slots).');
    this.resize(slots);
  }

  private resize(slots: number): void {
    const old = this.table;
    this.table = new Uint32Array(slots * 3);
    this.mask = slots - 1;
    this.limit = Math.floor(slots * MAX_LOAD);
    const table = this.table;
    for (let from = 0; from < old.length; from += 3) {
      const fnv = old[from] as number;
      if (fnv === 0) continue;
      const murmur = old[from + 1] as number;
      let slot = murmur & this.mask;
      while (table[slot * 3] !== 0) slot = (slot + 1) & this.mask;
      const at = slot * 3;
      table[at] = fnv;
      table[at + 1] = murmur;
      table[at + 2] = old[from + 2] as number;
    }
  }
}
