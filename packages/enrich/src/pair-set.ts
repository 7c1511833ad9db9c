/**
 * The (rrname, address) pairs a process has stamped, bounded: two generations (as SeenMap: at most
 * `max` pairs; a pair added or found within the last max/2 additions is held), each an
 * open-addressing table of 64-bit hashes in one Uint32Array. A lookup builds nothing and touches
 * one or two cache lines per generation: with hundreds of thousands of pairs, a Map of strings
 * (or of numbers with the bytes kept to compare) spent 2–3 µs a lookup in cache misses alone on a
 * busy machine.
 *
 * The hash is of the name folded to lower case and the address; pairs are told apart by their
 * 64 bits only. Two pairs with one hash (about one chance in 2^64 / max per lookup, 3·10^-14 at the
 * default size) would make the second look stamped while the first is held: it is then stamped
 * at an observation after the first is forgotten, and unstamped until then — never stamped wrong.
 */
export class PairSet {
  readonly #half: number;
  readonly #cap: number;
  #young: Table;
  #old: Table;

  constructor(max: number) {
    this.#half = Math.max(1, max >> 1);
    // at most half full: probes stay short
    this.#cap = 2 ** Math.ceil(Math.log2(2 * this.#half + 1));
    this.#young = new Table(this.#cap);
    this.#old = new Table(this.#cap);
  }

  get size(): number {
    return this.#young.size + this.#old.size;
  }

  has(rrname: Uint8Array, address: Uint8Array): boolean {
    hashPair(rrname, address);
    return this.hasHash(H[0] as number, H[1] as number);
  }

  add(rrname: Uint8Array, address: Uint8Array): void {
    hashPair(rrname, address);
    this.addHash(H[0] as number, H[1] as number);
  }

  /**
   * The hash `has` and `add` use for (rrname, address), as two 32-bit words into `out[at]` and
   * `out[at + 1]`: a caller checking a pair against more than one set, or adding it later, hashes
   * it once (then hasHash, addHash).
   */
  static hash(rrname: Uint8Array, address: Uint8Array, out: Uint32Array, at: number): void {
    hashPair(rrname, address);
    out[at] = H[0] as number;
    out[at + 1] = H[1] as number;
  }

  /** `has` of the pair whose hash (PairSet.hash) is (a, b). */
  hasHash(a: number, b: number): boolean {
    if (this.#young.has(a, b)) return true;
    if (!this.#old.has(a, b)) return false;
    this.#add(a, b);
    return true;
  }

  /** `add` of the pair whose hash (PairSet.hash) is (a, b). */
  addHash(a: number, b: number): void {
    if (!this.#young.has(a, b)) this.#add(a, b);
  }

  #add(a: number, b: number): void {
    if (this.#young.size >= this.#half) {
      const t = this.#old;
      t.clear();
      this.#old = this.#young;
      this.#young = t;
    }
    this.#young.add(a, b);
  }
}

/** Linear probing over [a, b] slots; (0, 0) is empty (hashes are made non-zero in `a`). */
class Table {
  readonly #slots: Uint32Array;
  readonly #mask: number;
  size = 0;

  constructor(cap: number) {
    this.#slots = new Uint32Array(2 * cap);
    this.#mask = cap - 1;
  }

  has(a: number, b: number): boolean {
    const s = this.#slots;
    for (let i = (b & this.#mask) >>> 0; ; i = (i + 1) & this.#mask) {
      const x = s[2 * i] as number;
      if (x === 0) return false;
      if (x === a && s[2 * i + 1] === b) return true;
    }
  }

  /** (the caller checked it is not there, and that the table is at most half full) */
  add(a: number, b: number): void {
    const s = this.#slots;
    let i = (b & this.#mask) >>> 0;
    while (s[2 * i] !== 0) i = (i + 1) & this.#mask;
    s[2 * i] = a;
    s[2 * i + 1] = b;
    this.size++;
  }

  clear(): void {
    this.#slots.fill(0);
    this.size = 0;
  }
}

/** the last hash: two 32-bit halves (a scratch array: no allocation per pair) */
const H = new Uint32Array(2);

/** A-Z to a-z (a name's length octets are at most 63, below "A": only label bytes fold) */
const fold = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c);

/** murmur3's 32-bit finalizer: every input bit moves every output bit */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Two independent 32-bit hashes of the folded name and the address into H (H[0] never 0). */
function hashPair(rrname: Uint8Array, address: Uint8Array): void {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ rrname.length;
  for (let i = 0; i < rrname.length; i++) {
    const c = fold(rrname[i] as number);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  for (let i = 0; i < address.length; i++) {
    const c = address[i] as number;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  H[0] = fmix(a ^ address.length) || 1;
  H[1] = fmix(b);
}
