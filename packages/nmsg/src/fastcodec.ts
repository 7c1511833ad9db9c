/**
 * A hand-written protobuf codec for message modules whose schema uses only
 * proto2 scalar and bytes fields (base/dnsqr, SIE/dnsdedupe, base/dns,
 * base/ipconn and user schemas like them). It decodes into the same objects
 * protobufjs builds (instances of the type's ctor, int64 as Long, bytes as
 * views into the input, no copies) and encodes by sizing the message first
 * and writing it into one Uint8Array (or straight into a container).
 *
 * It is a fast path, not a second implementation of every corner: whenever
 * the input leaves the common well-formed subset (a varint longer than the
 * field allows, a wire type that does not match, packed input, an enum value
 * the closed enum lacks, a missing required field, a value of an unexpected
 * JS type, preserved unknown fields) it returns BAIL and the caller hands the
 * same input to protobufjs, whose answer (a message, bytes or an error) is the
 * reference. Property tests check the two agree.
 *
 * The decoder and encoder of each type are generated from its field table
 * (fastdecode.ts, fastencode.ts), as protobufjs generates its own.
 */
import type protobuf from "protobufjs";
import { compileDecoder } from "./fastdecode.js";
import { compileEncoder, type Encoder } from "./fastencode.js";
import { type AnyMsg, type BAIL, type Ctor, type FastField, fastFields } from "./fastfields.js";

export { BAIL } from "./fastfields.js";

export interface FastCodec extends Encoder {
  readonly ctor: Ctor;
  /** fields in field-number order (the order protobufjs encodes them) */
  readonly fields: readonly FastField[];
  readonly decode: (b: Uint8Array) => AnyMsg | typeof BAIL;
  /** the same as a plain object (own fields, repeated always present, int64 as numbers); see compileDecoder */
  readonly decodePlain: (b: Uint8Array) => AnyMsg | typeof BAIL;
}

/** Build the fast codec for a type, or null when its schema is outside what the fast path handles. */
export function buildFastCodec(type: protobuf.Type): FastCodec | null {
  const fields = fastFields(type);
  if (fields === null) return null;
  const ctor = type.ctor as unknown as Ctor;
  const { size, write, put, encode } = compileEncoder(ctor, fields);
  return { ctor, fields, decode: compileDecoder(ctor, fields), decodePlain: compileDecoder(ctor, fields, true), size, write, put, encode };
}

/** the fast codec of each module type whose schema it covers (null: protobufjs only) */
const fast = new WeakMap<protobuf.Type, FastCodec | null>();
// the last type asked for, and its codec: a pipeline asks for the same one again and again
let lastType: protobuf.Type | null = null;
let lastCodec: FastCodec | null = null;
export function fastCodecOf(type: protobuf.Type): FastCodec | null {
  if (type === lastType) return lastCodec;
  let c = fast.get(type);
  if (c === undefined) {
    c = buildFastCodec(type);
    fast.set(type, c);
  }
  lastType = type;
  lastCodec = c;
  return c;
}

/** Decode `b` into a new message, or BAIL. */
export const fastDecode = (c: FastCodec, b: Uint8Array): AnyMsg | typeof BAIL => c.decode(b);
/** Encode a message (an instance of the type's ctor, or a plain object as encodeMessage accepts it) exactly as protobufjs would, or BAIL. */
export const fastEncode = (c: FastCodec, m: AnyMsg): Uint8Array | typeof BAIL => c.encode(m);
