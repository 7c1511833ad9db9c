/**
 * A hand-written decoder of dnstap's protobuf messages: unknown fields are skipped as proto2
 * says, a wrong wire type for a known field, a truncated field, a group or a missing required
 * field is an ERR_PROTOBUF error. It decodes in place (`decodeDnstapView`: the fields' positions
 * in the frame, in one reused DnstapView, nothing allocated — the converter's hot path), and
 * `decodeDnstap` makes the plain objects from that (bytes fields as views into the frame, no
 * copies). Measured against protobufjs in bench/dnstap/run.mjs; chosen for its in-place form and
 * its typed errors.
 */
import { DnstapError, DnstapErrorCode } from "./errors.js";
import type { Dnstap, Message, Policy } from "./schema.js";

class Cursor {
  p: number;
  b: Uint8Array;
  end: number;
  base: number | undefined;
  constructor(b: Uint8Array, end: number, base: number | undefined, p = 0) {
    this.b = b;
    this.end = end;
    this.base = base;
    this.p = p;
  }

  fail(why: string): never {
    throw new DnstapError(DnstapErrorCode.PROTOBUF, `dnstap protobuf does not decode: ${why}`, this.base);
  }

  varint(): number {
    const b = this.b;
    let p = this.p;
    if (p < this.end && b[p]! < 0x80) {
      this.p = p + 1;
      return b[p]!;
    }
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (p >= this.end) this.fail("a varint runs past the end");
      const c = b[p++]!;
      v += (c & 0x7f) * mul;
      if (c < 0x80) {
        this.p = p;
        return v;
      }
      mul *= 128;
    }
    return this.fail("a varint longer than 10 bytes");
  }

  /** a 32-bit field from a varint: the low 32 bits, as protobuf takes them */
  u32(): number {
    const v = this.varint();
    return v < 0x100000000 ? v : Number(BigInt.asUintN(32, BigInt(Math.round(v))));
  }

  /** an enum (int32): negative numbers arrive as 10-byte varints */
  enum(): number {
    return this.u32() | 0;
  }

  fixed32(): number {
    const p = this.p;
    if (this.end - p < 4) this.fail("a fixed32 runs past the end");
    this.p = p + 4;
    const b = this.b;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  bytes(): Uint8Array {
    const n = this.varint();
    const p = this.p;
    if (n > this.end - p) this.fail(`a field of ${n} bytes runs past the end`);
    this.p = p + n;
    return this.b.subarray(p, p + n);
  }

  skip(wt: number): void {
    switch (wt) {
      case 0:
        this.varint();
        return;
      case 1:
        if (this.end - this.p < 8) this.fail("a fixed64 runs past the end");
        this.p += 8;
        return;
      case 2:
        this.bytes();
        return;
      case 5:
        this.fixed32();
        return;
      default:
        this.fail(`wire type ${wt}`);
    }
  }

  /** the next tag as [field, wire type] packed: field * 8 + wt */
  tag(): number {
    const t = this.varint();
    if (t < 8) this.fail(`field number 0`);
    return t;
  }
}

const WT_VARINT = 0;
const WT_LEN = 2;
const WT_FIXED32 = 5;

function expect(c: Cursor, field: number, wt: number, want: number): void {
  if (wt !== want) c.fail(`field ${field} has wire type ${wt}, expected ${want}`);
}

function latin1OrUtf8(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

function decodePolicy(c: Cursor): Policy {
  const o: Policy = {};
  while (c.p < c.end) {
    const t = c.tag();
    const f = Math.floor(t / 8);
    const wt = t & 7;
    switch (f) {
      case 1:
        expect(c, f, wt, WT_LEN);
        o.type = latin1OrUtf8(c.bytes());
        break;
      case 2:
        expect(c, f, wt, WT_LEN);
        o.rule = c.bytes();
        break;
      case 3:
        expect(c, f, wt, WT_VARINT);
        o.action = c.enum();
        break;
      case 4:
        expect(c, f, wt, WT_VARINT);
        o.match = c.enum();
        break;
      case 5:
        expect(c, f, wt, WT_LEN);
        o.value = c.bytes();
        break;
      default:
        c.skip(wt);
    }
  }
  return o;
}

/** Dnstap's fields (by number) in DnstapView.has */
export const F_IDENTITY = 1 << 1;
export const F_VERSION = 1 << 2;
export const F_EXTRA = 1 << 3;
export const F_MESSAGE = 1 << 14;

/** Message's fields (by number) in DnstapView.msgHas */
export const M_SOCKET_FAMILY = 1 << 2;
export const M_SOCKET_PROTOCOL = 1 << 3;
export const M_QUERY_ADDRESS = 1 << 4;
export const M_RESPONSE_ADDRESS = 1 << 5;
export const M_QUERY_PORT = 1 << 6;
export const M_RESPONSE_PORT = 1 << 7;
export const M_QUERY_TIME_SEC = 1 << 8;
export const M_QUERY_TIME_NSEC = 1 << 9;
export const M_QUERY_MESSAGE = 1 << 10;
export const M_QUERY_ZONE = 1 << 11;
export const M_RESPONSE_TIME_SEC = 1 << 12;
export const M_RESPONSE_TIME_NSEC = 1 << 13;
export const M_RESPONSE_MESSAGE = 1 << 14;
export const M_POLICY = 1 << 15;
export const M_HTTP_PROTOCOL = 1 << 16;

/**
 * A dnstap protobuf decoded in place: which fields are there (bit masks by field number), the
 * numbers, and where each bytes field lies in `b` ([start, end) pairs). Filled by
 * decodeDnstapView, reused frame after frame; valid while its frame is. A field given twice
 * keeps the last, as protobuf says.
 */
export class DnstapView {
  b: Uint8Array = new Uint8Array(0);
  has = 0;
  type = 0;
  identity = 0;
  identityEnd = 0;
  version = 0;
  versionEnd = 0;
  extra = 0;
  extraEnd = 0;
  msgHas = 0;
  msgType = 0;
  socketFamily = 0;
  socketProtocol = 0;
  queryAddress = 0;
  queryAddressEnd = 0;
  responseAddress = 0;
  responseAddressEnd = 0;
  queryPort = 0;
  responsePort = 0;
  queryTimeSec = 0;
  queryTimeNsec = 0;
  queryMessage = 0;
  queryMessageEnd = 0;
  queryZone = 0;
  queryZoneEnd = 0;
  responseTimeSec = 0;
  responseTimeNsec = 0;
  responseMessage = 0;
  responseMessageEnd = 0;
  policy = 0;
  policyEnd = 0;
  httpProtocol = 0;
}

/** a length-delimited field's length, checked: the cursor then stands at its first byte */
function lenField(c: Cursor): number {
  const n = c.varint();
  if (n > c.end - c.p) c.fail(`a field of ${n} bytes runs past the end`);
  return n;
}

function decodeMessageView(c: Cursor, v: DnstapView): void {
  let has = 0;
  let hasType = false;
  while (c.p < c.end) {
    const t = c.tag();
    const f = Math.floor(t / 8);
    const wt = t & 7;
    let n: number;
    switch (f) {
      case 1:
        expect(c, f, wt, WT_VARINT);
        v.msgType = c.enum();
        hasType = true;
        continue;
      case 2:
        expect(c, f, wt, WT_VARINT);
        v.socketFamily = c.enum();
        break;
      case 3:
        expect(c, f, wt, WT_VARINT);
        v.socketProtocol = c.enum();
        break;
      case 4:
        expect(c, f, wt, WT_LEN);
        n = lenField(c);
        v.queryAddress = c.p;
        v.queryAddressEnd = c.p += n;
        break;
      case 5:
        expect(c, f, wt, WT_LEN);
        n = lenField(c);
        v.responseAddress = c.p;
        v.responseAddressEnd = c.p += n;
        break;
      case 6:
        expect(c, f, wt, WT_VARINT);
        v.queryPort = c.u32();
        break;
      case 7:
        expect(c, f, wt, WT_VARINT);
        v.responsePort = c.u32();
        break;
      case 8:
        expect(c, f, wt, WT_VARINT);
        v.queryTimeSec = c.varint();
        break;
      case 9:
        expect(c, f, wt, WT_FIXED32);
        v.queryTimeNsec = c.fixed32();
        break;
      case 10:
        expect(c, f, wt, WT_LEN);
        n = lenField(c);
        v.queryMessage = c.p;
        v.queryMessageEnd = c.p += n;
        break;
      case 11:
        expect(c, f, wt, WT_LEN);
        n = lenField(c);
        v.queryZone = c.p;
        v.queryZoneEnd = c.p += n;
        break;
      case 12:
        expect(c, f, wt, WT_VARINT);
        v.responseTimeSec = c.varint();
        break;
      case 13:
        expect(c, f, wt, WT_FIXED32);
        v.responseTimeNsec = c.fixed32();
        break;
      case 14:
        expect(c, f, wt, WT_LEN);
        n = lenField(c);
        v.responseMessage = c.p;
        v.responseMessageEnd = c.p += n;
        break;
      case 15: {
        expect(c, f, wt, WT_LEN);
        n = lenField(c);
        const end = c.end;
        v.policy = c.p;
        c.end = v.policyEnd = c.p + n;
        decodePolicy(c); // checked here (rare: RPZ); the object is made again only by decodeDnstap
        c.end = end;
        break;
      }
      case 16:
        expect(c, f, wt, WT_VARINT);
        v.httpProtocol = c.enum();
        break;
      default:
        c.skip(wt);
        continue;
    }
    has |= 1 << f;
  }
  if (!hasType) c.fail("Message.type (required) is missing");
  v.msgHas = has;
}

const cursor = new Cursor(new Uint8Array(0), 0, undefined);

/**
 * Decode one dnstap protobuf (a data frame's payload) in place into `v` (returned): nothing is
 * allocated. `offset` (the frame's place in its stream) goes into errors.
 */
export function decodeDnstapView(b: Uint8Array, v: DnstapView, offset?: number): DnstapView {
  const c = cursor;
  c.b = b;
  c.p = 0;
  c.end = b.length;
  c.base = offset;
  v.b = b;
  let has = 0;
  let hasType = false;
  v.msgHas = 0;
  while (c.p < c.end) {
    const t = c.tag();
    const f = Math.floor(t / 8);
    const wt = t & 7;
    let n: number;
    switch (f) {
      case 1:
        expect(c, f, wt, WT_LEN);
        n = lenField(c);
        v.identity = c.p;
        v.identityEnd = c.p += n;
        break;
      case 2:
        expect(c, f, wt, WT_LEN);
        n = lenField(c);
        v.version = c.p;
        v.versionEnd = c.p += n;
        break;
      case 3:
        expect(c, f, wt, WT_LEN);
        n = lenField(c);
        v.extra = c.p;
        v.extraEnd = c.p += n;
        break;
      case 14: {
        expect(c, f, wt, WT_LEN);
        n = lenField(c);
        const end = c.end;
        c.end = c.p + n;
        decodeMessageView(c, v);
        c.p = c.end;
        c.end = end;
        break;
      }
      case 15:
        expect(c, f, wt, WT_VARINT);
        v.type = c.enum();
        hasType = true;
        continue;
      default:
        c.skip(wt);
        continue;
    }
    has |= 1 << f;
  }
  if (!hasType) c.fail("Dnstap.type (required) is missing");
  v.has = has;
  return v;
}

const scratch = new DnstapView();

/**
 * Decode one dnstap protobuf (a data frame's payload). The bytes fields are views into `b`;
 * `offset` (the frame's place in its stream) goes into errors.
 */
export function decodeDnstap(b: Uint8Array, offset?: number): Dnstap {
  const v = decodeDnstapView(b, scratch, offset);
  const o = { type: v.type } as Dnstap;
  if (v.has & F_IDENTITY) o.identity = b.subarray(v.identity, v.identityEnd);
  if (v.has & F_VERSION) o.version = b.subarray(v.version, v.versionEnd);
  if (v.has & F_EXTRA) o.extra = b.subarray(v.extra, v.extraEnd);
  if (v.has & F_MESSAGE) o.message = messageOf(v, offset);
  return o;
}

function messageOf(v: DnstapView, offset: number | undefined): Message {
  const b = v.b;
  const h = v.msgHas;
  const m = { type: v.msgType } as Message;
  if (h & M_SOCKET_FAMILY) m.socket_family = v.socketFamily;
  if (h & M_SOCKET_PROTOCOL) m.socket_protocol = v.socketProtocol;
  if (h & M_QUERY_ADDRESS) m.query_address = b.subarray(v.queryAddress, v.queryAddressEnd);
  if (h & M_RESPONSE_ADDRESS) m.response_address = b.subarray(v.responseAddress, v.responseAddressEnd);
  if (h & M_QUERY_PORT) m.query_port = v.queryPort;
  if (h & M_RESPONSE_PORT) m.response_port = v.responsePort;
  if (h & M_QUERY_TIME_SEC) m.query_time_sec = v.queryTimeSec;
  if (h & M_QUERY_TIME_NSEC) m.query_time_nsec = v.queryTimeNsec;
  if (h & M_QUERY_MESSAGE) m.query_message = b.subarray(v.queryMessage, v.queryMessageEnd);
  if (h & M_QUERY_ZONE) m.query_zone = b.subarray(v.queryZone, v.queryZoneEnd);
  if (h & M_RESPONSE_TIME_SEC) m.response_time_sec = v.responseTimeSec;
  if (h & M_RESPONSE_TIME_NSEC) m.response_time_nsec = v.responseTimeNsec;
  if (h & M_RESPONSE_MESSAGE) m.response_message = b.subarray(v.responseMessage, v.responseMessageEnd);
  if (h & M_POLICY) m.policy = decodePolicy(new Cursor(b, v.policyEnd, offset, v.policy));
  if (h & M_HTTP_PROTOCOL) m.http_protocol = v.httpProtocol;
  return m;
}
