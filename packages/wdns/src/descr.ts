/**
 * Rdata field descriptors (what libwdns calls record_descr): how each type's
 * rdata is laid out, used both to decompress names when parsing a message
 * and to print rdata. `cls` "in" descriptors apply only to class IN.
 */
export type Rdf =
  | "bytes"
  | "bytes_b64"
  | "bytes_str"
  | "name"
  | "uname"
  | "int8"
  | "int16"
  | "int32"
  | "ipv4"
  | "ipv6"
  | "ipv6prefix"
  | "eui48"
  | "eui64"
  | "string"
  | "repstring"
  | "rrtype"
  | "type_bitmap"
  | "salt"
  | "hash"
  | "svcparams"
  | "edns_opt";

/** Numeric field codes for the parser's hot loop (same order as Rdf names below). */
export const RDF_CODES: readonly Rdf[] = [
  "bytes",
  "bytes_b64",
  "bytes_str",
  "name",
  "uname",
  "int8",
  "int16",
  "int32",
  "ipv4",
  "ipv6",
  "ipv6prefix",
  "eui48",
  "eui64",
  "string",
  "repstring",
  "rrtype",
  "type_bitmap",
  "salt",
  "hash",
  "svcparams",
  "edns_opt",
];

export interface Descr {
  cls: "un" | "in";
  fields: readonly Rdf[];
  /** `fields` as indexes into RDF_CODES */
  codes: Uint8Array;
  /** whether any field is a domain name (names are decompressed, so the rdata cannot be sliced as is) */
  hasName: boolean;
}

const hasName = (fields: Rdf[]): boolean => fields.includes("name") || fields.includes("uname");
const codes = (fields: Rdf[]): Uint8Array => Uint8Array.from(fields.map((f) => RDF_CODES.indexOf(f)));
const un = (...fields: Rdf[]): Descr => ({ cls: "un", fields, codes: codes(fields), hasName: hasName(fields) });
const inet = (...fields: Rdf[]): Descr => ({ cls: "in", fields, codes: codes(fields), hasName: hasName(fields) });

export const DESCR: ReadonlyMap<number, Descr> = new Map<number, Descr>([
  [5, un("name")], // CNAME
  [13, un("string", "string")], // HINFO
  [7, un("name")],
  [3, un("name")],
  [4, un("name")],
  [8, un("name")], // MB MD MF MG
  [14, un("name", "name")], // MINFO
  [9, un("name")], // MR
  [15, un("int16", "name")], // MX
  [2, un("name")], // NS
  [10, un("bytes")], // NULL
  [12, un("name")], // PTR
  [6, un("name", "name", "int32", "int32", "int32", "int32", "int32")], // SOA
  [16, un("repstring")], // TXT
  [1, inet("ipv4")], // A
  [11, inet("int32", "int8", "bytes")], // WKS
  [18, un("int16", "name")], // AFSDB
  [20, un("string", "string")], // ISDN
  [17, un("name", "name")], // RP
  [21, un("int16", "name")], // RT
  [19, un("string")], // X25
  [30, un("name", "bytes")], // NXT
  [24, un("int16", "int8", "int8", "int32", "int32", "int32", "int16", "name", "bytes")], // SIG
  [39, un("uname")], // DNAME
  [38, inet("ipv6prefix", "uname")], // A6
  [28, inet("ipv6")], // AAAA
  [36, inet("int16", "uname")], // KX
  [26, inet("int16", "name", "name")], // PX
  [35, inet("int16", "int16", "string", "string", "string", "name")], // NAPTR
  [33, inet("int16", "int16", "int16", "name")], // SRV
  [48, un("int16", "int8", "int8", "bytes_b64")], // DNSKEY
  [46, un("rrtype", "int8", "int8", "int32", "int32", "int32", "int16", "uname", "bytes_b64")], // RRSIG
  [47, un("uname", "type_bitmap")], // NSEC
  [43, un("int16", "int8", "int8", "bytes")], // DS
  [50, un("int8", "int8", "int16", "salt", "hash", "type_bitmap")], // NSEC3
  [51, un("int8", "int8", "int16", "salt")], // NSEC3PARAM
  [99, un("repstring")], // SPF
  [52, un("int8", "int8", "int8", "bytes")], // TLSA
  [60, un("int16", "int8", "int8", "bytes_b64")], // CDNSKEY
  [59, un("int16", "int8", "int8", "bytes")], // CDS
  [61, un("bytes_b64")], // OPENPGPKEY
  [62, un("int32", "int16", "type_bitmap")], // CSYNC
  [108, un("eui48")], // EUI48
  [109, un("eui64")], // EUI64
  [256, un("int16", "int16", "bytes_str")], // URI
  [64, inet("int16", "name", "svcparams")], // SVCB
  [65, inet("int16", "name", "svcparams")], // HTTPS
  [257, inet("int8", "string", "bytes_str")], // CAA
  [41, un("edns_opt")], // OPT
]);

/** The descriptor that applies to (rrtype, rrclass), or null for generic handling / class mismatch. */
export function descrFor(rrtype: number): Descr | null {
  return DESCR.get(rrtype) ?? null;
}
