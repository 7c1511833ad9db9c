/**
 * External sorter (libmtbl's mtbl_sorter): accepts entries in any order,
 * keeps at most `maxMemory` bytes in memory, spills sorted runs to temporary
 * mtbl files and merges them at the end. Equal keys are folded with the merge
 * function; within one run they fold in insertion order (a stable sort).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MtblError, MtblErrorCode } from "./errors.js";
import { MergeIterator } from "./merger.js";
import { Reader } from "./reader.js";
import type { MergeFn, MtblIterator } from "./source.js";
import { Writer } from "./writer.js";

export interface SorterOptions {
  merge?: MergeFn;
  /** bytes of keys+values (plus per-entry overhead) kept in memory before a spill (default 1 GiB) */
  maxMemory?: number;
  /** where spill files go (default the OS temp dir) */
  tempDir?: string;
}

const ENTRY_OVERHEAD = 64;

// Buffer's native latin1 decoder works on any Uint8Array (about 2× cheaper than Buffer.from(...).toString)
const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;
const latin1 = (b: Uint8Array): string => latin1Slice.call(b, 0, b.length);
function bytes(s: string): Uint8Array {
  const b = Buffer.from(s, "latin1");
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

export class Sorter {
  readonly #merge: MergeFn | undefined;
  readonly #maxMemory: number;
  readonly #tempBase: string;
  #dir: string | null = null;
  // Keys are latin1 strings: V8 compares one-byte strings natively in byte order, far faster than a
  // byte-by-byte JS comparator. Values are latin1 strings too: a one-byte string costs its length plus
  // a 12-byte header, where a Uint8Array copy costs an ArrayBuffer and a typed-array object
  // (~150 bytes). Two parallel arrays rather than an object per entry; a spill sorts an index
  // array over them. The bytes are rebuilt from the strings when the batch is read back.
  #keys: string[] = [];
  #vals: string[] = [];
  #mem = 0;
  #runs: string[] = [];
  #readers: Reader[] = [];
  #finished = false;
  /** number of runs spilled to disk so far */
  spills = 0;

  constructor(opts: SorterOptions = {}) {
    this.#merge = opts.merge;
    this.#maxMemory = opts.maxMemory ?? 1 << 30;
    this.#tempBase = opts.tempDir ?? tmpdir();
  }

  /** Add an entry (the arrays are copied). */
  add(key: Uint8Array, value: Uint8Array): void {
    if (this.#finished) throw new MtblError(MtblErrorCode.INVALID, "sorter already iterated");
    this.#keys.push(latin1(key));
    this.#vals.push(latin1(value));
    this.#mem += 2 * key.length + value.length + ENTRY_OVERHEAD;
    if (this.#mem >= this.#maxMemory) this.#spill();
  }

  /** Sorted, folded iterator over the in-memory batch. */
  #memIterator(): MtblIterator {
    const keys = this.#keys;
    const vals = this.#vals;
    const n = keys.length;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    // ties in insertion order, so equal keys fold in the order they were added
    order.sort((a, b) => {
      const x = keys[a]!;
      const y = keys[b]!;
      return x < y ? -1 : x > y ? 1 : a - b;
    });
    this.#keys = [];
    this.#vals = [];
    this.#mem = 0;
    const merge = this.#merge;
    let i = 0;
    let k: Uint8Array = new Uint8Array(0);
    let v: Uint8Array = new Uint8Array(0);
    return {
      next(): boolean {
        if (i >= n) return false;
        const e = order[i++]!;
        const s = keys[e]!;
        k = bytes(s);
        v = bytes(vals[e]!);
        while (i < n && keys[order[i]!] === s) {
          if (!merge) throw new MtblError(MtblErrorCode.ORDER, "duplicate key and no merge function");
          v = merge(k, v, bytes(vals[order[i++]!]!));
        }
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

  #spill(): void {
    if (this.#keys.length === 0) return;
    this.#dir ??= mkdtempSync(join(this.#tempBase, "mtbl-sorter-"));
    const path = join(this.#dir, `run-${this.#runs.length}.mtbl`);
    const w = Writer.create(path, { compression: "none", blockSize: 65536 });
    const it = this.#memIterator();
    try {
      while (it.next()) w.add(it.key, it.value);
      w.close();
    } catch (e) {
      w.abort();
      throw e;
    }
    this.#runs.push(path);
    this.spills++;
  }

  /** All entries in key order, duplicates merged. Call once, after every add(). */
  iter(): MtblIterator {
    if (this.#finished) throw new MtblError(MtblErrorCode.INVALID, "sorter already iterated");
    this.#finished = true;
    const mem = this.#memIterator();
    if (this.#runs.length === 0) return mem;
    this.#readers = this.#runs.map((p) => Reader.open(p));
    return new MergeIterator([...this.#readers.map((r) => r.iter()), mem], this.#merge);
  }

  /** Write everything into a writer (does not close it). */
  writeTo(w: Writer): void {
    const it = this.iter();
    while (it.next()) w.add(it.key, it.value);
    this.close();
  }

  /** Remove spill files. */
  close(): void {
    for (const r of this.#readers) r.close();
    this.#readers = [];
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
    this.#dir = null;
  }
}
