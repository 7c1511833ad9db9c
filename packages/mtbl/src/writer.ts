/**
 * mtbl writer, byte-compatible with libmtbl 1.x (format V2): data blocks split
 * by libmtbl's size estimate, index keys shortened with its separator rule, an
 * uncompressed index block, and the 512-byte trailer. Output goes to a temp
 * file in the same directory that is renamed into place by close().
 */
import { closeSync, fsyncSync, renameSync, unlinkSync } from "node:fs";
import { ByteWriter, compareBytes, crc32c, openOutput, outputTarget, writeAllSync } from "@dnsrep/util";
import { BlockBuilder } from "./block-builder.js";
import { Compression, type CompressionName, compressBlock, defaultLevel } from "./compression.js";
import { MtblError, MtblErrorCode } from "./errors.js";
import { writeMetadata } from "./metadata.js";
import { shortestSeparator } from "./separator.js";

export interface WriterOptions {
  compression?: CompressionName;
  level?: number;
  /** data block size in bytes (default 8192, minimum 1024 as libmtbl enforces) */
  blockSize?: number;
  restartInterval?: number;
}

const FLUSH_AT = 1 << 20;

export class Writer {
  readonly path: string;
  /** the temporary file renamed onto the target at close ("" when the target, a device or FIFO, is written in place) */
  readonly tempPath: string;
  readonly #target: string;
  readonly compression: number;
  readonly level: number;
  readonly blockSize: number;
  readonly restartInterval: number;
  #fd: number;
  #out = new ByteWriter(FLUSH_AT + 65536);
  #data: BlockBuilder;
  #index: BlockBuilder;
  #lastKey = new Uint8Array(256);
  #lastKeyLen = 0;
  /** the last key when added by addLatin1 (then #lastKey is filled in only when needed), else null */
  #lastStr: string | null = null;
  #scratch = new Uint8Array(256);
  #pendingIndex = false;
  #lastOffset = 0;
  #pendingOffset = 0;
  #closed = false;
  /** finish() completed the temporary file; commit() (or abort()) has run */
  #finished = false;
  #committed = false;
  #enc = new ByteWriter(16);
  // metadata counters
  countEntries = 0;
  countDataBlocks = 0;
  bytesDataBlocks = 0;
  bytesKeys = 0;
  bytesValues = 0;

  private constructor(path: string, opts: WriterOptions) {
    const comp = opts.compression ?? "zlib";
    if (!(comp in Compression)) throw new MtblError(MtblErrorCode.INVALID, `unknown compression algorithm: ${comp}`);
    this.compression = Compression[comp];
    this.level = opts.level ?? defaultLevel(this.compression);
    const bs = opts.blockSize ?? 8192;
    if (!Number.isInteger(bs) || bs <= 0) throw new RangeError(`block size must be a positive integer, got ${bs}`);
    this.blockSize = Math.max(1024, bs);
    const ri = opts.restartInterval ?? 16;
    if (!Number.isInteger(ri) || ri < 1) throw new RangeError(`restart interval must be a positive integer, got ${ri}`);
    this.restartInterval = ri;
    this.#data = new BlockBuilder(ri);
    this.#index = new BlockBuilder(ri);
    this.path = path;
    try {
      // a regular file is replaced by renaming a finished temp file onto it (through any symlinks);
      // a device or FIFO (/dev/null, a pipe) is written in place, never replaced
      const t = outputTarget(path);
      this.#target = t.path;
      const o = openOutput(t);
      this.tempPath = o.temp;
      this.#fd = o.fd;
    } catch (e) {
      throw new MtblError(MtblErrorCode.IO, `${path}: ${(e as Error).message.replace(`${path}: `, "")}`);
    }
  }

  /** Create a writer for `path` (written to a temp file, renamed into place on close()). */
  static create(path: string, opts: WriterOptions = {}): Writer {
    return new Writer(path, opts);
  }

  /** Add an entry; keys must be strictly increasing (ERR_ORDER otherwise). */
  add(key: Uint8Array, value: Uint8Array): void {
    if (this.#closed) throw new MtblError(MtblErrorCode.INVALID, "writer is closed");
    this.#materializeLast();
    const last = this.#lastKey.subarray(0, this.#lastKeyLen);
    if (this.countEntries > 0 && compareBytes(key, last) <= 0) {
      throw new MtblError(MtblErrorCode.ORDER, "keys must be added in strictly increasing order");
    }
    const estimate = this.#data.sizeEstimate() + 3 * 5 + key.length + value.length;
    if (estimate >= this.blockSize) this.#flushData();
    if (this.#pendingIndex) {
      this.#lastKeyLen = shortestSeparator(this.#lastKey, this.#lastKeyLen, key);
      this.#addIndexEntry();
    }
    if (key.length > this.#lastKey.length) this.#lastKey = new Uint8Array(Math.max(key.length, this.#lastKey.length * 2));
    this.#lastKey.set(key);
    this.#lastKeyLen = key.length;
    this.countEntries++;
    this.bytesKeys += key.length;
    this.bytesValues += value.length;
    this.#data.add(key, value);
  }

  /**
   * add() for a key and value held as latin1 strings (one char per byte, as a caller may keep
   * them): same file bytes, without a Uint8Array per entry. Keys compare in byte order.
   */
  addLatin1(key: string, value: string): void {
    if (this.#closed) throw new MtblError(MtblErrorCode.INVALID, "writer is closed");
    if (this.countEntries > 0) {
      const ls = this.#lastStr;
      if (ls !== null ? !(key > ls) : compareBytes(this.#latin1Bytes(key), this.#lastKey.subarray(0, this.#lastKeyLen)) <= 0) {
        throw new MtblError(MtblErrorCode.ORDER, "keys must be added in strictly increasing order");
      }
    }
    const estimate = this.#data.sizeEstimate() + 3 * 5 + key.length + value.length;
    if (estimate >= this.blockSize) this.#flushData();
    if (this.#pendingIndex) {
      this.#materializeLast();
      this.#lastKeyLen = shortestSeparator(this.#lastKey, this.#lastKeyLen, this.#latin1Bytes(key));
      this.#addIndexEntry();
    }
    this.#lastStr = key;
    this.countEntries++;
    this.bytesKeys += key.length;
    this.bytesValues += value.length;
    this.#data.addLatin1(key, value);
  }

  /** `s` as bytes in a scratch buffer (valid until the next call). */
  #latin1Bytes(s: string): Uint8Array {
    if (s.length > this.#scratch.length) this.#scratch = new Uint8Array(s.length * 2);
    const b = this.#scratch;
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    return b.subarray(0, s.length);
  }

  /** Bring #lastKey up to date when the last key came in as a string. */
  #materializeLast(): void {
    const s = this.#lastStr;
    if (s === null) return;
    if (s.length > this.#lastKey.length) this.#lastKey = new Uint8Array(s.length * 2);
    const b = this.#lastKey;
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    this.#lastKeyLen = s.length;
    this.#lastStr = null;
  }

  #addIndexEntry(): void {
    this.#enc.reset();
    this.#enc.varint(this.#lastOffset);
    this.#index.add(this.#lastKey.subarray(0, this.#lastKeyLen), this.#enc.view());
    this.#pendingIndex = false;
  }

  #flushData(): void {
    if (this.#data.empty) return;
    this.bytesDataBlocks += this.#writeBlock(this.#data, this.compression);
    this.countDataBlocks++;
    this.#pendingIndex = true;
  }

  #writeBlock(b: BlockBuilder, comp: number): number {
    const raw = b.finish();
    const stored = comp === Compression.none ? raw : compressBlock(comp, raw, this.level);
    const out = this.#out;
    const start = out.length;
    out.varint(stored.length).u32le(crc32c(stored)).bytes(stored);
    const written = out.length - start;
    this.#lastOffset = this.#pendingOffset;
    this.#pendingOffset += written;
    b.reset();
    if (out.length >= FLUSH_AT) this.#drain();
    return written;
  }

  #drain(): void {
    writeAllSync(this.#fd, this.#out.view());
    this.#out.reset();
  }

  /** Finish the file: last block, index, trailer, fsync, rename into place. */
  close(): void {
    this.finish();
    this.commit();
  }

  /**
   * Rename the file finish() completed into place (nothing to do for a device or FIFO written in
   * place). For outputs that must appear together: finish each, then commit each.
   */
  commit(): void {
    if (!this.#finished || this.#committed) return;
    this.#committed = true;
    try {
      if (this.tempPath) renameSync(this.tempPath, this.#target);
    } catch (e) {
      this.abort();
      throw new MtblError(MtblErrorCode.IO, `${this.path}: ${(e as Error).message}`);
    }
  }

  /** Complete the file (last block, index, trailer, fsync) under its temporary name: commit() puts it in place, abort() removes it. */
  finish(): void {
    if (this.#closed) return;
    try {
      this.#flushData();
      this.#materializeLast();
      if (this.#pendingIndex) this.#addIndexEntry();
      const indexOffset = this.#pendingOffset;
      const bytesIndex = this.#writeBlock(this.#index, Compression.none);
      this.#out.bytes(
        writeMetadata({
          indexBlockOffset: indexOffset,
          dataBlockSize: this.blockSize,
          compressionAlgorithm: this.compression,
          countEntries: this.countEntries,
          countDataBlocks: this.countDataBlocks,
          bytesDataBlocks: this.bytesDataBlocks,
          bytesIndexBlock: bytesIndex,
          bytesKeys: this.bytesKeys,
          bytesValues: this.bytesValues,
        }),
      );
      this.#drain();
      if (this.tempPath) fsyncSync(this.#fd);
      closeSync(this.#fd);
      this.#closed = true;
      this.#finished = true;
    } catch (e) {
      this.abort();
      if (e instanceof MtblError) throw e;
      throw new MtblError(MtblErrorCode.IO, `${this.path}: ${(e as Error).message}`);
    }
  }

  /** Give up: close and remove the temp file; the destination is untouched (nothing to undo once committed). */
  abort(): void {
    if (this.#committed) return;
    this.#committed = true;
    if (!this.#closed) {
      this.#closed = true;
      try {
        closeSync(this.#fd);
      } catch {}
    }
    if (!this.tempPath) return;
    try {
      unlinkSync(this.tempPath);
    } catch {}
  }
}
