/**
 * Stable order of latin1 keys (one char per byte) in byte order, for the sorter.
 *
 * A comparison sort over millions of keys spends its time on cache misses: every comparison
 * fetches two strings from random places in the heap, about 2·log2(n) fetches per key. This sort
 * reads each key once per 8-byte chunk instead: it extracts bytes [d, d+8) of every key in a
 * range into two 32-bit words, LSD-radix-sorts the range on them (16-bit digits, passes whose
 * digit is the same everywhere skipped), then handles each run of equal chunks at depth d+8.
 * Keys that share long prefixes (every dnstable key of one zone) cost one chunk per 8 shared
 * bytes, not one comparison per step. Small ranges, and runs where a key ends inside the chunk,
 * go to a comparison sort on the strings (V8 compares one-byte strings natively).
 *
 * Ties (equal keys) keep index order, so equal keys come out in insertion order.
 */

const SMALL = 64;
const DIGIT = 1 << 16;
const BIG = 1 << 16;

/** Indices 0..n-1 of `keys`, ordered by key bytes, equal keys by index. */
export function latin1Order(keys: readonly string[]): Uint32Array {
  const n = keys.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n < 2) return order;
  const s = new ChunkSorter(keys, n);
  // explicit work stack of (lo, hi, depth): long shared prefixes must not recurse deeply
  const stack: number[] = [0, n, 0];
  while (stack.length > 0) {
    const depth = stack.pop() as number;
    const hi = stack.pop() as number;
    const lo = stack.pop() as number;
    if (hi - lo <= SMALL) s.compareSort(order, lo, hi);
    else s.chunkSort(order, lo, hi, depth, stack);
  }
  return order;
}

class ChunkSorter {
  readonly #keys: readonly string[];
  // scratch, sized for the whole input once
  readonly #a: Uint32Array;
  readonly #b: Uint32Array;
  readonly #ta: Uint32Array;
  readonly #tb: Uint32Array;
  readonly #ti: Uint32Array;
  readonly #count = new Uint32Array(DIGIT);

  constructor(keys: readonly string[], n: number) {
    this.#keys = keys;
    this.#a = new Uint32Array(n);
    this.#b = new Uint32Array(n);
    this.#ta = new Uint32Array(n);
    this.#tb = new Uint32Array(n);
    this.#ti = new Uint32Array(n);
  }

  /** Comparison sort of order[lo, hi) on whole keys, ties by index. */
  compareSort(order: Uint32Array, lo: number, hi: number): void {
    const keys = this.#keys;
    order.subarray(lo, hi).sort((x, y) => {
      const p = keys[x] as string;
      const q = keys[y] as string;
      return p < q ? -1 : p > q ? 1 : x - y;
    });
  }

  /**
   * Sort order[lo, hi) (whose keys share bytes [0, depth)) on bytes [depth, depth+8), then queue
   * each run of equal chunks for the next depth, or for a comparison sort where a key ends.
   */
  chunkSort(order: Uint32Array, lo: number, hi: number, depth: number, stack: number[]): void {
    const keys = this.#keys;
    const a = this.#a;
    const b = this.#b;
    // a run that contains a key ending inside this chunk needs whole-key comparison (padding
    // with zero bytes cannot tell "ab" from "ab\0"): note where keys end
    let anyShort = false;
    for (let i = lo; i < hi; i++) {
      const k = keys[order[i] as number] as string;
      const len = k.length;
      let x = 0;
      let y = 0;
      if (len >= depth + 8) {
        x = ((k.charCodeAt(depth) << 24) | (k.charCodeAt(depth + 1) << 16) | (k.charCodeAt(depth + 2) << 8) | k.charCodeAt(depth + 3)) >>> 0;
        y = ((k.charCodeAt(depth + 4) << 24) | (k.charCodeAt(depth + 5) << 16) | (k.charCodeAt(depth + 6) << 8) | k.charCodeAt(depth + 7)) >>> 0;
      } else {
        anyShort = true;
        for (let j = 0; j < 8; j++) {
          const c = depth + j < len ? k.charCodeAt(depth + j) : 0;
          if (j < 4) x = (x | (c << (24 - 8 * j))) >>> 0;
          else y = (y | (c << (56 - 8 * j))) >>> 0;
        }
      }
      a[i] = x;
      b[i] = y;
    }
    // 16-bit digits for big ranges, 8-bit ones where clearing 65536 counters would dominate
    const bits = hi - lo >= BIG ? 16 : 8;
    for (let shift = 0; shift < 32; shift += bits) this.#pass(order, lo, hi, b, shift, bits, a);
    for (let shift = 0; shift < 32; shift += bits) this.#pass(order, lo, hi, a, shift, bits, b);
    // runs of equal chunks
    let start = lo;
    for (let i = lo + 1; i <= hi; i++) {
      if (i < hi && a[i] === a[start] && b[i] === b[start]) continue;
      if (i - start > 1) {
        let short = false;
        if (anyShort) {
          for (let j = start; j < i; j++) {
            if ((keys[order[j] as number] as string).length <= depth + 8) {
              short = true;
              break;
            }
          }
        }
        if (short || i - start <= SMALL) this.compareSort(order, start, i);
        else stack.push(start, i, depth + 8);
      }
      start = i;
    }
  }

  /**
   * One stable counting-sort pass of order[lo, hi) on `bits` bits of `key` (at `shift`), carrying
   * `other` along; skipped when every element has the same digit.
   */
  #pass(order: Uint32Array, lo: number, hi: number, key: Uint32Array, shift: number, bits: number, other: Uint32Array): void {
    const count = this.#count;
    const digits = 1 << bits;
    const mask = digits - 1;
    count.fill(0, 0, digits);
    for (let i = lo; i < hi; i++) {
      const d = ((key[i] as number) >>> shift) & mask;
      count[d] = (count[d] as number) + 1;
    }
    const first = ((key[lo] as number) >>> shift) & mask;
    if (count[first] === hi - lo) return;
    let sum = lo;
    for (let d = 0; d < digits; d++) {
      const c = count[d] as number;
      count[d] = sum;
      sum += c;
    }
    const ti = this.#ti;
    const tk = key === this.#a ? this.#ta : this.#tb;
    const to = other === this.#a ? this.#ta : this.#tb;
    for (let i = lo; i < hi; i++) {
      const kv = key[i] as number;
      const d = (kv >>> shift) & mask;
      const p = count[d] as number;
      count[d] = p + 1;
      ti[p] = order[i] as number;
      tk[p] = kv;
      to[p] = other[i] as number;
    }
    order.set(ti.subarray(lo, hi), lo);
    key.set(tk.subarray(lo, hi), lo);
    other.set(to.subarray(lo, hi), lo);
  }
}
