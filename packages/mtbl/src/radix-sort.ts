/**
 * Stable order of latin1 keys (one char per byte) in byte order, for the sorter.
 *
 * A comparison sort over millions of keys spends its time on cache misses: every comparison
 * fetches two strings from random places in the heap, about 2·log2(n) fetches per key. This sort
 * reads each key once per chunk instead: it extracts a chunk of bytes [d, d+4w) of every key in a
 * range into w 32-bit words, LSD-radix-sorts the range on them (passes whose digit is the same
 * everywhere skipped), then handles each run of equal chunks one chunk deeper. The first chunk is
 * wide (16 bytes): the keys are still in insertion order then, so reading them is sequential and
 * cheap, and passive-DNS keys share long prefixes (entry type, TLD, zone). Deeper chunks are 8
 * bytes. Small ranges, and runs where a key ends inside the chunk, go to a comparison sort on the
 * strings (V8 compares one-byte strings natively).
 *
 * Ties (equal keys) keep index order, so equal keys come out in insertion order.
 */

const SMALL = 64;
const BIG = 1 << 16;
const FIRST_WORDS = 4;
const DEEP_WORDS = 2;

/** Indices 0..n-1 of `keys`, ordered by key bytes, equal keys by index. */
export function latin1Order(keys: readonly string[]): Uint32Array {
  const n = keys.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n < 2) return order;
  if (n <= SMALL) {
    compareSort(keys, order, 0, n);
    return order;
  }
  const s = new ChunkSorter(keys, n);
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

/** Comparison sort of order[lo, hi) on whole keys, ties by index. */
function compareSort(keys: readonly string[], order: Uint32Array, lo: number, hi: number): void {
  order.subarray(lo, hi).sort((x, y) => {
    const p = keys[x] as string;
    const q = keys[y] as string;
    return p < q ? -1 : p > q ? 1 : x - y;
  });
}

class ChunkSorter {
  readonly #keys: readonly string[];
  // scratch, sized for the whole input once: chunk words (most significant first), one
  // counting-sort target shared by every array, each element's destination, the digit counters
  // (7 words per key with the order itself: 28 bytes, outside the JS heap, while a run is sorted)
  readonly #words: Uint32Array[] = [];
  readonly #tmp: Uint32Array;
  readonly #ti: Uint32Array;
  readonly #count = new Uint32Array(1 << 16);

  constructor(keys: readonly string[], n: number) {
    this.#keys = keys;
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
    const words = this.#words;
    const width = 4 * nw;
    // a key that ends inside this chunk is padded with zero bytes, which cannot tell "ab" from
    // "ab\0": runs holding such a key are finished by whole-key comparison
    let anyShort = false;
    for (let i = lo; i < hi; i++) {
      const k = keys[order[i] as number] as string;
      const len = k.length;
      if (len <= depth + width) anyShort = true;
      for (let w = 0, p = depth; w < nw; w++, p += 4) {
        let x: number;
        if (p + 4 <= len) x = (k.charCodeAt(p) << 24) | (k.charCodeAt(p + 1) << 16) | (k.charCodeAt(p + 2) << 8) | k.charCodeAt(p + 3);
        else {
          x = 0;
          for (let j = 0; j < 4; j++) if (p + j < len) x |= k.charCodeAt(p + j) << (24 - 8 * j);
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
          for (let j = start; j < i && !short; j++) short = (keys[order[j] as number] as string).length <= depth + width;
        }
        if (short || n <= SMALL) compareSort(keys, order, start, i);
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
