/**
 * k-way merge of sources. Equal keys are left-folded with the merge function
 * in the order they come off the heap — which, as in libmtbl (whose heap is
 * the classic binary heap of Python's heapq), is heap order, not source order.
 * The heap here is the same algorithm so merged values match libmtbl's byte
 * for byte even for non-commutative merge functions. Without a merge function
 * duplicate keys are emitted one after another.
 */
import { ByteWriter, compareBytes } from "@dnsrep/util";
import type { MergeFn, MtblIterator, MtblSource } from "./source.js";

interface Entry {
  it: MtblIterator | null;
  key: Uint8Array; // copied; empty when exhausted (sorts first, then popped, as libmtbl does)
  value: Uint8Array;
}

const EMPTY = new Uint8Array(0);

function fill(e: Entry): boolean {
  if (e.it?.next()) {
    e.key = e.it.key.slice();
    e.value = e.it.value.slice();
    return true;
  }
  e.it = null;
  e.key = EMPTY;
  e.value = EMPTY;
  return false;
}

// The sift rules that reproduce libmtbl 1.7.1's order for equal keys (pinned by
// the golden merge vectors: "B-dup|A-dup" for inputs A,B and for B,A, and
// "B-dup|C-dup|A-dup" for A,B,C): moving an item towards the root passes
// parents with an equal key, while choosing between two children prefers the
// right one unless the left is strictly smaller; the initial heap is built by
// heapify, not by successive pushes.
const less = (a: Entry, b: Entry): boolean => compareBytes(a.key, b.key) < 0;
const lessOrEqual = (a: Entry, b: Entry): boolean => compareBytes(a.key, b.key) <= 0;

/** Binary min-heap (heapq-style sifting) with libmtbl's tie behaviour. */
class Heap {
  readonly a: Entry[] = [];
  #siftDown(start: number, pos: number): void {
    const a = this.a;
    const item = a[pos]!;
    while (pos > start) {
      const parentPos = (pos - 1) >> 1;
      const parent = a[parentPos]!;
      if (!lessOrEqual(item, parent)) break;
      a[pos] = parent;
      pos = parentPos;
    }
    a[pos] = item;
  }
  #siftUp(pos: number): void {
    const a = this.a;
    const end = a.length;
    const start = pos;
    const item = a[pos]!;
    let child = 2 * pos + 1;
    while (child < end) {
      const right = child + 1;
      if (right < end && !less(a[child]!, a[right]!)) child = right;
      a[pos] = a[child]!;
      pos = child;
      child = 2 * pos + 1;
    }
    a[pos] = item;
    this.#siftDown(start, pos);
  }
  /** Build the heap from entries in source order. */
  heapify(items: Entry[]): void {
    this.a.push(...items);
    for (let i = (this.a.length >> 1) - 1; i >= 0; i--) this.#siftUp(i);
  }
  peek(): Entry | undefined {
    return this.a[0];
  }
  pop(): void {
    const last = this.a.pop();
    if (this.a.length > 0 && last) {
      this.a[0] = last;
      this.#siftUp(0);
    }
  }
  replaceTop(e: Entry): void {
    this.a[0] = e;
    this.#siftUp(0);
  }
}

export class MergeIterator implements MtblIterator {
  readonly #heap = new Heap();
  readonly #merge: MergeFn | undefined;
  readonly #key = new ByteWriter(256);
  #value: Uint8Array = EMPTY;
  #finished = false;

  constructor(iters: MtblIterator[], merge?: MergeFn) {
    this.#merge = merge;
    const items = iters.map((it) => {
      const e: Entry = { it, key: EMPTY, value: EMPTY };
      fill(e);
      return e;
    });
    this.#heap.heapify(items);
  }

  get key(): Uint8Array {
    return this.#key.view();
  }
  get value(): Uint8Array {
    return this.#value;
  }

  next(): boolean {
    if (this.#finished) return false;
    const h = this.#heap;
    let have = false;
    for (;;) {
      let e = h.peek();
      while (e && e.it === null) {
        h.pop();
        e = h.peek();
      }
      if (!e) {
        this.#finished = true;
        break;
      }
      if (!have) {
        this.#key.reset();
        this.#key.bytes(e.key);
        this.#value = e.value;
        have = true;
        if (fill(e)) h.replaceTop(e);
        if (!this.#merge) break;
        continue;
      }
      if (compareBytes(this.#key.view(), e.key) !== 0) break;
      this.#value = (this.#merge as MergeFn)(this.#key.view(), this.#value, e.value);
      if (fill(e)) h.replaceTop(e);
    }
    return have;
  }
}

export class Merger implements MtblSource {
  readonly sources: MtblSource[];
  readonly merge: MergeFn | undefined;
  constructor(sources: MtblSource[], merge?: MergeFn) {
    this.sources = sources;
    this.merge = merge;
  }
  iter(): MtblIterator {
    return new MergeIterator(
      this.sources.map((s) => s.iter()),
      this.merge,
    );
  }
  get(key: Uint8Array): MtblIterator {
    return new MergeIterator(
      this.sources.map((s) => s.get(key)),
      this.merge,
    );
  }
  getPrefix(prefix: Uint8Array): MtblIterator {
    return new MergeIterator(
      this.sources.map((s) => s.getPrefix(prefix)),
      this.merge,
    );
  }
  getRange(lo: Uint8Array, hi: Uint8Array): MtblIterator {
    return new MergeIterator(
      this.sources.map((s) => s.getRange(lo, hi)),
      this.merge,
    );
  }
}
