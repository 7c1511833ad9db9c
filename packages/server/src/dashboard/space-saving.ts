/**
 * The space-saving heavy-hitter sketch (Metwally, Agrawal, El Abbadi 2005): the `capacity` keys
 * with the largest weights of a stream, in bounded memory. A key not held replaces the held key
 * with the smallest weight and inherits that weight as its error bound, so a key's reported
 * weight is an over-estimate by at most its `error`; any key whose true weight exceeds
 * total / capacity is held. With fewer distinct keys than `capacity` every weight is exact.
 */
export interface HeavyHitter {
  key: string;
  /** the weight counted (an over-estimate by at most `error`) */
  weight: number;
  /** 0 when exact */
  error: number;
}

/** The sketch's saved form: capacity, total and the held keys. */
export interface SpaceSavingState {
  capacity: number;
  total: number;
  items: [key: string, weight: number, error: number][];
}

export class SpaceSaving {
  readonly capacity: number;
  #total = 0;
  readonly #items = new Map<string, { weight: number; error: number }>();
  /** the smallest held weight's key, found again lazily after it changes */
  #minKey: string | null = null;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError("space-saving capacity must be a positive integer");
    this.capacity = capacity;
  }

  get total(): number {
    return this.#total;
  }

  get size(): number {
    return this.#items.size;
  }

  /** Count `weight` (> 0) more for `key`. */
  add(key: string, weight = 1): void {
    if (!(weight > 0)) return;
    this.#total += weight;
    const it = this.#items.get(key);
    if (it !== undefined) {
      it.weight += weight;
      if (this.#minKey === key) this.#minKey = null;
      return;
    }
    if (this.#items.size < this.capacity) {
      this.#items.set(key, { weight, error: 0 });
      if (this.#minKey !== null && weight < (this.#items.get(this.#minKey)?.weight ?? 0)) this.#minKey = key;
      return;
    }
    const minKey = this.#findMin();
    const min = this.#items.get(minKey) as { weight: number; error: number };
    this.#items.delete(minKey);
    this.#items.set(key, { weight: min.weight + weight, error: min.weight });
    this.#minKey = null;
  }

  #findMin(): string {
    if (this.#minKey !== null) return this.#minKey;
    let best = "";
    let bw = Number.POSITIVE_INFINITY;
    for (const [k, v] of this.#items)
      if (v.weight < bw) {
        bw = v.weight;
        best = k;
      }
    this.#minKey = best;
    return best;
  }

  /** The `n` heaviest keys, heaviest first (ties by key). */
  top(n: number): HeavyHitter[] {
    return [...this.#items]
      .map(([key, v]) => ({ key, weight: v.weight, error: v.error }))
      .sort((a, b) => b.weight - a.weight || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, n);
  }

  /** Add every held key of `other` (merging two streams' sketches; errors add). */
  merge(other: SpaceSaving): void {
    for (const h of other.top(other.capacity)) {
      const had = this.#items.get(h.key);
      this.add(h.key, h.weight);
      if (had === undefined) {
        const now = this.#items.get(h.key);
        if (now !== undefined) now.error += h.error;
      } else had.error += h.error;
    }
  }

  toJSON(): SpaceSavingState {
    return { capacity: this.capacity, total: this.#total, items: [...this.#items].map(([k, v]) => [k, v.weight, v.error]) };
  }

  /** Rebuild from a saved state; throws TypeError when it is not one. */
  static fromJSON(s: unknown): SpaceSaving {
    const st = s as SpaceSavingState;
    if (typeof st !== "object" || st === null || !Array.isArray(st.items) || typeof st.total !== "number")
      throw new TypeError("not a space-saving state");
    const ss = new SpaceSaving(st.capacity);
    for (const it of st.items.slice(0, ss.capacity)) {
      if (!Array.isArray(it) || typeof it[0] !== "string" || typeof it[1] !== "number" || typeof it[2] !== "number")
        throw new TypeError("not a space-saving state");
      ss.#items.set(it[0], { weight: it[1], error: it[2] });
    }
    ss.#total = st.total;
    return ss;
  }
}
