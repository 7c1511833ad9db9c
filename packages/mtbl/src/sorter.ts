/**
 * External sorter (libmtbl's mtbl_sorter): accepts entries in any order, keeps at most `maxMemory`
 * bytes in memory, spills sorted runs to temporary files and merges them at the end. Equal keys are
 * folded with the merge function in insertion order, across spills too (runs are merged oldest
 * first on ties).
 *
 * Entries in memory are bytes in one arena buffer (each key followed by its value) with three
 * numbers per entry in typed arrays (key offset, key length, value length): nothing per entry on
 * the JS heap, so the garbage collector never walks them, and the radix sort (radix-sort.ts) reads
 * the keys where they were written. Runs are plain length-prefixed records (an internal format,
 * never seen outside the sorter), read back through a 1 MiB window each, so the final merge holds
 * one window per run. Entries travel between the stages as (buffer, offset, length) cursors, with
 * no copy or view per entry until the writer takes them.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeLatin1 } from "@dnsrep/util";
import { MtblError, MtblErrorCode } from "./errors.js";
import { byteOrder, compareRange } from "./radix-sort.js";
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
 * Accounted per entry besides its bytes: 12 bytes in the offset and length arrays, and the radix
 * sort's 28 bytes of scratch per entry, held while a run is sorted.
 */
const ENTRY_OVERHEAD = 12 + 28;
const WINDOW = 1 << 20;
/** the arena's first size; it doubles as needed (offsets are 32-bit: a run holds under 4 GiB) */
const FIRST_ARENA = 1 << 20;
const MAX_ARENA = 2 ** 32 - 1;
const FIRST_ENTRIES = 1 << 14;

/**
 * A sorted stream of entries: the in-memory batch, a spilled run, or their merge. After next()
 * returns true the entry is buf[ko, ko + kl) and buf[vo, vo + vl) (the value may be in `vbuf`,
 * another buffer), valid until the next step.
 */
interface Run {
  next(): boolean;
  buf: Uint8Array;
  ko: number;
  kl: number;
  vbuf: Uint8Array;
  vo: number;
  vl: number;
}

/** Copy src[so, so + n) to dst at `to`: a loop for the short keys and values that are the rule. */
function copyRange(src: Uint8Array, so: number, dst: Uint8Array, to: number, n: number): void {
  if (n < 48) for (let i = 0; i < n; i++) dst[to + i] = src[so + i] as number;
  else dst.set(src.subarray(so, so + n), to);
}

/** A growable byte buffer that keeps a folded key or value across steps of the sources. */
class Held {
  buf: Uint8Array = new Uint8Array(256);
  len = 0;
  set(src: Uint8Array, o: number, n: number): void {
    if (n > this.buf.length) this.buf = new Uint8Array(Math.max(n, 2 * this.buf.length));
    copyRange(src, o, this.buf, 0, n);
    this.len = n;
  }
}

/** Folds equal keys with the merge function (views of the buffers, the result copied into a Held). */
class Folder {
  readonly #merge: MergeFn | undefined;
  constructor(merge: MergeFn | undefined) {
    this.#merge = merge;
  }
  /** Fold value b into a (the held value so far) under key k. */
  fold(k: Uint8Array, ko: number, kl: number, a: Held, b: Uint8Array, bo: number, bl: number): void {
    if (!this.#merge) throw new MtblError(MtblErrorCode.ORDER, "duplicate key and no merge function");
    const m = this.#merge(k.subarray(ko, ko + kl), a.buf.subarray(0, a.len), b.subarray(bo, bo + bl));
    a.set(m, 0, m.length);
  }
}

export class Sorter {
  readonly #folder: Folder;
  readonly #maxMemory: number;
  readonly #tempBase: string;
  #dir: string | null = null;
  #arena: Uint8Array = new Uint8Array(0);
  #used = 0;
  #off: Uint32Array = new Uint32Array(0);
  #klen: Uint32Array = new Uint32Array(0);
  #vlen: Uint32Array = new Uint32Array(0);
  #n = 0;
  #runs: string[] = [];
  #open: RunFile[] = [];
  #finished = false;
  /** number of runs spilled to disk so far */
  spills = 0;

  constructor(opts: SorterOptions = {}) {
    this.#folder = new Folder(opts.merge);
    this.#maxMemory = opts.maxMemory ?? 1 << 30;
    this.#tempBase = opts.tempDir ?? tmpdir();
  }

  /** Room for one more entry of `size` bytes; returns its offset in the arena. */
  #reserve(size: number): number {
    if (this.#finished) throw new MtblError(MtblErrorCode.INVALID, "sorter already iterated");
    if (this.#used + size > MAX_ARENA && this.#n > 0) this.#spill();
    const need = this.#used + size;
    if (need > MAX_ARENA) throw new MtblError(MtblErrorCode.INVALID, "sorter entry too large");
    if (need > this.#arena.length) {
      let cap = Math.max(FIRST_ARENA, this.#arena.length);
      while (cap < need) cap *= 2;
      const a = Buffer.allocUnsafeSlow(Math.min(cap, MAX_ARENA));
      const na = new Uint8Array(a.buffer, a.byteOffset, a.length);
      na.set(this.#arena.subarray(0, this.#used));
      this.#arena = na;
    }
    if (this.#n === this.#off.length) {
      const cap = Math.max(FIRST_ENTRIES, 2 * this.#n);
      const grow = (x: Uint32Array): Uint32Array => {
        const y = new Uint32Array(cap);
        y.set(x);
        return y;
      };
      this.#off = grow(this.#off);
      this.#klen = grow(this.#klen);
      this.#vlen = grow(this.#vlen);
    }
    return this.#used;
  }

  /** Record the entry just written at `at`, and spill when over the memory bound. */
  #added(at: number, kl: number, vl: number): void {
    const n = this.#n++;
    this.#off[n] = at;
    this.#klen[n] = kl;
    this.#vlen[n] = vl;
    this.#used = at + kl + vl;
    if (this.#used + this.#n * ENTRY_OVERHEAD >= this.#maxMemory) this.#spill();
  }

  /**
   * Add an entry (the bytes are copied); `keyLength` takes a prefix of `key` as the key (a key
   * built in a reused buffer goes in without a view of it).
   */
  add(key: Uint8Array, value: Uint8Array, keyLength: number = key.length): void {
    const vl = value.length;
    const at = this.#reserve(keyLength + vl);
    const a = this.#arena;
    copyRange(key, 0, a, at, keyLength);
    copyRange(value, 0, a, at + keyLength, vl);
    this.#added(at, keyLength, vl);
  }

  /** add() for a key and value held as latin1 strings (one char per byte, 0–255). */
  addLatin1(key: string, value: string): void {
    const at = this.#reserve(key.length + value.length);
    const a = this.#arena;
    const kl = writeLatin1(a, key, at);
    const vl = writeLatin1(a, value, at + kl);
    this.#added(at, kl, vl);
  }

  /** The in-memory batch, sorted (ties in insertion order) and folded; the batch is emptied. */
  #memRun(): Run {
    const arena = this.#arena;
    const off = this.#off;
    const klen = this.#klen;
    const vlen = this.#vlen;
    const n = this.#n;
    const order = byteOrder({ arena, off, len: klen, n });
    const folder = this.#folder;
    const held = new Held();
    let i = 0;
    const run: Run = {
      buf: arena,
      ko: 0,
      kl: 0,
      vbuf: arena,
      vo: 0,
      vl: 0,
      next: () => {
        if (i >= n) return false;
        const e = order[i++] as number;
        const ko = off[e] as number;
        const kl = klen[e] as number;
        run.ko = ko;
        run.kl = kl;
        run.vbuf = arena;
        run.vo = ko + kl;
        run.vl = vlen[e] as number;
        if (i < n) {
          let f = order[i] as number;
          if (klen[f] === kl && compareRange(arena, off[f] as number, kl, arena, ko, kl) === 0) {
            held.set(arena, ko + kl, run.vl);
            do {
              const fo = off[f] as number;
              folder.fold(arena, ko, kl, held, arena, fo + kl, vlen[f] as number);
              f = order[++i] as number;
            } while (i < n && klen[f] === kl && compareRange(arena, off[f] as number, kl, arena, ko, kl) === 0);
            run.vbuf = held.buf;
            run.vo = 0;
            run.vl = held.len;
          }
        }
        return true;
      },
    };
    this.#n = 0;
    this.#used = 0;
    return run;
  }

  #spill(): void {
    if (this.#n === 0) return;
    this.#dir ??= mkdtempSync(join(this.#tempBase, "mtbl-sorter-"));
    const path = join(this.#dir, `run-${this.#runs.length}`);
    const fd = openSync(path, "w");
    try {
      const buf = Buffer.allocUnsafe(WINDOW);
      let off = 0;
      const run = this.#memRun();
      while (run.next()) {
        const need = 8 + run.kl + run.vl;
        if (off + need > buf.length) {
          writeSync(fd, buf, 0, off);
          off = 0;
        }
        if (need > buf.length) {
          // a huge entry: write it on its own
          const big = Buffer.allocUnsafe(need);
          writeRecord(big, 0, run);
          writeSync(fd, big);
          continue;
        }
        off = writeRecord(buf, off, run);
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
    let k: Uint8Array = new Uint8Array(0);
    let v: Uint8Array = new Uint8Array(0);
    return {
      next(): boolean {
        if (!merged.next()) return false;
        k = merged.buf.subarray(merged.ko, merged.ko + merged.kl);
        v = merged.vbuf.subarray(merged.vo, merged.vo + merged.vl);
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
  #merged(): Run {
    if (this.#finished) throw new MtblError(MtblErrorCode.INVALID, "sorter already iterated");
    this.#finished = true;
    this.#open = this.#runs.map((p) => new RunFile(p));
    const sources: Run[] = [...this.#open, this.#memRun()];
    return sources.length === 1 ? (sources[0] as Run) : new RunMerge(sources, this.#folder);
  }

  /** Write everything into a writer (does not close it) and return the number of entries written. */
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
      const m = this.#merged();
      while (m.next()) {
        w.add(m.buf.subarray(m.ko, m.ko + m.kl), m.vbuf.subarray(m.vo, m.vo + m.vl));
        if ((++n & 0xffff) === 0) yield;
      }
    } finally {
      this.close();
    }
    return n;
  }

  /** Remove spill files and let the memory go. */
  close(): void {
    for (const r of this.#open) r.close();
    this.#open = [];
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
    this.#dir = null;
    this.#arena = new Uint8Array(0);
    this.#off = this.#klen = this.#vlen = new Uint32Array(0);
    this.#n = 0;
    this.#used = 0;
  }
}

/** Run record: key length, value length (u32 LE), key, value. Returns the new offset. */
function writeRecord(buf: Buffer, off: number, r: Run): number {
  buf.writeUInt32LE(r.kl, off);
  buf.writeUInt32LE(r.vl, off + 4);
  off += 8;
  copyRange(r.buf, r.ko, buf, off, r.kl);
  off += r.kl;
  copyRange(r.vbuf, r.vo, buf, off, r.vl);
  return off + r.vl;
}

/** A spilled run read back through a window. */
class RunFile implements Run {
  buf: Uint8Array = Buffer.allocUnsafe(WINDOW);
  ko = 0;
  kl = 0;
  vbuf: Uint8Array = this.buf;
  vo = 0;
  vl = 0;
  readonly #fd: number;
  #win: Buffer = this.buf as Buffer;
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
    if (n > this.#win.length) {
      const nb = Buffer.allocUnsafe(n);
      this.#win.copy(nb, 0, this.#off, this.#end);
      this.#win = nb;
    } else this.#win.copy(this.#win, 0, this.#off, this.#end);
    this.#off = 0;
    this.#end = left;
    while (!this.#eof && this.#end < n) {
      const got = readSync(this.#fd, this.#win, this.#end, this.#win.length - this.#end, null);
      if (got === 0) this.#eof = true;
      this.#end += got;
    }
    if (this.#end >= n) return true;
    if (this.#end === 0) return false;
    throw new MtblError(MtblErrorCode.CORRUPTION, "sorter spill file ends inside a record");
  }

  next(): boolean {
    if (!this.#want(8)) return false;
    const b = this.#win;
    const kl = b.readUInt32LE(this.#off);
    const vl = b.readUInt32LE(this.#off + 4);
    if (!this.#want(8 + kl + vl)) throw new MtblError(MtblErrorCode.CORRUPTION, "sorter spill file ends inside a record");
    const o = this.#off + 8;
    this.buf = this.vbuf = this.#win;
    this.ko = o;
    this.kl = kl;
    this.vo = o + kl;
    this.vl = vl;
    this.#off = o + kl + vl;
    return true;
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/**
 * k-way merge of runs on a binary heap; equal keys fold in source order (runs are in spill
 * order, the in-memory batch last: insertion order overall).
 */
class RunMerge implements Run {
  buf: Uint8Array = new Uint8Array(0);
  ko = 0;
  kl = 0;
  vbuf: Uint8Array = new Uint8Array(0);
  vo = 0;
  vl = 0;
  readonly #heap: Run[] = [];
  readonly #rank = new Map<Run, number>();
  readonly #folder: Folder;
  readonly #key = new Held();
  readonly #value = new Held();

  constructor(sources: Run[], folder: Folder) {
    this.#folder = folder;
    sources.forEach((s, i) => {
      this.#rank.set(s, i);
      if (s.next()) this.#push(s);
    });
  }

  #less(a: Run, b: Run): boolean {
    const c = compareRange(a.buf, a.ko, a.kl, b.buf, b.ko, b.kl);
    return c < 0 || (c === 0 && (this.#rank.get(a) as number) < (this.#rank.get(b) as number));
  }

  #push(s: Run): void {
    const h = this.#heap;
    let i = h.length;
    h.push(s);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(h[i] as Run, h[p] as Run)) break;
      [h[i], h[p]] = [h[p] as Run, h[i] as Run];
      i = p;
    }
  }

  /** Advance the top source and restore the heap. */
  #advanceTop(): void {
    const h = this.#heap;
    const top = h[0] as Run;
    if (!top.next()) {
      const last = h.pop() as Run;
      if (h.length === 0) return;
      h[0] = last;
    }
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && this.#less(h[r] as Run, h[l] as Run) ? r : l;
      if (!this.#less(h[c] as Run, h[i] as Run)) break;
      [h[i], h[c]] = [h[c] as Run, h[i] as Run];
      i = c;
    }
  }

  next(): boolean {
    const h = this.#heap;
    if (h.length === 0) return false;
    // the top's key and value are held: the sources' buffers move on as they advance
    const t = h[0] as Run;
    const key = this.#key;
    const value = this.#value;
    key.set(t.buf, t.ko, t.kl);
    value.set(t.vbuf, t.vo, t.vl);
    this.#advanceTop();
    for (;;) {
      const s = h[0];
      if (s === undefined || compareRange(s.buf, s.ko, s.kl, key.buf, 0, key.len) !== 0) break;
      this.#folder.fold(key.buf, 0, key.len, value, s.vbuf, s.vo, s.vl);
      this.#advanceTop();
    }
    this.buf = key.buf;
    this.ko = 0;
    this.kl = key.len;
    this.vbuf = value.buf;
    this.vo = 0;
    this.vl = value.len;
    return true;
  }
}
