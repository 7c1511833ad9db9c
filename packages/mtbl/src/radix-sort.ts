/**
 * Stable order of byte keys held in one arena (key i is arena[off[i], off[i] + len[i])), in byte
 * order, for the sorter.
 *
 * A comparison sort over millions of keys spends its time on cache misses: every comparison
 * fetches two keys from random places in the arena, about 2·log2(n) fetches per key. This sort
 * reads each key once per chunk instead: it extracts a chunk of bytes [d, d+4w) of every key in a
 * range into w 32-bit words, LSD-radix-sorts the range on them (passes whose digit is the same
 * everywhere skipped), then handles each run of equal chunks one chunk deeper. The first chunk is
 * wide (16 bytes): the keys are still in insertion order then, so reading them is sequential and
 * cheap, and passive-DNS keys share long prefixes (entry type, TLD, zone). Deeper chunks are 8
 * bytes. Small ranges, and runs where a key ends inside the chunk, go to a comparison sort on the
 * bytes past the shared prefix.
 *
 * Ties (equal keys) keep index order, so equal keys come out in insertion order.
 */

const SMALL = 64;
const BIG = 1 << 16;
const FIRST_WORDS = 4;
const DEEP_WORDS = 2;

/** The keys an order is taken of: n keys, key i at arena[off[i], off[i] + len[i]). */
export interface ArenaKeys {
  arena: Uint8Array;
  off: Uint32Array;
  len: Uint32Array;
  n: number;
}

/** Indices 0..n-1 of the keys, ordered by key bytes, equal keys by index. */
export function byteOrder(keys: ArenaKeys): Uint32Array {
  const n = keys.n;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n < 2) return order;
  if (n <= SMALL) {
    compareSort(keys, order, 0, n, 0);
    return order;
  }
  const s = new ChunkSorter(keys);
  // explicit work stack of (lo, hi, depth): long shared prefixes must not recurse deeply
  const stack: number[] = [];
  s.chunkSort(order, 0, n, 0, FIRST_WORDS, stack);
  while (stack.length > 0) {
    const depth = stack.pop() as number;
    const hi = stack.pop() as number;
    const lo = stack.pop() as number;
    s.chunkSort(order, lo, hi, depth, DEEP_WORDS, stack);
  }
  return order;
}

/** Compare a[ao, ao + al) with b[bo, bo + bl) in byte order. */
export function compareRange(a: Uint8Array, ao: number, al: number, b: Uint8Array, bo: number, bl: number): number {
  const n = Math.min(al, bl);
  for (let i = 0; i < n; i++) {
    const d = (a[ao + i] as number) - (b[bo + i] as number);
    if (d !== 0) return d;
  }
  return al - bl;
}

/** Comparison sort of order[lo, hi) (keys sharing bytes [0, depth)) on whole keys, ties by index. */
function compareSort(keys: ArenaKeys, order: Uint32Array, lo: number, hi: number, depth: number): void {
  const { arena, off, len } = keys;
  order.subarray(lo, hi).sort((x, y) => {
    const lx = len[x] as number;
    const ly = len[y] as number;
    const c = compareRange(arena, (off[x] as number) + depth, lx - depth, arena, (off[y] as number) + depth, ly - depth);
    return c !== 0 ? c : x - y;
  });
}

class ChunkSorter {
  readonly #keys: ArenaKeys;
  // scratch, sized for the whole input once: chunk words (most significant first), one
  // counting-sort target shared by every array, each element's destination, the digit counters
  // (7 words per key with the order itself: 28 bytes, outside the JS heap, while a run is sorted)
  readonly #words: Uint32Array[] = [];
  readonly #tmp: Uint32Array;
  readonly #ti: Uint32Array;
  readonly #count = new Uint32Array(1 << 16);

  constructor(keys: ArenaKeys) {
    this.#keys = keys;
    const n = keys.n;
    for (let w = 0; w < FIRST_WORDS; w++) this.#words.push(new Uint32Array(n));
    this.#tmp = new Uint32Array(n);
    this.#ti = new Uint32Array(n);
  }

  /**
   * Sort order[lo, hi) (whose keys share bytes [0, depth)) on the next `nw` words of key bytes,
   * then push each longer run of equal chunks for the next depth, or comparison-sort it.
   */
  chunkSort(order: Uint32Array, lo: number, hi: number, depth: number, nw: number, stack: number[]): void {
    const keys = this.#keys;
    const { arena, off, len: lens } = keys;
    const words = this.#words;
    const width = 4 * nw;
    // a key that ends inside this chunk is padded with zero bytes, which cannot tell "ab" from
    // "ab\0": runs holding such a key are finished by whole-key comparison
    let anyShort = false;
    for (let i = lo; i < hi; i++) {
      const e = order[i] as number;
      const o = off[e] as number;
      const len = lens[e] as number;
      if (len <= depth + width) anyShort = true;
      for (let w = 0, p = depth; w < nw; w++, p += 4) {
        let x: number;
        if (p + 4 <= len)
          x =
            ((arena[o + p] as number) << 24) |
            ((arena[o + p + 1] as number) << 16) |
            ((arena[o + p + 2] as number) << 8) |
            (arena[o + p + 3] as number);
        else {
          x = 0;
          for (let j = 0; j < 4; j++) if (p + j < len) x |= (arena[o + p + j] as number) << (24 - 8 * j);
        }
        (words[w] as Uint32Array)[i] = x >>> 0;
      }
    }
    // 16-bit digits for big ranges, 8-bit ones where clearing 65536 counters would dominate
    const bits = hi - lo >= BIG ? 16 : 8;
    for (let w = nw - 1; w >= 0; w--) for (let shift = 0; shift < 32; shift += bits) this.#pass(order, lo, hi, w, nw, shift, bits);
    // runs of equal chunks
    let start = lo;
    for (let i = lo + 1; i <= hi; i++) {
      if (i < hi && this.#sameChunk(start, i, nw)) continue;
      const n = i - start;
      if (n > 1) {
        let short = false;
        if (anyShort) {
          for (let j = start; j < i && !short; j++) short = (lens[order[j] as number] as number) <= depth + width;
        }
        if (short || n <= SMALL) compareSort(keys, order, start, i, depth);
        else stack.push(start, i, depth + width);
      }
      start = i;
    }
  }

  #sameChunk(a: number, b: number, nw: number): boolean {
    for (let w = 0; w < nw; w++) {
      const words = this.#words[w] as Uint32Array;
      if (words[a] !== words[b]) return false;
    }
    return true;
  }

  /**
   * One stable counting-sort pass of order[lo, hi) on `bits` bits (at `shift`) of word `kw`,
   * carrying the other words along; skipped when every element has the same digit.
   */
  #pass(order: Uint32Array, lo: number, hi: number, kw: number, nw: number, shift: number, bits: number): void {
    const key = this.#words[kw] as Uint32Array;
    const count = this.#count;
    const digits = 1 << bits;
    const mask = digits - 1;
    count.fill(0, 0, digits);
    for (let i = lo; i < hi; i++) {
      const d = ((key[i] as number) >>> shift) & mask;
      count[d] = (count[d] as number) + 1;
    }
    if (count[((key[lo] as number) >>> shift) & mask] === hi - lo) return;
    let sum = lo;
    for (let d = 0; d < digits; d++) {
      const c = count[d] as number;
      count[d] = sum;
      sum += c;
    }
    // where each element goes, kept in the order target; then every array follows it
    const ti = this.#ti;
    for (let i = lo; i < hi; i++) {
      const d = ((key[i] as number) >>> shift) & mask;
      const p = count[d] as number;
      count[d] = p + 1;
      ti[i] = p;
    }
    for (let w = 0; w < nw; w++) this.#scatter(this.#words[w] as Uint32Array, lo, hi);
    this.#scatter(order, lo, hi);
  }

  /** Move arr[i] to arr[ti[i]] for i in [lo, hi), through the shared target. */
  #scatter(arr: Uint32Array, lo: number, hi: number): void {
    const ti = this.#ti;
    const tmp = this.#tmp;
    for (let i = lo; i < hi; i++) tmp[ti[i] as number] = arr[i] as number;
    arr.set(tmp.subarray(lo, hi), lo);
  }
}
