/** RR type, class, rcode and opcode mnemonics, as libwdns names them. */

const TYPES: [number, string][] = [
  [1, "A"],
  [2, "NS"],
  [3, "MD"],
  [4, "MF"],
  [5, "CNAME"],
  [6, "SOA"],
  [7, "MB"],
  [8, "MG"],
  [9, "MR"],
  [10, "NULL"],
  [11, "WKS"],
  [12, "PTR"],
  [13, "HINFO"],
  [14, "MINFO"],
  [15, "MX"],
  [16, "TXT"],
  [17, "RP"],
  [18, "AFSDB"],
  [19, "X25"],
  [20, "ISDN"],
  [21, "RT"],
  [22, "NSAP"],
  [23, "NSAP-PTR"],
  [24, "SIG"],
  [25, "KEY"],
  [26, "PX"],
  [27, "GPOS"],
  [28, "AAAA"],
  [29, "LOC"],
  [30, "NXT"],
  [31, "EID"],
  [32, "NIMLOC"],
  [33, "SRV"],
  [34, "ATMA"],
  [35, "NAPTR"],
  [36, "KX"],
  [37, "CERT"],
  [38, "A6"],
  [39, "DNAME"],
  [40, "SINK"],
  [41, "OPT"],
  [42, "APL"],
  [43, "DS"],
  [44, "SSHFP"],
  [45, "IPSECKEY"],
  [46, "RRSIG"],
  [47, "NSEC"],
  [48, "DNSKEY"],
  [49, "DHCID"],
  [50, "NSEC3"],
  [51, "NSEC3PARAM"],
  [52, "TLSA"],
  [55, "HIP"],
  [56, "NINFO"],
  [57, "RKEY"],
  [58, "TALINK"],
  [59, "CDS"],
  [60, "CDNSKEY"],
  [61, "OPENPGPKEY"],
  [62, "CSYNC"],
  [64, "SVCB"],
  [65, "HTTPS"],
  [99, "SPF"],
  [100, "UINFO"],
  [101, "UID"],
  [102, "GID"],
  [103, "UNSPEC"],
  [104, "NID"],
  [105, "L32"],
  [106, "L64"],
  [107, "LP"],
  [108, "EUI48"],
  [109, "EUI64"],
  [249, "TKEY"],
  [250, "TSIG"],
  [251, "IXFR"],
  [252, "AXFR"],
  [253, "MAILB"],
  [254, "MAILA"],
  [255, "ANY"],
  [256, "URI"],
  [257, "CAA"],
  [32768, "TA"],
  [32769, "DLV"],
];
/** Types libwdns 0.12 has no mnemonic for but that we parse from text (printed as TYPEnnn, as libwdns does). */
const EXTRA_TEXT_TYPES: [number, string][] = [
  [53, "SMIMEA"],
  [63, "ZONEMD"],
];

const TYPE_NAME = new Map<number, string>(TYPES);
const TYPE_NUM = new Map<string, number>([...TYPES, ...EXTRA_TEXT_TYPES].map(([n, s]) => [s, n]));

/** Mnemonic of a type as libwdns prints it, or null when it has none. */
export function rrtypeName(t: number): string | null {
  return TYPE_NAME.get(t) ?? null;
}
/**
 * latin1 bytes of each name of a table, indexed by its 16-bit code (what printers copy into their
 * output). Built on first use, as a holey array: the type codes reach 32769 (DLV), and filling
 * every slot cost ~4 ms of each tool's start (issue 30), `--help` included.
 */
function bytesOf(m: Map<number, string>): (Uint8Array | undefined)[] {
  let top = 0;
  for (const n of m.keys()) top = Math.max(top, n);
  const a = new Array<Uint8Array | undefined>(top + 1);
  for (const [n, s] of m) a[n] = Uint8Array.from(s, (c) => c.charCodeAt(0));
  return a;
}
let typeBytes: (Uint8Array | undefined)[] | undefined;
/** rrtypeName as bytes (ASCII), or undefined when the type has no name. */
export function rrtypeNameBytes(t: number): Uint8Array | undefined {
  typeBytes ??= bytesOf(TYPE_NAME);
  return t < typeBytes.length ? typeBytes[t] : undefined;
}
/** "A", "NSAP-PTR", or "TYPE65534". */
export function rrtypeToString(t: number): string {
  return TYPE_NAME.get(t) ?? `TYPE${t}`;
}
/** Parse "A", "aaaa", "TYPE65534"; undefined when unknown. */
export function rrtypeFromString(s: string): number | undefined {
  const u = s.toUpperCase();
  const n = TYPE_NUM.get(u);
  if (n !== undefined) return n;
  const m = /^TYPE(\d{1,5})$/.exec(u);
  if (m) {
    const v = Number(m[1]);
    if (v <= 65535) return v;
  }
  return undefined;
}

const CLASSES: [number, string][] = [
  [1, "IN"],
  [3, "CH"],
  [4, "HS"],
  [254, "NONE"],
  [255, "ANY"],
];
const CLASS_NAME = new Map<number, string>(CLASSES);
const CLASS_NUM = new Map<string, number>(CLASSES.map(([n, s]) => [s, n]));
let classBytes: (Uint8Array | undefined)[] | undefined;
/** rrclassName as bytes (ASCII), or undefined when the class has no name. */
export function rrclassNameBytes(c: number): Uint8Array | undefined {
  classBytes ??= bytesOf(CLASS_NAME);
  return c < classBytes.length ? classBytes[c] : undefined;
}
export function rrclassName(c: number): string | null {
  return CLASS_NAME.get(c) ?? null;
}
export function rrclassToString(c: number): string {
  return CLASS_NAME.get(c) ?? `CLASS${c}`;
}
export function rrclassFromString(s: string): number | undefined {
  const u = s.toUpperCase();
  const n = CLASS_NUM.get(u);
  if (n !== undefined) return n;
  const m = /^CLASS(\d{1,5})$/.exec(u);
  if (m && Number(m[1]) <= 65535) return Number(m[1]);
  return undefined;
}

const RCODES = new Map<number, string>([
  [0, "NOERROR"],
  [1, "FORMERR"],
  [2, "SERVFAIL"],
  [3, "NXDOMAIN"],
  [4, "NOTIMP"],
  [5, "REFUSED"],
  [6, "YXDOMAIN"],
  [7, "YXRRSET"],
  [8, "NXRRSET"],
  [9, "NOTAUTH"],
  [10, "NOTZONE"],
  [16, "BADVERS"],
]);
export function rcodeName(r: number): string | null {
  return RCODES.get(r) ?? null;
}
export function rcodeToString(r: number): string {
  return RCODES.get(r) ?? String(r);
}

const OPCODES = new Map<number, string>([
  [0, "QUERY"],
  [1, "IQUERY"],
  [2, "STATUS"],
  [4, "NOTIFY"],
  [5, "UPDATE"],
]);
export function opcodeName(o: number): string | null {
  return OPCODES.get(o) ?? null;
}
export function opcodeToString(o: number): string {
  return OPCODES.get(o) ?? String(o);
}

/** Every RR type libwdns names (and SMIMEA, ZONEMD), by mnemonic (`-` as `_`): use these instead of bare numbers. */
export const RRTYPE = {
  A: 1,
  NS: 2,
  MD: 3,
  MF: 4,
  CNAME: 5,
  SOA: 6,
  MB: 7,
  MG: 8,
  MR: 9,
  NULL: 10,
  WKS: 11,
  PTR: 12,
  HINFO: 13,
  MINFO: 14,
  MX: 15,
  TXT: 16,
  RP: 17,
  AFSDB: 18,
  X25: 19,
  ISDN: 20,
  RT: 21,
  NSAP: 22,
  NSAP_PTR: 23,
  SIG: 24,
  KEY: 25,
  PX: 26,
  GPOS: 27,
  AAAA: 28,
  LOC: 29,
  NXT: 30,
  EID: 31,
  NIMLOC: 32,
  SRV: 33,
  ATMA: 34,
  NAPTR: 35,
  KX: 36,
  CERT: 37,
  A6: 38,
  DNAME: 39,
  SINK: 40,
  OPT: 41,
  APL: 42,
  DS: 43,
  SSHFP: 44,
  IPSECKEY: 45,
  RRSIG: 46,
  NSEC: 47,
  DNSKEY: 48,
  DHCID: 49,
  NSEC3: 50,
  NSEC3PARAM: 51,
  TLSA: 52,
  SMIMEA: 53,
  HIP: 55,
  NINFO: 56,
  RKEY: 57,
  TALINK: 58,
  CDS: 59,
  CDNSKEY: 60,
  OPENPGPKEY: 61,
  CSYNC: 62,
  ZONEMD: 63,
  SVCB: 64,
  HTTPS: 65,
  SPF: 99,
  UINFO: 100,
  UID: 101,
  GID: 102,
  UNSPEC: 103,
  NID: 104,
  L32: 105,
  L64: 106,
  LP: 107,
  EUI48: 108,
  EUI64: 109,
  TKEY: 249,
  TSIG: 250,
  IXFR: 251,
  AXFR: 252,
  MAILB: 253,
  MAILA: 254,
  ANY: 255,
  URI: 256,
  CAA: 257,
  TA: 32768,
  DLV: 32769,
} as const;
export const RRCLASS = { IN: 1, CH: 3, HS: 4, NONE: 254, ANY: 255 } as const;
