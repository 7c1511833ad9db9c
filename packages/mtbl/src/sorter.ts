/**
 * External sorter (libmtbl's mtbl_sorter): accepts entries in any order, keeps at most `maxMemory`
 * bytes in memory, spills sorted runs to temporary files and merges them at the end. Equal keys are
 * folded with the merge function in insertion order, across spills too (runs are merged oldest
 * first on ties).
 *
 * Entries in memory are bytes in one arena buffer (each key followed by its value) with three
 * numbers per entry in typed arrays (key offset, key length, value length): nothing per entry on
 * the JS heap, so the garbage collector never walks them, and the radix sort (radix-sort.ts) reads
 * the keys where they were written. The runs (sorter-run.ts) are plain length-prefixed records
 * (an internal format, never seen outside the sorter), read back through a 1 MiB window each, so
 * the final merge holds one window per run. Entries travel between the stages as (buffer, offset,
 * length) cursors, with no copy or view per entry until the writer takes them. With `spillThread`
 * a full batch is sorted and written on a second thread (spill-thread.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeLatin1 } from "@dnsrep/util";
import { MtblError, MtblErrorCode } from "./errors.js";
import { copyRange, Folder, type Run, RunFile, RunMerge, sortedRun, writeRunFile } from "./sorter-run.js";
import type { MergeFn, MtblIterator } from "./source.js";
import { SpillThread } from "./spill-thread.js";
import type { Writer } from "./writer.js";

export interface SorterOptions {
  merge?: MergeFn;
  /** bytes of keys+values (plus per-entry overhead) kept in memory before a spill (default 1 GiB) */
  maxMemory?: number;
  /** where spill files go (default the OS temp dir) */
  tempDir?: string;
  /**
   * Sort and write each spilled run on a second thread (spill-thread.ts) while the next batch
   * fills: the two batches then share maxMemory (each spills at half of it). Default false.
   */
  spillThread?: boolean;
}

/**
 * Accounted per entry besides its bytes: 12 bytes in the offset and length arrays, and the radix
 * sort's 28 bytes of scratch per entry, held while a run is sorted.
 */
const ENTRY_OVERHEAD = 12 + 28;
/** the arena's first size; it doubles as needed (offsets are 32-bit: a run holds under 4 GiB) */
const FIRST_ARENA = 1 << 20;
const MAX_ARENA = 2 ** 32 - 1;
const FIRST_ENTRIES = 1 << 14;

export class Sorter {
  readonly #folder: Folder;
  readonly #maxMemory: number;
  readonly #tempBase: string;
  readonly #thread: SpillThread | null;
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
    const max = opts.maxMemory ?? 1 << 30;
    this.#thread = opts.spillThread === true ? new SpillThread() : null;
    this.#maxMemory = this.#thread ? max / 2 : max;
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
      // an ArrayBuffer of its own (a spill thread takes it whole); its pages are the kernel's zeroed ones
      const na = new Uint8Array(Math.min(cap, MAX_ARENA));
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
    const run = sortedRun(this.#batch(), this.#folder);
    this.#n = 0;
    this.#used = 0;
    return run;
  }

  #batch(): { arena: Uint8Array; off: Uint32Array; klen: Uint32Array; vlen: Uint32Array; n: number } {
    return { arena: this.#arena, off: this.#off, klen: this.#klen, vlen: this.#vlen, n: this.#n };
  }

  #spill(): void {
    if (this.#n === 0) return;
    this.#dir ??= mkdtempSync(join(this.#tempBase, "mtbl-sorter-"));
    const path = join(this.#dir, `run-${this.#runs.length}`);
    if (this.#thread) {
      // the batch's buffers go to the spill thread; this one fills those of the batch before
      // (back from it), or new ones of the same sizes (pages the kernel hands out as first written)
      const spare = this.#thread.takeSpare();
      const size = this.#arena.length;
      const cap = this.#off.length;
      this.#thread.start(this.#batch(), path);
      if (spare !== null) ({ arena: this.#arena, off: this.#off, klen: this.#klen, vlen: this.#vlen } = spare);
      else {
        this.#arena = new Uint8Array(size);
        this.#off = new Uint32Array(cap);
        this.#klen = new Uint32Array(cap);
        this.#vlen = new Uint32Array(cap);
      }
      this.#n = 0;
      this.#used = 0;
    } else writeRunFile(path, this.#memRun());
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
    this.#thread?.wait();
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
    this.#thread?.close();
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
