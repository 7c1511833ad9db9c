/**
 * One zlib stream for every container: the system zlib that libnmsg links, through the native
 * binding (native/zdeflate.c; about twice pako's speed), else pako's port of zlib 1.2 driven through its zlib-style
 * calls, reset between containers (deflateReset leaves the stream as deflateInit2 made it, so the
 * bytes are pako.deflate's, which are the system zlib's that libnmsg links), compressing straight
 * into the caller's buffer. pako.deflate would allocate a window, hash chains and a pending buffer
 * (about 300 KiB) and output chunks for every container.
 */

import { lazyAddon } from "@dnsrep/util";
import zdeflate from "pako/lib/zlib/deflate.js";
import ZStream from "pako/lib/zlib/zstream.js";

/** The system-zlib binding: one reset stream per container, the bytes pako and nmsgtool give. */
interface NativeDeflate {
  deflateInto(raw: Uint8Array, out: Uint8Array, at: number): number;
  version(): string;
}

/** The binding (loaded on first use; null where it was not built, there is no libz.so.1, or DNSREP_NMSG_ZLIB=pako). */
export const nativeDeflate: () => NativeDeflate | null = lazyAddon<NativeDeflate>(
  import.meta.url,
  "zdeflate.node",
  () => process.env.DNSREP_NMSG_ZLIB === "pako",
  (m) => typeof m.deflateInto === "function" && typeof m.version === "function",
);

const Z_FINISH = 4;
const Z_OK = 0;
const Z_STREAM_END = 1;
const Z_DEFAULT_COMPRESSION = -1;
const Z_DEFLATED = 8;
const MAX_WBITS = 15;
const DEF_MEM_LEVEL = 8;
const Z_DEFAULT_STRATEGY = 0;

/** room a deflated stream of n bytes may take (zlib's deflateBound for these parameters, rounded up) */
export function deflateRoom(n: number): number {
  return n + (n >>> 12) + (n >>> 14) + (n >>> 25) + 64;
}

export class Deflater {
  readonly #native = nativeDeflate();
  /** pako's stream, made only without the binding (pako then loads) */
  readonly #strm: ZStream | null = null;

  constructor() {
    if (this.#native !== null) return;
    this.#strm = new ZStream();
    // legacyHash: zlib's own hash function (pako.deflate's default too), not pako's faster one with other bytes
    const r = zdeflate.deflateInit2(this.#strm, Z_DEFAULT_COMPRESSION, Z_DEFLATED, MAX_WBITS, DEF_MEM_LEVEL, Z_DEFAULT_STRATEGY, true);
    if (r !== Z_OK) throw new Error(`zlib deflateInit2 failed (${r})`);
  }

  /**
   * Deflate `raw` (a whole zlib stream, default level) into out[at…]; out needs deflateRoom(raw.length)
   * bytes from `at`. Returns where the stream ends.
   */
  deflateInto(raw: Uint8Array, out: Uint8Array, at: number): number {
    if (this.#native !== null) {
      const end = this.#native.deflateInto(raw, out, at);
      if (end < 0) throw new Error(`zlib deflate did not finish: ${out.length - at} bytes of room for ${raw.length}`);
      return end;
    }
    const s = this.#strm as ZStream;
    if (zdeflate.deflateReset(s) !== Z_OK) throw new Error("zlib deflateReset failed");
    s.input = raw;
    s.next_in = 0;
    s.avail_in = raw.length;
    s.output = out;
    s.next_out = at;
    s.avail_out = out.length - at;
    const r = zdeflate.deflate(s, Z_FINISH);
    const end = s.next_out;
    // nothing kept of the caller's arrays
    s.input = null;
    s.output = null;
    if (r !== Z_STREAM_END) throw new Error(`zlib deflate did not finish (${r}): ${out.length - at} bytes of room for ${raw.length}`);
    return end;
  }
}
