/**
 * Block codecs. Ids are libmtbl's: 0 none, 1 snappy, 2 zlib, 3 lz4, 4 lz4hc, 5 zstd.
 *
 * - zlib: a zlib stream (the 78 xx header, as libmtbl's deflate writes) of each block, by
 *   libdeflate through native/zlib.c where that is built (levels as zlib's; -1 is 6), else by
 *   node:zlib. Either reads the other's blocks; neither output is byte-identical to libmtbl's.
 * - snappy: the `snappy` package (napi-rs binding of the reference C++ snappy, raw block format).
 * - lz4 / lz4hc: `lz4-napi` (lz4_flex); its block API already writes libmtbl's framing,
 *   an LE32 uncompressed size followed by a raw LZ4 block. lz4_flex has no HC mode, so lz4hc
 *   files are written with the fast compressor: any LZ4 decoder (libmtbl included) reads them,
 *   they are just less compact than liblz4's HC output.
 * - zstd: `zstd-napi` (bindings to the reference libzstd), one frame with the content size.
 */
import { createRequire } from "node:module";
import type * as Zlib from "node:zlib";
import { MtblError, MtblErrorCode } from "./errors.js";
import { nativeZlib } from "./native-zlib.js";

const require = createRequire(import.meta.url);

export const Compression = {
  none: 0,
  snappy: 1,
  zlib: 2,
  lz4: 3,
  lz4hc: 4,
  zstd: 5,
} as const;
export type CompressionName = keyof typeof Compression;

const NAMES: readonly CompressionName[] = ["none", "snappy", "zlib", "lz4", "lz4hc", "zstd"];

/** The libmtbl name of a compression id ("unknown" otherwise). */
export function compressionName(id: number): string {
  return NAMES[id] ?? "unknown";
}

/** Parse a compression name as mtbl_merge's -c takes it. */
export function parseCompression(name: string): CompressionName {
  if ((NAMES as readonly string[]).includes(name)) return name as CompressionName;
  throw new MtblError(MtblErrorCode.INVALID, `unknown compression algorithm: ${name}`);
}

interface Snappy {
  compressSync(b: Uint8Array): Buffer;
  uncompressSync(b: Uint8Array, o?: { asBuffer: true }): Buffer;
}
interface Lz4 {
  compressSync(b: Uint8Array): Buffer;
  uncompressSync(b: Uint8Array): Buffer;
}
interface Zstd {
  compress(b: Uint8Array, o?: { compressionLevel?: number }): Buffer;
  decompress(b: Uint8Array): Buffer;
}
let snappy: Snappy | undefined;
let lz4: Lz4 | undefined;
let zstd: Zstd | undefined;
const snappyLib = (): Snappy => (snappy ??= require("snappy") as Snappy);
const lz4Lib = (): Lz4 => (lz4 ??= require("lz4-napi") as Lz4);
const zstdLib = (): Zstd => (zstd ??= require("zstd-napi") as Zstd);
// node:zlib only where libdeflate is not built (or for level 0): loaded when first needed, so a
// reader of libdeflate's blocks (a one-query dnstable-lookup) does not load it
let nodeZlib: typeof Zlib | undefined;
const zlibLib = (): typeof Zlib => (nodeZlib ??= require("node:zlib") as typeof Zlib);
interface ZstdDCtx {
  decompress(dst: Uint8Array, src: Uint8Array): number;
}
let dctx: ZstdDCtx | undefined;

/**
 * A zstd block of `size` bytes (its frame's declared content size), decompressed with one reused
 * context straight into a buffer of that size: one native call, where the library's decompress()
 * makes four (sizing every frame, resetting its parameters). Anything else — a second frame, a
 * size that does not match, an error — goes the library's way, which gives its own answer or error.
 */
function zstdBlock(data: Uint8Array, size: number): Uint8Array {
  if (dctx === undefined) {
    const binding = require("zstd-napi/binding") as { DCtx: new () => ZstdDCtx };
    dctx = new binding.DCtx();
  }
  const out = Buffer.allocUnsafe(size);
  let n = -1;
  try {
    n = dctx.decompress(out, data);
  } catch {
    n = -1;
  }
  return n === size ? asBytes(out) : asBytes(zstdLib().decompress(data));
}

function asBytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** scratch output of the native codec, grown as needed up to 1 MiB (beyond, a buffer for the call); results are copied out */
let scratch = new Uint8Array(64 * 1024);
function roomFor(n: number): Uint8Array {
  if (scratch.length >= n) return scratch;
  if (n > 1 << 20) return new Uint8Array(n);
  scratch = new Uint8Array(Math.min(1 << 20, Math.max(n, 2 * scratch.length)));
  return scratch;
}

function deflateBlock(data: Uint8Array, level: number): Uint8Array {
  const lv = Math.min(Math.max(level, -1), 9);
  const nz = nativeZlib();
  // level 0 (stored blocks) is left to node:zlib: libdeflate before 1.16 has no level 0
  if (nz === null || lv === 0)
    return asBytes(zlibLib().deflateSync(data, { level: lv === -1 ? zlibLib().constants.Z_DEFAULT_COMPRESSION : lv }));
  const native = lv === -1 ? 6 : lv;
  const out = roomFor(nz.bound(native, data.length));
  return out.slice(0, nz.compress(data, native, out));
}

function inflateBlock(data: Uint8Array, maxSize: number, borrow: boolean): Uint8Array {
  const nz = nativeZlib();
  if (nz === null) {
    try {
      return asBytes(zlibLib().inflateSync(data, { maxOutputLength: maxSize }));
    } catch (e) {
      // in the native path's words: Node's own text here names a Buffer, not the block
      if ((e as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") throw new Error(`block inflates to more than ${maxSize} bytes`);
      throw e;
    }
  }
  // a block is mostly a few KiB; start from the scratch buffer and grow up to maxSize when it is not enough
  for (let room = Math.min(maxSize, Math.max(scratch.length, 4 * data.length)); ; room = Math.min(maxSize, 2 * room)) {
    const out = roomFor(room);
    const n = nz.decompress(data, out.length > maxSize ? out.subarray(0, maxSize) : out);
    if (n >= 0) return borrow ? out.subarray(0, n) : out.slice(0, n);
    if (n === -2) throw new Error("invalid zlib stream");
    if (room >= maxSize) throw new Error(`block inflates to more than ${maxSize} bytes`);
  }
}

/** Default level per algorithm, as libmtbl picks them. */
export function defaultLevel(id: number): number {
  if (id === Compression.zlib) return -1;
  if (id === Compression.lz4hc || id === Compression.zstd) return 9;
  return 0;
}

/**
 * The compression levels accepted for an algorithm, inclusive: zlib −1…9, zstd 1…22; the others
 * take none and accept anything from −1 to 22, ignored (as libmtbl ignores it).
 */
export function levelRange(name: CompressionName): readonly [number, number] {
  if (name === "zlib") return [-1, 9];
  if (name === "zstd") return [1, 22];
  return [-1, 22];
}

/** Compress one block's contents. */
export function compressBlock(id: number, data: Uint8Array, level: number): Uint8Array {
  switch (id) {
    case Compression.none:
      return data;
    case Compression.zlib:
      return deflateBlock(data, level);
    case Compression.snappy:
      return asBytes(snappyLib().compressSync(data));
    case Compression.lz4:
    case Compression.lz4hc:
      return asBytes(lz4Lib().compressSync(data));
    case Compression.zstd: {
      const lv = Math.min(Math.max(level, 1), 22);
      return asBytes(zstdLib().compress(data, { compressionLevel: lv }));
    }
    default:
      throw new MtblError(MtblErrorCode.INVALID, `unknown compression algorithm ${id}`);
  }
}

/**
 * The content size a zstd frame header declares (RFC 8878 §3.1.1.1), or null when it declares none
 * or is not a frame header.
 */
function zstdContentSize(b: Uint8Array): number | null {
  if (b.length < 5 || b[0] !== 0x28 || b[1] !== 0xb5 || b[2] !== 0x2f || b[3] !== 0xfd) return null;
  const fhd = b[4] as number;
  const single = (fhd >> 5) & 1;
  const fcsLen = [single, 2, 4, 8][fhd >> 6] as number;
  const at = 5 + (single ? 0 : 1) + ([0, 1, 2, 4][fhd & 3] as number);
  if (fcsLen === 0 || at + fcsLen > b.length) return null;
  let v = 0;
  for (let i = fcsLen - 1; i >= 0; i--) v = v * 256 + (b[at + i] as number);
  return fcsLen === 2 ? v + 256 : v;
}

/**
 * Decompress one block; any codec failure becomes ERR_DECOMPRESSION. With `borrow`, the result may
 * be a view of a scratch buffer, valid until the next call (for a caller that copies it at once).
 */
export function decompressBlock(id: number, data: Uint8Array, maxSize: number, borrow = false): Uint8Array {
  try {
    switch (id) {
      case Compression.none:
        return data;
      case Compression.zlib:
        return inflateBlock(data, maxSize, borrow);
      case Compression.snappy:
        return asBytes(snappyLib().uncompressSync(data, { asBuffer: true }));
      case Compression.lz4:
      case Compression.lz4hc: {
        if (data.length < 4) throw new Error("short lz4 block");
        const size = (data[0]! | (data[1]! << 8) | (data[2]! << 16) | (data[3]! << 24)) >>> 0;
        // lz4 expands at most 255-fold: a larger claim is damage, not data, and is not allocated
        if (size > maxSize || size > (data.length - 4) * 255 + 64) throw new Error(`lz4 block claims ${size} bytes`);
        const out = asBytes(lz4Lib().uncompressSync(data));
        if (out.length !== size) throw new Error(`lz4 block claims ${size} bytes and holds ${out.length}`);
        return out;
      }
      case Compression.zstd: {
        // the frame's declared size is checked before zstd allocates it (libmtbl's writer always declares it)
        const size = zstdContentSize(data);
        if (size === null) throw new Error("zstd frame without a content size");
        if (size > maxSize) throw new Error(`zstd block claims ${size} bytes`);
        return zstdBlock(data, size);
      }
      default:
        throw new MtblError(MtblErrorCode.INVALID, `unknown compression algorithm ${id}`);
    }
  } catch (e) {
    if (e instanceof MtblError) throw e;
    throw new MtblError(MtblErrorCode.DECOMPRESSION, `${compressionName(id)} block failed to decompress: ${(e as Error).message}`);
  }
}
