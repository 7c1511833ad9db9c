/**
 * What the generated protobuf codecs (fastdecode.ts, fastencode.ts) share:
 * the field table built from a protobufjs type, the BAIL marker, and the
 * cursor their helpers report through.
 */
import { varintLength } from "@dnsrep/util";
import protobuf from "protobufjs";

export const BAIL: unique symbol = Symbol("bail");

export const K = { UINT32: 0, INT32: 1, ENUM: 2, INT64: 3, UINT64: 4, BOOL: 5, FIXED32: 6, SFIXED32: 7, DOUBLE: 8, BYTES: 9 } as const;
export type Kind = (typeof K)[keyof typeof K];
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

export interface FastField {
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
  /** position in the schema (protobufjs's constructor sets repeated fields in this order) */
  readonly order: number;
}

// biome-ignore lint/suspicious/noExplicitAny: protobufjs messages are dynamic
export type AnyMsg = Record<string, any>;
export type Ctor = new () => AnyMsg;

export type LongCtor = new (lo: number, hi: number, unsigned: boolean) => AnyMsg;
/**
 * The holders of protobufjs's settings the generated codecs read on every call (in line, as
 * `U.Long || null` and `R.discardUnknown`: a call through a helper would cost more than the
 * decision). Asked for when a codec is made, not at import: in a tool's bundle protobufjs loads on
 * its first use (scripts/bundle-tools.mjs, issue 30).
 */
export const pbUtil = (): { Long: LongCtor | null | undefined } => protobuf.util as unknown as { Long: LongCtor | null | undefined };
export const pbReader = (): { discardUnknown: boolean } => protobuf.Reader as unknown as { discardUnknown: boolean };
/** protobufjs returns int64 as Long when it found the long package, else as (possibly unsafe) numbers */
export const longCtor = (): LongCtor | null => pbUtil().Long || null;
const MAX_ID = 1024;

/** cursor shared by the helpers: position after the last read, 64-bit halves, and the encoder's presence bits */
export interface State {
  pos: number;
  lo: number;
  hi: number;
  present: number;
}
export const S: State = { pos: 0, lo: 0, hi: 0, present: 0 };

/** The field table of a type in field-number order (the order protobufjs encodes them), or null when the fast path does not cover its schema. */
export function fastFields(type: protobuf.Type): FastField[] | null {
  if (type.oneofsArray.length > 0) return null;
  const fields: FastField[] = [];
  for (const [order, f] of type.fieldsArray.entries()) {
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
    fields.push({
      id: f.id,
      name: f.name,
      kind,
      wt,
      repeated: f.repeated,
      required: f.required,
      tag,
      tagLen: varintLength(tag),
      values,
      order,
    });
  }
  fields.sort((a, b) => a.id - b.id);
  return fields;
}
