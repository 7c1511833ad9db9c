/** Hex helpers that never allocate per byte in loops. */

const HEX = "0123456789abcdef";
const PAIRS: string[] = Array.from({ length: 256 }, (_, i) => HEX[i >> 4]! + HEX[i & 15]!);

/** Lower-case hex of `buf[start, end)`, no separators. */
export function toHex(buf: Uint8Array, start = 0, end = buf.length): string {
  let s = "";
  for (let i = start; i < end; i++) s += PAIRS[buf[i] as number];
  return s;
}

/** The two lower-case hex digits of one byte. */
export function hexByte(b: number): string {
  return PAIRS[b & 0xff] as string;
}

/** Parse hex (upper or lower case, even length, no separators). Returns null when invalid. */
export function fromHex(text: string): Uint8Array | null {
  if (text.length % 2 !== 0) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexValue(text.charCodeAt(2 * i));
    const lo = hexValue(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return null;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Value of one hex digit character code, or -1. */
export function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
