/**
 * The memtable: the entries of the observations put since the last flush, one sorted-btree per
 * output file (DNS and DNSSEC), keyed by the dnstable key bytes held as latin1 strings (one char
 * per byte: V8 compares them natively in byte order) and merged in place with dnstable's merge
 * rule (counts add, first/last times min/max, rrtype unions join). Values are latin1 strings too,
 * so they are immutable: a clone() shares them safely.
 *
 * A snapshot is a clone() of the trees (O(1), copy-on-write) read as an MtblSource.
 */
import { dnstableMerge, type EntryConverter, EntryType } from "@dnsrep/dnstable";
import { emptyIterator, type MtblIterator, type MtblSource } from "@dnsrep/mtbl";
import { latin1Bytes, latin1String, writeLatin1 } from "@dnsrep/util";
import { BTree } from "./btree.js";
import type { RRsetObservation } from "./observation.js";

type Tree = BTree<string, string>;

/** Bytes counted per entry beyond its key and value: the strings' headers and the tree's slot. */
const ENTRY_OVERHEAD = 64;
/** Keys per tree node (sorted-btree's default is 32): fewer, larger nodes for the GC to trace, a shallower descent. */
const NODE_SIZE = 128;

/** Decode a varint from a latin1 string at `pos` into cursor; -1 on failure. */
function varintAt(s: string, pos: number, cur: { value: number; pos: number }): void {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10 && pos < s.length; i++) {
    const b = s.charCodeAt(pos++);
    result += (b & 0x7f) * mul;
    if (b < 0x80) {
      cur.value = result;
      cur.pos = pos;
      return;
    }
    mul *= 128;
  }
  cur.pos = -1;
}

/** Scratch for a merged triplet (3 varints of at most 10 bytes), made into one string at once. */
const scratch = Buffer.allocUnsafe(30);

function putVarint(at: number, v: number): number {
  while (v >= 128) {
    scratch[at++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  scratch[at++] = v;
  return at;
}

const c = { value: 0, pos: 0 };

/** The triplet merge on latin1 strings, or null when a value is not a triplet (the general path then decides). */
function mergeTriplets(a: string, b: string): string | null {
  varintAt(a, 0, c);
  if (c.pos < 0) return null;
  const fa = c.value;
  varintAt(a, c.pos, c);
  if (c.pos < 0) return null;
  const la = c.value;
  varintAt(a, c.pos, c);
  if (c.pos !== a.length) return null;
  const na = c.value;
  varintAt(b, 0, c);
  if (c.pos < 0) return null;
  const fb = c.value;
  varintAt(b, c.pos, c);
  if (c.pos < 0) return null;
  const lb = c.value;
  varintAt(b, c.pos, c);
  if (c.pos !== b.length) return null;
  // one string (the value kept), not one per varint and their concatenations
  let n = putVarint(0, Math.min(fa, fb));
  n = putVarint(n, Math.max(la, lb));
  n = putVarint(n, na + c.value);
  return scratch.toString("latin1", 0, n);
}

/** dnstable's merge of two values for `key`, all latin1 strings. */
export function mergeLatin1(key: string, a: string, b: string): string {
  const t = key.charCodeAt(0);
  if (t === EntryType.RRSET || t === EntryType.RDATA) {
    const m = mergeTriplets(a, b);
    if (m !== null) return m;
  } else if (a === b && (t === EntryType.RRSET_NAME_FWD || t === EntryType.RDATA_NAME_REV)) return a;
  return latin1String(dnstableMerge(latin1Bytes(key), latin1Bytes(a), latin1Bytes(b)));
}

/** What a file made from one tree covers: its RRsets' time range. */
export interface TreeRange {
  rrsets: number;
  first: number;
  last: number;
}

/** Byte order of latin1 strings: V8 compares one-byte strings natively (sorted-btree's default comparator also handles numbers, dates, arrays… and is slower). */
const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const newTree = (): Tree => new BTree<string, string>(undefined, compareStrings, NODE_SIZE);

export class Memtable {
  /** [DNS tree, DNSSEC tree] */
  readonly trees: [Tree, Tree] = [newTree(), newTree()];
  readonly ranges: [TreeRange, TreeRange] = [
    { rrsets: 0, first: Number.POSITIVE_INFINITY, last: 0 },
    { rrsets: 0, first: Number.POSITIVE_INFINITY, last: 0 },
  ];
  readonly #converter: EntryConverter;
  /** estimated bytes held */
  bytes = 0;
  /** the WAL sequence of the last batch applied (0: none) */
  lastSeq = 0;
  /** when the first batch was applied (ms since the epoch; 0: empty) */
  firstPutMs = 0;
  /** changes with every applied batch (for reusing a clone while nothing changed) */
  version = 0;
  #clone: { version: number; trees: [Tree, Tree] } | null = null;

  constructor(converter: EntryConverter) {
    this.#converter = converter;
  }

  get entries(): number {
    return this.trees[0].size + this.trees[1].size;
  }

  get empty(): boolean {
    return this.lastSeq === 0 && this.entries === 0;
  }

  readonly #sink = (f: 0 | 1, key: string, value: string): void => {
    const t = this.trees[f];
    // a look first (no copy-on-write, no split): a key seen before whose value the merge leaves
    // as it is (an rrtype union that has the type already) costs that look alone; else one set
    const have = t.get(key);
    if (have === undefined) {
      t.set(key, value, true);
      this.bytes += key.length + value.length + ENTRY_OVERHEAD;
      return;
    }
    const m = mergeLatin1(key, have, value);
    if (m === have) return;
    this.bytes += m.length - have.length;
    t.set(key, m, true);
  };

  /** Apply a (normalized) batch logged at WAL sequence `seq`. */
  apply(batch: readonly RRsetObservation[], seq: number, nowMs: number): void {
    this.applySlice(batch, 0, batch.length);
    this.endBatch(seq, nowMs);
  }

  /**
   * Apply observations `from` to `to` (exclusive) of a batch; endBatch() once the last slice is in.
   * The version changes only at endBatch(), so a snapshot taken between slices gets the clone made
   * before the batch began when there is one (then it sees none of the batch), else a clone of the
   * trees as they are (whole observations: an observation's entries go in together), reused until
   * the batch ends: at most one clone, one round of copy-on-write, per batch.
   */
  applySlice(batch: readonly RRsetObservation[], from: number, to: number): void {
    const conv = this.#converter;
    for (let i = from; i < to; i++) {
      const o = batch[i] as RRsetObservation;
      for (const f of conv.files(o.rrtype)) {
        const r = this.ranges[f];
        r.rrsets++;
        if (o.timeFirst < r.first) r.first = o.timeFirst;
        if (o.timeLast > r.last) r.last = o.timeLast;
      }
      conv.entries(o, this.#sink);
    }
  }

  /** A batch logged at WAL sequence `seq` is all in (its slices applied). */
  endBatch(seq: number, nowMs: number): void {
    if (this.firstPutMs === 0) this.firstPutMs = nowMs;
    this.lastSeq = seq;
    this.version++;
  }

  /** Copy-on-write clones of the trees as they are now (the same clones while nothing changes). */
  frozen(): [Tree, Tree] {
    if (this.#clone?.version !== this.version)
      this.#clone = { version: this.version, trees: [this.trees[0].clone(), this.trees[1].clone()] };
    return this.#clone.trees;
  }
}

/**
 * An iterator over a tree's entries from `lo` (inclusive), stopping when `stop(key)` says so. Key
 * and value are borrowed views of scratch buffers, valid until the next step.
 */
class TreeIterator implements MtblIterator {
  readonly #it: IterableIterator<[string, string]>;
  readonly #stop: ((k: string) => boolean) | null;
  #k = new Uint8Array(512);
  #v = new Uint8Array(64);
  #kl = 0;
  #vl = 0;
  #done = false;
  constructor(tree: Tree, lo: string | undefined, stop: ((k: string) => boolean) | null) {
    this.#it = tree.entries(lo);
    this.#stop = stop;
  }
  next(): boolean {
    if (this.#done) return false;
    const r = this.#it.next();
    if (r.done || (this.#stop?.(r.value[0]) ?? false)) {
      this.#done = true;
      return false;
    }
    const [k, v] = r.value;
    if (k.length > this.#k.length) this.#k = new Uint8Array(k.length * 2);
    if (v.length > this.#v.length) this.#v = new Uint8Array(v.length * 2);
    this.#kl = writeLatin1(this.#k, k, 0);
    this.#vl = writeLatin1(this.#v, v, 0);
    return true;
  }
  get key(): Uint8Array {
    return this.#k.subarray(0, this.#kl);
  }
  get value(): Uint8Array {
    return this.#v.subarray(0, this.#vl);
  }
}

/** A (frozen) tree as an MtblSource. */
export function treeSource(tree: Tree): MtblSource {
  return {
    iter: () => new TreeIterator(tree, undefined, null),
    get: (key) => {
      const k = latin1String(key);
      return tree.has(k) ? new TreeIterator(tree, k, (x) => x !== k) : emptyIterator();
    },
    getPrefix: (prefix) => {
      const p = latin1String(prefix);
      return new TreeIterator(tree, p, (x) => !x.startsWith(p));
    },
    getRange: (lo, hi) => {
      const h = latin1String(hi);
      return new TreeIterator(tree, latin1String(lo), (x) => x > h);
    },
  };
}
