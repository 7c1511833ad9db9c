import { RRTYPE } from "./tables.js";

/**
 * Rdata field descriptors (what libwdns calls record_descr): how each type's
 * rdata is laid out, used both to decompress names when parsing a message
 * and to print rdata. `cls` "in" descriptors apply only to class IN.
 */

/**
 * Rdata field kinds (libwdns's rdf types), as small integers so the parser's hot loop switches on
 * numbers; the parser, the printer and downcasing all switch on these names.
 */
export const Rdf = {
  BYTES: 0,
  BYTES_B64: 1,
  BYTES_STR: 2,
  NAME: 3,
  UNAME: 4,
  INT8: 5,
  INT16: 6,
  INT32: 7,
  IPV4: 8,
  IPV6: 9,
  IPV6PREFIX: 10,
  EUI48: 11,
  EUI64: 12,
  STRING: 13,
  REPSTRING: 14,
  RRTYPE: 15,
  TYPE_BITMAP: 16,
  SALT: 17,
  HASH: 18,
  SVCPARAMS: 19,
  EDNS_OPT: 20,
} as const;
export type Rdf = (typeof Rdf)[keyof typeof Rdf];

export interface Descr {
  cls: "un" | "in";
  /** the rdata's fields in order */
  fields: readonly Rdf[];
  /** whether any field is a domain name (names are decompressed, so the rdata cannot be sliced as is) */
  hasName: boolean;
}

const hasName = (fields: Rdf[]): boolean => fields.includes(Rdf.NAME) || fields.includes(Rdf.UNAME);
const un = (...fields: Rdf[]): Descr => ({ cls: "un", fields, hasName: hasName(fields) });
const inet = (...fields: Rdf[]): Descr => ({ cls: "in", fields, hasName: hasName(fields) });
const {
  BYTES,
  BYTES_B64,
  BYTES_STR,
  NAME,
  UNAME,
  INT8,
  INT16,
  INT32,
  IPV4,
  IPV6,
  IPV6PREFIX,
  EUI48,
  EUI64,
  STRING,
  REPSTRING,
  RRTYPE: TYPE,
  TYPE_BITMAP,
  SALT,
  HASH,
  SVCPARAMS,
  EDNS_OPT,
} = Rdf;
const T = RRTYPE;

export const DESCR: ReadonlyMap<number, Descr> = new Map<number, Descr>([
  [T.CNAME, un(NAME)],
  [T.HINFO, un(STRING, STRING)],
  [T.MB, un(NAME)],
  [T.MD, un(NAME)],
  [T.MF, un(NAME)],
  [T.MG, un(NAME)],
  [T.MINFO, un(NAME, NAME)],
  [T.MR, un(NAME)],
  [T.MX, un(INT16, NAME)],
  [T.NS, un(NAME)],
  [T.NULL, un(BYTES)],
  [T.PTR, un(NAME)],
  [T.SOA, un(NAME, NAME, INT32, INT32, INT32, INT32, INT32)],
  [T.TXT, un(REPSTRING)],
  [T.A, inet(IPV4)],
  [T.WKS, inet(INT32, INT8, BYTES)],
  [T.AFSDB, un(INT16, NAME)],
  [T.ISDN, un(STRING, STRING)],
  [T.RP, un(NAME, NAME)],
  [T.RT, un(INT16, NAME)],
  [T.X25, un(STRING)],
  [T.NXT, un(NAME, BYTES)],
  [T.SIG, un(INT16, INT8, INT8, INT32, INT32, INT32, INT16, NAME, BYTES)],
  [T.DNAME, un(UNAME)],
  [T.A6, inet(IPV6PREFIX, UNAME)],
  [T.AAAA, inet(IPV6)],
  [T.KX, inet(INT16, UNAME)],
  [T.PX, inet(INT16, NAME, NAME)],
  [T.NAPTR, inet(INT16, INT16, STRING, STRING, STRING, NAME)],
  [T.SRV, inet(INT16, INT16, INT16, NAME)],
  [T.DNSKEY, un(INT16, INT8, INT8, BYTES_B64)],
  [T.RRSIG, un(TYPE, INT8, INT8, INT32, INT32, INT32, INT16, UNAME, BYTES_B64)],
  [T.NSEC, un(UNAME, TYPE_BITMAP)],
  [T.DS, un(INT16, INT8, INT8, BYTES)],
  [T.NSEC3, un(INT8, INT8, INT16, SALT, HASH, TYPE_BITMAP)],
  [T.NSEC3PARAM, un(INT8, INT8, INT16, SALT)],
  [T.SPF, un(REPSTRING)],
  [T.TLSA, un(INT8, INT8, INT8, BYTES)],
  [T.CDNSKEY, un(INT16, INT8, INT8, BYTES_B64)],
  [T.CDS, un(INT16, INT8, INT8, BYTES)],
  [T.OPENPGPKEY, un(BYTES_B64)],
  [T.CSYNC, un(INT32, INT16, TYPE_BITMAP)],
  [T.EUI48, un(EUI48)],
  [T.EUI64, un(EUI64)],
  [T.URI, un(INT16, INT16, BYTES_STR)],
  [T.SVCB, inet(INT16, NAME, SVCPARAMS)],
  [T.HTTPS, inet(INT16, NAME, SVCPARAMS)],
  [T.CAA, inet(INT8, STRING, BYTES_STR)],
  [T.OPT, un(EDNS_OPT)],
]);

/** The descriptor of `rrtype`, or null for a type handled generically; a caller checks an "in" descriptor against the class itself. */
export function descrFor(rrtype: number): Descr | null {
  return DESCR.get(rrtype) ?? null;
}
