/**
 * Block codecs. Ids are libmtbl's: 0 none, 1 snappy, 2 zlib, 3 lz4, 4 lz4hc, 5 zstd.
 *
 * - zlib: node:zlib (a zlib stream with the 78 xx header, as libmtbl's deflate writes).
 * - snappy: the `snappy` package (napi-rs binding of the reference C++ snappy, raw block format).
 * - lz4 / lz4hc: `lz4-napi` (lz4_flex); its block API already writes libmtbl's framing,
 *   an LE32 uncompressed size followed by a raw LZ4 block. lz4_flex has no HC mode, so lz4hc
 *   files are written with the fast compressor: any LZ4 decoder (libmtbl included) reads them,
 *   they are just less compact than liblz4's HC output.
 * - zstd: `zstd-napi` (bindings to the reference libzstd), one frame with the content size.
 */
import { createRequire } from "node:module";
import { deflateSync, inflateSync, constants as zc } from "node:zlib";
import { MtblError, MtblErrorCode } from "./errors.js";

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

function asBytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Default level per algorithm, as libmtbl picks them. */
export function defaultLevel(id: number): number {
  if (id === Compression.zlib) return -1;
  if (id === Compression.lz4hc || id === Compression.zstd) return 9;
  return 0;
}

/** Compress one block's contents. */
export function compressBlock(id: number, data: Uint8Array, level: number): Uint8Array {
  switch (id) {
    case Compression.none:
      return data;
    case Compression.zlib: {
      const lv = level < -1 ? -1 : level > 9 ? 9 : level;
      return asBytes(deflateSync(data, { level: lv === -1 ? zc.Z_DEFAULT_COMPRESSION : lv }));
    }
    case Compression.snappy:
      return asBytes(snappyLib().compressSync(data));
    case Compression.lz4:
    case Compression.lz4hc:
      return asBytes(lz4Lib().compressSync(data));
    case Compression.zstd: {
      const lv = level < 1 ? 1 : level > 22 ? 22 : level;
      return asBytes(zstdLib().compress(data, { compressionLevel: lv }));
    }
    default:
      throw new MtblError(MtblErrorCode.INVALID, `unknown compression algorithm ${id}`);
  }
}

/** Decompress one block; any codec failure becomes ERR_DECOMPRESSION. */
export function decompressBlock(id: number, data: Uint8Array, maxSize: number): Uint8Array {
  try {
    switch (id) {
      case Compression.none:
        return data;
      case Compression.zlib:
        return asBytes(inflateSync(data, { maxOutputLength: maxSize }));
      case Compression.snappy:
        return asBytes(snappyLib().uncompressSync(data, { asBuffer: true }));
      case Compression.lz4:
      case Compression.lz4hc: {
        if (data.length < 4) throw new Error("short lz4 block");
        const size = (data[0]! | (data[1]! << 8) | (data[2]! << 16) | (data[3]! << 24)) >>> 0;
        if (size > maxSize) throw new Error(`lz4 block claims ${size} bytes`);
        return asBytes(lz4Lib().uncompressSync(data));
      }
      case Compression.zstd:
        return asBytes(zstdLib().decompress(data));
      default:
        throw new MtblError(MtblErrorCode.INVALID, `unknown compression algorithm ${id}`);
    }
  } catch (e) {
    if (e instanceof MtblError) throw e;
    throw new MtblError(MtblErrorCode.DECOMPRESSION, `${compressionName(id)} block failed to decompress: ${(e as Error).message}`);
  }
}
