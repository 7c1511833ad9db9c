/** Encoding dnstap protobuf messages (for writers, tests and generators), field order as the .proto numbers them. */
import { ByteWriter } from "@dnsrep/util";
import type { Dnstap, Message, Policy } from "./schema.js";

function tag(w: ByteWriter, field: number, wt: number): void {
  w.varint(field * 8 + wt);
}

function bytes(w: ByteWriter, field: number, v: Uint8Array | undefined): void {
  if (v === undefined) return;
  tag(w, field, 2);
  w.varint(v.length);
  w.bytes(v);
}

function uint(w: ByteWriter, field: number, v: number | undefined): void {
  if (v === undefined) return;
  tag(w, field, 0);
  // enums are int32: a negative one is a 10-byte varint of its 64-bit two's complement
  if (v < 0) {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 128n) {
      w.byte(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    w.byte(Number(x));
  } else w.varint(v);
}

function fixed32(w: ByteWriter, field: number, v: number | undefined): void {
  if (v === undefined) return;
  tag(w, field, 5);
  w.u32le(v >>> 0);
}

function nested(w: ByteWriter, field: number, body: ByteWriter): void {
  tag(w, field, 2);
  w.varint(body.length);
  w.bytes(body.view());
}

function encodePolicy(p: Policy): ByteWriter {
  const w = new ByteWriter(64);
  if (p.type !== undefined) bytes(w, 1, new TextEncoder().encode(p.type));
  bytes(w, 2, p.rule);
  uint(w, 3, p.action);
  uint(w, 4, p.match);
  bytes(w, 5, p.value);
  return w;
}

function encodeMessageBody(m: Message): ByteWriter {
  const w = new ByteWriter(256);
  uint(w, 1, m.type);
  uint(w, 2, m.socket_family);
  uint(w, 3, m.socket_protocol);
  bytes(w, 4, m.query_address);
  bytes(w, 5, m.response_address);
  uint(w, 6, m.query_port);
  uint(w, 7, m.response_port);
  uint(w, 8, m.query_time_sec);
  fixed32(w, 9, m.query_time_nsec);
  bytes(w, 10, m.query_message);
  bytes(w, 11, m.query_zone);
  uint(w, 12, m.response_time_sec);
  fixed32(w, 13, m.response_time_nsec);
  bytes(w, 14, m.response_message);
  if (m.policy) nested(w, 15, encodePolicy(m.policy));
  uint(w, 16, m.http_protocol);
  return w;
}

/** Encode a dnstap message as a data frame's payload. */
export function encodeDnstap(d: Dnstap): Uint8Array {
  const w = new ByteWriter(512);
  bytes(w, 1, d.identity);
  bytes(w, 2, d.version);
  bytes(w, 3, d.extra);
  if (d.message) nested(w, 14, encodeMessageBody(d.message));
  uint(w, 15, d.type);
  return w.toBytes();
}
