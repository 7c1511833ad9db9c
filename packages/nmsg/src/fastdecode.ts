/**
 * The generated decoder of a fast-path type (see fastcodec.ts): straight-line
 * code with the property names and tags as constants, several times faster
 * than a loop over the field table with computed property names.
 *
 * The message is an instance of the type's prototype, as protobufjs builds
 * it, with as few objects as it can: bytes are views into the input built
 * directly (cheaper than subarray), a repeated field gets an array of exactly
 * its values (one element is the common case: no push, no grown backing
 * store), and the object is made by a constructor that sets the repeated
 * fields in protobufjs's order before the present singular fields are set in
 * field-number order — so messages with the same fields share one hidden
 * class whatever the wire order. The first four sets of present fields a
 * decoder meets each get a constructor of their own that sets all of them
 * (one allocation, every field in-object, no property transitions); other
 * sets take the general constructor and assignments, with the same keys in
 * the same order.
 */
import { type AnyMsg, BAIL, type Ctor, type FastField, K, pbReader, pbUtil, S } from "./fastfields.js";

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

/** field sets per decoder that get a constructor of their own (a dnsqr stream has three or so: answered, timed out, TCP) */
const OWN_CTORS = 4;

const rt = {
  S,
  BAIL,
  readVarint,
  readBool,
  readDouble,
  longToNumber,
  skipField,
  // read once by each decoder when it is made
  get reader() {
    return pbReader();
  },
  get util() {
    return pbUtil();
  },
};

/**
 * Code reading a varint of at most `max` bytes into `v` (unsigned low 32 bits; with `hi`, bits
 * 32..63 into it): up to 5 bytes inline when they are all in b, longer ones (and any near the
 * end of b) through rt.readVarint, which also rejects what is malformed.
 */
function varintInto(v: string, max: number, hi?: string): string {
  const byte = (k: number): string => {
    if (k === 4)
      return max < 5
        ? `${v} = -1;`
        : `x = b[p + 4]; if (x < 128) { ${v} = (${v} | (x << 28)) >>> 0; ${hi ? `${hi} = x >>> 4; ` : ""}p += 5; } else ${v} = -1;`;
    return `x = b[p + ${k}]; ${v} |= (x & 127) << ${7 * k}; if (x < 128) p += ${k + 1}; else { ${byte(k + 1)} }`;
  };
  return `x = b[p]; ${hi ? `${hi} = 0; ` : ""}if (x < 128 && p < end) { ${v} = x; p++; } else if (p + 5 <= end) { ${v} = x & 127; ${byte(1)} } else ${v} = -1;
      if (${v} < 0) { ${v} = rt.readVarint(b, p, end, ${max}); if (${v} < 0) return BAIL; p = S.pos;${hi ? ` ${hi} = S.hi;` : ""} }`;
}

function readCode(f: FastField, i: number, plain: boolean): string {
  switch (f.kind) {
    case K.UINT32:
      return varintInto("v", 10);
    case K.INT32:
      return `${varintInto("v", 10)} v |= 0;`;
    case K.ENUM:
      return `${varintInto("v", 10)} v |= 0; if (E${i}[v] === undefined) return BAIL;`;
    case K.INT64:
    case K.UINT64:
      return plain
        ? `${varintInto("v", 10, "h")} v = rt.longToNumber(v, h, ${f.kind === K.UINT64});`
        : `${varintInto("v", 10, "h")} v = L !== null ? new L(v | 0, h | 0, ${f.kind === K.UINT64}) : rt.longToNumber(v, h, ${f.kind === K.UINT64});`;
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

/**
 * The decoder of a type: a new message (an instance of ctor's prototype), or BAIL when protobufjs
 * must decide. With `plain`, the message is a plain object instead (Object.prototype, the fields
 * present on the wire as own properties, repeated fields always, int64 as numbers: what
 * protobufjs's decode followed by a copy of its own fields with Long#toNumber gives), built
 * directly rather than copied from a message.
 */
export function compileDecoder(ctor: Ctor, fields: readonly FastField[], plain = false): (b: Uint8Array) => AnyMsg | typeof BAIL {
  const single = fields.filter((f) => !f.repeated);
  if (single.length > 31) return () => BAIL;
  // the constructor: repeated fields in schema order, each from its first value, its count and its array (from the second value on)
  const repeated = fields.filter((f) => f.repeated).sort((a, b) => a.order - b.order);
  const ctorSrc = repeated.map((f) => `this[${JSON.stringify(f.name)}] = c${f.id} === 0 ? [] : c${f.id} === 1 ? [x${f.id}] : r${f.id};`);
  const ctorArgs = repeated.flatMap((f) => [`c${f.id}`, `x${f.id}`, `r${f.id}`]);
  let reqMask = 0;
  const cases: string[] = [];
  const ordered: string[] = [];
  const assign: string[] = [];
  const next = `if (p < end) { ${varintInto("t", 4)} } else t = -1;`;
  fields.forEach((f, i) => {
    const key = JSON.stringify(f.name);
    const s = single.indexOf(f);
    if (f.required) reqMask |= 1 << s;
    const store = f.repeated
      ? `if (c${f.id} === 0) x${f.id} = v; else if (c${f.id} === 1) r${f.id} = [x${f.id}, v]; else r${f.id}.push(v); c${f.id}++;`
      : `f${s} = v; pres |= ${1 << s};`;
    cases.push(`case ${f.tag}: { ${readCode(f, i, plain)} ${store} break; }`);
    ordered.push(
      f.repeated
        ? `if (t === ${f.tag}) do { ${readCode(f, i, plain)} ${store} ${next} } while (t === ${f.tag});`
        : `if (t === ${f.tag}) { ${readCode(f, i, plain)} ${store} ${next} }`,
    );
    if (!f.repeated) assign.push(`if (pres & ${1 << s}) m[${key}] = f${s};`);
  });
  // the constructors of the first OWN_CTORS field sets met (K0, ...; W0, ...: their presence masks)
  const allArgs = [...ctorArgs, ...single.map((_, s) => `f${s}`)].join(", ");
  const own = Array.from({ length: OWN_CTORS }, (_, k) => k);
  const locals = [...single.map((_, s) => `f${s}`), ...repeated.flatMap((f) => [`c${f.id} = 0`, `x${f.id}`, `r${f.id}`])].join(", ");
  // a repeated scalar sent packed (wire type 2): protobufjs reads it as packed; left to it
  const packed = fields.filter((f) => f.repeated && f.kind !== K.BYTES).map((f) => `case ${(f.id << 3) | 2}:`);
  // Fields come in field-number order from protobuf encoders (protobufjs, protobuf-c): each is
  // first expected in that order, one comparison per field; whatever follows out of order (or
  // unknown) goes through the general loop, which takes any order.
  const src = `
const S = rt.S, BAIL = rt.BAIL, R = rt.reader, U = rt.util;
function M(${ctorArgs.join(", ")}) {
  ${ctorSrc.join("\n  ")}
}
M.prototype = ${plain ? "Object.prototype" : "C.prototype"};
let ${own.map((k) => `W${k} = -1, K${k} = null`).join(", ")};
function learn(mask) {
  const body = [${ctorSrc.map((l) => JSON.stringify(l)).join(", ")}];
  const names = [${single.map((f) => JSON.stringify(f.name)).join(", ")}];
  for (let s = 0; s < names.length; s++) if (mask & (1 << s)) body.push("this[" + JSON.stringify(names[s]) + "] = f" + s + ";");
  const K = new Function(...${JSON.stringify(allArgs)}.split(", "), body.join(" "));
  K.prototype = M.prototype;
  ${own.map((k) => `if (W${k} === -1) { W${k} = mask; K${k} = K; return; }`).join("\n  ")}
}
return function decode(b) {
  if (!R.discardUnknown) return BAIL; // unknown fields would have to be kept
  const L = U.Long || null;
  const end = b.length, AB = b.buffer, BO = b.byteOffset;
  let p = 0, t = -1, v, n = 0, x = 0, h = 0, pres = 0${locals ? `, ${locals}` : ""};
  ${next}
  ${ordered.join("\n  ")}
  while (t !== -1) {
    switch (t) {
      ${cases.join("\n      ")}
      ${packed.join(" ")}${packed.length ? " return BAIL;" : ""}
      default:
        if (t >>> 3 === 0) return BAIL;
        p = rt.skipField(b, p, end, t & 7);
        if (p < 0) return BAIL;
    }
    ${next}
  }
  ${reqMask ? `if ((pres & ${reqMask}) !== ${reqMask}) return BAIL;` : ""}
  ${own.map((k) => `if (pres === W${k}) return new K${k}(${allArgs});`).join("\n  ")}
  if (W${OWN_CTORS - 1} === -1) { learn(pres); return decode(b); }
  const m = new M(${ctorArgs.join(", ")});
  ${assign.join("\n  ")}
  return m;
};`;
  const enums = fields.map((f) => f.values);
  const params = ["rt", "C", ...enums.map((_, i) => `E${i}`)];
  return new Function(...params, src)(rt, ctor, ...enums) as (b: Uint8Array) => AnyMsg | typeof BAIL;
}
