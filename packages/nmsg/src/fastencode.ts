/**
 * The generated encoder of a fast-path type (see fastcodec.ts), in two
 * steps: `size` checks every value protobufjs would encode and returns the
 * encoded size (-1 when protobufjs must decide), `write` then puts the bytes
 * at any position of any buffer — a new array (`encode`) or straight into a
 * writer's container (NmsgWriter.writeMessage), with no copy in between.
 *
 * A message's optional field is encoded when it is an own property, not
 * null: protobufjs asks hasOwnProperty, which costs a call. For an instance
 * of the type's prototype, a value other than the prototype's default can
 * only be an own property, so the call is made only for values equal to the
 * default (absent fields, and fields set to their default). For a plain
 * object, a value can only be inherited from Object.prototype, so the call is
 * made only when Object.prototype has a property of that name.
 */
import { allocBytes as alloc, putVarint, varintLength } from "@dnsrep/util";
import { type AnyMsg, BAIL, type Ctor, type FastField, K, longCtor, pbUtil, S } from "./fastfields.js";

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

/** varint size of the int64 whose bits longBits left in S */
function size64(): number {
  if (S.hi === 0) return varintLength(S.lo);
  // 5 bytes carry 35 bits, each further byte 7
  let n = 5;
  for (let h = S.hi >>> 3; h !== 0; h >>>= 7) n++;
  return n;
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
const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);
function putDouble(o: Uint8Array, p: number, v: number): number {
  f64[0] = v;
  for (let i = 0; i < 8; i++) o[p++] = f64b[i] as number;
  return p;
}

// encoded messages come from util's shared slabs (allocBytes): a typed array of their own costs more than encoding them
const wt = {
  S,
  BAIL,
  alloc,
  varintLength,
  size64,
  longBits,
  // a varint below 2^32 (util's putVarint shifts in 32 bits there)
  put32: putVarint,
  put64,
  putDouble,
  // read once by each encoder when it is made
  get util() {
    return pbUtil();
  },
};

/** where generated code keeps an int64's bits: put's locals (which V8 keeps in registers), else the shared S */
const bitsIn = (locals: boolean): readonly [string, string] => (locals ? ["lo", "hi"] : ["S.lo", "S.hi"]);

/**
 * code returning -1 unless value `x` is one protobufjs encodes as we do (for int64: leaves its bits
 * in S, or with `locals` in the locals lo and hi, which V8 keeps in registers)
 */
function checkCode(f: FastField, i: number, x: string, locals = false): string {
  switch (f.kind) {
    case K.UINT32:
    case K.FIXED32:
    case K.SFIXED32:
      return `if (typeof ${x} !== "number" || !Number.isInteger(${x})) return -1;`;
    case K.INT32:
      // int32 range only: beyond it protobufjs truncates differently for messages and plain objects
      return `if (typeof ${x} !== "number" || ${x} !== (${x} | 0)) return -1;`;
    case K.ENUM:
      return `if (typeof ${x} !== "number" || E${i}[${x}] === undefined) return -1;`;
    case K.INT64:
    case K.UINT64: {
      // a Long (protobufjs takes low >>> 0 and high >>> 0 of any object), else longBits decides (into S)
      const [lo, hi] = bitsIn(locals);
      const other = locals ? `if (wt.longBits(${x})) { lo = S.lo; hi = S.hi; } else return -1;` : `if (!wt.longBits(${x})) return -1;`;
      return `if (L !== null && ${x} instanceof L) { ${lo} = ${x}.low >>> 0; ${hi} = ${x}.high >>> 0; } else ${other}`;
    }
    case K.BOOL:
      return `if (typeof ${x} !== "boolean") return -1;`;
    case K.DOUBLE:
      return `if (typeof ${x} !== "number") return -1;`;
    default:
      return `if (!(${x} instanceof Uint8Array)) return -1;`;
  }
}

/** code setting `n` to the size of checked value `x` (without its tag) */
function lenCode(f: FastField, x: string): string {
  switch (f.kind) {
    case K.UINT32:
      return `n = wt.varintLength(${x} >>> 0);`;
    case K.INT32:
    case K.ENUM:
      return `n = ${x} < 0 ? 10 : wt.varintLength(${x});`;
    case K.INT64:
    case K.UINT64:
      return "n = wt.size64();";
    case K.BOOL:
      return "n = 1;";
    case K.FIXED32:
    case K.SFIXED32:
      return "n = 4;";
    case K.DOUBLE:
      return "n = 8;";
    default:
      return `n = wt.varintLength(${x}.length) + ${x}.length;`;
  }
}

/** code returning -2 unless checked value `x` and its tag fit before `end` (which leaves 16 bytes for any scalar) */
const roomCode = (f: FastField, x: string): string =>
  f.kind === K.BYTES ? `if (p + ${x}.length > end) return -2;` : "if (p > end) return -2;";

/** code putting tag and checked value `x` at o[p] (int64: with its bits in the locals lo and hi when `bitsSet`, else from x through S) */
function writeCode(f: FastField, x: string, bitsSet: boolean): string {
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
      return `${tag} u = ${x} >>> 0; if (u < 128) o[p++] = u; else p = wt.put32(o, p, u);`;
    case K.INT32:
    case K.ENUM:
      return `${tag} p = ${x} < 0 ? wt.put64(o, p, ${x} >>> 0, 0xffffffff) : wt.put32(o, p, ${x});`;
    case K.INT64:
    case K.UINT64: {
      // a time in seconds is the common value: its varint written in line while it stays a small
      // integer to V8 (below 2^31: five bytes for today's times, which were a call to put64 above 2^28)
      const [lo, hi] = bitsIn(bitsSet);
      return `${tag} ${bitsSet ? "" : `wt.longBits(${x}); `}u = ${lo}; if (${hi} === 0 && u < 2 ** 31) { while (u > 127) { o[p++] = (u & 127) | 128; u >>>= 7; } o[p++] = u; } else p = wt.put64(o, p, u, ${hi});`;
    }
    case K.BOOL:
      return `${tag} o[p++] = ${x} ? 1 : 0;`;
    case K.FIXED32:
    case K.SFIXED32:
      return `${tag} o[p++] = ${x} & 255; o[p++] = (${x} >>> 8) & 255; o[p++] = (${x} >>> 16) & 255; o[p++] = (${x} >>> 24) & 255;`;
    case K.DOUBLE:
      return `${tag} p = wt.putDouble(o, p, ${x});`;
    default:
      // short values byte by byte, longer ones with set (a call that costs as much as copying ~16 bytes)
      return `${tag} u = ${x}.length; if (u < 128) o[p++] = u; else p = wt.put32(o, p, u); if (u < 16) for (let k = 0; k < u; k++) o[p++] = ${x}[k]; else { o.set(${x}, p); p += u; }`;
  }
}

export interface Encoder {
  /** the encoded size of m, after checking every value; -1 when protobufjs must decide */
  readonly size: (m: AnyMsg) => number;
  /** put m's bytes at o[p] (room for size(m) bytes, size called last on this same m); returns the position after them */
  readonly write: (m: AnyMsg, o: Uint8Array, p: number) => number;
  /**
   * Check and put m's bytes at o[p] in one pass, writing no further than end + 16; returns the
   * position after them, -1 when protobufjs must decide, -2 when they do not fit (o[p...] is then garbage).
   */
  readonly put: (m: AnyMsg, o: Uint8Array, p: number, end: number) => number;
  /** size, then write into a new array */
  readonly encode: (m: AnyMsg) => Uint8Array | typeof BAIL;
}

/** how each field is read and whether it is encoded: `body` runs with the value in v (repeated: each value in x) */
function visit(f: FastField, optional: readonly FastField[], body: (x: string) => string, bit: (b: number) => string): string {
  const key = JSON.stringify(f.name);
  const get = `v = m[${key}];`;
  if (f.repeated)
    return `${get} if (v != null) { if (!Array.isArray(v)) return -1; for (let j = 0; j < v.length; j++) { const x = v[j]; ${body("x")} } }`;
  // a message always writes its required fields (a default from the prototype if unset); a plain object must have them
  if (f.required) return `${get} if (!isMsg && (v == null || !m.hasOwnProperty(${key}))) return -1; ${body("v")}`;
  const b = 1 << optional.indexOf(f);
  // a plain object's value is its own unless Object.prototype has the name too (polluted): only then ask
  return `${get} if (v != null && (isMsg ? v !== P[${key}] || m.hasOwnProperty(${key}) : OP[${key}] == null || m.hasOwnProperty(${key}))) { ${body("v")} ${bit(b)} }`;
}

export function compileEncoder(ctor: Ctor, fields: readonly FastField[]): Encoder {
  const optional = fields.filter((f) => !f.repeated && !f.required);
  if (optional.length > 31) return { size: () => -1, write: (_m, _o, p) => p, put: () => -1, encode: () => BAIL };
  const sizing = fields.map((f, i) =>
    visit(
      f,
      optional,
      (x) => `${checkCode(f, i, x)} ${lenCode(f, x)} size += ${f.tagLen} + n;`,
      (b) => `present |= ${b};`,
    ),
  );
  const putting = fields.map((f, i) =>
    visit(
      f,
      optional,
      (x) => `${checkCode(f, i, x, true)} ${roomCode(f, x)} ${writeCode(f, x, true)}`,
      () => "",
    ),
  );
  const writing = fields.map((f) => {
    const get = `v = m[${JSON.stringify(f.name)}];`;
    if (f.repeated) return `${get} if (v != null) for (let j = 0; j < v.length; j++) { const x = v[j]; ${writeCode(f, "x", false)} }`;
    if (f.required) return `${get} ${writeCode(f, "v", false)}`;
    return `if (present & ${1 << optional.indexOf(f)}) { ${get} ${writeCode(f, "v", false)} }`;
  });
  // m.hasOwnProperty is safe: m's prototype is checked first (ctor's, or Object.prototype)
  const prelude = `
  const proto = Object.getPrototypeOf(m);
  const isMsg = proto === P;
  if (!isMsg && proto !== OP) return -1;
  if (isMsg && m.$unknowns != null && m.hasOwnProperty("$unknowns")) return -1;
  if (m.hasOwnProperty !== OP.hasOwnProperty) return -1;
  const L = U.Long || null;`;
  const src = `
const S = wt.S, BAIL = wt.BAIL, U = wt.util, P = C.prototype, OP = Object.prototype;
function size(m) {${prelude}
  let size = 0, n = 0, v, present = 0;
  ${sizing.join("\n  ")}
  S.present = present;
  return size;
}
function write(m, o, p) {
  const present = S.present;
  let v, u;
  ${writing.join("\n  ")}
  return p;
}
function put(m, o, p, end) {${prelude}
  let v, u, lo = 0, hi = 0;
  ${putting.join("\n  ")}
  return p;
}
function encode(m) {
  const n = size(m);
  if (n < 0) return BAIL;
  const o = wt.alloc(n);
  write(m, o, 0);
  return o;
}
return { size, write, put, encode };`;
  const enums = fields.map((f) => f.values);
  const params = ["wt", "C", ...enums.map((_, i) => `E${i}`)];
  return new Function(...params, src)(wt, ctor, ...enums) as Encoder;
}
