/** Presentation and JSON text of payloads, as nmsgtool prints them. */
import { type TextWriter, textOf, utcDateTime, utf8Bytes, writeUtcDateTime } from "@dnsrep/util";
import { base64Encode, ipv4ToString, ipv6ToString } from "@dnsrep/wdns";
import { decodeMessage, type FieldSpec, getModule, has, type MessageModule, type Msg } from "./module-registry.js";
import type { NmsgPayload } from "./payload.js";

/** "YYYY-MM-DD HH:MM:SS" in UTC (any int64 time a double holds, not only JS Date's range). */
export function formatTime(sec: number): string {
  return utcDateTime(sec);
}
/** "YYYY-MM-DD HH:MM:SS.nnnnnnnnn" in UTC. */
export function formatTimeNs(sec: number, nsec: number): string {
  return textOf((w) => {
    writeUtcDateTime(w, sec);
    w.byte(0x2e);
    w.padded(nsec, 9);
  });
}

export function ipText(b: Uint8Array): string | null {
  if (b.length === 4) return ipv4ToString(b);
  if (b.length === 16) return ipv6ToString(b);
  return null;
}

/** libnmsg's JSON double: %.18f with trailing zeros trimmed (one decimal kept). */
export function jsonDouble(v: number): string {
  if (!Number.isFinite(v)) return "null";
  let s = v.toFixed(18);
  let e = s.length - 1;
  while (e > 0 && s[e] === "0" && s[e - 1] !== ".") e--;
  s = s.slice(0, e + 1);
  return s;
}

export function jsonString(s: string): string {
  return JSON.stringify(s);
}

function enumName(f: FieldSpec, mod: MessageModule, v: number): string | null {
  const field = mod.type.fields[f.name];
  const en = field?.resolvedType as { valuesById?: Record<number, string> } | null;
  return en?.valuesById?.[v] ?? null;
}

/** A field's number: int64 fields decode as Long (its toNumber is Number(String(long)) without the string). */
export function toNum(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "object" && v !== null && typeof (v as { toNumber?: unknown }).toNumber === "function")
    return (v as { toNumber(): number }).toNumber();
  return Number(v as bigint);
}

/** What the printer copies of a module's field, as bytes: `name: `, and an enum's value names as met. */
interface FieldText {
  label: Uint8Array;
  enums: Map<number, Uint8Array | null>;
}
/** the last module's texts: `vname mname` and its fields' (a file holds one or two kinds of payload) */
let textsMod: MessageModule | undefined;
let modName: Uint8Array = new Uint8Array(0);
let texts: FieldText[] = [];
function moduleTexts(mod: MessageModule): void {
  if (mod === textsMod) return;
  modName = utf8Bytes(`${mod.vname} ${mod.mname}`);
  texts = mod.fields.map((f) => ({ label: utf8Bytes(`${f.name}: `), enums: new Map() }));
  textsMod = mod;
}
const NO_SOURCE = utf8Bytes("00000000");

/** An enum value's name as bytes (UTF-8), or null when the enum has none. */
function enumText(f: FieldSpec, t: FieldText, mod: MessageModule, v: number): Uint8Array | null {
  let b = t.enums.get(v);
  if (b === undefined) {
    const n = enumName(f, mod, v);
    b = n ? utf8Bytes(n) : null;
    t.enums.set(v, b);
  }
  return b;
}

/** One value's presentation line(s). */
function writePresValue(w: TextWriter, f: FieldSpec, t: FieldText, mod: MessageModule, v: unknown, m: Msg): void {
  if (f.printInto) {
    f.printInto(w, v, m);
    return;
  }
  if (f.print) {
    w.text(f.print(v, m));
    return;
  }
  w.raw(t.label);
  if (f.formatInto) f.formatInto(w, v, m);
  else if (f.format) w.text(f.format(v, m));
  else
    switch (f.kind) {
      case "bytes":
        w.latin1("<BYTE ARRAY LEN=");
        w.uint((v as Uint8Array).length);
        w.byte(0x3e);
        break;
      case "bool":
        w.latin1(v ? "True" : "False");
        break;
      case "enum": {
        const n = enumText(f, t, mod, toNum(v));
        if (n) w.raw(n);
        else {
          w.latin1("<UNKNOWN ENUM VAL=");
          w.number(toNum(v));
          w.byte(0x3e);
        }
        break;
      }
      case "ip": {
        const b = v as Uint8Array;
        if (b.length === 4) writeIpv4(w, b);
        else if (b.length === 16) w.latin1(ipv6ToString(b));
        else {
          w.latin1("<INVALID IP len=");
          w.uint(b.length);
          w.byte(0x3e);
        }
        break;
      }
      case "double":
        w.latin1(toNum(v).toFixed(6));
        break;
      default:
        w.number(toNum(v));
    }
  w.byte(0x0a);
}

function writeIpv4(w: TextWriter, b: Uint8Array): void {
  w.uint(b[0] as number);
  w.byte(0x2e);
  w.uint(b[1] as number);
  w.byte(0x2e);
  w.uint(b[2] as number);
  w.byte(0x2e);
  w.uint(b[3] as number);
}

function jsonValue(f: FieldSpec, mod: MessageModule, v: unknown, m: Msg): string {
  if (f.json) return f.json(v, m);
  if (f.format) return jsonString(f.format(v, m));
  switch (f.kind) {
    case "bytes":
      return jsonString(base64Encode(v as Uint8Array));
    case "bool":
      return v ? "true" : "false";
    case "enum": {
      const n = enumName(f, mod, toNum(v));
      return n ? jsonString(n) : String(toNum(v));
    }
    case "ip": {
      const t = ipText(v as Uint8Array);
      return t ? jsonString(t) : "null";
    }
    case "double":
      return jsonDouble(toNum(v));
    default:
      return String(toNum(v));
  }
}

/** Values of a field to output, or undefined when it is absent. */
function valuesOf(f: FieldSpec, m: Msg): unknown[] | undefined {
  if (f.get) {
    const v = f.get(m);
    return v === undefined ? undefined : [v];
  }
  if (f.repeated) return (m[f.name] as unknown[]) ?? [];
  if (f.required || has(m, f.name)) return [m[f.name]];
  return undefined;
}

/** nmsgtool's presentation form of one payload (header line, fields, blank line). */
export function payloadToPres(p: NmsgPayload): string {
  return textOf((w) => writePayloadPres(w, p));
}

/** payloadToPres's text written into `w` (UTF-8; ASCII unless a module's own text is not). */
export function writePayloadPres(w: TextWriter, p: NmsgPayload): void {
  const mod = getModule(p.vid, p.msgtype);
  w.byte(0x5b);
  w.uint(p.payload.length);
  w.latin1("] [");
  writeUtcDateTime(w, p.timeSec);
  w.byte(0x2e);
  w.padded(p.timeNsec, 9);
  w.latin1("] [");
  w.uint(p.vid);
  w.byte(0x3a);
  w.uint(p.msgtype);
  w.byte(0x20);
  if (mod) {
    moduleTexts(mod);
    w.raw(modName);
  } else w.latin1("(unknown) (unknown)");
  // as nmsgtool prints them: a present operator or group, zero included; an absent one as nothing
  w.latin1("] [");
  if (p.source === undefined) w.raw(NO_SOURCE);
  else w.hex32(p.source, 8);
  w.latin1("] [");
  if (p.operator !== undefined) w.number(p.operator);
  w.latin1("] [");
  if (p.group !== undefined) w.number(p.group);
  w.latin1("] \n");
  if (!mod) {
    w.latin1("<UNKNOWN NMSG ");
    w.uint(p.vid);
    w.byte(0x3a);
    w.uint(p.msgtype);
    w.latin1(">\n\n");
    return;
  }
  const m = decodeMessage(mod, p.payload);
  const fields = mod.fields;
  const text = texts;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as FieldSpec;
    if (f.noprint) continue;
    const l = text[i] as FieldText;
    if (f.get) {
      const v = f.get(m);
      if (v !== undefined) writePresValue(w, f, l, mod, v, m);
    } else if (f.repeated) {
      const vs = m[f.name] as unknown[] | undefined;
      if (vs) for (const v of vs) writePresValue(w, f, l, mod, v, m);
    } else {
      // has(m, name), with one lookup of the value
      const v = m[f.name];
      if (f.required || (v !== undefined && v !== null && Object.hasOwn(m, f.name))) writePresValue(w, f, l, mod, v, m);
    }
  }
  w.byte(0x0a);
}

/** nmsgtool's JSON form of one payload (one line, no newline). */
export function payloadToJson(p: NmsgPayload): string {
  const mod = getModule(p.vid, p.msgtype);
  let s = `{"time":"${formatTimeNs(p.timeSec, p.timeNsec)}","vname":${jsonString(mod?.vname ?? "(unknown)")},"mname":${jsonString(mod?.mname ?? "(unknown)")}`;
  // present header fields, zero included (libnmsg: has_source, has_operator_, has_group)
  if (p.source !== undefined) s += `,"source":"${p.source.toString(16).padStart(8, "0")}"`;
  if (p.operator !== undefined) s += `,"operator":${p.operator}`;
  if (p.group !== undefined) s += `,"group":${p.group}`;
  if (!mod) return `${s},"message":${jsonString(base64Encode(p.payload))}}`;
  const m = decodeMessage(mod, p.payload);
  const parts: string[] = [];
  for (const f of mod.fields) {
    const vals = valuesOf(f, m);
    if (vals === undefined) continue;
    const isArray = f.repeated && !f.get;
    const body = isArray ? `[${vals.map((v) => jsonValue(f, mod, v, m)).join(",")}]` : jsonValue(f, mod, vals[0], m);
    parts.push(`"${f.name}":${body}`);
  }
  return `${s},"message":{${parts.join(",")}}}`;
}
