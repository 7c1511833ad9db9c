/**
 * A bounded map of recently used keys without per-hit bookkeeping: two generations; a hit in the
 * old one copies the entry to the young one; when the young one is full it becomes the old one (the
 * old one forgotten). Holds at most `max` entries; an entry set or hit within the last max/2 sets
 * is held.
 *
 * (An exact LRU on a Map — delete and set per hit, drop the first key past max — costs more than
 * it saves: V8's Map leaves the deleted slots at its front, and finding the first live key walks
 * them, so a full cache of misses spent 10–20 µs per set.)
 */
export class SeenMap<K, V> {
  readonly #half: number;
  #young = new Map<K, V>();
  #old = new Map<K, V>();

  constructor(max: number) {
    this.#half = Math.max(1, max >> 1);
  }

  get size(): number {
    return this.#young.size + this.#old.size;
  }

  get(k: K): V | undefined {
    const v = this.#young.get(k);
    if (v !== undefined) return v;
    const o = this.#old.get(k);
    if (o !== undefined) this.set(k, o);
    return o;
  }

  set(k: K, v: V): void {
    if (this.#young.size >= this.#half && !this.#young.has(k)) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(k, v);
  }

  clear(): void {
    this.#young.clear();
    this.#old.clear();
  }
}
