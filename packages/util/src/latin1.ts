/**
 * Bytes ⇄ one-byte strings (one char per byte, 0–255) with Buffer's native latin1 codecs, called on
 * plain Uint8Arrays and Buffers alike. V8 keeps such strings flat and compares them in byte order,
 * so they serve as map keys and sort keys for wire data (names, addresses, table keys).
 */
const slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;
const write = Buffer.prototype.latin1Write as (this: Uint8Array, s: string, offset: number) => number;

/** `b[start, end)` as a one-byte string. */
export function latin1String(b: Uint8Array, start = 0, end = b.length): string {
  return slice.call(b, start, end);
}

/** Write the one-byte string `s` into `b` at `offset`; returns the number of bytes written. */
export function writeLatin1(b: Uint8Array, s: string, offset: number): number {
  return write.call(b, s, offset);
}

/** A one-byte string's bytes, as a plain Uint8Array view of a new Buffer. */
export function latin1Bytes(s: string): Uint8Array {
  const b = Buffer.from(s, "latin1");
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}
