/** Parsing DNS messages (libwdns wdns_parse_message semantics). */

import { copyInto } from "@dnsrep/util";
import { descrFor, Rdf } from "./descr.js";
import { WdnsError, WdnsErrorCode } from "./errors.js";
import { downcaseName, sameNameAt, unpacked, unpackNameInto } from "./name.js";
import { RRTYPE } from "./tables.js";

export interface RRset {
  /** owner name, uncompressed wire form */
  name: Uint8Array;
  rrtype: number;
  rrclass: number;
  /** the lowest TTL of the RRs */
  rrttl: number;
  rdatas: Uint8Array[];
}

export interface RR {
  name: Uint8Array;
  rrtype: number;
  rrclass: number;
  rrttl: number;
  rdata: Uint8Array;
}

export interface Question {
  name: Uint8Array;
  rrtype: number;
  rrclass: number;
}

export interface Edns {
  version: number;
  /** the 16 EDNS flag bits (0x8000 = DO) */
  flags: number;
  /** requestor's UDP payload size */
  udpSize: number;
  /** raw option bytes (code, length, data)* */
  options: Uint8Array;
}

export interface Message {
  id: number;
  /** the 16-bit flags word of the header */
  flags: number;
  opcode: number;
  /** rcode, extended by EDNS */
  rcode: number;
  question: Question[];
  answer: RRset[];
  authority: RRset[];
  additional: RRset[];
  /** the individual RRs of answer/authority/additional in wire order (what libwdns prints) */
  rrs: [RR[], RR[], RR[]];
  edns: Edns | null;
}

const u16 = (b: Uint8Array, o: number): number => ((b[o] as number) << 8) | (b[o + 1] as number);
const u32 = (b: Uint8Array, o: number): number =>
  (((b[o] as number) << 24) | ((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number)) >>> 0;

function parseError(): never {
  throw new WdnsError(WdnsErrorCode.PARSE_ERROR);
}

const RD = new Uint8Array(65535 + 4096);

/**
 * Output bytes (names, rdata) of one parse are carved out of shared chunks:
 * one backing store per ~8 KiB instead of one allocation per name.
 */
let chunk = new Uint8Array(8192);
let chunkPos = 0;
function carve(src: Uint8Array, start: number, end: number): Uint8Array {
  const n = end - start;
  if (chunkPos + n > chunk.length) {
    chunk = new Uint8Array(Math.max(8192, n));
    chunkPos = 0;
  }
  const out = chunk.subarray(chunkPos, chunkPos + n);
  copyInto(chunk, chunkPos, src, start, n);
  chunkPos += n;
  return out;
}
const NAME = new Uint8Array(256);
const cacheOff = new Int32Array(8);
const cacheName: Uint8Array[] = [];
function readName(pkt: Uint8Array, eop: number, off: number): Uint8Array {
  return carve(NAME, 0, unpackNameInto(pkt, eop, off, NAME, 0));
}

/**
 * Parse one RR's rdata out of the message, decompressing embedded names for
 * known types (libwdns _wdns_parse_rdata). Returns a fresh array.
 */
export function parseRdata(pkt: Uint8Array, eop: number, rrtype: number, rrclass: number, start: number, rdlen: number): Uint8Array {
  const d = descrFor(rrtype);
  if (!d || (d.cls === "in" && rrclass !== 1)) return carve(pkt, start, start + rdlen);
  // Names are copied decompressed into RD; other fields are copied as they are.
  // Types without names are only validated, then sliced.
  const copyFields = d.hasName;
  let o = 0;
  let src = start;
  let left = rdlen;
  const fields = d.fields;
  for (let fi = 0; fi < fields.length; fi++) {
    if (left === 0) break;
    let n = -1; // bytes to copy verbatim
    switch (fields[fi]) {
      case Rdf.NAME:
      case Rdf.UNAME: {
        o = unpackNameInto(pkt, eop, src, RD, o);
        const next = unpacked.wireEnd;
        left -= next - src;
        src = next;
        if (left < 0) throw new WdnsError(WdnsErrorCode.OUT_OF_BOUNDS);
        break;
      }
      case Rdf.BYTES:
      case Rdf.BYTES_B64:
      case Rdf.BYTES_STR:
      case Rdf.EDNS_OPT:
        n = left;
        break;
      case Rdf.INT8:
        n = 1;
        break;
      case Rdf.INT16:
      case Rdf.RRTYPE:
        n = 2;
        break;
      case Rdf.INT32:
      case Rdf.IPV4:
        n = 4;
        break;
      case Rdf.IPV6:
        n = 16;
        break;
      case Rdf.EUI48:
        n = 6;
        break;
      case Rdf.EUI64:
        n = 8;
        break;
      case Rdf.STRING:
      case Rdf.SALT:
      case Rdf.HASH:
        n = (pkt[src] as number) + 1;
        break;
      case Rdf.REPSTRING: {
        let p = src;
        let l = left;
        while (l > 0) {
          const k = (pkt[p] as number) + 1;
          if (l < k) parseError();
          p += k;
          l -= k;
        }
        n = left;
        break;
      }
      case Rdf.IPV6PREFIX: {
        const pl = pkt[src] as number;
        if (pl > 128) throw new WdnsError(WdnsErrorCode.OUT_OF_BOUNDS);
        let oc = (128 - pl) >> 3;
        if (pl % 8 !== 0) oc++;
        n = oc + 1;
        break;
      }
      case Rdf.TYPE_BITMAP: {
        let p = src;
        let l = left;
        while (l >= 2) {
          const bl = pkt[p + 1] as number;
          if (!(bl >= 1 && bl <= 32)) throw new WdnsError(WdnsErrorCode.OUT_OF_BOUNDS);
          if (bl > l - 2) throw new WdnsError(WdnsErrorCode.OUT_OF_BOUNDS);
          p += 2 + bl;
          l -= 2 + bl;
        }
        n = p - src;
        break;
      }
      case Rdf.SVCPARAMS: {
        let p = src;
        let l = left;
        while (l > 0) {
          if (l < 4) parseError();
          const key = u16(pkt, p);
          const vlen = u16(pkt, p + 2);
          const kv = 4 + vlen;
          if (kv > l) throw new WdnsError(WdnsErrorCode.OUT_OF_BOUNDS);
          if (!svcparamValid(key, pkt.subarray(p + 4, p + 4 + vlen))) parseError();
          p += kv;
          l -= kv;
        }
        n = left;
        break;
      }
    }
    if (n >= 0) {
      if (left < n) parseError();
      if (copyFields) {
        if (n < 24) for (let i = 0; i < n; i++) RD[o + i] = pkt[src + i] as number;
        else RD.set(pkt.subarray(src, src + n), o);
      }
      o += n;
      src += n;
      left -= n;
    }
  }
  if (left !== 0) throw new WdnsError(WdnsErrorCode.OUT_OF_BOUNDS);
  return copyFields ? carve(RD, 0, o) : carve(pkt, start, start + rdlen);
}

function svcparamValid(key: number, v: Uint8Array): boolean {
  switch (key) {
    case 0:
      return v.length % 2 === 0;
    case 1: {
      if (v.length === 0) return false;
      let p = 0;
      while (p < v.length) p += 1 + (v[p] as number);
      return p === v.length;
    }
    case 2:
      return v.length === 0;
    case 3:
      return v.length === 2;
    case 4:
      return v.length % 4 === 0;
    case 6:
      return v.length % 16 === 0;
    case 65535:
      return false;
    default:
      return true;
  }
}

const NO_RRS = Object.freeze([Object.freeze([]), Object.freeze([]), Object.freeze([])]) as unknown as [RR[], RR[], RR[]];

/**
 * Parse a DNS message. Names (and names inside rdata of known types) are
 * decompressed into fresh arrays. A message whose sections end early (fewer
 * RRs than the header counts) parses successfully, as in libwdns. Throws
 * WdnsError (never RangeError) on malformed input. With `{ rrs: false }` the individual RRs
 * (Message.rrs) are left out (one shared, frozen, empty triple): for callers that read only the RRsets;
 * with `{ rrsets: false }` the RRsets are not grouped (answer, authority and additional stay empty):
 * for callers that read only the RRs, as the printer does.
 */
export function parseMessage(input: Uint8Array, opts?: { rrs?: boolean; rrsets?: boolean }): Message {
  const keepRRs = opts?.rrs !== false;
  const keepRRsets = opts?.rrsets !== false;
  // Names and rdata in the result are copies (carved from shared chunks), never views of `input`.
  const wire = input;
  const len = wire.length;
  if (len < 12) throw new WdnsError(WdnsErrorCode.LEN);
  const id = u16(wire, 0);
  const flags = u16(wire, 2);
  const m: Message = {
    id,
    flags,
    opcode: (flags >> 11) & 0xf,
    rcode: flags & 0xf,
    question: [],
    answer: [],
    authority: [],
    additional: [],
    rrs: keepRRs ? [[], [], []] : NO_RRS,
    edns: null,
  };
  let cacheN = 0;
  let p = 12;
  outer: for (let sec = 0; sec < 4; sec++) {
    const count = u16(wire, 4 + 2 * sec);
    for (let n = 0; n < count; n++) {
      if (p === len) break outer;
      // Owner names that are the same compression pointer decompress to the same
      // bytes: share one array (names are never mutated in place).
      let name: Uint8Array;
      let src: number;
      const c0 = wire[p] as number;
      if (c0 >= 192 && p + 1 < len) {
        const target = ((c0 & 63) << 8) | (wire[p + 1] as number);
        let k = 0;
        while (k < cacheN && cacheOff[k] !== target) k++;
        if (k < cacheN) {
          name = cacheName[k] as Uint8Array;
          src = p + 2;
        } else {
          name = readName(wire, len, p);
          src = unpacked.wireEnd;
          if (cacheN < 8) {
            cacheOff[cacheN] = target;
            cacheName[cacheN++] = name;
          }
        }
      } else {
        name = readName(wire, len, p);
        src = unpacked.wireEnd;
      }
      if (src + 4 > len || (sec !== 0 && src + 10 > len)) parseError();
      const rrtype = u16(wire, src);
      const rrclass = u16(wire, src + 2);
      src += 4;
      if (sec === 0) {
        m.question.push({ name, rrtype, rrclass });
        p = src;
        continue;
      }
      const rrttl = u32(wire, src);
      const rdlen = u16(wire, src + 4);
      src += 6;
      if (src + rdlen > len) throw new WdnsError(WdnsErrorCode.OVERFLOW);
      const rdata = parseRdata(wire, len, rrtype, rrclass, src, rdlen);
      p = src + rdlen;
      if (rrtype === RRTYPE.OPT && m.edns === null) {
        m.edns = { version: (rrttl >>> 16) & 0xff, flags: rrttl & 0xffff, udpSize: rrclass, options: rdata };
        m.rcode |= (rrttl >>> 16) & 0xff00;
        continue;
      }
      if (keepRRs) m.rrs[sec - 1]!.push({ name, rrtype, rrclass, rrttl, rdata });
      if (!keepRRsets) continue;
      const list = sec === 1 ? m.answer : sec === 2 ? m.authority : m.additional;
      let found = false;
      for (let i = list.length - 1; i >= 0; i--) {
        const r = list[i] as RRset;
        if (r.rrtype === rrtype && r.rrclass === rrclass && sameNameAt(r.name, 0, r.name.length, name, 0, name.length)) {
          r.rdatas.push(rdata);
          if (rrttl < r.rrttl) r.rrttl = rrttl;
          found = true;
          break;
        }
      }
      if (!found) list.push({ name, rrtype, rrclass, rrttl, rdatas: [rdata] });
    }
  }
  return m;
}

/** libwdns wdns_downcase_rrset: owner name and the names inside rdata of known types. */
export function downcaseRRset(r: RRset): void {
  // copies only what changes: most names are lower case already, most rdata hold no names
  if (hasUpper(r.name)) r.name = downcaseName(r.name);
  downcaseRdatas(r.rdatas, r.rrtype);
}

/**
 * The rdata half of downcaseRRset, for RRsets kept in other shapes: the names inside each rdata
 * of a known type downcased, by replacing the array's element with a copy where one changes.
 */
export function downcaseRdatas(rdatas: Uint8Array[], rrtype: number): void {
  if (!DOWNCASE_TYPES.has(rrtype)) return;
  for (let i = 0; i < rdatas.length; i++) {
    const rd = rdatas[i]!;
    if (hasUpper(rd)) rdatas[i] = downcaseRdata(rd, rrtype);
  }
}

/** any byte in A-Z (a name or rdata without one has nothing to downcase) */
function hasUpper(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c >= 0x41 && c <= 0x5a) return true;
  }
  return false;
}

import { DOWNCASE_TYPES, downcaseRdata } from "./downcase.js";

/** libwdns's rdata order (wdns_sort_rrset): by length, then bytes. */
function compareRdata(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d) return d;
  }
  return 0;
}

/** libwdns wdns_sort_rrset: rdata by length, then bytes. */
export function sortRRset(r: RRset): void {
  sortRdatas(r.rdatas);
}

/** The rdata half of sortRRset, for RRsets kept in other shapes. */
export function sortRdatas(rdatas: Uint8Array[]): void {
  if (rdatas.length > 1) rdatas.sort(compareRdata);
}
