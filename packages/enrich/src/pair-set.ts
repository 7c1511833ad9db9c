import { SeenMap } from "./seen-map.js";

/**
 * The (rrname, address) pairs a process has stamped, bounded (a SeenMap: at most `max`, every pair
 * added within the last max/2 held). A lookup builds no string: the pair's bytes (the name folded
 * to lower case, then the address) are hashed to a 52-bit number, the map's key, and the stored
 * bytes (a latin1 string, made only when a pair is added) are compared with the pair's. Two pairs
 * with one hash are told apart by that compare: the later one replaces the earlier, which is then
 * not held (and is stamped again if seen: harmless, first stamp wins).
 */
export class PairSet {
  readonly #m: SeenMap<number, string>;

  constructor(max: number) {
    this.#m = new SeenMap(max);
  }

  get size(): number {
    return this.#m.size;
  }

  has(rrname: Uint8Array, address: Uint8Array): boolean {
    const s = this.#m.get(pairHash(rrname, address));
    return s !== undefined && samePair(s, rrname, address);
  }

  add(rrname: Uint8Array, address: Uint8Array): void {
    let s = "";
    for (let i = 0; i < rrname.length; i++) s += String.fromCharCode(fold(rrname[i] as number));
    for (let i = 0; i < address.length; i++) s += String.fromCharCode(address[i] as number);
    this.#m.set(pairHash(rrname, address), s);
  }
}

/** A-Z to a-z (a name's length octets are at most 63, below "A": only label bytes fold) */
const fold = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c);

/** Two 32-bit FNV-1a style hashes of the folded name and the address, as one integer below 2^52. */
function pairHash(rrname: Uint8Array, address: Uint8Array): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ rrname.length;
  for (let i = 0; i < rrname.length; i++) {
    const c = fold(rrname[i] as number);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  for (let i = 0; i < address.length; i++) {
    const c = address[i] as number;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  b ^= b >>> 15;
  return (a >>> 0) * 0x100000 + (b & 0xfffff);
}

function samePair(s: string, rrname: Uint8Array, address: Uint8Array): boolean {
  if (s.length !== rrname.length + address.length) return false;
  for (let i = 0; i < rrname.length; i++) if (s.charCodeAt(i) !== fold(rrname[i] as number)) return false;
  const off = rrname.length;
  for (let i = 0; i < address.length; i++) if (s.charCodeAt(off + i) !== address[i]) return false;
  return true;
}
