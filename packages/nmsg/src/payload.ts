/** NmsgPayload: one message plus its header fields, and the container message around payloads. */
import { ByteWriter, bswap32, varintLength } from "@dnsrep/util";
import { crc32c } from "./crc32c-wasm.js";
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

/** Packed size of an NmsgPayload, without serializing it. */
export function packedPayloadSize(p: NmsgPayload): number {
  let n = 1 + varintLength(p.vid) + 1 + varintLength(p.msgtype) + 1 + (p.timeSec < 0 ? 10 : varintLength(p.timeSec)) + 5;
  n += 1 + varintLength(p.payload.length) + p.payload.length;
  if (p.source) n += 1 + varintLength(p.source >>> 0);
  if (p.operator) n += 1 + varintLength(p.operator >>> 0);
  if (p.group) n += 1 + varintLength(p.group >>> 0);
  return n;
}

/** Put a varint of a non-negative integer (up to 2^53) at o[p]; returns the position after it. */
function putVarint(o: Uint8Array, p: number, v: number): number {
  while (v > 0x7fffffff) {
    o[p++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  while (v > 127) {
    o[p++] = (v & 127) | 0x80;
    v >>>= 7;
  }
  o[p++] = v;
  return p;
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
  o[q++] = 0x08;
  q = putVarint(o, q, p.vid);
  o[q++] = 0x10;
  q = putVarint(o, q, p.msgtype);
  o[q++] = 0x18;
  if (p.timeSec < 0) {
    const neg = negVarint(p.timeSec);
    o.set(neg, q);
    q += neg.length;
  } else q = putVarint(o, q, p.timeSec);
  const ns = p.timeNsec >>> 0;
  o[q++] = 0x25;
  o[q++] = ns & 255;
  o[q++] = (ns >>> 8) & 255;
  o[q++] = (ns >>> 16) & 255;
  o[q++] = ns >>> 24;
  o[q++] = 0x2a;
  q = putVarint(o, q, payload.length);
  o.set(payload, q);
  q += payload.length;
  if (p.source) {
    o[q++] = 0x38;
    q = putVarint(o, q, p.source >>> 0);
  }
  if (p.operator) {
    o[q++] = 0x40;
    q = putVarint(o, q, p.operator >>> 0);
  }
  if (p.group) {
    o[q++] = 0x48;
    q = putVarint(o, q, p.group >>> 0);
  }
  w.length = q;
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
  return decodePayloadAt(b, 0, b.length);
}

/** Decode the NmsgPayload in b[start, end); `payload` is a view into b's buffer. */
export function decodePayloadAt(b: Uint8Array, start: number, end: number): NmsgPayload {
  const p: NmsgPayload = { vid: 0, msgtype: 0, timeSec: 0, timeNsec: 0, payload: EMPTY };
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
      p.payload = new Uint8Array(b.buffer, b.byteOffset + pos, n); // a view of the container body, which the reader copied
      pos += n;
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
        case 3:
          p.timeSec = v >= 2 ** 63 ? v - 2 ** 64 : v;
          seen |= 4;
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

/** Size the "payloads" entry of a packed payload takes in the Nmsg message (tag + length + bytes). */
export function entrySize(packedLen: number): number {
  return 1 + varintLength(packedLen) + packedLen;
}
