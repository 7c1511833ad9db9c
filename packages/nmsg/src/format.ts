/** Presentation and JSON text of payloads, as nmsgtool prints them. */
import { utcDateTime } from "@dnsrep/util";
import { base64Encode, ipv4ToString, ipv6ToString } from "@dnsrep/wdns";
import { decodeMessage, type FieldSpec, getModule, has, type MessageModule, type Msg } from "./module-registry.js";
import type { NmsgPayload } from "./payload.js";

const pad = (n: number, w = 2): string => String(n).padStart(w, "0");

/** "YYYY-MM-DD HH:MM:SS" in UTC (any int64 time a double holds, not only JS Date's range). */
export function formatTime(sec: number): string {
  return utcDateTime(sec);
}
/** "YYYY-MM-DD HH:MM:SS.nnnnnnnnn" in UTC. */
export function formatTimeNs(sec: number, nsec: number): string {
  return `${formatTime(sec)}.${pad(nsec, 9)}`;
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

function toNum(v: unknown): number {
  return typeof v === "number" ? v : Number(v as bigint);
}

function presValue(f: FieldSpec, mod: MessageModule, v: unknown, m: Msg): string {
  if (f.print) return f.print(v, m);
  if (f.format) return `${f.name}: ${f.format(v, m)}\n`;
  switch (f.kind) {
    case "bytes":
      return `${f.name}: <BYTE ARRAY LEN=${(v as Uint8Array).length}>\n`;
    case "bool":
      return `${f.name}: ${v ? "True" : "False"}\n`;
    case "enum": {
      const n = enumName(f, mod, toNum(v));
      return n ? `${f.name}: ${n}\n` : `${f.name}: <UNKNOWN ENUM VAL=${toNum(v)}>\n`;
    }
    case "ip": {
      const t = ipText(v as Uint8Array);
      return t ? `${f.name}: ${t}\n` : `${f.name}: <INVALID IP len=${(v as Uint8Array).length}>\n`;
    }
    case "double":
      return `${f.name}: ${toNum(v).toFixed(6)}\n`;
    default:
      return `${f.name}: ${toNum(v)}\n`;
  }
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

function headerFields(p: NmsgPayload): [string, string, string] {
  return [
    // as nmsgtool prints them: a present operator or group, zero included; an absent one as nothing
    (p.source ?? 0).toString(16).padStart(8, "0"),
    p.operator !== undefined ? String(p.operator) : "",
    p.group !== undefined ? String(p.group) : "",
  ];
}

/** nmsgtool's presentation form of one payload (header line, fields, blank line). */
export function payloadToPres(p: NmsgPayload): string {
  const mod = getModule(p.vid, p.msgtype);
  const [src, op, grp] = headerFields(p);
  const vn = mod ? `${mod.vname} ${mod.mname}` : "(unknown) (unknown)";
  let s = `[${p.payload.length}] [${formatTimeNs(p.timeSec, p.timeNsec)}] [${p.vid}:${p.msgtype} ${vn}] [${src}] [${op}] [${grp}] \n`;
  if (!mod) return `${s}<UNKNOWN NMSG ${p.vid}:${p.msgtype}>\n\n`;
  const m = decodeMessage(mod, p.payload);
  for (const f of mod.fields) {
    if (f.noprint) continue;
    const vals = valuesOf(f, m);
    if (vals === undefined) continue;
    for (const v of vals) s += presValue(f, mod, v, m);
  }
  return `${s}\n`;
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
