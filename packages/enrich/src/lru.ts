/** A bounded map that forgets the least recently used entry past `max` (Map keeps insertion order). */
export class Lru<K, V> {
  readonly max: number;
  readonly #m = new Map<K, V>();

  constructor(max: number) {
    this.max = Math.max(1, max);
  }

  get size(): number {
    return this.#m.size;
  }

  get(k: K): V | undefined {
    const v = this.#m.get(k);
    if (v !== undefined) {
      this.#m.delete(k);
      this.#m.set(k, v);
    }
    return v;
  }

  set(k: K, v: V): void {
    this.#m.delete(k);
    this.#m.set(k, v);
    if (this.#m.size > this.max) this.#m.delete(this.#m.keys().next().value as K);
  }

  clear(): void {
    this.#m.clear();
  }
}
