/**
 * A Bloom filter over strings: "was this name seen before?" in fixed memory. False positives
 * (a new name taken for a seen one) happen at the configured rate once `expected` names are in;
 * there are no false negatives. Saved and loaded as its raw bits.
 */
export class NameFilter {
  readonly bits: Uint8Array;
  readonly hashes: number;
  readonly #m: number;

  /** `bytes` of bits (a power of two is not needed) and `hashes` probes per name. */
  constructor(bytes: number, hashes = 7, bits?: Uint8Array) {
    if (!Number.isSafeInteger(bytes) || bytes < 8) throw new RangeError("name filter: bytes must be an integer >= 8");
    this.bits = bits ?? new Uint8Array(bytes);
    if (this.bits.length !== bytes) throw new RangeError("name filter: saved bits have the wrong size");
    this.hashes = hashes;
    this.#m = bytes * 8;
  }

  /** Add `s`; true when it was (probably) not there before. */
  add(s: string): boolean {
    // two FNV-1a style 32-bit hashes combined (Kirsch–Mitzenmacher double hashing)
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
    }
    h2 |= 1;
    let fresh = false;
    for (let k = 0; k < this.hashes; k++) {
      const bit = ((h1 + Math.imul(k, h2)) >>> 0) % this.#m;
      const byte = bit >>> 3;
      const mask = 1 << (bit & 7);
      if (((this.bits[byte] as number) & mask) === 0) {
        fresh = true;
        this.bits[byte] = (this.bits[byte] as number) | mask;
      }
    }
    return fresh;
  }
}
