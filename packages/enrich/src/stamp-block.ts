import { BLOCK_HEADER, sealBlock, TAG_PAIR, TAG_STAMP } from "./stamp-log.js";

/**
 * Builds one stamp-log block (stamp-log.ts) in a reused buffer: begin(time), stamp and pair
 * records, then seal() (a copy, framed). No allocation per record.
 */
export class BlockBuilder {
  buf = new Uint8Array(1 << 16);
  len = BLOCK_HEADER;
  #dv = new DataView(this.buf.buffer);

  #room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const b = new Uint8Array(Math.max(2 * this.buf.length, this.len + n));
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
    this.#dv = new DataView(b.buffer);
  }

  begin(time: number): void {
    this.len = BLOCK_HEADER;
    this.#room(4);
    this.#dv.setUint32(this.len, time >>> 0, true);
    this.len += 4;
  }

  /** the payload holds records (more than its time) */
  get empty(): boolean {
    return this.len === BLOCK_HEADER + 4;
  }

  stamp(id: number, bytes: Uint8Array): void {
    this.#room(7 + bytes.length);
    this.buf[this.len] = TAG_STAMP;
    this.#dv.setUint32(this.len + 1, id, true);
    this.#dv.setUint16(this.len + 5, bytes.length, true);
    this.buf.set(bytes, this.len + 7);
    this.len += 7 + bytes.length;
  }

  /** A pair record, the name folded to lower case; returns where its key starts (it ends at `len`). */
  pair(id: number, rrname: Uint8Array, address: Uint8Array): number {
    this.#room(7 + address.length + rrname.length);
    const b = this.buf;
    let p = this.len;
    b[p] = TAG_PAIR;
    this.#dv.setUint32(p + 1, id, true);
    p += 5;
    const key = p;
    b[p++] = address.length;
    for (let i = 0; i < address.length; i++) b[p++] = address[i] as number;
    b[p++] = rrname.length;
    for (let i = 0; i < rrname.length; i++) {
      const c = rrname[i] as number;
      b[p++] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
    }
    this.len = p;
    return key;
  }

  /** The block, framed (a copy: the builder is reused). */
  seal(): Uint8Array {
    return sealBlock(this.buf.slice(0, this.len), this.len);
  }
}
