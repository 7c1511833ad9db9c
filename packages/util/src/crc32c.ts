/**
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78): the SSE4.2
 * instruction through the native addon where it is built (crc32c-native.ts),
 * else slicing-by-8 tables. Used by mtbl block framing and nmsg
 * payload/fragment checksums.
 */
import { nativeCrc32c } from "./crc32c-native.js";

const POLY = 0x82f63b78;
/** the slicing-by-8 tables, built on first use (not at import: a tool's `--help` never sums, issue 30) */
let tables: Uint32Array | undefined;

function buildTables(): Uint32Array {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n] as number;
    for (let k = 1; k < 8; k++) {
      c = (t[c & 0xff] as number) ^ (c >>> 8);
      t[k * 256 + n] = c >>> 0;
    }
  }
  return t;
}

/** Update a running (un-finalised) CRC32C state with `buf[start, end)`. */
function update(state: number, buf: Uint8Array, start: number, end: number): number {
  if (tables === undefined) tables = buildTables();
  const t = tables;
  let crc = state;
  let i = start;
  const stop8 = end - 8;
  while (i <= stop8) {
    crc ^= (buf[i] as number) | ((buf[i + 1] as number) << 8) | ((buf[i + 2] as number) << 16) | ((buf[i + 3] as number) << 24);
    crc =
      (t[7 * 256 + (crc & 0xff)] as number) ^
      (t[6 * 256 + ((crc >>> 8) & 0xff)] as number) ^
      (t[5 * 256 + ((crc >>> 16) & 0xff)] as number) ^
      (t[4 * 256 + (crc >>> 24)] as number) ^
      (t[3 * 256 + (buf[i + 4] as number)] as number) ^
      (t[2 * 256 + (buf[i + 5] as number)] as number) ^
      (t[256 + (buf[i + 6] as number)] as number) ^
      (t[buf[i + 7] as number] as number);
    i += 8;
  }
  while (i < end) {
    crc = (t[(crc ^ (buf[i] as number)) & 0xff] as number) ^ (crc >>> 8);
    i++;
  }
  return crc;
}

/** below this many bytes the table loop beats a call into the native code */
const NATIVE_FROM = 64;

function step(state: number, buf: Uint8Array, start: number, end: number): number {
  const native = end - start >= NATIVE_FROM ? nativeCrc32c() : null;
  return native !== null ? native.crc(buf, start, end, state >>> 0) : update(state, buf, start, end);
}

/** CRC32C of `buf[start, end)` as an unsigned 32-bit number (the SSE4.2 instruction where the native addon is built). */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  return (step(0xffffffff, buf, start, end) ^ 0xffffffff) >>> 0;
}

/** The same with the table code only, whatever is built (for tests and comparisons). */
export function crc32cPortable(buf: Uint8Array, start = 0, end = buf.length): number {
  return (update(0xffffffff, buf, start, end) ^ 0xffffffff) >>> 0;
}

/** Incremental CRC32C over several chunks. */
export class Crc32c {
  #state = 0xffffffff;
  update(buf: Uint8Array, start = 0, end = buf.length): this {
    this.#state = step(this.#state, buf, start, end);
    return this;
  }
  digest(): number {
    return (this.#state ^ 0xffffffff) >>> 0;
  }
  /** Start over, for the next buffer. */
  reset(): this {
    this.#state = 0xffffffff;
    return this;
  }
}

/** Swap the byte order of a 32-bit value (htonl/ntohl on a little-endian host). */
export function bswap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}
