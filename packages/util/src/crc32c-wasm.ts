/**
 * CRC32C of many small buffers (nmsg's payload checksums). Where the native addon is built
 * (SSE4.2), both functions go to it: crc32cRanges sums a whole window of
 * payloads in one call, in place, ~0.02 µs per 309-byte payload. Elsewhere,
 * WebAssembly: the same slicing-by-8 tables
 * as crc32c.ts, about twice as fast on payload-sized buffers
 * (a 309-byte payload: 0.27 µs against 0.54 µs, copy into wasm memory
 * included). crc32cRanges checks every payload of a container in one call:
 * the container is copied into wasm memory once and the payloads are summed
 * three at a time, interleaved (about 0.2 µs per 309-byte payload). The
 * module is crc32c.wat beside this file, assembled with wabt
 * (`wat2wasm crc32c.wat`) and inlined below as base64. Buffers larger than
 * its memory may grow to, or a runtime without WebAssembly, use crc32c.ts.
 */
import { crc32c as crc32cJs } from "./crc32c.js";
import { nativeCrc32c } from "./crc32c-native.js";

const WASM =
  "AGFzbQEAAAABEwNgA39/fwF/YAJ/fwF/YAJ/fwADBAMAAQIFAwEAAQcUAwNtZW0CAANjcmMAAQRjcmNzAAIK/wYDzgEBAn8CQANAIAEgAkEIa0oNASABKAIAIABzIQMgASgCBCEEIANBAnRB/AdxKAKAOCADQQZ2QfwHcSgCgDBzIANBDnZB/AdxKAKAKCADQRh2QQJ0KAKAIHNzIARBAnRB/AdxKAKAGCAEQQZ2QfwHcSgCgBBzIARBDnZB/AdxKAKACCAEQRh2QQJ0KAIAc3NzIQAgAUEIaiEBDAALCwJAA0AgASACTw0BIAAgAS0AAHNB/wFxQQJ0KAIAIABBCHZzIQAgAUEBaiEBDAALCyAACxAAQX8gACAAIAFqEABBf3MLmwUBDn8gACABQQN0aiECAkADQCAAQRhqIAJLDQEgACgCACEEIAAoAgghBSAAKAIQIQYgACgCBCEDIAAoAgwgA0kEQCAAKAIMIQMLIAAoAhQgA0kEQCAAKAIUIQMLIAQgA0F4cWohA0F/IQdBfyEIQX8hCQJAA0AgBCADTw0BIAQoAgAgB3MhCiAEKAIEIQsgCkECdEH8B3EoAoA4IApBBnZB/AdxKAKAMHMgCkEOdkH8B3EoAoAoIApBGHZBAnQoAoAgc3MgC0ECdEH8B3EoAoAYIAtBBnZB/AdxKAKAEHMgC0EOdkH8B3EoAoAIIAtBGHZBAnQoAgBzc3MhByAEQQhqIQQgBSgCACAIcyEMIAUoAgQhDSAMQQJ0QfwHcSgCgDggDEEGdkH8B3EoAoAwcyAMQQ52QfwHcSgCgCggDEEYdkECdCgCgCBzcyANQQJ0QfwHcSgCgBggDUEGdkH8B3EoAoAQcyANQQ52QfwHcSgCgAggDUEYdkECdCgCAHNzcyEIIAVBCGohBSAGKAIAIAlzIQ4gBigCBCEPIA5BAnRB/AdxKAKAOCAOQQZ2QfwHcSgCgDBzIA5BDnZB/AdxKAKAKCAOQRh2QQJ0KAKAIHNzIA9BAnRB/AdxKAKAGCAPQQZ2QfwHcSgCgBBzIA9BDnZB/AdxKAKACCAPQRh2QQJ0KAIAc3NzIQkgBkEIaiEGDAALCyAAIAcgBCAAKAIAIAAoAgRqEABBf3M2AgQgACAIIAUgACgCCCAAKAIMahAAQX9zNgIMIAAgCSAGIAAoAhAgACgCFGoQAEF/czYCFCAAQRhqIQAMAAsLAkADQCAAIAJPDQEgAEF/IAAoAgAgACgCACAAKAIEahAAQX9zNgIEIABBCGohAAwACwsL";

/** where the data goes in wasm memory (the 8 tables of 256 words come first) */
const DATA = 8192;
const PAGE = 65536;
const MAX = PAGE - DATA;
/** the most wasm memory crc32cRanges grows to (a 1 MiB container and its list fit many times over) */
const MAX_PAGES = 256;

interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface Crc {
  memory: WasmMemory;
  mem: Uint8Array;
  words: Int32Array;
  crc: (p: number, n: number) => number;
  crcs: (list: number, n: number) => void;
}

/** the part of the WebAssembly API used here (the project's TypeScript libs do not declare it) */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object) => { exports: { mem?: WasmMemory; crc?: unknown; crcs?: unknown } };
}

function load(): Crc | null {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!api) return null;
  try {
    const inst = new api.Instance(new api.Module(Buffer.from(WASM, "base64")));
    const memory = inst.exports.mem;
    if (!memory || typeof inst.exports.crc !== "function" || typeof inst.exports.crcs !== "function") return null;
    const t = new Int32Array(memory.buffer, 0, 2048);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      t[n] = c;
    }
    for (let n = 0; n < 256; n++) for (let k = 1, c = t[n] as number; k < 8; k++) t[k * 256 + n] = c = (t[c & 0xff] as number) ^ (c >>> 8);
    return {
      memory,
      mem: new Uint8Array(memory.buffer),
      words: new Int32Array(memory.buffer),
      crc: inst.exports.crc as Crc["crc"],
      crcs: inst.exports.crcs as Crc["crcs"],
    };
  } catch {
    return null;
  }
}

/** the module, compiled on first use (a tool's `--help` does not compile it: issue 30); null when it cannot be */
let compiled: Crc | null | undefined;
const wasmCrc = (): Crc | null => {
  if (compiled === undefined) compiled = load();
  return compiled;
};

/** CRC32C of a small `buf` (a payload) as an unsigned 32-bit number: native where built, else WebAssembly. */
export function crc32cSmall(buf: Uint8Array): number {
  return nativeCrc32c() !== null ? crc32cJs(buf) : wasmCrc32c(buf);
}

/** crc32c in WebAssembly whatever is built (exported for tests and comparisons). */
export function wasmCrc32c(buf: Uint8Array): number {
  const wasm = buf.length > MAX ? null : wasmCrc();
  if (wasm === null) return crc32cJs(buf);
  wasm.mem.set(buf, DATA);
  return wasm.crc(DATA, buf.length) >>> 0;
}

/** Grow the wasm memory to at least `bytes`; false when that is past MAX_PAGES. */
function room(w: Crc, bytes: number): boolean {
  const pages = Math.ceil(bytes / PAGE);
  const have = w.memory.buffer.byteLength / PAGE;
  if (pages <= have) return true;
  if (pages > MAX_PAGES) return false;
  w.memory.grow(pages - have);
  w.mem = new Uint8Array(w.memory.buffer);
  w.words = new Int32Array(w.memory.buffer);
  return true;
}

/**
 * CRC32C of ranges from..to-1 of `buf`, all inside buf[start, end): range i is
 * buf[ranges[2i], ranges[2i] + ranges[2i+1]). Each CRC (unsigned) goes to out[i].
 * One copy of buf[start, end) into wasm memory and one call: callers pass a
 * window of a few dozen KiB, copied while it is still in cache.
 */
/** the signature of crc32cRanges and wasmCrc32cRanges */
type RangesCrc = (buf: Uint8Array, start: number, end: number, ranges: Int32Array, from: number, to: number, out: Uint32Array) => void;

export const crc32cRanges: RangesCrc = (buf, start, end, ranges, from, to, out) => {
  const native = nativeCrc32c();
  if (native !== null) native.ranges(buf, ranges, from, to, out);
  else wasmCrc32cRanges(buf, start, end, ranges, from, to, out);
};

/** crc32cRanges in WebAssembly whatever is built (exported for tests and comparisons). */
export const wasmCrc32cRanges: RangesCrc = (buf, start, end, ranges, from, to, out) => {
  const list = (DATA + end - start + 7) & ~7;
  const wasm = wasmCrc();
  if (wasm === null || !room(wasm, list + 8 * (to - from))) {
    for (let i = from; i < to; i++) {
      const s = ranges[2 * i] as number;
      out[i] = wasmCrc32c(buf.subarray(s, s + (ranges[2 * i + 1] as number)));
    }
    return;
  }
  wasm.mem.set(start === 0 && end === buf.length ? buf : buf.subarray(start, end), DATA);
  const w = wasm.words;
  const shift = DATA - start;
  for (let i = from, k = list >> 2; i < to; i++, k += 2) {
    w[k] = (ranges[2 * i] as number) + shift;
    w[k + 1] = ranges[2 * i + 1] as number;
  }
  wasm.crcs(list, to - from);
  for (let i = from, k = (list >> 2) + 1; i < to; i++, k += 2) out[i] = (w[k] as number) >>> 0;
};
