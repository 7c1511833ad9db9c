/**
 * The sorter's runs (sorter.ts): the in-memory batch sorted, written to a spill file, read back,
 * and k-way merged, every stage moving (buffer, offset, length) cursors, with no copy or view per
 * entry. Used on the sorter's thread and on its spill thread (spill-worker.ts).
 */
import { closeSync, openSync, readSync, writeSync } from "node:fs";
import { MtblError, MtblErrorCode } from "./errors.js";
import { byteOrder, compareRange } from "./radix-sort.js";
import type { MergeFn } from "./source.js";

const WINDOW = 1 << 20;

/** A batch of entries: entry i is key arena[off[i], +klen[i]) followed by its value of vlen[i] bytes. */
export interface Batch {
  arena: Uint8Array;
  off: Uint32Array;
  klen: Uint32Array;
  vlen: Uint32Array;
  n: number;
}

/**
 * A sorted stream of entries: the in-memory batch, a spilled run, or their merge. After next()
 * returns true the entry is buf[ko, ko + kl) and buf[vo, vo + vl) (the value may be in `vbuf`,
 * another buffer), valid until the next step.
 */
export interface Run {
  next(): boolean;
  buf: Uint8Array;
  ko: number;
  kl: number;
  vbuf: Uint8Array;
  vo: number;
  vl: number;
}

/** Copy src[so, so + n) to dst at `to`: a loop for the short keys and values that are the rule. */
export function copyRange(src: Uint8Array, so: number, dst: Uint8Array, to: number, n: number): void {
  if (n < 48) for (let i = 0; i < n; i++) dst[to + i] = src[so + i] as number;
  else dst.set(src.subarray(so, so + n), to);
}

/** A growable byte buffer that keeps a folded key or value across steps of the sources. */
export class Held {
  buf: Uint8Array = new Uint8Array(256);
  len = 0;
  set(src: Uint8Array, o: number, n: number): void {
    if (n > this.buf.length) this.buf = new Uint8Array(Math.max(n, 2 * this.buf.length));
    copyRange(src, o, this.buf, 0, n);
    this.len = n;
  }
}

/** Folds equal keys with the merge function (views of the buffers, the result copied into a Held). */
export class Folder {
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

/**
 * The batch in key order, ties in insertion order. With a folder, equal keys are folded into one
 * entry; without one (a spill thread, which has no merge function) they come out one by one, in
 * insertion order, for the final merge to fold.
 */
export function sortedRun(batch: Batch, folder: Folder | null): Run {
  const { arena, off, klen, vlen, n } = batch;
  const order = byteOrder({ arena, off, len: klen, n });
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
      if (folder !== null && i < n) {
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
  return run;
}

/** Write a run to a new spill file at `path`. */
export function writeRunFile(path: string, run: Run): void {
  const fd = openSync(path, "w");
  try {
    const buf = Buffer.allocUnsafe(WINDOW);
    let off = 0;
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
export class RunFile implements Run {
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
export class RunMerge implements Run {
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
