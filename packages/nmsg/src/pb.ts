/** Minimal protobuf wire helpers for the container messages (hot path, no reflection). */
import { decodeVarint64, type VarintCursor } from "@dnsrep/util";
import { NmsgError, NmsgErrorCode } from "./errors.js";

export const cur: VarintCursor = { value: 0, pos: 0 };

export function readVarint(b: Uint8Array, p: number, end: number): number {
  // up to 5 bytes inline (tags, lengths, 32-bit values and times); longer ones exactly, as floats
  if (p + 5 <= end) {
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const x = b[p + i] as number;
      v |= (x & 127) << (7 * i);
      if (x < 128) {
        cur.pos = p + i + 1;
        return v;
      }
    }
    const x = b[p + 4] as number;
    if (x < 128) {
      cur.pos = p + 5;
      return v + x * 268435456;
    }
  }
  decodeVarint64(b, p, end, cur);
  if (cur.pos < 0) throw new NmsgError(NmsgErrorCode.PARSE, "bad protobuf varint");
  return cur.value;
}

/** Skip a field of wire type `wt` at p; returns the new position. */
export function skipField(b: Uint8Array, p: number, end: number, wt: number): number {
  switch (wt) {
    case 0:
      readVarint(b, p, end);
      return cur.pos;
    case 1:
      if (p + 8 > end) break;
      return p + 8;
    case 2: {
      const n = readVarint(b, p, end);
      if (cur.pos + n > end) break;
      return cur.pos + n;
    }
    case 5:
      if (p + 4 > end) break;
      return p + 4;
  }
  throw new NmsgError(NmsgErrorCode.PARSE, `bad protobuf field (wire type ${wt})`);
}
