import { EnrichError, EnrichErrorCode } from "./errors.js";

/**
 * An IPv4 (4 bytes) or IPv6 (16 bytes) address as the text the mmdb reader takes: dotted quad, or
 * eight hex groups (no `::` compression: the reader parses either, and this is the cheap one).
 */
export function addressText(a: Uint8Array): string {
  if (a.length === 4) return `${a[0]}.${a[1]}.${a[2]}.${a[3]}`;
  if (a.length !== 16) throw new EnrichError(EnrichErrorCode.INVALID, `address of ${a.length} bytes (want 4 or 16)`);
  let s = "";
  for (let i = 0; i < 16; i += 2) s += `${i === 0 ? "" : ":"}${(((a[i] as number) << 8) | (a[i + 1] as number)).toString(16)}`;
  return s;
}

/** The address bytes as a latin1 string (a Map key without allocation beyond the string). */
export function addressKey(a: Uint8Array): string {
  return String.fromCharCode.apply(null, a as unknown as number[]);
}

const HEX = "0123456789abcdef";

/** Lower-case hex of the bytes. */
export function hex(a: Uint8Array): string {
  let s = "";
  for (const b of a) s += (HEX[b >> 4] as string) + (HEX[b & 15] as string);
  return s;
}
