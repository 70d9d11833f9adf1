// The clusters the fleet aggregator holds, laid out for the graph answer path at 100,000 clusters: a cluster is a slot
// number, its id four 32-bit words in a hash table of typed arrays, its times in a Float64Array, its strings (shared,
// interned by the aggregator) in one array. Why not a Map<string, object>: measured in `kus serve` at 100,000 distinct
// ids, recording cost ~7 µs per poll that way, and it stayed with the store writes switched off: the cost was the held
// clusters themselves. What they cost per poll is cache misses (the Map's buckets, the id string, the object, and one
// boxed HeapNumber per time field, since V8 does not store doubles in objects unboxed), and for the collector ~500,000
// long-lived objects to mark at every major collection. Here a lookup reads one table row, and the collector sees a
// handful of arrays (docs/fleet.md has the figures before and after). No library offers a hash table keyed by fixed-size binary keys in typed arrays
// (mnemonist's maps hold JS values); the table is plain linear probing, kept at most half full.
import { randomInt } from 'node:crypto';

/** Parses a UUID (either case) into `out` (four words); false when the text is not one. */
export function parseClusterId(text: string | undefined, out: Int32Array): boolean {
  if (text === undefined || text.length !== 36) return false;
  let word = 0;
  let digits = 0;
  for (let i = 0; i < 36; i++) {
    const c = text.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return false;
      continue;
    }
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
    else return false;
    word = (word << 4) | d;
    if (++digits % 8 === 0) {
      out[digits / 8 - 1] = word;
      word = 0;
    }
  }
  return true;
}

const HEX = '0123456789abcdef';

/** The canonical (lower-case) text of the id in `words` at `at`. */
export function formatClusterId(words: Int32Array, at: number): string {
  let hex = '';
  for (let k = 0; k < 4; k++) {
    const w = words[at + k]!;
    for (let shift = 28; shift >= 0; shift -= 4) hex += HEX[(w >>> shift) & 15];
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Per-slot times (Float64Array, stride TIMES). */
export const LAST_SEEN = 0;
/** lastSeen as last handed to the store (0: never). */
export const WRITTEN = 1;
/** The first poll since the last write was handed over (-1: none). */
export const FIRST_SEEN = 2;
const TIMES = 3;

/** Per-slot strings (one array, stride REFS). */
export const VERSION = 0;
export const CHANNEL = 1;
export const ARCH = 2;
export const USER_AGENT = 3;
/** The version of the first poll since the last write. */
export const FIRST_VERSION = 4;
const REFS = 5;

/**
 * A table row: the id's four words, then its slot plus one (0: a free row, so that the zero-filled table is free and
 * its pages are not resident until rows are used). One row is all a lookup reads.
 */
const ROW = 5;

export class HeldClusters {
  readonly times: Float64Array;
  readonly refs: (string | null)[];
  /** What the slot waits for (the aggregator's CLEAN, MUST, REFRESH); 0 when nothing. */
  readonly dirty: Uint8Array;
  /** The write that last took the slot (a cluster whose write is not committed yet is not evicted). */
  readonly write: Int32Array;
  /** The id of each slot, four words. */
  readonly ids: Int32Array;
  readonly used: Uint8Array;
  private readonly table: Int32Array;
  private readonly mask: number;
  /** Slots let go of, to reuse; then slots never used, from `fresh` on (memory grows with the clusters held). */
  private readonly free: Int32Array;
  private freeCount = 0;
  private fresh = 0;
  /**
   * A random seed per process: anyone can send ids, and a fixed hash would let a client choose ids that all probe the
   * same run of the table.
   */
  private readonly seed = randomInt(0, 2 ** 31);
  size = 0;

  constructor(readonly capacity: number) {
    let tableSize = 16;
    while (tableSize < capacity * 2) tableSize *= 2;
    this.table = new Int32Array(tableSize * ROW);
    this.mask = tableSize - 1;
    this.times = new Float64Array(capacity * TIMES);
    this.refs = [];
    this.dirty = new Uint8Array(capacity);
    this.write = new Int32Array(capacity);
    this.ids = new Int32Array(capacity * 4);
    this.used = new Uint8Array(capacity);
    this.free = new Int32Array(capacity);
  }

  /** The slot of the id in `words` (four words at 0), or -1. */
  find(words: Int32Array): number {
    const w0 = words[0]!, w1 = words[1]!, w2 = words[2]!, w3 = words[3]!;
    const t = this.table;
    for (let i = this.home(w0, w1, w2, w3); ; i = (i + 1) & this.mask) {
      const r = i * ROW;
      const slot = t[r + 4]!;
      if (slot === 0) return -1;
      if (t[r] === w0 && t[r + 1] === w1 && t[r + 2] === w2 && t[r + 3] === w3) return slot - 1;
    }
  }

  /** Adds the id in `words` (not held, and size < capacity) and returns its slot, its times zero and strings null. */
  add(words: Int32Array): number {
    let slot: number;
    if (this.freeCount > 0) {
      slot = this.free[--this.freeCount]!;
    } else {
      slot = this.fresh++;
      // Pushed, not preallocated: the array stays packed and as long as the most clusters ever held.
      for (let k = 0; k < REFS; k++) this.refs.push(null);
    }
    const key = words.subarray(0, 4);
    this.ids.set(key, slot * 4);
    let i = this.home(words[0]!, words[1]!, words[2]!, words[3]!);
    while (this.table[i * ROW + 4] !== 0) i = (i + 1) & this.mask;
    this.table.set(key, i * ROW);
    this.table[i * ROW + 4] = slot + 1;
    this.used[slot] = 1;
    this.size++;
    return slot;
  }

  /** Lets go of a slot (its strings released for the collector). */
  remove(slot: number): void {
    const t = this.table;
    const k = slot * 4;
    let i = this.home(this.ids[k]!, this.ids[k + 1]!, this.ids[k + 2]!, this.ids[k + 3]!);
    while (t[i * ROW + 4] !== slot + 1) i = (i + 1) & this.mask;
    // Backward-shift deletion: later members of the run move into the hole when their home allows, so no tombstones
    // accumulate and lookups stay as short as the load factor says.
    let hole = i;
    for (let j = (i + 1) & this.mask; t[j * ROW + 4] !== 0; j = (j + 1) & this.mask) {
      const r = j * ROW;
      const home = this.home(t[r]!, t[r + 1]!, t[r + 2]!, t[r + 3]!);
      // Movable when its home is not within (hole, j] going round the table.
      if (((j - home) & this.mask) >= ((j - hole) & this.mask)) {
        t.copyWithin(hole * ROW, r, r + ROW);
        hole = j;
      }
    }
    t[hole * ROW + 4] = 0;
    this.used[slot] = 0;
    this.dirty[slot] = 0;
    this.write[slot] = 0;
    this.times.fill(0, slot * TIMES, slot * TIMES + TIMES);
    this.refs.fill(null, slot * REFS, slot * REFS + REFS);
    this.free[this.freeCount++] = slot;
    this.size--;
  }

  /** Slots ever used (those at and past it never were): the range to scan for held clusters. */
  get slots(): number {
    return this.fresh;
  }

  id(slot: number): string {
    return formatClusterId(this.ids, slot * 4);
  }

  time(slot: number, field: number): number {
    return this.times[slot * TIMES + field]!;
  }

  setTime(slot: number, field: number, value: number): void {
    this.times[slot * TIMES + field] = value;
  }

  ref(slot: number, field: number): string | null {
    return this.refs[slot * REFS + field]!;
  }

  setRef(slot: number, field: number, value: string | null): void {
    this.refs[slot * REFS + field] = value;
  }

  private home(w0: number, w1: number, w2: number, w3: number): number {
    // Each word folded in with the multiply-xorshift steps of Murmur3's 32-bit finalizer, from a random seed.
    let h = this.seed ^ w0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) ^ w1;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) ^ w2;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) ^ w3;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) & this.mask;
  }
}
