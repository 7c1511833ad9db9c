/**
 * Names as map keys: the lower-case uncompressed wire form as a one-byte string. Wire names are
 * self-delimiting, so keys concatenate unambiguously; ancestors are suffixes at label boundaries.
 */
import { latin1String } from "@dnsrep/util";
import { nameToString } from "@dnsrep/wdns";

const scratch = new Uint8Array(256);

/** Key of a wire name (downcased): one native decode of a downcased copy, a flat one-byte string. */
export function nameKey(wire: Uint8Array): string {
  const n = wire.length;
  const b = n <= scratch.length ? scratch : new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = wire[i]!;
    b[i] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
  }
  return latin1String(b, 0, n);
}

/** Wire bytes of a key (or of key[start, end)). */
export function keyBytes(key: string, start = 0, end = key.length): Uint8Array {
  const b = new Uint8Array(end - start);
  for (let i = start; i < end; i++) b[i - start] = key.charCodeAt(i);
  return b;
}

export const ROOT_KEY = "\0";

/** The key itself, then each ancestor up to the root (closest first). */
export function* selfAndAncestors(key: string): Generator<string> {
  let p = 0;
  while (p < key.length) {
    yield p === 0 ? key : key.slice(p);
    const len = key.charCodeAt(p);
    if (len === 0) return;
    p += len + 1;
  }
}

/** Whether `name` is `zone` or below it (both keys). */
export function isAtOrBelow(name: string, zone: string): boolean {
  if (zone.length > name.length || !name.endsWith(zone)) return false;
  if (zone.length === name.length) return true;
  // the suffix must start at a label boundary
  let p = 0;
  const at = name.length - zone.length;
  while (p < at) p += name.charCodeAt(p) + 1;
  return p === at;
}

/** isAtOrBelow for a (downcased) wire name b[at, at + len), without making a key of it. */
export function atOrBelowAt(b: Uint8Array, at: number, len: number, zone: string): boolean {
  const off = len - zone.length;
  if (off < 0) return false;
  for (let i = 0; i < zone.length; i++) if (b[at + off + i] !== zone.charCodeAt(i)) return false;
  // the suffix must start at a label boundary
  let p = 0;
  while (p < off) p += b[at + p]! + 1;
  return p === off;
}

/** Presentation form of a key ("www.example.com."). */
export function keyToString(key: string): string {
  return nameToString(keyBytes(key));
}

/** Address as a key (4 or 16 one-byte characters). */
export function addrKey(b: Uint8Array): string {
  return latin1String(b, 0, b.length);
}

/** The key of bytes already in key form (a downcased wire name): b[start, end) as one-byte characters. */
export function keyAt(b: Uint8Array, start: number, end: number): string {
  return latin1String(b, start, end);
}
