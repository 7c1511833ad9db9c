/** JSON input (nmsgtool -j): one JSON object per line → NmsgPayload, encoding like libnmsg. */
import { base64Decode, isWdnsError, parseIpv4, parseIpv6 } from "@dnsrep/wdns";
import { NmsgError, NmsgErrorCode } from "./errors.js";
import { encodeMessage, type FieldSpec, findModuleByName, type MessageModule, type Msg } from "./module-registry.js";
import type { NmsgPayload } from "./payload.js";

function bad(msg: string): never {
  throw new NmsgError(NmsgErrorCode.PARSE, msg);
}

function parseTimeNs(t: unknown): [number, number] {
  const m = typeof t === "string" ? /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(t) : null;
  if (!m) bad(`bad time ${JSON.stringify(t)}`);
  const sec = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000;
  return [sec, m[7] ? Number(m[7].padEnd(9, "0")) : 0];
}

function enumValue(mod: MessageModule, f: FieldSpec, v: unknown): number {
  const field = mod.type.fields[f.name];
  const en = field?.resolvedType as { values?: Record<string, number> } | null;
  if (typeof v === "string" && en?.values && v in en.values) return en.values[v] as number;
  if (typeof v === "number") return v;
  return bad(`${f.name}: unknown value ${JSON.stringify(v)}`);
}

function fieldValue(mod: MessageModule, f: FieldSpec, v: unknown, m: Msg): unknown {
  if (f.parse) {
    if (typeof v !== "string") bad(`${f.name}: expected a string`);
    const r = f.parse(v, m);
    if (typeof r === "number" && Number.isNaN(r)) bad(`${f.name}: bad value ${JSON.stringify(v)}`);
    if (typeof r === "number") checkInt(mod, f, r);
    return r;
  }
  switch (f.kind) {
    case "enum":
      return enumValue(mod, f, v);
    case "ip": {
      if (v === null) return new Uint8Array(0);
      const ip = typeof v === "string" ? (parseIpv4(v) ?? parseIpv6(v)) : null;
      if (!ip) bad(`${f.name}: bad IP address ${JSON.stringify(v)}`);
      return ip;
    }
    case "bytes": {
      const b = typeof v === "string" ? base64Decode(v) : null;
      if (!b) bad(`${f.name}: bad base64`);
      return b;
    }
    case "bool":
      if (typeof v !== "boolean") bad(`${f.name}: expected true or false`);
      return v;
    default: {
      if (typeof v !== "number" || !Number.isFinite(v)) bad(`${f.name}: expected a number`);
      checkInt(mod, f, v);
      return v;
    }
  }
}

/**
 * libnmsg refuses an integer beyond its field's width (65535 for its uint16 fields, the protobuf
 * type's range otherwise) rather than store it wrapped; one beyond 2^53 has already lost digits in
 * the JSON parse, so it is refused too.
 */
function checkInt(mod: MessageModule, f: FieldSpec, v: number): void {
  const type = mod.type.fields[f.name]?.type ?? "";
  const range = INT_RANGE[type];
  if (!range) return;
  if (!Number.isInteger(v) || v < range[0] || v > Math.min(range[1], f.max ?? Number.POSITIVE_INFINITY))
    bad(`${f.name}: ${JSON.stringify(v)} is out of range for ${f.max === 0xffff ? "uint16" : type}`);
}

/** The values each protobuf integer type takes from JSON (a JS number holds integers exactly only up to 2^53). */
const INT_RANGE: Record<string, readonly [number, number]> = {
  uint32: [0, 0xffffffff],
  fixed32: [0, 0xffffffff],
  int32: [-0x80000000, 0x7fffffff],
  sint32: [-0x80000000, 0x7fffffff],
  sfixed32: [-0x80000000, 0x7fffffff],
  uint64: [0, Number.MAX_SAFE_INTEGER],
  fixed64: [0, Number.MAX_SAFE_INTEGER],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  sint64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  sfixed64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/**
 * Parse one line of nmsgtool JSON into a payload. Fields are taken in the
 * module's field order (so rdata sees rrtype/rrclass whatever the key order);
 * virtual fields are ignored. `fallback` names the module when the line has
 * no vname/mname.
 */
export function payloadFromJson(line: string, fallback?: { vname: string; mname: string }): NmsgPayload {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch (e) {
    return bad(`bad JSON (${(e as Error).message})`);
  }
  if (typeof o !== "object" || o === null) bad("JSON line is not an object");
  const vname = (o.vname as string | undefined) ?? fallback?.vname;
  const mname = (o.mname as string | undefined) ?? fallback?.mname;
  if (!vname || !mname) bad("no vname/mname");
  const mod = findModuleByName(vname, mname);
  if (!mod) bad(`unknown message module ${vname}/${mname}`);
  const [timeSec, timeNsec] = parseTimeNs(o.time);
  const src = o.message as Record<string, unknown> | undefined;
  if (!src || typeof src !== "object") bad("no message object");
  const m: Msg = {};
  for (const f of mod.fields) {
    // fields computed on output only (not in the schema) are ignored on input
    if (!mod.type.fields[f.name] || !(f.name in src)) continue;
    const v = src[f.name];
    try {
      if (f.repeated) {
        if (!Array.isArray(v)) bad(`${f.name}: expected an array`);
        m[f.name] = v.map((x) => fieldValue(mod, f, x, m));
      } else if (v !== null || f.kind === "ip") {
        m[f.name] = fieldValue(mod, f, v, m);
      }
    } catch (e) {
      // a name or rdata text wdns cannot read is this line's parse error, like any other bad field
      if (isWdnsError(e)) bad(`${f.name}: ${e.message}`);
      throw e;
    }
  }
  const p: NmsgPayload = { vid: mod.vid, msgtype: mod.msgtype, timeSec, timeNsec, payload: encodeMessage(mod, m) };
  if ("source" in o) p.source = headerSource(o.source);
  if ("operator" in o) p.operator = headerU32("operator", o.operator);
  if ("group" in o) p.group = headerU32("group", o.group);
  return p;
}

/**
 * The payload's source: libnmsg takes a string as hex (as nmsgtool prints it, `%08x`) or a JSON
 * integer. Where libnmsg would keep garbage (sscanf matching nothing) or wrap a value beyond 32
 * bits, this refuses it.
 */
function headerSource(v: unknown): number {
  if (typeof v !== "string") return headerU32("source", v);
  const m = /^(?:0[xX])?0*([0-9a-fA-F]{1,8})$/.exec(v);
  if (m) return Number.parseInt(m[1] as string, 16);
  if (/^(?:0[xX])?[0-9a-fA-F]+$/.test(v)) bad(`source: ${JSON.stringify(v)} is out of range for uint32`);
  return bad(`source: ${JSON.stringify(v)} is not a hex number`);
}

/**
 * Operator and group: a JSON integer of 32 bits unsigned (libnmsg casts a wider one down). libnmsg
 * also takes a name from its alias files (nmsg.opalias, nmsg.gralias), mapping an unknown name to
 * 0; nmsg-tool reads no alias files and prints numbers, so every name is refused.
 */
function headerU32(name: string, v: unknown): number {
  if (typeof v === "string") bad(`${name}: unknown alias ${JSON.stringify(v)} (alias files are not supported)`);
  if (typeof v !== "number") bad(`${name}: expected ${name === "source" ? "a hex string or " : ""}an integer`);
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) bad(`${name}: ${JSON.stringify(v)} is out of range for uint32`);
  return v;
}
