/**
 * Reading one decoded block: prefix-compressed entries followed by the
 * restart array (LE32 offsets) and the LE32 restart count.
 *
 * Entry: varint32 shared | varint32 non_shared | varint32 value_len |
 *        key[shared:] (non_shared bytes) | value (value_len bytes)
 */
import { compareBytes, decodeVarint32, type VarintCursor } from "@dnsrep/util";
import { corruption } from "./errors.js";

export class Block {
  readonly data: Uint8Array;
  readonly restartOffset: number;
  readonly numRestarts: number;
  readonly #dv: DataView;

  constructor(data: Uint8Array) {
    this.data = data;
    this.#dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    if (data.length < 4) throw corruption("block too short for its restart count");
    const n = this.#dv.getUint32(data.length - 4, true);
    const maxRestarts = Math.floor((data.length - 4) / 4);
    if (n > maxRestarts) throw corruption(`block restart count ${n} does not fit in ${data.length} bytes`);
    this.numRestarts = n;
    this.restartOffset = data.length - 4 - 4 * n;
  }

  restartPoint(i: number): number {
    return this.#dv.getUint32(this.restartOffset + 4 * i, true);
  }

  iter(): BlockIterator {
    return new BlockIterator(this);
  }
}

/**
 * Cursor over one block. `key` and `value` are borrowed views, valid until
 * the next `next()`/`seek()`.
 */
export class BlockIterator {
  readonly #b: Block;
  readonly #data: Uint8Array;
  readonly #limit: number;
  #next = 0; // offset of the entry after the current one
  #keyBuf = new Uint8Array(64);
  #keyLen = 0;
  #valOff = 0;
  #valLen = 0;
  #valid = false;
  readonly #cur: VarintCursor = { value: 0, pos: 0 };

  constructor(b: Block) {
    this.#b = b;
    this.#data = b.data;
    this.#limit = b.restartOffset;
  }

  get valid(): boolean {
    return this.#valid;
  }
  get key(): Uint8Array {
    return this.#keyBuf.subarray(0, this.#keyLen);
  }
  get value(): Uint8Array {
    return this.#data.subarray(this.#valOff, this.#valOff + this.#valLen);
  }

  /** Position before the first entry. */
  rewind(): void {
    this.#next = 0;
    this.#keyLen = 0;
    this.#valid = false;
  }

  /** Decode the entry at #next; false at the end of the block. */
  next(): boolean {
    let p = this.#next;
    if (p >= this.#limit) {
      this.#valid = false;
      return false;
    }
    const d = this.#data;
    const c = this.#cur;
    const end = this.#limit;
    decodeVarint32(d, p, end, c);
    if (c.pos < 0) throw corruption("bad entry header varint");
    const shared = c.value;
    decodeVarint32(d, c.pos, end, c);
    if (c.pos < 0) throw corruption("bad entry header varint");
    const nonShared = c.value;
    decodeVarint32(d, c.pos, end, c);
    if (c.pos < 0) throw corruption("bad entry header varint");
    const valLen = c.value;
    p = c.pos;
    if (shared > this.#keyLen || p + nonShared + valLen > end) throw corruption("entry out of block bounds");
    const klen = shared + nonShared;
    if (klen > this.#keyBuf.length) {
      const nb = new Uint8Array(Math.max(klen, this.#keyBuf.length * 2));
      nb.set(this.#keyBuf.subarray(0, shared));
      this.#keyBuf = nb;
    }
    this.#keyBuf.set(d.subarray(p, p + nonShared), shared);
    this.#keyLen = klen;
    this.#valOff = p + nonShared;
    this.#valLen = valLen;
    this.#next = this.#valOff + valLen;
    this.#valid = true;
    return true;
  }

  /** Key of the entry at a restart point (shared must be 0 there). */
  #restartKey(i: number): Uint8Array {
    const off = this.#b.restartPoint(i);
    const d = this.#data;
    const c = this.#cur;
    decodeVarint32(d, off, this.#limit, c);
    if (c.pos < 0 || c.value !== 0) throw corruption("bad restart point");
    decodeVarint32(d, c.pos, this.#limit, c);
    if (c.pos < 0) throw corruption("bad restart point");
    const nonShared = c.value;
    decodeVarint32(d, c.pos, this.#limit, c);
    if (c.pos < 0 || c.pos + nonShared > this.#limit) throw corruption("bad restart point");
    return d.subarray(c.pos, c.pos + nonShared);
  }

  /**
   * Position on the first entry with key >= target; returns false (invalid)
   * when every key is smaller.
   */
  seek(target: Uint8Array): boolean {
    const n = this.#b.numRestarts;
    let lo = 0;
    let hi = n - 1;
    // find the last restart point whose key < target
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (compareBytes(this.#restartKey(mid), target) < 0) lo = mid;
      else hi = mid - 1;
    }
    if (n === 0) {
      this.rewind();
    } else {
      const off = this.#b.restartPoint(lo);
      if (off > this.#limit) throw corruption("restart point out of bounds");
      this.#next = off;
      this.#keyLen = 0;
    }
    while (this.next()) {
      if (this.#compareKey(target) >= 0) return true;
    }
    return false;
  }

  /** Current key compared with `target`, without making a view of the key. */
  #compareKey(target: Uint8Array): number {
    const k = this.#keyBuf;
    const n = Math.min(this.#keyLen, target.length);
    for (let i = 0; i < n; i++) {
      const d = (k[i] as number) - (target[i] as number);
      if (d !== 0) return d;
    }
    return this.#keyLen - target.length;
  }
}
