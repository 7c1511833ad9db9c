/**
 * External sorter (libmtbl's mtbl_sorter): accepts entries in any order, keeps at most `maxMemory`
 * bytes in memory, spills sorted runs to temporary files and merges them at the end. Equal keys are
 * folded with the merge function in insertion order, across spills too (runs are merged oldest
 * first on ties).
 *
 * Everything in flight is a latin1 string: V8 compares one-byte strings natively in byte order (far
 * faster than a byte-by-byte JS comparator), and a one-byte string costs its length plus a 12-byte
 * header where a Uint8Array copy costs an ArrayBuffer and a typed-array object (~150 bytes).
 * Runs are plain length-prefixed records (an internal format, never seen outside the sorter), read
 * back through a 1 MiB window each, so the final merge holds one window per run.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { latin1Bytes, latin1String, writeLatin1 } from "@dnsrep/util";
import { MtblError, MtblErrorCode } from "./errors.js";
import { latin1Order } from "./radix-sort.js";
import type { MergeFn, MtblIterator } from "./source.js";
import type { Writer } from "./writer.js";

export interface SorterOptions {
  merge?: MergeFn;
  /** bytes of keys+values (plus per-entry overhead) kept in memory before a spill (default 1 GiB) */
  maxMemory?: number;
  /** where spill files go (default the OS temp dir) */
  tempDir?: string;
}

/**
 * Accounted per entry: twice the key's length plus the value's plus this. A one-byte string costs
 * its length and a 16-byte header, an array slot 8 bytes, so an entry really takes about
 * key + value + 48 on the heap; the rest is the radix sort's 28 bytes of scratch per entry, held
 * outside the heap while a run is sorted (a 50M-entry sort under a 512 MiB budget peaked at
 * 994 MiB RSS when that scratch was left to the key margin, 848 MiB before the radix sort).
 */
const ENTRY_OVERHEAD = 64 + 28;
const WINDOW = 1 << 20;

const latin1 = (b: Uint8Array): string => latin1String(b);
const bytes = latin1Bytes;

/** A sorted stream of string entries: the in-memory batch or a spilled run. */
interface StringRun {
  next(): boolean;
  key: string;
  value: string;
}

export class Sorter {
  readonly #merge: MergeFn | undefined;
  readonly #maxMemory: number;
  readonly #tempBase: string;
  #dir: string | null = null;
  #keys: string[] = [];
  #vals: string[] = [];
  #mem = 0;
  #runs: string[] = [];
  #open: RunFile[] = [];
  #finished = false;
  /** number of runs spilled to disk so far */
  spills = 0;

  constructor(opts: SorterOptions = {}) {
    this.#merge = opts.merge;
    this.#maxMemory = opts.maxMemory ?? 1 << 30;
    this.#tempBase = opts.tempDir ?? tmpdir();
  }

  /** Add an entry (the bytes are copied). */
  add(key: Uint8Array, value: Uint8Array): void {
    this.addLatin1(latin1(key), latin1(value));
  }

  /** add() for a key and value already held as latin1 strings (one char per byte, 0–255). */
  addLatin1(key: string, value: string): void {
    if (this.#finished) throw new MtblError(MtblErrorCode.INVALID, "sorter already iterated");
    this.#keys.push(key);
    this.#vals.push(value);
    this.#mem += 2 * key.length + value.length + ENTRY_OVERHEAD;
    if (this.#mem >= this.#maxMemory) this.#spill();
  }

  /** Fold `b` into `a` with the merge function (equal keys). */
  #fold(key: string, a: string, b: string): string {
    if (!this.#merge) throw new MtblError(MtblErrorCode.ORDER, "duplicate key and no merge function");
    const k = bytes(key);
    return latin1(this.#merge(k, bytes(a), bytes(b)));
  }

  /** The in-memory batch, sorted (ties in insertion order) and folded. */
  #memRun(): StringRun {
    const keys = this.#keys;
    const vals = this.#vals;
    const n = keys.length;
    const order = latin1Order(keys);
    this.#keys = [];
    this.#vals = [];
    this.#mem = 0;
    let i = 0;
    const run: StringRun = {
      key: "",
      value: "",
      next: () => {
        if (i >= n) return false;
        const e = order[i++]!;
        const k = keys[e]!;
        let v = vals[e]!;
        while (i < n && keys[order[i]!] === k) v = this.#fold(k, v, vals[order[i++]!]!);
        run.key = k;
        run.value = v;
        return true;
      },
    };
    return run;
  }

  #spill(): void {
    if (this.#keys.length === 0) return;
    this.#dir ??= mkdtempSync(join(this.#tempBase, "mtbl-sorter-"));
    const path = join(this.#dir, `run-${this.#runs.length}`);
    const fd = openSync(path, "w");
    try {
      const buf = Buffer.allocUnsafe(WINDOW);
      let off = 0;
      const run = this.#memRun();
      while (run.next()) {
        const need = 8 + run.key.length + run.value.length;
        if (off + need > buf.length) {
          writeSync(fd, buf, 0, off);
          off = 0;
        }
        if (need > buf.length) {
          // a huge entry: write it on its own
          const big = Buffer.allocUnsafe(need);
          writeRecord(big, 0, run.key, run.value);
          writeSync(fd, big);
          continue;
        }
        off = writeRecord(buf, off, run.key, run.value);
      }
      if (off > 0) writeSync(fd, buf, 0, off);
    } finally {
      closeSync(fd);
    }
    this.#runs.push(path);
    this.spills++;
  }

  /**
   * All entries in key order, duplicates merged. Call once, after every add(). Keys and values are
   * borrowed: valid until the next step.
   */
  iter(): MtblIterator {
    const merged = this.#merged();
    // key and value are views into two scratch buffers, valid until the next step (the iterator contract)
    let kb = Buffer.allocUnsafe(1024);
    let vb = Buffer.allocUnsafe(1024);
    let k: Uint8Array = new Uint8Array(0);
    let v: Uint8Array = new Uint8Array(0);
    return {
      next(): boolean {
        if (!merged.next()) return false;
        const ks = merged.key;
        const vs = merged.value;
        if (ks.length > kb.length) kb = Buffer.allocUnsafe(ks.length * 2);
        if (vs.length > vb.length) vb = Buffer.allocUnsafe(vs.length * 2);
        k = new Uint8Array(kb.buffer, kb.byteOffset, writeLatin1(kb, ks, 0));
        v = new Uint8Array(vb.buffer, vb.byteOffset, writeLatin1(vb, vs, 0));
        return true;
      },
      get key() {
        return k;
      },
      get value() {
        return v;
      },
    };
  }

  /** Every source (spilled runs, then the in-memory batch) merged into one sorted, folded run. */
  #merged(): StringRun {
    if (this.#finished) throw new MtblError(MtblErrorCode.INVALID, "sorter already iterated");
    this.#finished = true;
    this.#open = this.#runs.map((p) => new RunFile(p));
    const sources: StringRun[] = [...this.#open, this.#memRun()];
    return sources.length === 1 ? sources[0]! : new StringMerge(sources, (k, a, b) => this.#fold(k, a, b));
  }

  /**
   * Write everything into a writer (does not close it) and return the number of entries written;
   * entries go in as strings, with no copies.
   */
  writeTo(w: Writer): number {
    const g = this.#write(w);
    for (;;) {
      const r = g.next();
      if (r.done) return r.value;
    }
  }

  /**
   * writeTo, awaiting `pause()` after every 64Ki entries: the caller's chance to let the event loop
   * run (signals, progress) and to stop the write by throwing (spill files are removed either way).
   */
  async writeToPausing(w: Writer, pause: () => Promise<void>): Promise<number> {
    const g = this.#write(w);
    try {
      for (;;) {
        const r = g.next();
        if (r.done) return r.value;
        await pause();
      }
    } finally {
      g.return(0);
    }
  }

  /** The entries written into `w`, yielding after every 64Ki; returns their number. */
  *#write(w: Writer): Generator<void, number> {
    let n = 0;
    try {
      const merged = this.#merged();
      while (merged.next()) {
        w.addLatin1(merged.key, merged.value);
        if ((++n & 0xffff) === 0) yield;
      }
    } finally {
      this.close();
    }
    return n;
  }

  /** Remove spill files. */
  close(): void {
    for (const r of this.#open) r.close();
    this.#open = [];
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
    this.#dir = null;
  }
}

/** Run record: key length, value length (u32 LE), key, value. Returns the new offset. */
function writeRecord(buf: Buffer, off: number, key: string, value: string): number {
  buf.writeUInt32LE(key.length, off);
  buf.writeUInt32LE(value.length, off + 4);
  off += 8;
  off += writeLatin1(buf, key, off);
  off += writeLatin1(buf, value, off);
  return off;
}

/** A spilled run read back through a window. */
class RunFile implements StringRun {
  key = "";
  value = "";
  readonly #fd: number;
  #buf: Buffer = Buffer.allocUnsafe(WINDOW);
  #off = 0;
  #end = 0;
  #eof = false;

  constructor(path: string) {
    this.#fd = openSync(path, "r");
  }

  /** Make `n` bytes available at #off; false at a clean end of file. */
  #want(n: number): boolean {
    if (this.#end - this.#off >= n) return true;
    const left = this.#end - this.#off;
    if (n > this.#buf.length) {
      const nb = Buffer.allocUnsafe(n);
      this.#buf.copy(nb, 0, this.#off, this.#end);
      this.#buf = nb;
    } else this.#buf.copy(this.#buf, 0, this.#off, this.#end);
    this.#off = 0;
    this.#end = left;
    while (!this.#eof && this.#end < n) {
      const got = readSync(this.#fd, this.#buf, this.#end, this.#buf.length - this.#end, null);
      if (got === 0) this.#eof = true;
      this.#end += got;
    }
    if (this.#end >= n) return true;
    if (this.#end === 0) return false;
    throw new MtblError(MtblErrorCode.CORRUPTION, "sorter spill file ends inside a record");
  }

  next(): boolean {
    if (!this.#want(8)) return false;
    const b = this.#buf;
    const kl = b.readUInt32LE(this.#off);
    const vl = b.readUInt32LE(this.#off + 4);
    if (!this.#want(8 + kl + vl)) throw new MtblError(MtblErrorCode.CORRUPTION, "sorter spill file ends inside a record");
    const o = this.#off + 8;
    this.key = latin1String(this.#buf, o, o + kl);
    this.value = latin1String(this.#buf, o + kl, o + kl + vl);
    this.#off = o + kl + vl;
    return true;
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/**
 * k-way merge of string runs on a binary heap; equal keys fold with `fold` in source order
 * (runs are in spill order, the in-memory batch last: insertion order overall).
 */
class StringMerge implements StringRun {
  key = "";
  value = "";
  readonly #heap: StringRun[] = [];
  readonly #rank = new Map<StringRun, number>();
  readonly #fold: (key: string, a: string, b: string) => string;

  constructor(sources: StringRun[], fold: (key: string, a: string, b: string) => string) {
    this.#fold = fold;
    sources.forEach((s, i) => {
      this.#rank.set(s, i);
      if (s.next()) this.#push(s);
    });
  }

  #less(a: StringRun, b: StringRun): boolean {
    return a.key < b.key || (a.key === b.key && this.#rank.get(a)! < this.#rank.get(b)!);
  }

  #push(s: StringRun): void {
    const h = this.#heap;
    let i = h.length;
    h.push(s);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  /** Advance the top source and restore the heap. */
  #advanceTop(): void {
    const h = this.#heap;
    const top = h[0]!;
    if (!top.next()) {
      const last = h.pop()!;
      if (h.length === 0) return;
      h[0] = last;
    }
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && this.#less(h[r]!, h[l]!) ? r : l;
      if (!this.#less(h[c]!, h[i]!)) break;
      [h[i], h[c]] = [h[c]!, h[i]!];
      i = c;
    }
  }

  next(): boolean {
    const h = this.#heap;
    if (h.length === 0) return false;
    const k = h[0]!.key;
    let v = h[0]!.value;
    this.#advanceTop();
    while (h.length > 0 && h[0]!.key === k) {
      v = this.#fold(k, v, h[0]!.value);
      this.#advanceTop();
    }
    this.key = k;
    this.value = v;
    return true;
  }
}
