/** NmsgPayload: one message plus its header fields, and the container message around payloads. */
import { ByteWriter, bswap32, crc32cSmall as crc32c, crc32cRanges, decodeVarint64Big, putVarint, varintLength } from "@dnsrep/util";
import { NmsgError, NmsgErrorCode } from "./errors.js";
import { cur, readVarint, skipField } from "./pb.js";

export interface NmsgPayload {
  vid: number;
  msgtype: number;
  timeSec: number;
  timeNsec: number;
  /** the serialized message-module protobuf */
  payload: Uint8Array;
  source?: number;
  operator?: number;
  group?: number;
}

/** Serialize an NmsgPayload exactly as protobuf-c does (field order, optional fields only when non-zero). */
export function encodePayload(p: NmsgPayload, w = new ByteWriter(p.payload.length + 32)): Uint8Array {
  w.reset();
  appendPayload(p, w);
  return w.toBytes();
}

/** The header fields of an NmsgPayload: all but the message bytes. */
export type PayloadHeader = Omit<NmsgPayload, "payload">;

/** Packed size of an NmsgPayload, without serializing it. */
export function packedPayloadSize(p: NmsgPayload): number {
  return packedSizeWith(p, p.payload.length);
}

/** Packed size of an NmsgPayload with header h and a message of len bytes. */
export function packedSizeWith(h: PayloadHeader, len: number): number {
  return headerSize(h) + varintLength(len) + len + trailerSize(h);
}

/** Bytes putHeader puts before the message's length. */
export function headerSize(h: PayloadHeader): number {
  return 1 + varintLength(h.vid) + 1 + varintLength(h.msgtype) + 1 + (h.timeSec < 0 ? 10 : varintLength(h.timeSec)) + 5 + 1;
}

/** Bytes putTrailer puts. */
export function trailerSize(h: PayloadHeader): number {
  // present fields are written, zero included (libnmsg's has_source etc.), absent ones are not
  let n = 0;
  if (h.source !== undefined) n += 1 + varintLength(h.source >>> 0);
  if (h.operator !== undefined) n += 1 + varintLength(h.operator >>> 0);
  if (h.group !== undefined) n += 1 + varintLength(h.group >>> 0);
  return n;
}

/**
 * Append the serialized NmsgPayload to `w` (one reserve, then straight into
 * its buffer); with `entry` (its packed size), as an Nmsg.payloads entry
 * (tag 0x0a and that length first).
 */
export function appendPayload(p: NmsgPayload, w: ByteWriter, entry?: number): void {
  const payload = p.payload;
  w.reserve(payload.length + 80);
  const o = w.buf;
  let q = w.length;
  if (entry !== undefined) {
    o[q++] = 0x0a;
    q = putVarint(o, q, entry);
  }
  q = putHeader(o, q, p, payload.length);
  o.set(payload, q);
  w.length = putTrailer(o, q + payload.length, p);
}

/** Put h's fields up to the message's tag and length (len bytes) at o[q]; returns where the message goes. */
export function putHeader(o: Uint8Array, q: number, h: PayloadHeader, len: number): number {
  o[q++] = 0x08;
  q = putVarint(o, q, h.vid);
  o[q++] = 0x10;
  q = putVarint(o, q, h.msgtype);
  o[q++] = 0x18;
  if (h.timeSec < 0) {
    const neg = negVarint(h.timeSec);
    o.set(neg, q);
    q += neg.length;
  } else q = putVarint(o, q, h.timeSec);
  const ns = h.timeNsec >>> 0;
  o[q++] = 0x25;
  o[q++] = ns & 255;
  o[q++] = (ns >>> 8) & 255;
  o[q++] = (ns >>> 16) & 255;
  o[q++] = ns >>> 24;
  o[q++] = 0x2a;
  return putVarint(o, q, len);
}

/** Put h's fields that follow the message at o[q]; returns the position after them. */
export function putTrailer(o: Uint8Array, q: number, h: PayloadHeader): number {
  if (h.source !== undefined) {
    o[q++] = 0x38;
    q = putVarint(o, q, h.source >>> 0);
  }
  if (h.operator !== undefined) {
    o[q++] = 0x40;
    q = putVarint(o, q, h.operator >>> 0);
  }
  if (h.group !== undefined) {
    o[q++] = 0x48;
    q = putVarint(o, q, h.group >>> 0);
  }
  return q;
}

function negVarint(v: number): Uint8Array {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (x >= 128n) {
    out.push(Number(x & 127n) | 128);
    x >>= 7n;
  }
  out.push(Number(x));
  return new Uint8Array(out);
}

const EMPTY = new Uint8Array(0);

/** Decode an NmsgPayload; `payload` is a view into `b` (readers pass a private copy of each container). */
export function decodePayload(b: Uint8Array): NmsgPayload {
  return decodePayloadAt(b, b.buffer, b.byteOffset, 0, b.length);
}

/**
 * Where decodePayloadAt found the message bytes: their position in b (the payload's start when it
 * has none) and length.
 */
export const msgAt = { pos: 0, len: 0 };

/**
 * Decode the NmsgPayload in b[start, end); `payload` is a view into b's buffer. The caller passes
 * b.buffer and b.byteOffset (`ab`, `bo`): read once per container, as both accessors cost as much
 * as building a view.
 */
export function decodePayloadAt(b: Uint8Array, ab: ArrayBufferLike, bo: number, start: number, end: number): NmsgPayload {
  return commonPayloadAt(b, ab, bo, start, end) ?? anyPayloadAt(b, ab, bo, start, end);
}

/**
 * The layout libnmsg writes for a payload without source, operator or group: vid and msgtype
 * under 128, time_sec under 2^35, time_nsec, the message; read straight through, or null for
 * anything else. Every byte read is before the position checked against `end` at the end.
 */
function commonPayloadAt(b: Uint8Array, ab: ArrayBufferLike, bo: number, start: number, end: number): NmsgPayload | null {
  let p = start;
  const vid = b[p + 1] as number;
  const msgtype = b[p + 3] as number;
  if (b[p] !== 0x08 || vid >= 128 || b[p + 2] !== 0x10 || msgtype >= 128 || b[p + 4] !== 0x18) return null;
  p += 5;
  let x = b[p++] as number;
  let timeSec = x & 127;
  for (let shift = 128; x >= 128; shift *= 128) {
    if (shift > 2 ** 28) return null;
    x = b[p++] as number;
    timeSec += (x & 127) * shift;
  }
  if (b[p] !== 0x25 || b[p + 5] !== 0x2a) return null;
  const timeNsec = ((b[p + 1] as number) | ((b[p + 2] as number) << 8) | ((b[p + 3] as number) << 16) | ((b[p + 4] as number) << 24)) >>> 0;
  p += 6;
  x = b[p++] as number;
  let n = x & 127;
  if (x >= 128) {
    x = b[p++] as number;
    n |= (x & 127) << 7;
    if (x >= 128) {
      x = b[p++] as number;
      n |= (x & 127) << 14;
      if (x >= 128) return null;
    }
  }
  if (p + n !== end) return null;
  msgAt.pos = p;
  msgAt.len = n;
  return { vid, msgtype, timeSec, timeNsec, payload: new Uint8Array(ab, bo + p, n) };
}

function anyPayloadAt(b: Uint8Array, ab: ArrayBufferLike, bo: number, start: number, end: number): NmsgPayload {
  const p: NmsgPayload = { vid: 0, msgtype: 0, timeSec: 0, timeNsec: 0, payload: EMPTY };
  msgAt.pos = start;
  msgAt.len = 0;
  let pos = start;
  let seen = 0;
  while (pos < end) {
    const tag = readVarint(b, pos, end);
    pos = cur.pos;
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 4 && wt === 5) {
      if (pos + 4 > end) throw new NmsgError(NmsgErrorCode.PARSE, "truncated payload");
      p.timeNsec = (b[pos]! | (b[pos + 1]! << 8) | (b[pos + 2]! << 16) | (b[pos + 3]! << 24)) >>> 0;
      pos += 4;
      seen |= 8;
    } else if (field === 5 && wt === 2) {
      const n = readVarint(b, pos, end);
      pos = cur.pos;
      if (pos + n > end) throw new NmsgError(NmsgErrorCode.PARSE, "truncated payload");
      p.payload = new Uint8Array(ab, bo + pos, n); // a view of the container body, which the reader copied
      msgAt.pos = pos;
      msgAt.len = n;
      pos += n;
    } else if (field === 3 && wt === 0) {
      // int64 read exactly: as a float, a negative time's ten bytes lose its low bits (-1 came back 0)
      const r = decodeVarint64Big(b, pos, end);
      if (r === null) throw new NmsgError(NmsgErrorCode.PARSE, "bad protobuf varint");
      p.timeSec = Number(BigInt.asIntN(64, r[0]));
      pos = r[1];
      seen |= 4;
    } else if (wt === 0 && field >= 1 && field <= 9) {
      const v = readVarint(b, pos, end);
      pos = cur.pos;
      switch (field) {
        case 1:
          p.vid = v;
          seen |= 1;
          break;
        case 2:
          p.msgtype = v;
          seen |= 2;
          break;
        case 7:
          p.source = v >>> 0;
          break;
        case 8:
          p.operator = v >>> 0;
          break;
        case 9:
          p.group = v >>> 0;
          break;
      }
    } else pos = skipField(b, pos, end, wt);
  }
  if (seen !== 15) throw new NmsgError(NmsgErrorCode.PARSE, "payload lacks a required field");
  return p;
}

/** The CRC libnmsg stores for a payload: htonl(crc32c(payload bytes)) read as a host (LE) integer. */
export function payloadCrc(payload: Uint8Array): number {
  return bswap32(crc32c(payload));
}

/** payloadCrc of ranges from..to-1 of buf at once, into out (see crc32cRanges). */
export function payloadCrcs(
  buf: Uint8Array,
  start: number,
  end: number,
  ranges: Int32Array,
  from: number,
  to: number,
  out: Uint32Array,
): void {
  crc32cRanges(buf, start, end, ranges, from, to, out);
  for (let i = from; i < to; i++) out[i] = bswap32(out[i] as number);
}
