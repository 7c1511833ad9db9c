/**
 * One memtable file's entries (DNS or DNSSEC): a hash map from the dnstable key (a latin1 string,
 * one char per byte) to a slot holding its value, merged in place, and the keys in byte order built
 * only when a reader asks — not a sorted tree kept ordered on every put.
 *
 * A slot holds a triplet value (time_first, time_last, count: the RRSET and RDATA entries, most of
 * them) as three numbers in typed arrays, so merging one (min, max, add) allocates nothing and
 * leaves no garbage; any other value as its latin1 string. A put costs a hash lookup.
 *
 * Keys are kept sorted in two runs, `base` and a shorter `recent`: keys not seen before gather in
 * `fresh`, and are sorted and merged into a new `recent` run when a reader asks or once there are
 * FOLD_AT of them (so no turn of the event loop sorts a whole memtable); `recent` is merged into
 * a new `base` once it passes an eighth of it. Runs are never changed once made, so a TableView
 * (what a reader reads) is the two runs of the moment and the values as they were then: a value
 * a later put changes is first saved in the undo map of the newest view, and a view reads, for
 * each of its keys, the first saved value found along its own and the newer views' maps, else the
 * table's. The table keeps its newest view weakly (strongly only until the batch being applied
 * ends); when a view is garbage (a FinalizationRegistry tells), its map is folded into the next
 * older one's (what that one lacks) and dropped, so a table nobody reads saves nothing, and a
 * snapshot held for long keeps at most one saved value per key and live view, not one per view
 * taken since.
 */
import { emptyIterator, type MtblIterator, type MtblSource } from "@dnsrep/mtbl";
import { latin1String, writeLatin1 } from "@dnsrep/util";
import { tripletLatin1, varintAt } from "./triplet-latin1.js";

/** The shortest `recent` run merged into `base` (below it, recent grows to an eighth of base). */
const RECENT_MIN = 8192;
/**
 * Fresh keys sorted into `recent` by the puts themselves once there are this many (a ~1-ms sort),
 * so a view (a lookup's, a flush's) never sorts more than these: a memtable no reader looked at
 * is not sorted whole in one turn of the event loop.
 */
const FOLD_AT = 2048;

/** Merge two sorted arrays of distinct keys (no key in both). */
function mergeSorted(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as string;
    const y = b[j] as string;
    if (x < y) {
      out[o++] = x;
      i++;
    } else {
      out[o++] = y;
      j++;
    }
  }
  while (i < a.length) out[o++] = a[i++] as string;
  while (j < b.length) out[o++] = b[j++] as string;
  return out;
}

/** The first index of `keys` (sorted) whose key is ≥ `k`. */
function lowerBound(keys: readonly string[], k: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A view's saved values: the changes after it was taken and before the next view was (a list, oldest first). */
export class UndoNode {
  readonly undo = new Map<string, string>();
  next: UndoNode | null = null;
  prev: UndoNode | null = null;
  /** folded into the older node (its view is garbage) */
  gone = false;
}

export class TableView {
  readonly #table: Table;
  /** the keys when the view was taken: two sorted runs, no key in both */
  readonly base: readonly string[];
  readonly recent: readonly string[];
  /** where the values this view's keys had are saved when they change */
  readonly node: UndoNode;

  constructor(table: Table, base: readonly string[], recent: readonly string[], node: UndoNode) {
    this.#table = table;
    this.base = base;
    this.recent = recent;
    this.node = node;
  }

  get size(): number {
    return this.base.length + this.recent.length;
  }

  /** The value of one of the view's keys as it was when the view was taken. */
  value(k: string): string {
    for (let n: UndoNode | null = this.node; n !== null; n = n.next) {
      const u = n.undo.get(k);
      if (u !== undefined) return u;
    }
    return this.#table.value(k);
  }

  has(k: string): boolean {
    const i = lowerBound(this.base, k);
    if (this.base[i] === k) return true;
    return this.recent[lowerBound(this.recent, k)] === k;
  }

  /** Its entries in key order from `lo` (inclusive; undefined: the first), until `stop(key)`. */
  iterator(lo?: string, stop: ((k: string) => boolean) | null = null): ViewIterator {
    return new ViewIterator(this, lo, stop);
  }
}

/**
 * A view's entries in key order: `k` and `v` are the key and value as latin1 strings, `key` and
 * `value` borrowed byte views of scratch buffers (valid until the next step).
 */
export class ViewIterator implements MtblIterator {
  readonly #view: TableView;
  readonly #a: readonly string[];
  readonly #b: readonly string[];
  #i: number;
  #j: number;
  readonly #stop: ((k: string) => boolean) | null;
  #kb = new Uint8Array(512);
  #vb = new Uint8Array(64);
  #kl = -1;
  #vl = -1;
  #done = false;
  k = "";
  v = "";

  constructor(view: TableView, lo: string | undefined, stop: ((k: string) => boolean) | null) {
    this.#view = view;
    this.#a = view.base;
    this.#b = view.recent;
    this.#i = lo === undefined ? 0 : lowerBound(this.#a, lo);
    this.#j = lo === undefined ? 0 : lowerBound(this.#b, lo);
    this.#stop = stop;
  }

  next(): boolean {
    if (this.#done) return false;
    const x = this.#a[this.#i];
    const y = this.#b[this.#j];
    let k: string;
    if (x === undefined) {
      if (y === undefined) {
        this.#done = true;
        return false;
      }
      k = y;
      this.#j++;
    } else if (y === undefined || x < y) {
      k = x;
      this.#i++;
    } else {
      k = y;
      this.#j++;
    }
    if (this.#stop?.(k)) {
      this.#done = true;
      return false;
    }
    this.k = k;
    this.v = this.#view.value(k);
    this.#kl = -1;
    this.#vl = -1;
    return true;
  }

  get key(): Uint8Array {
    if (this.#kl < 0) {
      if (this.k.length > this.#kb.length) this.#kb = new Uint8Array(this.k.length * 2);
      this.#kl = writeLatin1(this.#kb, this.k, 0);
    }
    return this.#kb.subarray(0, this.#kl);
  }

  get value(): Uint8Array {
    if (this.#vl < 0) {
      if (this.v.length > this.#vb.length) this.#vb = new Uint8Array(this.v.length * 2);
      this.#vl = writeLatin1(this.#vb, this.v, 0);
    }
    return this.#vb.subarray(0, this.#vl);
  }
}

/** A view as an MtblSource (what a snapshot reads beside the files). */
export function viewSource(view: TableView): MtblSource {
  return {
    iter: () => view.iterator(),
    get: (key) => {
      const k = latin1String(key);
      return view.has(k) ? view.iterator(k, (x) => x !== k) : emptyIterator();
    },
    getPrefix: (prefix) => {
      const p = latin1String(prefix);
      return view.iterator(p, (x) => !x.startsWith(p));
    },
    getRange: (lo, hi) => {
      const h = latin1String(hi);
      return view.iterator(latin1String(lo), (x) => x > h);
    },
  };
}

/** Varint length of a non-negative integer below 2^53. */
function varintLength(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** A triplet decoded by decodeTriplet. */
const dec = { first: 0, last: 0, count: 0 };

const cur = { value: 0, pos: 0 };
/** Decode a latin1 string holding exactly three canonical varints of at most 8 bytes into `dec`; false if it is not one. */
function decodeTriplet(s: string): boolean {
  let pos = 0;
  for (let f = 0; f < 3; f++) {
    varintAt(s, pos, cur);
    if (cur.pos < 0 || cur.pos - pos > 8) return false;
    pos = cur.pos;
    if (f === 0) dec.first = cur.value;
    else if (f === 1) dec.last = cur.value;
    else dec.count = cur.value;
  }
  // canonical (no longer than the shortest encoding) so that encoding the numbers gives the string back;
  // times that fit the slots' 32 bits (an observation's always do)
  return (
    pos === s.length &&
    varintLength(dec.first) + varintLength(dec.last) + varintLength(dec.count) === pos &&
    dec.first <= 0xffffffff &&
    dec.last <= 0xffffffff
  );
}

/** Whether a key's entries hold triplets (RRSET 0x00, RDATA 0x02). */
const tripletKey = (key: string): boolean => {
  const t = key.charCodeAt(0);
  return t === 0 || t === 2;
};

/** Bytes of a slot's three numbers (times in 32 bits, the count a double: exact to 2^53). */
const SLOT_BYTES = 16;

export class Table {
  /** key → slot */
  readonly map = new Map<string, number>();
  #first = new Uint32Array(256);
  #last = new Uint32Array(256);
  #count = new Float64Array(256);
  /** a slot's value when it is not a triplet held in the numbers (else undefined) */
  #strs: (string | undefined)[] = [];
  /** keys put since the last view, unsorted */
  #fresh: string[] = [];
  #base: string[] = [];
  #recent: string[] = [];
  /** the newest view, weakly and, until the batch ends, strongly */
  #newest: WeakRef<TableView> | null = null;
  #pinned: TableView | null = null;
  /** the newest undo node of a live view (null: no view to keep values for) */
  #newestNode: UndoNode | null = null;
  readonly #registry = new FinalizationRegistry<UndoNode>((n) => this.viewGone(n));
  /** the undo map the puts of the current slice save old values to (null: no view to keep) */
  #undo: Map<string, string> | null = null;
  /** the last value string decoded (a batch's observations often share one) and whether it was a triplet */
  #lastValue = "";
  #lastTriplet = { ok: false, first: 0, last: 0, count: 0 };

  get size(): number {
    return this.map.size;
  }

  /** Before a slice of puts: find the newest view still referenced. */
  beginSlice(): void {
    this.#undo = this.#newestNode?.undo ?? null;
  }

  /** A batch is all in: the newest view is held only by its readers from now on. */
  endBatch(): void {
    this.#pinned = null;
  }

  /** The current value of a slot, as a latin1 string. */
  valueAt(slot: number): string {
    const s = this.#strs[slot];
    if (s !== undefined) return s;
    return tripletLatin1(this.#first[slot] as number, this.#last[slot] as number, this.#count[slot] as number);
  }

  /** The current value of a key the table holds. */
  value(key: string): string {
    return this.valueAt(this.map.get(key) as number);
  }

  /** `value` decoded as a triplet into #lastTriplet (cached by identity); whether it is one. */
  #triplet(value: string): boolean {
    const t = this.#lastTriplet;
    if (value !== this.#lastValue) {
      this.#lastValue = value;
      t.ok = decodeTriplet(value);
      t.first = dec.first;
      t.last = dec.last;
      t.count = dec.count;
    }
    return t.ok;
  }

  /** Room for more slots: half as many again (not twice: less room left unused). */
  #grow(): void {
    const n = Math.ceil(this.#first.length * 1.5);
    const first = new Uint32Array(n);
    first.set(this.#first);
    this.#first = first;
    const last = new Uint32Array(n);
    last.set(this.#last);
    this.#last = last;
    const count = new Float64Array(n);
    count.set(this.#count);
    this.#count = count;
  }

  /** Set a slot to `value`: as numbers when it is a triplet of a triplet key, else as the string. */
  #store(slot: number, key: string, value: string): void {
    if (tripletKey(key) && this.#triplet(value)) {
      const t = this.#lastTriplet;
      this.#first[slot] = t.first;
      this.#last[slot] = t.last;
      this.#count[slot] = t.count;
      this.#strs[slot] = undefined;
    } else this.#strs[slot] = value;
  }

  /**
   * Put an entry: a new key is added, a known one's value merged (triplets: min, max, add; else
   * with `merge`, which returns the old value itself when the merge leaves it). Returns the bytes
   * the table grew by (an estimate: `overhead` per new key).
   */
  put(key: string, value: string, merge: (key: string, a: string, b: string) => string, overhead: number): number {
    const map = this.map;
    const slot = map.get(key);
    if (slot === undefined) {
      const s = map.size;
      if (s === this.#first.length) this.#grow();
      map.set(key, s);
      if (this.#fresh.push(key) >= FOLD_AT) this.#fold();
      this.#store(s, key, value);
      const str = this.#strs[s];
      return key.length + overhead + SLOT_BYTES + (str === undefined ? 0 : str.length);
    }
    const have = this.#strs[slot];
    if (have === undefined && tripletKey(key) && this.#triplet(value)) {
      const t = this.#lastTriplet;
      const undo = this.#undo;
      if (undo !== null && !undo.has(key)) undo.set(key, this.valueAt(slot));
      if (t.first < (this.#first[slot] as number)) this.#first[slot] = t.first;
      if (t.last > (this.#last[slot] as number)) this.#last[slot] = t.last;
      this.#count[slot] = (this.#count[slot] as number) + t.count;
      return 0;
    }
    const old = have ?? this.valueAt(slot);
    const m = merge(key, old, value);
    if (m === old) return 0;
    const undo = this.#undo;
    if (undo !== null && !undo.has(key)) undo.set(key, old);
    this.#store(slot, key, m);
    return (this.#strs[slot]?.length ?? 0) - (have?.length ?? 0);
  }

  /** Sort the fresh keys into new `recent` (and `base`) runs: the runs a view took stay as they were. */
  #fold(): void {
    const f = this.#fresh.sort();
    this.#fresh = [];
    this.#recent = this.#recent.length === 0 ? f : mergeSorted(this.#recent, f);
    if (this.#recent.length >= Math.max(RECENT_MIN, this.#base.length >> 3)) {
      this.#base = this.#base.length === 0 ? this.#recent : mergeSorted(this.#base, this.#recent);
      this.#recent = [];
    }
  }

  /** A view of the table as it is now (the keys sorted; later puts not seen). */
  view(): TableView {
    if (this.#fresh.length > 0) this.#fold();
    const node = new UndoNode();
    const last = this.#newestNode;
    if (last !== null) {
      last.next = node;
      node.prev = last;
    }
    this.#newestNode = node;
    const v = new TableView(this, this.#base, this.#recent, node);
    this.#registry.register(v, node);
    this.#newest = new WeakRef(v);
    this.#pinned = v;
    this.#undo = node.undo;
    return v;
  }

  /**
   * The view of `n` is garbage (the FinalizationRegistry calls this; public for tests): its saved
   * values go to the next older node where that lacks them (the older views read them there), and
   * it leaves the list. A second call for the same node does nothing.
   */
  viewGone(n: UndoNode): void {
    if (n.gone) return;
    n.gone = true;
    const p = n.prev;
    const nx = n.next;
    if (p !== null) {
      for (const [k, v] of n.undo) if (!p.undo.has(k)) p.undo.set(k, v);
      p.next = nx;
    }
    if (nx !== null) nx.prev = p;
    if (this.#newestNode === n) {
      this.#newestNode = p;
      if (this.#undo === n.undo) this.#undo = p?.undo ?? null;
    }
    n.prev = null;
    n.next = null;
  }

  /** The newest view, if anything still references it. */
  newest(): TableView | undefined {
    return this.#pinned ?? this.#newest?.deref();
  }
}
