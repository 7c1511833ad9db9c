/**
 * The optional native CRC32C (native/crc32c.c, built by `node-gyp rebuild` in
 * this package; scripts/setup.sh does it): the SSE4.2 crc32 instruction,
 * 10–20× the table code on payload-sized buffers, and a batch call that sums
 * many ranges of one buffer in one crossing into C. `null` where it was not
 * built, the CPU lacks SSE4.2, or DNSREP_CRC32C=portable is set: callers keep
 * their portable code for that case.
 */
import { lazyAddon } from "./native-addon.js";

export interface NativeCrc32c {
  /** the CRC32C register after buf[start, end) from `state` (0xffffffff to begin; the CRC is its complement) */
  crc(buf: Uint8Array, start: number, end: number, state: number): number;
  /** out[i] = CRC32C of buf[list[2i], list[2i] + list[2i+1]) for from <= i < to (RangeError if any lies outside buf) */
  ranges(buf: Uint8Array, list: Int32Array, from: number, to: number, out: Uint32Array): void;
}

/** The addon, loaded on the first call; null where it is not there (or not usable, or turned off). */
export const nativeCrc32c: () => NativeCrc32c | null = lazyAddon<NativeCrc32c>(
  import.meta.url,
  "crc32c.node",
  () => process.env.DNSREP_CRC32C === "portable",
  (m) => m.hardware === true && typeof m.crc === "function" && typeof m.ranges === "function",
);
