/**
 * A container's payloads as they lie in its body, for moving them without decoding (nmsgtool's
 * pass-through): where each payload's bytes are, where its message is, its CRC32C, and whether its
 * bytes are exactly those NmsgWriter would write for its decoded fields (then they may be copied
 * as they are; the others go through decodePayloadAt and write()). Parsing a container this way
 * allocates nothing per payload: the positions go into typed arrays reused from one container to
 * the next.
 */
import { scanNmsg, scanned } from "./container.js";
import { decodePayloadAt, msgAt, type NmsgPayload, payloadCrcs } from "./payload.js";
import { cur } from "./pb.js";

/**
 * One container's payloads. A batch handed out by a reader is borrowed: its arrays (and `buf`,
 * when it is a view of the reader's buffer) are reused for the next container, so it is valid
 * until the reader's next step.
 */
export interface RawBatch {
  /** the container's nmsg.Nmsg body (inflated, reassembled) */
  buf: Uint8Array;
  /** payloads kept (those whose CRC did not match are dropped, as the decode path drops them) */
  n: number;
  /** per payload, three numbers: where its entry (tag 0x0a, length) starts in buf, where its packed NmsgPayload starts, where it ends */
  ent: Int32Array;
  /** per payload, two numbers: its message's position in buf and length (crc32cRanges' layout) */
  msg: Int32Array;
  /** per payload, the CRC NmsgWriter stores for it: htonl(crc32c(message)) */
  crcs: Uint32Array;
  /** per payload, 1 when its entry's bytes are exactly NmsgWriter's for its decoded fields */
  exact: Uint8Array;
  /** payloads dropped because their CRC did not match */
  crcErrors: number;
  sequence?: number;
  sequenceId?: bigint;
}

export function newRawBatch(): RawBatch {
  return {
    buf: new Uint8Array(0),
    n: 0,
    ent: new Int32Array(3 * 1024),
    msg: new Int32Array(2 * 1024),
    crcs: new Uint32Array(1024),
    exact: new Uint8Array(1024),
    crcErrors: 0,
  };
}

/** room for n payloads, the first `keep` kept */
function grow(b: RawBatch, n: number, keep: number): void {
  const cap = Math.max(n, 2 * b.crcs.length);
  const ent = new Int32Array(3 * cap);
  ent.set(b.ent.subarray(0, 3 * keep));
  const msg = new Int32Array(2 * cap);
  msg.set(b.msg.subarray(0, 2 * keep));
  const exact = new Uint8Array(cap);
  exact.set(b.exact.subarray(0, keep));
  b.ent = ent;
  b.msg = msg;
  b.crcs = new Uint32Array(cap);
  b.exact = exact;
}

/** The decoded payload i of a batch; its message is a view of the batch's buffer (borrowed as the batch is). */
export function rawPayloadAt(b: RawBatch, i: number): NmsgPayload {
  const buf = b.buf;
  return decodePayloadAt(buf, buf.buffer, buf.byteOffset, b.ent[3 * i + 1] as number, b.ent[3 * i + 2] as number);
}

/** bytes of payloads summed per CRC call: a window still in cache (the wasm path copies it) */
const WINDOW = 32 * 1024;

/** the batch scanNmsg fills (one callback for every call, not a closure per container) */
let filling: RawBatch = newRawBatch();

function addEntry(tagAt: number, start: number, stop: number): void {
  const out = filling;
  const n = out.n;
  if (n === out.crcs.length) grow(out, n + 1, n);
  const body = out.buf;
  // the entry is NmsgWriter's when its tag and length are one byte and a minimal varint
  let exact = tagAt === start - 1 - varintBytes(stop - start) && exactPayloadAt(body, start, stop);
  if (!exact) {
    // anything else is decoded as the decode path decodes it (and fails as it fails)
    decodePayloadAt(body, body.buffer, body.byteOffset, start, stop);
    exact = false;
  }
  out.ent[3 * n] = tagAt;
  out.ent[3 * n + 1] = start;
  out.ent[3 * n + 2] = stop;
  out.msg[2 * n] = msgAt.pos;
  out.msg[2 * n + 1] = msgAt.len;
  out.exact[n] = exact ? 1 : 0;
  out.n = n + 1;
}

/**
 * Parse the serialized nmsg.Nmsg `body` into `out` (reused). The same payloads, in the same order,
 * as decodeNmsg keeps, with the same errors for a malformed container; each payload's CRC is
 * summed, checked against the stored one where there is one, and kept for the writer.
 */
export function decodeRawNmsg(body: Uint8Array, out: RawBatch): RawBatch {
  out.buf = body;
  out.n = 0;
  out.crcErrors = 0;
  filling = out;
  scanNmsg(body, addEntry);
  if (scanned.sequence !== undefined) out.sequence = scanned.sequence;
  else delete out.sequence;
  if (scanned.sequenceId !== undefined) out.sequenceId = scanned.sequenceId;
  else delete out.sequenceId;
  if (out.n > 0) checkCrcs(out, scanned.crcs, scanned.ncrc);
  return out;
}

/** bytes of the minimal varint of v (v < 2^32) */
function varintBytes(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/**
 * Sum every payload's CRC; drop (and count) those whose stored CRC differs, keeping the order. As
 * libnmsg does, the i-th stored CRC checks the i-th payload, for as many payloads as there are
 * stored CRCs; payloads past them are kept, with the CRC summed for them.
 */
function checkCrcs(b: RawBatch, stored: Uint32Array, ncrc: number): void {
  const n = b.n;
  const msg = b.msg;
  let from = 0;
  let start = msg[0] as number;
  for (let i = 0; i < n; i++) {
    const stop = (msg[2 * i] as number) + (msg[2 * i + 1] as number);
    if (stop - start >= WINDOW || i === n - 1) {
      payloadCrcs(b.buf, start, stop, msg, from, i + 1, b.crcs);
      from = i + 1;
      if (from < n) start = msg[2 * from] as number;
    }
  }
  const check = Math.min(n, ncrc);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (i < check && b.crcs[i] !== stored[i]) {
      b.crcErrors++;
      continue;
    }
    if (k !== i) {
      b.ent[3 * k] = b.ent[3 * i] as number;
      b.ent[3 * k + 1] = b.ent[3 * i + 1] as number;
      b.ent[3 * k + 2] = b.ent[3 * i + 2] as number;
      b.msg[2 * k] = b.msg[2 * i] as number;
      b.msg[2 * k + 1] = b.msg[2 * i + 1] as number;
      b.crcs[k] = b.crcs[i] as number;
      b.exact[k] = b.exact[i] as number;
    }
    k++;
  }
  b.n = k;
}

/**
 * A minimal varint at b[p] (at most `max` bytes, the last of them at most `top`), below `end`:
 * its value in cur.value and the position after it in cur.pos; false for anything else.
 */
function minimalVarint(b: Uint8Array, p: number, end: number, max: number, top: number): boolean {
  let v = 0;
  let scale = 1;
  for (let i = 0; i < max && p + i < end; i++) {
    const x = b[p + i] as number;
    if (x < 128) {
      // a last byte of 0 after others would be a longer encoding than needed
      if ((i > 0 && x === 0) || (i === max - 1 && x > top)) return false;
      cur.value = v + x * scale;
      cur.pos = p + i + 1;
      return true;
    }
    v += (x & 127) * scale;
    scale *= 128;
  }
  return false;
}

/**
 * Whether the NmsgPayload in b[start, end) is laid out exactly as putHeader/putTrailer write its
 * decoded fields: vid, msgtype, a non-negative time_sec, time_nsec, the message, then any of
 * source, operator, group in that order, every varint minimal and every value as the decode path
 * reads it. When it is, msgAt holds the message's position and length.
 */
export function exactPayloadAt(b: Uint8Array, start: number, end: number): boolean {
  let p = start;
  if (b[p] !== 0x08 || !minimalVarint(b, p + 1, end, 5, 0x0f)) return false;
  p = cur.pos;
  if (b[p] !== 0x10 || !minimalVarint(b, p + 1, end, 5, 0x0f)) return false;
  p = cur.pos;
  // time_sec below 2^49: read exactly as a number, and written back with the same bytes
  if (b[p] !== 0x18 || !minimalVarint(b, p + 1, end, 7, 0x7f)) return false;
  p = cur.pos;
  if (p + 6 > end || b[p] !== 0x25 || b[p + 5] !== 0x2a) return false;
  if (!minimalVarint(b, p + 6, end, 5, 0x0f)) return false;
  const len = cur.value;
  p = cur.pos;
  if (p + len > end) return false;
  msgAt.pos = p;
  msgAt.len = len;
  p += len;
  // the header fields after the message, each at most once and in field order, as putTrailer writes them
  let last = 0;
  while (p < end) {
    const tag = b[p] as number;
    if (tag !== 0x38 && tag !== 0x40 && tag !== 0x48) return false;
    if (tag <= last || !minimalVarint(b, p + 1, end, 5, 0x0f)) return false;
    last = tag;
    p = cur.pos;
  }
  return p === end;
}
