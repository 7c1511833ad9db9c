/** Building one block exactly as libmtbl's block_builder does. */
import { ByteWriter } from "@dnsrep/util";

export class BlockBuilder {
  readonly restartInterval: number;
  readonly #buf = new ByteWriter(8192);
  #restarts: number[] = [0];
  #counter = 0;
  #lastKey = new Uint8Array(256);
  #lastKeyLen = 0;

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
      const n = Math.min(this.#lastKeyLen, key.length);
      const lk = this.#lastKey;
      while (shared < n && lk[shared] === key[shared]) shared++;
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
  }
}
