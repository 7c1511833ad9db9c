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

interface Entry {
  key: string;
  weight: number;
  error: number;
  /** the entry's index in the heap */
  slot: number;
}

export class SpaceSaving {
  readonly capacity: number;
  #total = 0;
  // an indexed binary min-heap on weight: the lightest held key at 0; each entry knows its slot
  readonly #heap: Entry[] = [];
  readonly #byKey = new Map<string, Entry>();

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError("space-saving capacity must be a positive integer");
    this.capacity = capacity;
  }

  get total(): number {
    return this.#total;
  }

  get size(): number {
    return this.#heap.length;
  }

  /** Count `weight` (> 0) more for `key`: O(log capacity). */
  add(key: string, weight = 1): void {
    if (!(weight > 0)) return;
    this.#total += weight;
    const e = this.#byKey.get(key);
    if (e !== undefined) {
      e.weight += weight;
      this.#down(e.slot);
      return;
    }
    if (this.#heap.length < this.capacity) {
      this.#insert({ key, weight, error: 0, slot: this.#heap.length });
      return;
    }
    // replace the lightest key: the newcomer inherits its weight as its error bound
    const min = this.#heap[0] as Entry;
    this.#byKey.delete(min.key);
    const w = min.weight;
    min.key = key;
    min.weight = w + weight;
    min.error = w;
    this.#byKey.set(key, min);
    this.#down(0);
  }

  #insert(e: Entry): void {
    e.slot = this.#heap.length;
    this.#heap.push(e);
    this.#byKey.set(e.key, e);
    let i = e.slot;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pe = this.#heap[p] as Entry;
      if (pe.weight <= e.weight) break;
      this.#heap[i] = pe;
      pe.slot = i;
      i = p;
    }
    this.#heap[i] = e;
    e.slot = i;
  }

  #down(i: number): void {
    const h = this.#heap;
    const n = h.length;
    const e = h[i] as Entry;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && (h[r] as Entry).weight < (h[l] as Entry).weight ? r : l;
      const ce = h[c] as Entry;
      if (e.weight <= ce.weight) break;
      h[i] = ce;
      ce.slot = i;
      i = c;
    }
    h[i] = e;
    e.slot = i;
  }

  /** The `n` heaviest keys, heaviest first (ties by key). */
  top(n: number): HeavyHitter[] {
    return this.#heap
      .map((e) => ({ key: e.key, weight: e.weight, error: e.error }))
      .sort((a, b) => b.weight - a.weight || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, n);
  }

  /** Add every held key of `other` (merging two streams' sketches; errors add). */
  merge(other: SpaceSaving): void {
    for (const h of other.top(other.capacity)) {
      this.add(h.key, h.weight);
      const e = this.#byKey.get(h.key);
      if (e !== undefined) e.error += h.error;
    }
  }

  toJSON(): SpaceSavingState {
    return { capacity: this.capacity, total: this.#total, items: this.#heap.map((e) => [e.key, e.weight, e.error]) };
  }

  /** Rebuild from a saved state; throws TypeError when it is not one. */
  static fromJSON(s: unknown): SpaceSaving {
    const st = s as SpaceSavingState;
    if (
      typeof st !== "object" ||
      st === null ||
      !Array.isArray(st.items) ||
      typeof st.total !== "number" ||
      !Number.isSafeInteger(st.capacity) ||
      st.capacity < 1
    )
      throw new TypeError("not a space-saving state");
    const ss = new SpaceSaving(st.capacity);
    for (const it of st.items.slice(0, ss.capacity)) {
      if (!Array.isArray(it) || typeof it[0] !== "string" || typeof it[1] !== "number" || typeof it[2] !== "number" || ss.#byKey.has(it[0]))
        throw new TypeError("not a space-saving state");
      ss.#insert({ key: it[0], weight: it[1], error: it[2], slot: 0 });
    }
    ss.#total = st.total;
    return ss;
  }
}
