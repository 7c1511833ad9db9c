/** Built-in message modules: base/dnsqr (1/9) and SIE/dnsdedupe (2/1). */
import { type TextWriter, textOf, utf8Bytes } from "@dnsrep/util";
import {
  isWdnsError,
  type Message,
  nameFromString,
  parseMessage,
  rcodeName,
  rrclassFromString,
  rrclassName,
  rrtypeFromString,
  rrtypeName,
  stringToRdata,
  writeDomain,
  writeMessage,
  writeRdata,
} from "@dnsrep/wdns";
import type protobuf from "protobufjs";
import { dnsMessageJson } from "./dnsjson.js";
import { udpDnsPayload } from "./dnsqr-dns.js";
import { NmsgError, NmsgErrorCode } from "./errors.js";
import { formatTime, toNum } from "./format.js";
import { type FieldSpec, has, type MessageModule, type Msg, registerModule } from "./module-registry.js";
import { schemaType } from "./schemas.js";
import { verifyUdpChecksum } from "./udp-datagram.js";

export const VENDOR_BASE = 1;
export const VENDOR_SIE = 2;
export const MSGTYPE_DNSQR = 9;
export const MSGTYPE_DNSDEDUPE = 1;

export const DnsQRKind = {
  UDP_INVALID: 0,
  UDP_QUERY_RESPONSE: 1,
  UDP_UNANSWERED_QUERY: 2,
  UDP_UNSOLICITED_RESPONSE: 3,
  TCP: 4,
  ICMP: 5,
  UDP_QUERY_ONLY: 6,
  UDP_RESPONSE_ONLY: 7,
} as const;
export const UdpChecksum = { ERROR: 0, ABSENT: 1, INCORRECT: 2, CORRECT: 3 } as const;
export const DnsDedupeKind = {
  INSERTION: 0,
  EXPIRATION: 1,
  CHAFF: 2,
  AUTHORITATIVE: 3,
  MERGED: 4,
  MERGED_AUTHORITATIVE: 5,
  MERGED_INSERTION: 6,
} as const;

const u8 = (v: unknown): Uint8Array => v as Uint8Array;
const num = toNum;

/** Text of classes and types: JSON/format uses CLASSn/TYPEn, presentation lines "<UNKNOWN> (n)". */
const className = (c: number): string => rrclassName(c) ?? `CLASS${c}`;
const typeName = (t: number): string => rrtypeName(t) ?? `TYPE${t}`;

/** A field's formatInto and the format (its text as a string) derived from it. */
function formatted(into: (w: TextWriter, v: unknown, m: Msg) => void): Pick<FieldSpec, "format" | "formatInto"> {
  return { formatInto: into, format: (v, m) => textOf((w) => into(w, v, m)) };
}

/** The presentation line of a 16-bit code: `name: TEXT (n)`, TEXT from its table or `<UNKNOWN>`. */
function codeLine(name: string, text: (n: number) => string | null): (w: TextWriter, v: unknown) => void {
  const label = utf8Bytes(`${name}: `);
  // each code's `TEXT (n)\n` as bytes, made when first met
  const lines: (Uint8Array | undefined)[] = [];
  return (w, v) => {
    const c = num(v) & 0xffff;
    let line = lines[c];
    if (line === undefined) {
      line = utf8Bytes(`${text(c) ?? "<UNKNOWN>"} (${c})\n`);
      lines[c] = line;
    }
    w.raw(label);
    w.raw(line);
  };
}

/** what the printer reads of a message: its RRs, not its RRsets */
const PRINTED = { rrsets: false } as const;

/** The DNS message text nmsgtool prints for query/response fields. */
function writeMessageLines(w: TextWriter, name: string, wire: Uint8Array): void {
  let msg: Message;
  try {
    msg = parseMessage(wire, PRINTED);
  } catch (e) {
    if (!isWdnsError(e)) throw e;
    w.latin1(name);
    w.latin1(": <PARSE ERROR>\n");
    return;
  }
  w.latin1(name);
  w.latin1(": [");
  w.uint(wire.length);
  w.latin1(" octets]\n");
  writeMessage(w, msg);
  w.latin1("---\n");
}

function dnsPayload(packets: Uint8Array[], ip: Uint8Array): Uint8Array | undefined {
  // a view into the payload: every caller (presentation, JSON) reads it at once
  return udpDnsPayload(packets, ip);
}

/** the DNS messages a dnsqr carries: the query's and the response's UDP payload */
const queryMessage = (m: Msg): Uint8Array | undefined => dnsPayload(m.query_packet as Uint8Array[], u8(m.query_ip));
const responseMessage = (m: Msg): Uint8Array | undefined => dnsPayload(m.response_packet as Uint8Array[], u8(m.response_ip));

function delay(m: Msg): number | undefined {
  if (m.type !== DnsQRKind.UDP_QUERY_RESPONSE) return undefined;
  const qs = m.query_time_sec as unknown[];
  const qn = m.query_time_nsec as number[];
  const rs = m.response_time_sec as unknown[];
  const rn = m.response_time_nsec as number[];
  if (qs.length !== 1 || qn.length !== 1 || rs.length < 1 || rs.length !== rn.length) return undefined;
  let best = 0;
  for (let i = 0; i < rs.length; i++) {
    let sec = num(rs[i]) - num(qs[0]);
    let nsec = (rn[i] as number) - (qn[0] as number);
    if (nsec < 0) {
      sec -= 1;
      nsec += 1e9;
    }
    const d = sec + nsec / 1e9;
    if (rs.length === 1) return d;
    if (d > best) best = d;
  }
  return best;
}

const nameField = (name: string): FieldSpec => ({
  name,
  kind: "bytes",
  ...formatted((w, v) => writeDomain(w, u8(v))),
  parse: (t) => nameFromString(t),
});

export const dnsqrFields: FieldSpec[] = [
  { name: "type", kind: "enum", required: true },
  { name: "query_ip", kind: "ip", required: true },
  { name: "response_ip", kind: "ip", required: true },
  {
    name: "proto",
    kind: "uint",
    max: 0xffff,
    required: true,
    printInto: (w, v) => {
      const p = num(v) & 0xffff;
      w.latin1(p === 17 ? "proto: UDP (17)\n" : p === 6 ? "proto: TCP (6)\n" : p === 1 ? "proto: ICMP (1)\n" : "proto: ");
      if (p !== 17 && p !== 6 && p !== 1) {
        w.uint(p);
        w.byte(0x0a);
      }
    },
    format: (v) => {
      const p = num(v) & 0xffff;
      return p === 17 ? "UDP" : p === 6 ? "TCP" : p === 1 ? "ICMP" : String(p);
    },
    parse: (t) => (/^udp$/i.test(t) ? 17 : /^tcp$/i.test(t) ? 6 : /^icmp$/i.test(t) ? 1 : Number(t)),
  },
  { name: "query_port", kind: "uint", max: 0xffff, required: true },
  { name: "response_port", kind: "uint", max: 0xffff, required: true },
  { name: "id", kind: "uint", max: 0xffff, required: true },
  nameField("qname"),
  {
    name: "qclass",
    kind: "uint",
    max: 0xffff,
    printInto: codeLine("qclass", rrclassName),
    format: (v) => className(num(v) & 0xffff),
    parse: (t) => rrclassFromString(t) ?? Number.NaN,
  },
  {
    name: "qtype",
    kind: "uint",
    max: 0xffff,
    printInto: codeLine("qtype", rrtypeName),
    format: (v) => typeName(num(v) & 0xffff),
    parse: (t) => rrtypeFromString(t) ?? Number.NaN,
  },
  {
    name: "rcode",
    kind: "uint",
    max: 0xffff,
    printInto: codeLine("rcode", rcodeName),
    format: (v) => rcodeName(num(v) & 0xffff) ?? String(num(v) & 0xffff),
    parse: (t) => {
      const names = [
        "NOERROR",
        "FORMERR",
        "SERVFAIL",
        "NXDOMAIN",
        "NOTIMP",
        "REFUSED",
        "YXDOMAIN",
        "YXRRSET",
        "NXRRSET",
        "NOTAUTH",
        "NOTZONE",
      ];
      const i = names.indexOf(t.toUpperCase());
      return i >= 0 ? i : Number(t);
    },
  },
  { name: "query_packet", kind: "bytes", repeated: true, noprint: true },
  { name: "query_time_sec", kind: "int", repeated: true, noprint: true },
  { name: "query_time_nsec", kind: "int", repeated: true, noprint: true },
  { name: "response_packet", kind: "bytes", repeated: true, noprint: true },
  { name: "response_time_sec", kind: "int", repeated: true, noprint: true },
  { name: "response_time_nsec", kind: "int", repeated: true, noprint: true },
  { name: "timeout", kind: "double" },
  { name: "delay", kind: "double", get: delay },
  {
    name: "udp_checksum",
    kind: "enum",
    get: (m) => {
      const rp = m.response_packet as Uint8Array[];
      if (rp.length < 1) return undefined;
      if (has(m, "udp_checksum")) return m.udp_checksum;
      return verifyUdpChecksum(u8(rp[0]), u8(m.response_ip).length === 16);
    },
  },
  { name: "resolver_address_zeroed", kind: "bool" },
  {
    name: "query",
    kind: "bytes",
    get: queryMessage,
    printInto: (w, v) => writeMessageLines(w, "query", u8(v)),
  },
  {
    name: "query_json",
    kind: "bytes",
    noprint: true,
    get: queryMessage,
    json: (v) => dnsMessageJson(u8(v)),
  },
  {
    name: "response",
    kind: "bytes",
    get: responseMessage,
    printInto: (w, v) => writeMessageLines(w, "response", u8(v)),
  },
  {
    name: "response_json",
    kind: "bytes",
    noprint: true,
    get: responseMessage,
    json: (v) => dnsMessageJson(u8(v)),
  },
  { name: "dns", kind: "bytes", noprint: true, get: responseMessage },
  { name: "tcp", kind: "bytes", noprint: true },
  { name: "icmp", kind: "bytes", noprint: true },
];

const timeField = (name: string): FieldSpec => ({
  name,
  kind: "uint",
  format: (v) => formatTime(num(v)),
  parse: (t) => {
    const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(t);
    if (!m) throw new NmsgError(NmsgErrorCode.PARSE, `${name}: bad time ${JSON.stringify(t)}`);
    return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000;
  },
});

export const dnsdedupeFields: FieldSpec[] = [
  { name: "type", kind: "enum" },
  { name: "count", kind: "uint" },
  timeField("time_first"),
  timeField("time_last"),
  timeField("zone_time_first"),
  timeField("zone_time_last"),
  { name: "response_ip", kind: "ip" },
  nameField("bailiwick"),
  nameField("rrname"),
  {
    name: "rrclass",
    kind: "uint",
    printInto: codeLine("rrclass", rrclassName),
    format: (v) => className(num(v) & 0xffff),
    parse: () => 1, // libnmsg's dns_class_parse stores IN whatever the text
  },
  {
    name: "rrtype",
    kind: "uint",
    printInto: codeLine("rrtype", rrtypeName),
    format: (v) => typeName(num(v) & 0xffff),
    parse: (t) => {
      const v = rrtypeFromString(t);
      if (v === undefined) throw new NmsgError(NmsgErrorCode.PARSE, `rrtype: unknown type ${JSON.stringify(t)}`);
      return v;
    },
  },
  { name: "rrttl", kind: "uint" },
  {
    name: "rdata",
    kind: "bytes",
    repeated: true,
    ...formatted((w, v, m) => writeRdata(w, num(m.rrtype ?? 0), num(m.rrclass ?? 1), u8(v), w.pos)),
    parse: (t, m) => {
      if (!has(m, "rrclass")) throw new NmsgError(NmsgErrorCode.PARSE, "rdata: rrclass must come first");
      return stringToRdata(num(m.rrtype), num(m.rrclass), t);
    },
  },
  {
    name: "response",
    kind: "bytes",
    printInto: (w, v) => writeMessageLines(w, "response", u8(v)),
    json: (v) => dnsMessageJson(u8(v)),
  },
];

const classField = (name: string): FieldSpec => ({
  name,
  kind: "uint",
  max: 0xffff,
  printInto: codeLine(name, rrclassName),
  format: (v) => className(num(v) & 0xffff),
  parse: (t) => rrclassFromString(t) ?? Number.NaN,
});
const typeField = (name: string): FieldSpec => ({
  name,
  kind: "uint",
  max: 0xffff,
  printInto: codeLine(name, rrtypeName),
  format: (v) => typeName(num(v) & 0xffff),
  parse: (t) => rrtypeFromString(t) ?? Number.NaN,
});

/** base/dns (1/7): one RRset, as nmsg's dns module carries it. */
export const dnsFields: FieldSpec[] = [
  nameField("qname"),
  classField("qclass"),
  typeField("qtype"),
  { name: "section", kind: "uint", max: 0xffff },
  nameField("rrname"),
  classField("rrclass"),
  typeField("rrtype"),
  { name: "rrttl", kind: "uint" },
  {
    name: "rdata",
    kind: "bytes",
    repeated: true,
    ...formatted((w, v, m) => writeRdata(w, num(m.rrtype ?? 0), num(m.rrclass ?? 1), u8(v), w.pos)),
    parse: (t, m) => stringToRdata(num(m.rrtype), num(m.rrclass ?? 1), t),
  },
];

/** base/ipconn (1/5). */
export const ipconnFields: FieldSpec[] = [
  { name: "proto", kind: "uint", max: 0xffff },
  { name: "srcip", kind: "ip" },
  { name: "srcport", kind: "uint", max: 0xffff },
  { name: "dstip", kind: "ip" },
  { name: "dstport", kind: "uint", max: 0xffff },
];

export const MSGTYPE_DNS = 7;
export const MSGTYPE_IPCONN = 5;

/**
 * A built-in module whose protobuf type (`type`) is parsed from schemas.ts on its first use — by
 * the first message decoded, encoded, printed or read from JSON — not when the package is
 * imported: a tool's `--help` never needs it (issue 30).
 */
function builtinModule(vid: number, msgtype: number, vname: string, mname: string, typeName: string, fields: FieldSpec[]): MessageModule {
  let type: protobuf.Type | undefined;
  return {
    vid,
    msgtype,
    vname,
    mname,
    get type(): protobuf.Type {
      type ??= schemaType(typeName);
      return type;
    },
    fields,
  };
}
registerModule(builtinModule(VENDOR_BASE, MSGTYPE_DNS, "base", "dns", "Dns", dnsFields));
registerModule(builtinModule(VENDOR_BASE, MSGTYPE_IPCONN, "base", "ipconn", "IPConn", ipconnFields));
registerModule(builtinModule(VENDOR_BASE, MSGTYPE_DNSQR, "base", "dnsqr", "DnsQR", dnsqrFields));
registerModule(builtinModule(VENDOR_SIE, MSGTYPE_DNSDEDUPE, "SIE", "dnsdedupe", "DnsDedupe", dnsdedupeFields));
