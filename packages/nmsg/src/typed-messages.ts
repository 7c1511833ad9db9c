/** Plain TypeScript views of base/dnsqr and SIE/dnsdedupe for code that builds or reads them. */

import { MSGTYPE_DNSDEDUPE, MSGTYPE_DNSQR, VENDOR_BASE, VENDOR_SIE } from "./builtin-modules.js";
import { BAIL, fastCodecOf } from "./fastcodec.js";
import { decodeMessage, encodeMessage, getModule, type MessageModule } from "./module-registry.js";

export interface DnsQR {
  type: number;
  query_ip: Uint8Array;
  response_ip: Uint8Array;
  proto: number;
  query_port: number;
  response_port: number;
  id: number;
  qname?: Uint8Array;
  qtype?: number;
  qclass?: number;
  rcode?: number;
  query_packet: Uint8Array[];
  query_time_sec: number[];
  query_time_nsec: number[];
  response_packet: Uint8Array[];
  response_time_sec: number[];
  response_time_nsec: number[];
  tcp?: Uint8Array;
  icmp?: Uint8Array;
  timeout?: number;
  udp_checksum?: number;
  resolver_address_zeroed?: boolean;
}

export interface DnsDedupe {
  type?: number;
  count?: number;
  time_first?: number;
  time_last?: number;
  zone_time_first?: number;
  zone_time_last?: number;
  response_ip?: Uint8Array;
  bailiwick?: Uint8Array;
  rrname?: Uint8Array;
  rrclass?: number;
  rrtype?: number;
  rrttl?: number;
  rdata: Uint8Array[];
  response?: Uint8Array;
}

const mod = (vid: number, t: number): MessageModule => getModule(vid, t) as MessageModule;

/** A protobufjs int64 (Long) as a number; Number(long) would go through its decimal string. */
function num(v: unknown): unknown {
  if (typeof v !== "object" || v === null || v instanceof Uint8Array || Array.isArray(v)) return v;
  const l = v as { toNumber?: () => number };
  return typeof l.toNumber === "function" ? l.toNumber() : Number(v);
}

/**
 * A decoded message as a plain object: its own fields only (protobufjs keeps defaults on the
 * prototype), int64 as numbers, repeated fields always present. The decoder's fresh arrays are
 * reused, converted in place.
 */
function plain<T>(m: Record<string, unknown>, fields: readonly string[], repeated: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (Object.hasOwn(m, f)) out[f] = num(m[f]);
  for (const f of repeated) {
    const a = (m[f] as unknown[] | undefined) ?? [];
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (typeof v === "object" && v !== null && !(v instanceof Uint8Array)) a[i] = num(v);
    }
    out[f] = a;
  }
  return out as T;
}

const QR_FIELDS = [
  "type",
  "query_ip",
  "response_ip",
  "proto",
  "query_port",
  "response_port",
  "id",
  "qname",
  "qtype",
  "qclass",
  "rcode",
  "tcp",
  "icmp",
  "timeout",
  "udp_checksum",
  "resolver_address_zeroed",
];
const QR_REPEATED = ["query_packet", "query_time_sec", "query_time_nsec", "response_packet", "response_time_sec", "response_time_nsec"];
const DD_FIELDS = [
  "type",
  "count",
  "time_first",
  "time_last",
  "zone_time_first",
  "zone_time_last",
  "response_ip",
  "bailiwick",
  "rrname",
  "rrclass",
  "rrtype",
  "rrttl",
  "response",
];

export function encodeDnsQR(q: DnsQR): Uint8Array {
  return encodeMessage(mod(VENDOR_BASE, MSGTYPE_DNSQR), q as unknown as Record<string, unknown>);
}
/**
 * Decode as a plain object: straight from the wire by the fast codec's plain decoder when the
 * input is in its well-formed subset, else through decodeMessage (protobufjs decides) and a copy.
 */
function decodePlain<T>(m: MessageModule, b: Uint8Array, fields: readonly string[], repeated: readonly string[]): T {
  const d = fastCodecOf(m.type)?.decodePlain(b);
  if (d !== undefined && d !== BAIL) return d as T;
  return plain<T>(decodeMessage(m, b), fields, repeated);
}

export function decodeDnsQR(b: Uint8Array): DnsQR {
  return decodePlain<DnsQR>(mod(VENDOR_BASE, MSGTYPE_DNSQR), b, QR_FIELDS, QR_REPEATED);
}
export function encodeDnsDedupe(d: DnsDedupe): Uint8Array {
  return encodeMessage(mod(VENDOR_SIE, MSGTYPE_DNSDEDUPE), d as unknown as Record<string, unknown>);
}
export function decodeDnsDedupe(b: Uint8Array): DnsDedupe {
  return decodePlain<DnsDedupe>(mod(VENDOR_SIE, MSGTYPE_DNSDEDUPE), b, DD_FIELDS, ["rdata"]);
}
