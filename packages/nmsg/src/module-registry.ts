/**
 * Message modules: a registry keyed by (vendor, msgtype), each module a
 * protobuf type plus an ordered field list that drives presentation and JSON
 * output and JSON input the way libnmsg's transparent modules do.
 */
import type { TextWriter } from "@dnsrep/util";
import type protobuf from "protobufjs";
import { NmsgError, NmsgErrorCode } from "./errors.js";
import { BAIL, fastCodecOf, fastDecode, fastEncode } from "./fastcodec.js";

export type FieldKind = "enum" | "ip" | "uint" | "int" | "bytes" | "double" | "bool";

// biome-ignore lint/suspicious/noExplicitAny: protobufjs messages are dynamic
export type Msg = Record<string, any>;

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  repeated?: boolean;
  required?: boolean;
  /** largest value JSON input takes (libnmsg's field width, e.g. 65535 for its uint16 fields); else the protobuf type's */
  max?: number;
  /** not printed in presentation form (still in JSON) */
  noprint?: boolean;
  /** computed from other fields; ignored on JSON input */
  get?: (m: Msg) => unknown;
  /** full presentation line(s) for one value (replaces `name: value\n`) */
  print?: (v: unknown, m: Msg) => string;
  /** full presentation line(s) for one value, written into the output (replaces `print`) */
  printInto?: (w: TextWriter, v: unknown, m: Msg) => void;
  /** text of one value, used as `name: text` and as a JSON string */
  format?: (v: unknown, m: Msg) => string;
  /** format's text written into the output (presentation uses it over `format` when given) */
  formatInto?: (w: TextWriter, v: unknown, m: Msg) => void;
  /** raw JSON of one value (FORMAT_RAW fields) */
  json?: (v: unknown, m: Msg) => string;
  /** JSON input: value text → field value (m holds the fields parsed so far, in module order) */
  parse?: (text: string, m: Msg) => unknown;
}

export interface MessageModule {
  vid: number;
  msgtype: number;
  vname: string;
  mname: string;
  type: protobuf.Type;
  fields: FieldSpec[];
}

const modules = new Map<number, MessageModule>();
const key = (vid: number, msgtype: number): number => vid * 65536 + msgtype;

/** Register a module (users can add their own protobuf schemas). */
export function registerModule(m: MessageModule): void {
  modules.set(key(m.vid, m.msgtype), m);
}
export function getModule(vid: number, msgtype: number): MessageModule | undefined {
  return modules.get(key(vid, msgtype));
}
export function findModuleByName(vname: string, mname: string): MessageModule | undefined {
  for (const m of modules.values())
    if (m.vname.toLowerCase() === vname.toLowerCase() && m.mname.toLowerCase() === mname.toLowerCase()) return m;
  return undefined;
}
export function vendorId(vname: string): number | undefined {
  for (const m of modules.values()) if (m.vname.toLowerCase() === vname.toLowerCase()) return m.vid;
  return undefined;
}
export function msgtypeId(vid: number, mname: string): number | undefined {
  for (const m of modules.values()) if (m.vid === vid && m.mname.toLowerCase() === mname.toLowerCase()) return m.msgtype;
  return undefined;
}

/** Decode a payload with its module. Throws NmsgError on malformed protobuf. */
export function decodeMessage(mod: MessageModule, bytes: Uint8Array): Msg {
  const c = fastCodecOf(mod.type);
  if (c) {
    const m = fastDecode(c, bytes);
    if (m !== BAIL) return m;
  }
  try {
    return mod.type.decode(bytes) as unknown as Msg;
  } catch (e) {
    throw new NmsgError(NmsgErrorCode.PARSE, `${mod.vname}/${mod.mname}: ${(e as Error).message}`);
  }
}

export function encodeMessage(mod: MessageModule, m: Msg): Uint8Array {
  const c = fastCodecOf(mod.type);
  if (c) {
    const b = fastEncode(c, m);
    if (b !== BAIL) return b;
  }
  // a message decoded by this module's type is already valid: encode it directly
  if (m instanceof mod.type.ctor) return mod.type.encode(m).finish();
  const err = mod.type.verify(m);
  if (err) throw new NmsgError(NmsgErrorCode.INVALID, `${mod.vname}/${mod.mname}: ${err}`);
  return mod.type.encode(mod.type.fromObject(m)).finish();
}

/** Whether a (non-virtual, non-repeated) field is set on a decoded message. */
export function has(m: Msg, name: string): boolean {
  return Object.hasOwn(m, name) && m[name] !== null && m[name] !== undefined;
}
