/** nmsgtool's presentation form as it was built before the byte printers: one string per field (test oracle). */
import { ipv4ToString, ipv6ToString } from "@dnsrep/wdns";
import { decodeMessage, type FieldSpec, getModule, has, type MessageModule, type Msg } from "../../../packages/nmsg/src/module-registry.js";
import type { NmsgPayload } from "../../../packages/nmsg/src/payload.js";
import { dnsdedupeFields, dnsFields, dnsqrFields, ipconnFields } from "./builtin-modules.js";
import { utcDateTime } from "./utc-time.js";

/** the built-in modules' fields as they were (a module registered by a test keeps its own) */
const OLD_FIELDS = new Map<number, FieldSpec[]>([
  [65536 + 9, dnsqrFields],
  [2 * 65536 + 1, dnsdedupeFields],
  [65536 + 7, dnsFields],
  [65536 + 5, ipconnFields],
]);

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
  for (const f of OLD_FIELDS.get(p.vid * 65536 + p.msgtype) ?? mod.fields) {
    if (f.noprint) continue;
    const vals = valuesOf(f, m);
    if (vals === undefined) continue;
    for (const v of vals) s += presValue(f, mod, v, m);
  }
  return `${s}\n`;
}
