/** The parts of pako 2 (a JavaScript port of zlib 1.2) used here; pako 2 ships no types. */
declare module "pako" {
  export function deflate(data: Uint8Array, options?: { level?: number }): Uint8Array;
  const pako: { deflate: typeof deflate };
  export default pako;
}

/** pako's z_stream: the input and output arrays and positions zlib's deflate() works on. */
declare module "pako/lib/zlib/zstream.js" {
  interface ZStream {
    input: Uint8Array | null;
    next_in: number;
    avail_in: number;
    total_in: number;
    output: Uint8Array | null;
    next_out: number;
    avail_out: number;
    total_out: number;
  }
  const ZStream: new () => ZStream;
  export default ZStream;
}

/** pako's port of zlib's deflate.c: the calls of zlib's API it implements. */
declare module "pako/lib/zlib/deflate.js" {
  import type ZStream from "pako/lib/zlib/zstream.js";

  type Strm = InstanceType<typeof ZStream>;
  const d: {
    deflateInit2(
      strm: Strm,
      level: number,
      method: number,
      windowBits: number,
      memLevel: number,
      strategy: number,
      legacyHash?: boolean,
    ): number;
    deflateReset(strm: Strm): number;
    deflate(strm: Strm, flush: number): number;
  };
  export default d;
}
