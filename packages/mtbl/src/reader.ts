/**
 * mtbl reader: positional reads (no whole-file load), a small LRU block cache,
 * optional CRC32C verification of data blocks (the index block is always verified).
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { compareBytes, crc32c, decodeVarint64, type VarintCursor } from "@dnsrep/util";
import { Block, type BlockIterator } from "./block.js";
import { decompressBlock } from "./compression.js";
import { corruption, MtblError, MtblErrorCode } from "./errors.js";
import { PrefixIterator, type SeekableIterator, UpperBoundIterator } from "./iter.js";
import { FORMAT_V1, METADATA_SIZE, type Metadata, parseMetadata } from "./metadata.js";
import type { MtblIterator, MtblSource } from "./source.js";

export interface ReaderOptions {
  /** verify every data block's CRC32C when it is read (default false, as libmtbl) */
  verifyChecksums?: boolean;
  /** decoded blocks kept in the LRU cache (default 1024, about 8 MiB of 8 KiB blocks, like LevelDB's default cache) */
  cacheBlocks?: number;
}

const MAX_BLOCK = 1 << 30;

export class Reader implements MtblSource {
  readonly path: string;
  readonly metadata: Metadata;
  readonly fileSize: number;
  readonly #fd: number;
  readonly #index: Block;
  readonly #verify: boolean;
  readonly #cacheSize: number;
  readonly #cache = new Map<number, Block>();
  #closed = false;

  private constructor(path: string, fd: number, opts: ReaderOptions) {
    this.path = path;
    this.#fd = fd;
    this.#verify = opts.verifyChecksums ?? false;
    this.#cacheSize = Math.max(1, opts.cacheBlocks ?? 1024);
    const size = fstatSync(fd).size;
    this.fileSize = size;
    if (size < METADATA_SIZE) throw corruption(`file too small (${size} bytes) to be an mtbl file`);
    const trailer = this.#pread(size - METADATA_SIZE, METADATA_SIZE);
    const m = parseMetadata(trailer);
    this.metadata = m;
    const minIndex = m.fileVersion === FORMAT_V1 ? 16 : 13;
    if (m.indexBlockOffset + minIndex > size - METADATA_SIZE) {
      throw corruption(`index block offset ${m.indexBlockOffset} out of range`);
    }
    const raw = this.#pread(m.indexBlockOffset, size - METADATA_SIZE - m.indexBlockOffset);
    this.#index = new Block(this.#unframe(raw, 0, m.indexBlockOffset, true, raw.length));
  }

  /** Open an mtbl file. Throws MtblError (ERR_CORRUPTION) for a damaged file, ERR_IO for fs errors. */
  static open(path: string, opts: ReaderOptions = {}): Reader {
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (e) {
      throw new MtblError(MtblErrorCode.IO, `${path}: ${(e as Error).message}`);
    }
    try {
      return new Reader(path, fd, opts);
    } catch (e) {
      closeSync(fd);
      if (e instanceof MtblError) throw e;
      // a system error while reading the trailer (a directory: EISDIR; EIO): named after the file
      throw new MtblError(MtblErrorCode.IO, `${path}: ${(e as Error).message}`);
    }
  }

  close(): void {
    if (!this.#closed) {
      this.#closed = true;
      closeSync(this.#fd);
      this.#cache.clear();
    }
  }

  /** Read into a fresh array (for bytes that are kept). */
  #pread(offset: number, len: number): Uint8Array {
    return this.#preadInto(new Uint8Array(len), offset, len);
  }

  // Sequential reads (scans) are served from a readahead window, so a scan costs one
  // read per 256 KiB instead of two per block; random reads go straight to the file.
  #ra = new Uint8Array(256 * 1024);
  #raStart = 0;
  #raLen = 0;
  #lastEnd = -1;

  /** `n` bytes at `offset` as a view valid until the next read. */
  #bytesAt(offset: number, n: number, limit: number): Uint8Array {
    if (offset >= this.#raStart && offset + n <= this.#raStart + this.#raLen) {
      return this.#ra.subarray(offset - this.#raStart, offset - this.#raStart + n);
    }
    if (offset === this.#lastEnd || (offset >= this.#raStart && offset <= this.#raStart + this.#raLen && this.#raLen > 0)) {
      const want = Math.min(Math.max(n, this.#ra.length), limit - offset);
      if (this.#ra.length < want) this.#ra = new Uint8Array(want);
      this.#preadInto(this.#ra, offset, want);
      this.#raStart = offset;
      this.#raLen = want;
      return this.#ra.subarray(0, n);
    }
    return this.#preadScratch(offset, n);
  }

  #scratch = new Uint8Array(64 * 1024);
  /** Read into a reused scratch buffer; the view is valid until the next call. */
  #preadScratch(offset: number, len: number): Uint8Array {
    if (this.#scratch.length < len) this.#scratch = new Uint8Array(Math.max(len, this.#scratch.length * 2));
    return this.#preadInto(this.#scratch, offset, len);
  }

  #preadInto(buf: Uint8Array, offset: number, len: number): Uint8Array {
    let got = 0;
    while (got < len) {
      const n = readSync(this.#fd, buf, got, len - got, offset + got);
      if (n === 0) throw corruption(`unexpected end of file at ${offset + got}`);
      got += n;
    }
    return buf.length === len ? buf : buf.subarray(0, len);
  }

  /**
   * Parse block framing at `pos` of `raw` (which starts at file offset `base`):
   * V2 varint length | LE32 crc | bytes; V1 LE32 length | LE32 crc | bytes.
   */
  #unframe(raw: Uint8Array, pos: number, base: number, verify: boolean, avail: number): Uint8Array {
    let len: number;
    let p: number;
    if (this.metadata.fileVersion === FORMAT_V1) {
      if (avail < 8) throw corruption(`truncated block header at ${base}`);
      len = (raw[pos]! | (raw[pos + 1]! << 8) | (raw[pos + 2]! << 16) | (raw[pos + 3]! << 24)) >>> 0;
      p = pos + 4;
    } else {
      const c: VarintCursor = { value: 0, pos: 0 };
      decodeVarint64(raw, pos, Math.min(raw.length, pos + 10), c);
      if (c.pos < 0) throw corruption(`bad block length varint at ${base}`);
      len = c.value;
      p = c.pos;
    }
    if (p + 4 > raw.length) throw corruption(`truncated block header at ${base}`);
    const crc = (raw[p]! | (raw[p + 1]! << 8) | (raw[p + 2]! << 16) | (raw[p + 3]! << 24)) >>> 0;
    p += 4;
    if (len > avail - (p - pos) || len > MAX_BLOCK) throw corruption(`block at ${base} (${len} bytes) runs past its end`);
    const body = raw.subarray(p, p + len);
    if (verify && crc32c(body) !== crc) {
      throw new MtblError(MtblErrorCode.CHECKSUM, `block at offset ${base} has a bad CRC32C`);
    }
    return body;
  }

  /** Read, verify (optionally), decompress and cache the data block at `offset`. */
  block(offset: number, verify = this.#verify): Block {
    const hit = this.#cache.get(offset);
    if (hit) {
      this.#cache.delete(offset);
      this.#cache.set(offset, hit);
      return hit;
    }
    const b = new Block(this.#decode(offset, verify, false));
    this.#cache.set(offset, b);
    if (this.#cache.size > this.#cacheSize) {
      const first = this.#cache.keys().next().value as number;
      this.#cache.delete(first);
    }
    return b;
  }

  /**
   * The data block at `offset` for a scan: decoded into `into` (the scan's own buffer, grown as
   * needed) and not cached, so a scan of the whole file leaves no block per step to the collector.
   * A block the cache holds is taken from it. Valid until the next call with the same buffer.
   */
  scanBlock(offset: number, into: ScanBuffer): Block {
    const hit = this.#cache.get(offset);
    if (hit) return hit;
    const data = this.#decode(offset, this.#verify, true);
    if (into.buf.length < data.length) into.buf = new Uint8Array(Math.max(data.length, 2 * into.buf.length));
    into.buf.set(data);
    return new Block(into.buf.subarray(0, data.length));
  }

  /** The data block at `offset` read, verified (optionally) and decompressed; with `borrow`, maybe a view of scratch space. */
  #decode(offset: number, verify: boolean, borrow: boolean): Uint8Array {
    const limit = this.metadata.indexBlockOffset;
    if (!(offset >= 0 && offset < limit)) throw corruption(`data block offset ${offset} out of range`);
    // one read for the header and (usually) the whole block
    const guess = Math.min(limit - offset, 14 + this.metadata.dataBlockSize + (this.metadata.dataBlockSize >> 3) + 64);
    const first = this.#bytesAt(offset, guess, limit);
    const head = first.slice(0, 14);
    let len: number;
    let hlen: number;
    if (this.metadata.fileVersion === FORMAT_V1) {
      if (head.length < 8) throw corruption(`truncated block header at ${offset}`);
      len = (head[0]! | (head[1]! << 8) | (head[2]! << 16) | (head[3]! << 24)) >>> 0;
      hlen = 8;
    } else {
      const c: VarintCursor = { value: 0, pos: 0 };
      decodeVarint64(head, 0, head.length, c);
      if (c.pos < 0) throw corruption(`bad block length varint at ${offset}`);
      len = c.value;
      hlen = c.pos + 4;
    }
    if (offset + hlen + len > limit || len > MAX_BLOCK) throw corruption(`data block at ${offset} runs past the index`);
    // compressed blocks are read into scratch space (only the decompressed block is kept)
    const compressed = this.metadata.compressionAlgorithm !== 0;
    const view = hlen + len <= first.length ? first.subarray(0, hlen + len) : this.#bytesAt(offset, hlen + len, limit);
    const raw = compressed || borrow ? view : view.slice();
    this.#lastEnd = offset + hlen + len;
    const stored = this.#unframe(raw, 0, offset, verify, hlen + len);
    // the trailer's block size raises the limit for files of large blocks, but never past MAX_BLOCK (a
    // damaged trailer must not let one block claim gigabytes)
    const maxSize = Math.min(Math.max(this.metadata.dataBlockSize * 64, 64 << 20), MAX_BLOCK);
    return decompressBlock(this.metadata.compressionAlgorithm, stored, maxSize, borrow);
  }

  /** The first bytes (up to 14) of the framed block at `offset`, for walking the file. */
  rawFrame(offset: number): Uint8Array {
    return this.#pread(offset, Math.min(14, this.metadata.indexBlockOffset - offset));
  }

  /** Offsets of every data block, from the index. */
  *blockOffsets(): Generator<number> {
    const it = this.#index.iter();
    while (it.next()) yield indexOffset(it);
  }

  /** Cursor over the whole file; call seek() to position it. */
  cursor(): ReaderIterator {
    return new ReaderIterator(this, this.#index.iter());
  }

  /** Every entry in order, each block decoded into the iterator's own buffer (not cached). */
  iter(): MtblIterator {
    return new ReaderIterator(this, this.#index.iter(), { buf: new Uint8Array(0) });
  }

  get(key: Uint8Array): MtblIterator {
    return this.getRange(key, key);
  }

  getPrefix(prefix: Uint8Array): MtblIterator {
    const c = this.cursor();
    c.seek(prefix);
    return new PrefixIterator(c, prefix);
  }

  getRange(lo: Uint8Array, hi: Uint8Array): MtblIterator {
    const c = this.cursor();
    c.seek(lo);
    return new UpperBoundIterator(c, hi);
  }
}

const vc: VarintCursor = { value: 0, pos: 0 };
function indexOffset(it: BlockIterator): number {
  const v = it.value;
  decodeVarint64(v, 0, v.length, vc);
  if (vc.pos < 0) throw corruption("bad index entry offset");
  return vc.value;
}

/**
 * Two-level cursor: index block → data block. `key`/`value` are borrowed
 * views valid until the next step.
 */
/** A scan's block buffer (Reader.scanBlock). */
export interface ScanBuffer {
  buf: Uint8Array;
}

export class ReaderIterator implements SeekableIterator {
  readonly #r: Reader;
  readonly #index: BlockIterator;
  /** a scan's own block buffer: blocks reached by next() are decoded there, not cached */
  readonly #scan: ScanBuffer | null;
  #data: BlockIterator | null = null;
  #positioned = false; // seek() left us on an entry not yet returned
  #started = false;

  constructor(r: Reader, index: BlockIterator, scan: ScanBuffer | null = null) {
    this.#r = r;
    this.#index = index;
    this.#scan = scan;
  }

  get key(): Uint8Array {
    return (this.#data as BlockIterator).key;
  }
  get value(): Uint8Array {
    return (this.#data as BlockIterator).value;
  }

  #loadNextBlock(): boolean {
    while (this.#index.next()) {
      const at = indexOffset(this.#index);
      this.#data = (this.#scan ? this.#r.scanBlock(at, this.#scan) : this.#r.block(at)).iter();
      if (this.#data.next()) return true;
    }
    this.#data = null;
    return false;
  }

  next(): boolean {
    if (this.#positioned) {
      this.#positioned = false;
      return true;
    }
    if (!this.#started) {
      this.#started = true;
      return this.#loadNextBlock();
    }
    if (this.#data?.next()) return true;
    if (this.#data === null) return false;
    return this.#loadNextBlock();
  }

  seek(target: Uint8Array): void {
    this.#started = true;
    this.#positioned = false;
    if (!this.#index.seek(target)) {
      this.#data = null;
      return;
    }
    this.#data = this.#r.block(indexOffset(this.#index)).iter();
    if (this.#data.seek(target)) {
      this.#positioned = true;
      return;
    }
    // every key of that block is smaller (can happen with separator keys): take the next block
    this.#positioned = this.#loadNextBlock();
  }
}

/** compareBytes re-exported for callers that order keys like mtbl. */
export { compareBytes };
