/** Iterator helpers shared by every source. */
import { compareBytes, startsWith } from "@dnsrep/util";
import type { MtblIterator } from "./source.js";

/** A cursor that can be positioned: the shape Reader and Merger iterators share. */
export interface SeekableIterator extends MtblIterator {
  /** Position so that the next `next()` returns the first entry with key >= target. */
  seek(target: Uint8Array): void;
}

const EMPTY = new Uint8Array(0);

/** An iterator with no entries. */
export const emptyIterator = (): MtblIterator => ({
  next: () => false,
  key: EMPTY,
  value: EMPTY,
});

/** Stop an iterator at the first key that does not start with `prefix`. */
export class PrefixIterator implements MtblIterator {
  readonly #it: MtblIterator;
  readonly #prefix: Uint8Array;
  #done = false;
  constructor(it: MtblIterator, prefix: Uint8Array) {
    this.#it = it;
    this.#prefix = prefix;
  }
  next(): boolean {
    if (this.#done) return false;
    if (!this.#it.next() || !startsWith(this.#it.key, this.#prefix)) {
      this.#done = true;
      return false;
    }
    return true;
  }
  get key(): Uint8Array {
    return this.#it.key;
  }
  get value(): Uint8Array {
    return this.#it.value;
  }
}

/** Stop an iterator at the first key greater than `hi`. */
export class UpperBoundIterator implements MtblIterator {
  readonly #it: MtblIterator;
  readonly #hi: Uint8Array;
  #done = false;
  constructor(it: MtblIterator, hi: Uint8Array) {
    this.#it = it;
    this.#hi = hi;
  }
  next(): boolean {
    if (this.#done) return false;
    if (!this.#it.next() || compareBytes(this.#it.key, this.#hi) > 0) {
      this.#done = true;
      return false;
    }
    return true;
  }
  get key(): Uint8Array {
    return this.#it.key;
  }
  get value(): Uint8Array {
    return this.#it.value;
  }
}

/** Iterate a source's entries as copied [key, value] pairs (convenience, allocates). */
export function* entries(it: MtblIterator): Generator<[Uint8Array, Uint8Array]> {
  while (it.next()) yield [it.key.slice(), it.value.slice()];
}
