/**
 * The optional libdeflate binding (native/zlib.c, built by node-gyp where
 * Debian's libdeflate-dev is installed; scripts/setup.sh does it) that
 * compresses and decompresses mtbl's zlib blocks 2-3x faster than node:zlib.
 * `null` where it was not built or DNSREP_ZLIB=node is set: compression.ts
 * then uses node:zlib. Both read each other's blocks: the format is zlib's.
 * Loaded on the first zlib block, not at import: a tool that never meets
 * one (mtbl-verify, a zstd file) does not pay for the dlopen.
 */
import { lazyAddon } from "@dnsrep/util";

export interface NativeZlib {
  /** zlib stream of src at level 1-12 into dst; the bytes written, 0 when dst is too small */
  compress(src: Uint8Array, level: number, dst: Uint8Array): number;
  /** inflate the zlib stream src (all of it) into dst; the bytes written, -1 when dst is too small, -2 when src is not one */
  decompress(src: Uint8Array, dst: Uint8Array): number;
  /** the most compress can write for n bytes at a level */
  bound(level: number, n: number): number;
}

/** The binding, loaded on the first call; null where it is not there (or DNSREP_ZLIB=node). */
export const nativeZlib: () => NativeZlib | null = lazyAddon<NativeZlib>(
  import.meta.url,
  "zlib.node",
  () => process.env.DNSREP_ZLIB === "node",
  (m) => typeof m.compress === "function" && typeof m.decompress === "function" && typeof m.bound === "function",
);
