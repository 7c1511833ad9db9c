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
  uint32: K.UINT32, int32: K.INT32, int64: K.INT64, uint64: K.UINT64, bool: K.BOOL, fixed32: K.FIXED32, sfixed32: K.SFIXED32, double: K.DOUBLE, bytes: K.BYTES,
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
  /** fields by number (sparse) */
  readonly byId: readonly (FastField | undefined)[];
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
  const byId: (FastField | undefined)[] = [];
  for (const f of fields) byId[f.id] = f;
  return { ctor: type.ctor as unknown as Ctor, fields, byId };
}

// ---- decoding ----

/** position after the varint last read (module state, like a cursor) */
let vpos = 0;
/** high 32 bits of the last 64-bit varint read */
let vhi = 0;

/**
 * Read a varint of at most `max` bytes starting at p, ending before `end`:
 * returns its low 32 bits (unsigned), sets vpos and vhi; returns -1 when the
 * varint is longer than `max` or runs past `end`.
 */
function varint(b: Uint8Array, p: number, end: number, max: number): number {
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
      vpos = p;
      vhi = hi >>> 0;
      return lo >>> 0;
    }
  }
  return -1;
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

const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);

function readValue(f: FastField, b: Uint8Array, p: number, end: number): unknown {
  switch (f.kind) {
    case K.UINT32:
    case K.INT32:
    case K.ENUM: {
      const v = varint(b, p, end, 10);
      if (v < 0) return BAIL;
      if (f.kind === K.UINT32) return v;
      if (f.kind === K.INT32) return v | 0;
      return (f.values as Record<number, string>)[v | 0] === undefined ? BAIL : v | 0;
    }
    case K.INT64:
    case K.UINT64: {
      const lo = varint(b, p, end, 10);
      if (lo < 0) return BAIL;
      const Long = longCtor();
      if (Long) return new Long(lo | 0, vhi | 0, f.kind === K.UINT64);
      return longToNumber(lo, vhi, f.kind === K.UINT64);
    }
    case K.BOOL: {
      for (let i = 0; i < 10 && p < end; i++) {
        const x = b[p++] as number;
        if (x < 128) {
          vpos = p;
          // protobufjs: true when any byte has a non-zero payload
          for (let q = p - i - 1; q < p; q++) if (((b[q] as number) & 127) !== 0) return true;
          return false;
        }
      }
      return BAIL;
    }
    case K.FIXED32:
    case K.SFIXED32: {
      if (p + 4 > end) return BAIL;
      vpos = p + 4;
      const v = (b[p] as number) | ((b[p + 1] as number) << 8) | ((b[p + 2] as number) << 16) | ((b[p + 3] as number) << 24);
      return f.kind === K.FIXED32 ? v >>> 0 : v;
    }
    case K.DOUBLE: {
      if (p + 8 > end) return BAIL;
      for (let i = 0; i < 8; i++) f64b[i] = b[p + i] as number;
      vpos = p + 8;
      return f64[0];
    }
    default: {
      // bytes: a length of at most 4 varint bytes (protobufjs allows 5 with a limit; longer ones cannot fit anyway)
      const n = varint(b, p, end, 4);
      if (n < 0 || vpos + n > end) return BAIL;
      const s = vpos;
      vpos = s + n;
      return b.subarray(s, s + n);
    }
  }
}

/** Skip an unknown field (or one with an unexpected wire type) as protobufjs does; -1 to bail. */
function skip(b: Uint8Array, p: number, end: number, wt: number): number {
  switch (wt) {
    case 0:
      while (p < end) if ((b[p++] as number) < 128) return p;
      return -1;
    case 1:
      return p + 8 <= end ? p + 8 : -1;
    case 2: {
      const n = varint(b, p, end, 4);
      return n < 0 || vpos + n > end ? -1 : vpos + n;
    }
    case 5:
      return p + 4 <= end ? p + 4 : -1;
    default:
      return -1; // groups and invalid wire types: protobufjs decides
  }
}

/** Decode `b` into a new message, or BAIL. */
export function fastDecode(c: FastCodec, b: Uint8Array): AnyMsg | typeof BAIL {
  if (!protobuf.Reader.discardUnknown) return BAIL; // unknown fields would have to be kept
  const m = new c.ctor();
  const byId = c.byId;
  const end = b.length;
  let p = 0;
  while (p < end) {
    const t = varint(b, p, end, 4);
    if (t < 0) return BAIL;
    p = vpos;
    const id = t >>> 3;
    const wt = t & 7;
    const f = id < byId.length ? byId[id] : undefined;
    if (f !== undefined && f.wt === wt) {
      const v = readValue(f, b, p, end);
      if (v === BAIL) return BAIL;
      p = vpos;
      if (f.repeated) (m[f.name] as unknown[]).push(v);
      else m[f.name] = v;
      continue;
    }
    if (id === 0 || (f !== undefined && f.repeated && wt === 2 && f.kind !== K.BYTES)) return BAIL; // field 0; packed input
    p = skip(b, p, end, wt);
    if (p < 0) return BAIL;
  }
  for (const f of c.fields) if (f.required && !Object.prototype.hasOwnProperty.call(m, f.name)) return BAIL;
  return m;
}

// ---- encoding ----

/** Size of one value on the wire (without its tag), or -1 when the fast path does not take it. */
function valueSize(f: FastField, v: unknown): number {
  switch (f.kind) {
    case K.UINT32:
      return typeof v === "number" && Number.isInteger(v) ? varintLen32(v >>> 0) : -1;
    case K.INT32:
      // int32 range only: beyond it protobufjs truncates differently for messages and plain objects
      return typeof v === "number" && v === (v | 0) ? (v < 0 ? 10 : varintLen32(v)) : -1;
    case K.ENUM:
      return typeof v === "number" && (f.values as Record<number, string>)[v] !== undefined ? (v < 0 ? 10 : varintLen32(v)) : -1;
    case K.INT64:
    case K.UINT64: {
      if (!longBits(v)) return -1;
      return varintLen64(bitsLo, bitsHi);
    }
    case K.BOOL:
      return typeof v === "boolean" ? 1 : -1;
    case K.FIXED32:
    case K.SFIXED32:
      return typeof v === "number" && Number.isInteger(v) ? 4 : -1;
    case K.DOUBLE:
      return typeof v === "number" ? 8 : -1;
    default:
      return v instanceof Uint8Array ? varintLen32(v.length) + v.length : -1;
  }
}

let bitsLo = 0;
let bitsHi = 0;
/** Two's complement bits of an int64 value (a safe integer or a Long) into bitsLo/bitsHi; false for anything else. */
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
    bitsLo = lo;
    bitsHi = hi;
    return true;
  }
  // a Long, or anything shaped like one (protobufjs takes its low and high words)
  if (typeof v === "object" && v !== null && longCtor() && Number.isInteger((v as AnyMsg).low) && Number.isInteger((v as AnyMsg).high)) {
    bitsLo = (v as AnyMsg).low >>> 0;
    bitsHi = (v as AnyMsg).high >>> 0;
    return true;
  }
  return false;
}

function varintLen64(lo: number, hi: number): number {
  if (hi === 0) return varintLen32(lo);
  // bits above 32: 5 bytes carry 35 bits, each more byte 7
  let n = 5;
  let h = hi >>> 3;
  while (h !== 0) {
    n++;
    h >>>= 7;
  }
  return n;
}

let out = new Uint8Array(0);
let op = 0;

function putVarint32(v: number): void {
  while (v > 127) {
    out[op++] = (v & 127) | 128;
    v >>>= 7;
  }
  out[op++] = v;
}
function putVarint64(lo: number, hi: number): void {
  while (hi !== 0 || lo > 127) {
    out[op++] = (lo & 127) | 128;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  out[op++] = lo;
}

function putValue(f: FastField, v: unknown): void {
  switch (f.kind) {
    case K.UINT32:
      putVarint32((v as number) >>> 0);
      return;
    case K.INT32:
    case K.ENUM: {
      const x = (v as number) | 0;
      if (x < 0) putVarint64(x >>> 0, 0xffffffff);
      else putVarint32(x);
      return;
    }
    case K.INT64:
    case K.UINT64:
      longBits(v);
      putVarint64(bitsLo, bitsHi);
      return;
    case K.BOOL:
      out[op++] = v ? 1 : 0;
      return;
    case K.FIXED32:
    case K.SFIXED32: {
      const x = (v as number) >>> 0;
      out[op++] = x & 255;
      out[op++] = (x >>> 8) & 255;
      out[op++] = (x >>> 16) & 255;
      out[op++] = x >>> 24;
      return;
    }
    case K.DOUBLE:
      f64[0] = v as number;
      for (let i = 0; i < 8; i++) out[op++] = f64b[i] as number;
      return;
    default: {
      const bytes = v as Uint8Array;
      putVarint32(bytes.length);
      out.set(bytes, op);
      op += bytes.length;
    }
  }
}

const own = (m: object, k: string): boolean => Object.prototype.hasOwnProperty.call(m, k);

/**
 * Encode a message (an instance of the type's ctor, or a plain object as
 * encodeMessage accepts it) exactly as protobufjs would, or BAIL.
 */
export function fastEncode(c: FastCodec, m: AnyMsg): Uint8Array | typeof BAIL {
  const proto = Object.getPrototypeOf(m) as unknown;
  const isMsg = proto === c.ctor.prototype;
  if (!isMsg && proto !== Object.prototype) return BAIL;
  if (isMsg && own(m, "$unknowns") && m.$unknowns != null) return BAIL;
  let size = 0;
  const fields = c.fields;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as FastField;
    const v = m[f.name];
    if (f.repeated) {
      if (v == null) continue;
      if (!Array.isArray(v)) return BAIL;
      for (let j = 0; j < v.length; j++) {
        const n = valueSize(f, v[j]);
        if (n < 0) return BAIL;
        size += f.tagLen + n;
      }
    } else if (f.required ? isMsg || (v != null && own(m, f.name)) : v != null && own(m, f.name)) {
      const n = valueSize(f, v);
      if (n < 0) return BAIL;
      size += f.tagLen + n;
    } else if (f.required) return BAIL; // a plain object without a required field: protobufjs reports it
  }
  out = new Uint8Array(size);
  op = 0;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as FastField;
    const v = m[f.name];
    if (f.repeated) {
      if (v == null) continue;
      for (let j = 0; j < v.length; j++) {
        putVarint32(f.tag);
        putValue(f, v[j]);
      }
    } else if (f.required || (v != null && own(m, f.name))) {
      putVarint32(f.tag);
      putValue(f, v);
    }
  }
  const r = out;
  out = new Uint8Array(0);
  return r;
}
