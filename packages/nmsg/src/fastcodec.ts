/**
 * A hand-written protobuf codec for message modules whose schema uses only
 * proto2 scalar and bytes fields (base/dnsqr, SIE/dnsdedupe, base/dns,
 * base/ipconn and user schemas like them). It decodes into the same objects
 * protobufjs builds (instances of the type's ctor, int64 as Long, bytes as
 * views into the input, no copies) and encodes by sizing the message first
 * and writing it into one Uint8Array.
 *
 * It is a fast path, not a second implementation of every corner: whenever
 * the input leaves the common well-formed subset (a varint longer than the
 * field allows, a wire type that does not match, packed input, an enum value
 * the closed enum lacks, a missing required field, a value of an unexpected
 * JS type, preserved unknown fields) it returns BAIL and the caller hands the
 * same input to protobufjs, whose answer (a message, bytes or an error) is the
 * reference. Property tests check the two agree.
 */
import protobuf from "protobufjs";

export const BAIL: unique symbol = Symbol("bail");

const K = { UINT32: 0, INT32: 1, ENUM: 2, INT64: 3, UINT64: 4, BOOL: 5, FIXED32: 6, SFIXED32: 7, DOUBLE: 8, BYTES: 9 } as const;
type Kind = (typeof K)[keyof typeof K];
const KIND_OF: Record<string, Kind> = {
  uint32: K.UINT32,
  int32: K.INT32,
  int64: K.INT64,
  uint64: K.UINT64,
  bool: K.BOOL,
  fixed32: K.FIXED32,
  sfixed32: K.SFIXED32,
  double: K.DOUBLE,
  bytes: K.BYTES,
};
/** wire type of each kind */
const WIRE: readonly number[] = [0, 0, 0, 0, 0, 0, 5, 5, 1, 2];

interface FastField {
  readonly id: number;
  readonly name: string;
  readonly kind: Kind;
  readonly wt: number;
  readonly repeated: boolean;
  readonly required: boolean;
  /** the encoded tag, and its varint length */
  readonly tag: number;
  readonly tagLen: number;
  /** closed enum: the values it has */
  readonly values: Readonly<Record<number, string>> | null;
}

// biome-ignore lint/suspicious/noExplicitAny: protobufjs messages are dynamic
type AnyMsg = Record<string, any>;
type Ctor = new () => AnyMsg;

export interface FastCodec {
  readonly ctor: Ctor;
  /** fields in field-number order (the order protobufjs encodes them) */
  readonly fields: readonly FastField[];
  readonly decode: (b: Uint8Array) => AnyMsg | typeof BAIL;
  readonly encode: (m: AnyMsg) => Uint8Array | typeof BAIL;
}

type LongCtor = new (lo: number, hi: number, unsigned: boolean) => AnyMsg;
/** protobufjs returns int64 as Long when it found the long package, else as (possibly unsafe) numbers */
const longCtor = (): LongCtor | null => protobuf.util.Long as unknown as LongCtor | null;
const MAX_ID = 1024;

const varintLen32 = (v: number): number => (v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5);

/** Build the fast codec for a type, or null when its schema is outside what the fast path handles. */
export function buildFastCodec(type: protobuf.Type): FastCodec | null {
  if (type.oneofsArray.length > 0) return null;
  const fields: FastField[] = [];
  for (const f of type.fieldsArray) {
    f.resolve();
    if (f.map || f.partOf || f.delimited || f.id >= MAX_ID || f.id < 1) return null;
    if (!f.repeated && !f.hasPresence) return null; // proto3 implicit presence: other decode rules
    if (f.repeated && f.packed) return null;
    let kind: Kind | undefined;
    let values: Record<number, string> | null = null;
    if (f.resolvedType instanceof protobuf.Enum) {
      const features = (f.resolvedType as unknown as { _features?: { enum_type?: string } })._features;
      if (features?.enum_type !== "CLOSED") return null;
      kind = K.ENUM;
      values = f.resolvedType.valuesById;
    } else if (f.resolvedType) return null;
    else kind = KIND_OF[f.type];
    if (kind === undefined) return null;
    const wt = WIRE[kind] as number;
    const tag = (f.id << 3) | wt;
    fields.push({ id: f.id, name: f.name, kind, wt, repeated: f.repeated, required: f.required, tag, tagLen: varintLen32(tag), values });
  }
  fields.sort((a, b) => a.id - b.id);
  const ctor = type.ctor as unknown as Ctor;
  return { ctor, fields, decode: compileDecoder(ctor, fields), encode: compileEncoder(ctor, fields) };
}

/*
 * The decoder and encoder of each type are generated from its field table
 * (as protobufjs generates its own): straight-line code with the property
 * names and tags as constants is several times faster than a loop over the
 * table with computed property names.
 */

/** cursor shared by the helpers: position after the last read, and 64-bit halves */
interface State {
  pos: number;
  lo: number;
  hi: number;
}
const S: State = { pos: 0, lo: 0, hi: 0 };

/**
 * Read a varint of at most `max` bytes at p (before `end`): returns its low
 * 32 bits (unsigned), sets S.pos and S.hi; -1 when it is longer than `max` or
 * runs past `end`.
 */
function readVarint(b: Uint8Array, p: number, end: number, max: number): number {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < max; i++) {
    if (p >= end) return -1;
    const x = b[p++] as number;
    const v = x & 127;
    if (i < 4) lo |= v << (7 * i);
    else if (i === 4) {
      lo |= v << 28;
      hi = v >>> 4;
    } else hi |= v << (7 * i - 32);
    if (x < 128) {
      S.pos = p;
      S.hi = hi >>> 0;
      return lo >>> 0;
    }
  }
  return -1;
}

/** protobufjs's bool: true when any byte of the varint has a non-zero payload; -1 when malformed */
function readBool(b: Uint8Array, p: number, end: number): number {
  let v = 0;
  for (let i = 0; i < 10 && p < end; i++) {
    const x = b[p++] as number;
    if (x & 127) v = 1;
    if (x < 128) {
      S.pos = p;
      return v;
    }
  }
  return -1;
}

const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);
function readDouble(b: Uint8Array, p: number): number {
  for (let i = 0; i < 8; i++) f64b[i] = b[p + i] as number;
  return f64[0] as number;
}

/** protobufjs's LongBits#toNumber */
function longToNumber(lo: number, hi: number, unsigned: boolean): number {
  if (!unsigned && hi >>> 31) {
    const l = (~lo + 1) >>> 0;
    let h = ~hi >>> 0;
    if (!l) h = (h + 1) >>> 0;
    return -(l + h * 4294967296);
  }
  return lo + hi * 4294967296;
}

/** Skip an unknown field (or one with an unexpected wire type) as protobufjs does; -1 to bail. */
function skipField(b: Uint8Array, p: number, end: number, wt: number): number {
  switch (wt) {
    case 0:
      while (p < end) if ((b[p++] as number) < 128) return p;
      return -1;
    case 1:
      return p + 8 <= end ? p + 8 : -1;
    case 2: {
      const n = readVarint(b, p, end, 4);
      return n < 0 || S.pos + n > end ? -1 : S.pos + n;
    }
    case 5:
      return p + 4 <= end ? p + 4 : -1;
    default:
      return -1; // groups and invalid wire types: protobufjs decides
  }
}

const rt = {
  S,
  BAIL,
  readVarint,
  readBool,
  readDouble,
  longToNumber,
  skipField,
  longCtor,
  discard: (): boolean => protobuf.Reader.discardUnknown,
};

/** code reading a varint of at most `max` bytes into `v` (one-byte values inline) */
const varintInto = (v: string, max: number): string =>
  `${v} = b[p]; if (${v} < 128 && p < end) p++; else { ${v} = rt.readVarint(b, p, end, ${max}); if (${v} < 0) return BAIL; p = S.pos; }`;

function readCode(f: FastField, i: number): string {
  switch (f.kind) {
    case K.UINT32:
      return varintInto("v", 10);
    case K.INT32:
      return `${varintInto("v", 10)} v |= 0;`;
    case K.ENUM:
      return `${varintInto("v", 10)} v |= 0; if (E${i}[v] === undefined) return BAIL;`;
    case K.INT64:
    case K.UINT64:
      return `v = rt.readVarint(b, p, end, 10); if (v < 0) return BAIL; p = S.pos; v = L !== null ? new L(v | 0, S.hi | 0, ${f.kind === K.UINT64}) : rt.longToNumber(v, S.hi, ${f.kind === K.UINT64});`;
    case K.BOOL:
      return "v = rt.readBool(b, p, end); if (v < 0) return BAIL; p = S.pos; v = v === 1;";
    case K.FIXED32:
    case K.SFIXED32:
      return `if (p + 4 > end) return BAIL; v = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24))${f.kind === K.FIXED32 ? " >>> 0" : ""}; p += 4;`;
    case K.DOUBLE:
      return "if (p + 8 > end) return BAIL; v = rt.readDouble(b, p); p += 8;";
    default:
      return `${varintInto("n", 4)} if (p + n > end) return BAIL; v = new Uint8Array(AB, BO + p, n); p += n;`;
  }
}

function compileDecoder(ctor: Ctor, fields: readonly FastField[]): FastCodec["decode"] {
  const single = fields.filter((f) => !f.repeated);
  if (single.length > 31) return () => BAIL;
  // singular values are kept in locals and set in field-number order at the end, so messages
  // with the same fields share one hidden class whatever the wire order (keeps property access
  // in the encoder and in user code monomorphic)
  let reqMask = 0;
  const cases: string[] = [];
  const assign: string[] = [];
  fields.forEach((f, i) => {
    const key = JSON.stringify(f.name);
    const s = single.indexOf(f);
    if (f.required) reqMask |= 1 << s;
    const store = f.repeated ? `m[${key}].push(v);` : `f${s} = v; pres |= ${1 << s};`;
    cases.push(`case ${f.tag}: { ${readCode(f, i)} ${store} continue; }`);
    if (!f.repeated) assign.push(`if (pres & ${1 << s}) m[${key}] = f${s};`);
  });
  const locals = single.map((_, s) => `f${s}`).join(", ");
  // a repeated scalar sent packed (wire type 2): protobufjs reads it as packed; left to it
  const packed = fields.filter((f) => f.repeated && f.kind !== K.BYTES).map((f) => `case ${(f.id << 3) | 2}:`);
  const src = `
const S = rt.S, BAIL = rt.BAIL;
return function decode(b) {
  if (!rt.discard()) return BAIL; // unknown fields would have to be kept
  const L = rt.longCtor();
  const m = new C();
  const end = b.length, AB = b.buffer, BO = b.byteOffset; // views are built directly: cheaper than subarray
  let p = 0, t = 0, v, n = 0, pres = 0${locals ? `, ${locals}` : ""};
  while (p < end) {
    ${varintInto("t", 4)}
    switch (t) {
      ${cases.join("\n      ")}
      ${packed.join(" ")}${packed.length ? " return BAIL;" : ""}
      default:
        if (t >>> 3 === 0) return BAIL;
        p = rt.skipField(b, p, end, t & 7);
        if (p < 0) return BAIL;
    }
  }
  ${reqMask ? `if ((pres & ${reqMask}) !== ${reqMask}) return BAIL;` : ""}
  ${assign.join("\n  ")}
  return m;
};`;
  const enums = fields.map((f) => f.values);
  const params = ["rt", "C", ...enums.map((_, i) => `E${i}`)];
  return new Function(...params, src)(rt, ctor, ...enums) as FastCodec["decode"];
}

// ---- encoding ----

/** Two's complement bits of an int64 value (a safe integer, or a Long when protobufjs has Long) into S.lo/S.hi; false for anything else. */
function longBits(v: unknown): boolean {
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) return false;
    const neg = v < 0;
    const a = neg ? -v : v;
    let lo = a >>> 0;
    let hi = ((a - lo) / 4294967296) >>> 0;
    if (neg) {
      hi = ~hi >>> 0;
      lo = ~lo >>> 0;
      if (++lo > 4294967295) {
        lo = 0;
        hi = (hi + 1) >>> 0;
      }
    }
    S.lo = lo;
    S.hi = hi;
    return true;
  }
  // a Long, or anything shaped like one (protobufjs takes its low and high words)
  if (typeof v === "object" && v !== null && longCtor() && Number.isInteger((v as AnyMsg).low) && Number.isInteger((v as AnyMsg).high)) {
    S.lo = (v as AnyMsg).low >>> 0;
    S.hi = (v as AnyMsg).high >>> 0;
    return true;
  }
  return false;
}

function size64(v: unknown): number {
  if (!longBits(v)) return -1;
  if (S.hi === 0) return varintLen32(S.lo);
  // 5 bytes carry 35 bits, each further byte 7
  let n = 5;
  for (let h = S.hi >>> 3; h !== 0; h >>>= 7) n++;
  return n;
}

function put32(o: Uint8Array, p: number, v: number): number {
  while (v > 127) {
    o[p++] = (v & 127) | 128;
    v >>>= 7;
  }
  o[p++] = v;
  return p;
}
function put64(o: Uint8Array, p: number, lo: number, hi: number): number {
  while (hi !== 0 || lo > 127) {
    o[p++] = (lo & 127) | 128;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  o[p++] = lo;
  return p;
}
function putDouble(o: Uint8Array, p: number, v: number): number {
  f64[0] = v;
  for (let i = 0; i < 8; i++) o[p++] = f64b[i] as number;
  return p;
}
function putBytes(o: Uint8Array, p: number, v: Uint8Array): number {
  const n = v.length;
  p = put32(o, p, n);
  if (n < 32) for (let i = 0; i < n; i++) o[p++] = v[i] as number;
  else {
    o.set(v, p);
    p += n;
  }
  return p;
}

/*
 * Encoded messages are carved out of shared 64 KiB slabs, as Node's Buffer
 * pool does: allocating a typed array per message costs more than encoding
 * it. A slab is never reused, so each result stays valid (and keeps its slab
 * alive while it is referenced); large messages get their own buffer.
 */
const SLAB = 64 * 1024;
let slab = new ArrayBuffer(SLAB);
let slabUsed = 0;
function alloc(n: number): Uint8Array {
  if (n > SLAB >>> 3) return new Uint8Array(n);
  if (slabUsed + n > SLAB) {
    slab = new ArrayBuffer(SLAB);
    slabUsed = 0;
  }
  const o = new Uint8Array(slab, slabUsed, n);
  slabUsed = (slabUsed + n + 7) & ~7;
  return o;
}

const wt = { S, BAIL, alloc, varintLen32, size64, longBits, put32, put64, putDouble, putBytes };

/** code checking value `x` and adding its size (without tag) to `n`, or returning BAIL */
function sizeCode(f: FastField, i: number, x: string): string {
  switch (f.kind) {
    case K.UINT32:
      return `if (typeof ${x} !== "number" || !Number.isInteger(${x})) return BAIL; n = wt.varintLen32(${x} >>> 0);`;
    case K.INT32:
      // int32 range only: beyond it protobufjs truncates differently for messages and plain objects
      return `if (typeof ${x} !== "number" || ${x} !== (${x} | 0)) return BAIL; n = ${x} < 0 ? 10 : wt.varintLen32(${x});`;
    case K.ENUM:
      return `if (typeof ${x} !== "number" || E${i}[${x}] === undefined) return BAIL; n = ${x} < 0 ? 10 : wt.varintLen32(${x});`;
    case K.INT64:
    case K.UINT64:
      return `n = wt.size64(${x}); if (n < 0) return BAIL;`;
    case K.BOOL:
      return `if (typeof ${x} !== "boolean") return BAIL; n = 1;`;
    case K.FIXED32:
    case K.SFIXED32:
      return `if (typeof ${x} !== "number" || !Number.isInteger(${x})) return BAIL; n = 4;`;
    case K.DOUBLE:
      return `if (typeof ${x} !== "number") return BAIL; n = 8;`;
    default:
      return `if (!(${x} instanceof Uint8Array)) return BAIL; n = wt.varintLen32(${x}.length) + ${x}.length;`;
  }
}

function writeCode(f: FastField, x: string): string {
  let tag = "";
  for (let t = f.tag; ; t >>>= 7) {
    if (t < 128) {
      tag += `o[p++] = ${t};`;
      break;
    }
    tag += `o[p++] = ${(t & 127) | 128}; `;
  }
  switch (f.kind) {
    case K.UINT32:
      return `${tag} p = wt.put32(o, p, ${x} >>> 0);`;
    case K.INT32:
    case K.ENUM:
      return `${tag} p = ${x} < 0 ? wt.put64(o, p, ${x} >>> 0, 0xffffffff) : wt.put32(o, p, ${x});`;
    case K.INT64:
    case K.UINT64:
      return `${tag} wt.longBits(${x}); p = wt.put64(o, p, S.lo, S.hi);`;
    case K.BOOL:
      return `${tag} o[p++] = ${x} ? 1 : 0;`;
    case K.FIXED32:
    case K.SFIXED32:
      return `${tag} o[p++] = ${x} & 255; o[p++] = (${x} >>> 8) & 255; o[p++] = (${x} >>> 16) & 255; o[p++] = (${x} >>> 24) & 255;`;
    case K.DOUBLE:
      return `${tag} p = wt.putDouble(o, p, ${x});`;
    default:
      return `${tag} p = wt.putBytes(o, p, ${x});`;
  }
}

function compileEncoder(ctor: Ctor, fields: readonly FastField[]): FastCodec["encode"] {
  const optional = fields.filter((f) => !f.repeated && !f.required);
  if (optional.length > 31) return () => BAIL;
  const sizing: string[] = [];
  const writing: string[] = [];
  fields.forEach((f, i) => {
    const key = JSON.stringify(f.name);
    const get = `v = m[${key}];`;
    if (f.repeated) {
      sizing.push(
        `${get} if (v != null) { if (!Array.isArray(v)) return BAIL; for (let j = 0; j < v.length; j++) { const x = v[j]; ${sizeCode(f, i, "x")} size += ${f.tagLen} + n; } }`,
      );
      writing.push(`${get} if (v != null) for (let j = 0; j < v.length; j++) { const x = v[j]; ${writeCode(f, "x")} }`);
    } else if (f.required) {
      // a message always writes its required fields (a default from the prototype if unset); a plain object must have them
      sizing.push(
        `${get} if (!isMsg && (v == null || !m.hasOwnProperty(${key}))) return BAIL; ${sizeCode(f, i, "v")} size += ${f.tagLen} + n;`,
      );
      writing.push(`${get} ${writeCode(f, "v")}`);
    } else {
      const bit = 1 << optional.indexOf(f);
      sizing.push(
        `${get} if (v != null && m.hasOwnProperty(${key})) { ${sizeCode(f, i, "v")} size += ${f.tagLen} + n; present |= ${bit}; }`,
      );
      writing.push(`if (present & ${bit}) { ${get} ${writeCode(f, "v")} }`);
    }
  });
  // m.hasOwnProperty is safe: m's prototype is checked first (ctor's, or Object.prototype)
  const src = `
const S = wt.S, BAIL = wt.BAIL, P = C.prototype, OP = Object.prototype;
return function encode(m) {
  const proto = Object.getPrototypeOf(m);
  const isMsg = proto === P;
  if (!isMsg && proto !== OP) return BAIL;
  if (isMsg && m.$unknowns != null && m.hasOwnProperty("$unknowns")) return BAIL;
  if (m.hasOwnProperty !== OP.hasOwnProperty) return BAIL;
  let size = 0, n = 0, v, present = 0;
  ${sizing.join("\n  ")}
  const o = wt.alloc(size);
  let p = 0;
  ${writing.join("\n  ")}
  return o;
};`;
  const enums = fields.map((f) => f.values);
  const params = ["wt", "C", ...enums.map((_, i) => `E${i}`)];
  return new Function(...params, src)(wt, ctor, ...enums) as FastCodec["encode"];
}

/** Decode `b` into a new message, or BAIL. */
export const fastDecode = (c: FastCodec, b: Uint8Array): AnyMsg | typeof BAIL => c.decode(b);
/** Encode a message (an instance of the type's ctor, or a plain object as encodeMessage accepts it) exactly as protobufjs would, or BAIL. */
export const fastEncode = (c: FastCodec, m: AnyMsg): Uint8Array | typeof BAIL => c.encode(m);
