/**
 * Protobuf-style base-128 varints (LEB128), as used by mtbl, dnstable and protobuf.
 *
 * Decoders never read past `end` and never accept more than 10 bytes (64-bit) or
 * 5 bytes (32-bit); they return -1 in `pos` on malformed input so hot loops can
 * branch without exceptions.
 */

/** Result slot reused by the decoders to avoid allocating a tuple per call. */
export interface VarintCursor {
  /** decoded value */
  value: number;
  /** offset after the varint, or -1 if truncated / overlong */
  pos: number;
}

/**
 * Decode a varint of at most 5 bytes whose value fits in 32 bits (unsigned).
 * Sets `out.pos = -1` when truncated, overlong, or > 2^32-1.
 */
export function decodeVarint32(buf: Uint8Array, pos: number, end: number, out: VarintCursor): void {
  let result = 0;
  let shift = 0;
  for (let i = 0; i < 5; i++) {
    if (pos >= end) {
      out.pos = -1;
      return;
    }
    const b = buf[pos++] as number;
    if (i === 4) {
      if (b > 0x0f) {
        out.pos = -1;
        return;
      }
      result += b * 2 ** 28;
      out.value = result;
      out.pos = pos;
      return;
    }
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) {
      out.value = result;
      out.pos = pos;
      return;
    }
    shift += 7;
  }
  out.pos = -1;
}

/**
 * Decode a varint of at most 10 bytes. Values above 2^53 lose precision in
 * `value`; use {@link decodeVarint64Big} where exactness matters.
 */
export function decodeVarint64(buf: Uint8Array, pos: number, end: number, out: VarintCursor): void {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) {
      out.pos = -1;
      return;
    }
    const b = buf[pos++] as number;
    if (i === 9 && b > 1) {
      out.pos = -1;
      return;
    }
    result += (b & 0x7f) * mul;
    if (b < 0x80) {
      out.value = result;
      out.pos = pos;
      return;
    }
    mul *= 128;
  }
  out.pos = -1;
}

/** Exact 64-bit decode. Returns [value, nextPos] or null when malformed. */
export function decodeVarint64Big(buf: Uint8Array, pos: number, end: number): [bigint, number] | null {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) return null;
    const b = buf[pos++] as number;
    if (i === 9 && b > 1) return null;
    result |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return [result, pos];
    shift += 7n;
  }
  return null;
}

/** Number of bytes the varint encoding of a non-negative integer takes. */
export function varintLength(value: number): number {
  // comparisons for the common sizes (no division on hot paths), the loop beyond 2^35
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  if (value < 0x800000000) return 5;
  let n = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/** Bytes a protobuf length-delimited field of n bytes takes with a one-byte tag: tag, length, bytes. */
export function bytesFieldLength(n: number): number {
  return 1 + varintLength(n) + n;
}

/**
 * Write the varint of a non-negative safe integer at `pos`; returns the new
 * position. The caller guarantees room (at most 10 bytes).
 */
export function encodeVarint(buf: Uint8Array, pos: number, value: number): number {
  if (!(value >= 0) || !Number.isSafeInteger(value)) {
    throw new RangeError(`varint value must be a non-negative safe integer, got ${value}`);
  }
  while (value >= 128) {
    buf[pos++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  buf[pos++] = value;
  return pos;
}

/**
 * encodeVarint without the check, for hot paths whose values are known to be non-negative safe
 * integers (lengths, ports, times): 32-bit shifts below 2^32, division above.
 */
export function putVarint(o: Uint8Array, p: number, v: number): number {
  while (v > 0xffffffff) {
    o[p++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  // below 2^32 (a CRC, say) the unsigned shift is exact: >>> takes the value as uint32
  while (v > 127) {
    o[p++] = (v & 127) | 0x80;
    v >>>= 7;
  }
  o[p++] = v;
  return p;
}

/** Write an unsigned 64-bit bigint as a varint; returns the new position. */
export function encodeVarintBig(buf: Uint8Array, pos: number, value: bigint): number {
  if (value < 0n || value >= 1n << 64n) throw new RangeError(`varint value out of range: ${value}`);
  while (value >= 128n) {
    buf[pos++] = Number(value & 0x7fn) | 0x80;
    value >>= 7n;
  }
  buf[pos++] = Number(value);
  return pos;
}
