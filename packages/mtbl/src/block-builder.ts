/** Building one block exactly as libmtbl's block_builder does. */
import { ByteWriter } from "@dnsrep/util";

export class BlockBuilder {
  readonly restartInterval: number;
  readonly #buf = new ByteWriter(8192);
  #restarts: number[] = [0];
  #counter = 0;
  #lastKey = new Uint8Array(256);
  #lastKeyLen = 0;
  /** the last key when it came in as a latin1 string (then #lastKey is stale), else null */
  #lastStr: string | null = null;

  constructor(restartInterval: number) {
    this.restartInterval = restartInterval;
  }

  get empty(): boolean {
    return this.#buf.length === 0;
  }

  /** libmtbl's current_size_estimate: entries + restart array + count. */
  sizeEstimate(): number {
    return this.#buf.length + this.#restarts.length * 4 + 4;
  }

  add(key: Uint8Array, value: Uint8Array): void {
    let shared = 0;
    if (this.#counter < this.restartInterval) {
      const ls = this.#lastStr;
      if (ls !== null) {
        const n = Math.min(ls.length, key.length);
        while (shared < n && ls.charCodeAt(shared) === key[shared]) shared++;
      } else {
        const n = Math.min(this.#lastKeyLen, key.length);
        const lk = this.#lastKey;
        while (shared < n && lk[shared] === key[shared]) shared++;
      }
    } else {
      this.#restarts.push(this.#buf.length);
      this.#counter = 0;
    }
    const w = this.#buf;
    w.varint(shared)
      .varint(key.length - shared)
      .varint(value.length);
    w.bytes(key.subarray(shared)).bytes(value);
    if (key.length > this.#lastKey.length) this.#lastKey = new Uint8Array(key.length * 2);
    this.#lastKey.set(key);
    this.#lastKeyLen = key.length;
    this.#lastStr = null;
    this.#counter++;
  }

  /**
   * add() for a key and value held as latin1 strings (one char per byte), as the sorter keeps
   * them: the bytes go straight into the block, with no Uint8Array per entry.
   */
  addLatin1(key: string, value: string): void {
    let shared = 0;
    if (this.#counter < this.restartInterval) {
      const ls = this.#lastStr;
      if (ls !== null) {
        const n = Math.min(ls.length, key.length);
        while (shared < n && ls.charCodeAt(shared) === key.charCodeAt(shared)) shared++;
      } else {
        const n = Math.min(this.#lastKeyLen, key.length);
        const lk = this.#lastKey;
        while (shared < n && lk[shared] === key.charCodeAt(shared)) shared++;
      }
    } else {
      this.#restarts.push(this.#buf.length);
      this.#counter = 0;
    }
    const w = this.#buf;
    const kl = key.length;
    const vl = value.length;
    w.reserve(15 + kl - shared + vl);
    w.varint(shared)
      .varint(kl - shared)
      .varint(vl);
    const b = w.buf;
    let o = w.length;
    for (let i = shared; i < kl; i++) b[o++] = key.charCodeAt(i);
    for (let i = 0; i < vl; i++) b[o++] = value.charCodeAt(i);
    w.length = o;
    this.#lastStr = key;
    this.#counter++;
  }

  /** Append the restart array and count; returns a view valid until reset(). */
  finish(): Uint8Array {
    const w = this.#buf;
    for (const r of this.#restarts) w.u32le(r);
    w.u32le(this.#restarts.length);
    return w.view();
  }

  reset(): void {
    this.#buf.reset();
    this.#restarts = [0];
    this.#counter = 0;
    this.#lastKeyLen = 0;
    this.#lastStr = null;
  }
}
