import { DnstableError } from "./errors.js";

/**
 * RRtype union value of NAME_FWD / NAME_REV entries: empty = all types, 1 byte = type < 256,
 * 2 bytes = LE16 type, 3+ bytes = RFC 4034 type bitmap.
 */
export function decodeRRtypeUnion(val: Uint8Array): number[] {
  if (val.length === 0) return [];
  if (val.length === 1) return [val[0] as number];
  if (val.length === 2) return [(val[0] as number) | ((val[1] as number) << 8)];
  const out: number[] = [];
  let p = 0;
  let lastWindow = -1;
  while (p < val.length) {
    if (p + 2 > val.length) throw new DnstableError("ERR_CORRUPTION", "truncated rrtype bitmap");
    const win = val[p] as number;
    const len = val[p + 1] as number;
    if (win <= lastWindow || len < 1 || len > 32 || p + 2 + len > val.length) {
      throw new DnstableError("ERR_CORRUPTION", "bad rrtype bitmap");
    }
    lastWindow = win;
    for (let i = 0; i < len; i++) {
      const b = val[p + 2 + i] as number;
      for (let bit = 0; bit < 8; bit++) if (b & (0x80 >> bit)) out.push(win * 256 + i * 8 + bit);
    }
    p += 2 + len;
  }
  return out;
}

/** Encode a set of types as the RFC 4034 bitmap form (the form a merge produces). */
export function encodeRRtypeBitmap(types: Iterable<number>): Uint8Array {
  const sorted = [...new Set(types)].filter((t) => t >= 0 && t <= 0xffff).sort((a, b) => a - b);
  const parts: number[] = [];
  let i = 0;
  while (i < sorted.length) {
    const win = (sorted[i] as number) >> 8;
    const bits = new Uint8Array(32);
    let maxByte = 0;
    while (i < sorted.length && (sorted[i] as number) >> 8 === win) {
      const lo = (sorted[i] as number) & 0xff;
      bits[lo >> 3] = (bits[lo >> 3] as number) | (0x80 >> (lo & 7));
      if (lo >> 3 > maxByte) maxByte = lo >> 3;
      i++;
    }
    parts.push(win, maxByte + 1, ...bits.subarray(0, maxByte + 1));
  }
  return Uint8Array.from(parts);
}

/** Encode a single type the way dnstable_convert does (1 byte below 256, else LE16). */
export function encodeRRtypeSingle(t: number): Uint8Array {
  return t < 256 ? Uint8Array.of(t) : Uint8Array.of(t & 0xff, t >> 8);
}

/** True when the union value admits `rrtype` (an empty union admits everything). */
export function rrtypeUnionHas(val: Uint8Array, rrtype: number): boolean {
  if (val.length === 0) return true;
  return decodeRRtypeUnion(val).includes(rrtype);
}
