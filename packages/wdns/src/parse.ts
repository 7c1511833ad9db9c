/** Parsing DNS messages (libwdns wdns_parse_message semantics). */
import { WdnsError, WdnsErrorCode } from "./errors.js";
import { descrFor } from "./descr.js";
import { downcaseName, skipName, unpackName } from "./name.js";
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
const u32 = (b: Uint8Array, o: number): number => (((b[o] as number) << 24) | ((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number)) >>> 0;

function parseError(): never {
  throw new WdnsError(WdnsErrorCode.PARSE_ERROR);
}

/**
 * Parse one RR's rdata out of the message, decompressing embedded names for
 * known types (libwdns _wdns_parse_rdata). Returns a fresh array.
 */
export function parseRdata(pkt: Uint8Array, eop: number, rrtype: number, rrclass: number, start: number, rdlen: number): Uint8Array {
  const d = descrFor(rrtype);
  if (!d || (d.cls === "in" && rrclass !== 1)) return pkt.slice(start, start + rdlen);
  const parts: Uint8Array[] = [];
  let src = start;
  let left = rdlen;
  const copy = (n: number): void => {
    if (left < n) parseError();
    parts.push(pkt.subarray(src, src + n));
    src += n;
    left -= n;
  };
  for (const f of d.fields) {
    if (left === 0) break;
    switch (f) {
      case "name":
      case "uname": {
        const name = unpackName(pkt, eop, src);
        const next = skipName(pkt, src, eop);
        left -= next - src;
        src = next;
        if (left < 0) throw new WdnsError(WdnsErrorCode.OUT_OF_BOUNDS);
        parts.push(name);
        break;
      }
      case "bytes":
      case "bytes_b64":
      case "bytes_str":
      case "edns_opt":
        copy(left);
        break;
      case "int8":
        copy(1);
        break;
      case "int16":
      case "rrtype":
        copy(2);
        break;
      case "int32":
      case "ipv4":
        copy(4);
        break;
      case "ipv6":
        copy(16);
        break;
      case "eui48":
        copy(6);
        break;
      case "eui64":
        copy(8);
        break;
      case "string":
      case "salt":
      case "hash":
        copy((pkt[src] as number) + 1);
        break;
      case "repstring":
        while (left > 0) copy((pkt[src] as number) + 1);
        break;
      case "ipv6prefix": {
        const pl = pkt[src] as number;
        if (pl > 128) throw new WdnsError(WdnsErrorCode.OUT_OF_BOUNDS);
        let oc = (128 - pl) >> 3;
        if (pl % 8 !== 0) oc++;
        copy(oc + 1);
        break;
      }
      case "type_bitmap":
        while (left >= 2) {
          const bl = pkt[src + 1] as number;
          if (!(bl >= 1 && bl <= 32)) throw new WdnsError(WdnsErrorCode.OUT_OF_BOUNDS);
          if (bl <= left - 2) copy(2 + bl);
          else throw new WdnsError(WdnsErrorCode.OUT_OF_BOUNDS);
        }
        break;
      case "svcparams":
        while (left > 0) {
          if (left < 4) parseError();
          const key = u16(pkt, src);
          const vlen = u16(pkt, src + 2);
          const kv = 4 + vlen;
          if (kv > left) throw new WdnsError(WdnsErrorCode.OUT_OF_BOUNDS);
          if (!svcparamValid(key, pkt.subarray(src + 4, src + 4 + vlen))) parseError();
          copy(kv);
        }
        break;
    }
  }
  if (left !== 0) throw new WdnsError(WdnsErrorCode.OUT_OF_BOUNDS);
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
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

function sameName(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    let x = a[i] as number;
    let y = b[i] as number;
    if (x >= 0x41 && x <= 0x5a) x |= 0x20;
    if (y >= 0x41 && y <= 0x5a) y |= 0x20;
    if (x !== y) return false;
  }
  return true;
}

/**
 * Parse a DNS message. Names (and names inside rdata of known types) are
 * decompressed into fresh arrays. A message whose sections end early (fewer
 * RRs than the header counts) parses successfully, as in libwdns. Throws
 * WdnsError (never RangeError) on malformed input.
 */
export function parseMessage(wire: Uint8Array): Message {
  const len = wire.length;
  if (len < 12) throw new WdnsError(WdnsErrorCode.LEN);
  const id = u16(wire, 0);
  const flags = u16(wire, 2);
  const counts = [u16(wire, 4), u16(wire, 6), u16(wire, 8), u16(wire, 10)];
  const m: Message = {
    id,
    flags,
    opcode: (flags >> 11) & 0xf,
    rcode: flags & 0xf,
    question: [],
    answer: [],
    authority: [],
    additional: [],
    rrs: [[], [], []],
    edns: null,
  };
  const sets = [m.answer, m.authority, m.additional];
  let p = 12;
  outer: for (let sec = 0; sec < 4; sec++) {
    for (let n = 0; n < (counts[sec] as number); n++) {
      if (p === len) break outer;
      const name = unpackName(wire, len, p);
      let src = skipName(wire, p, len);
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
      m.rrs[sec - 1]!.push({ name, rrtype, rrclass, rrttl, rdata });
      const list = sets[sec - 1] as RRset[];
      let found = false;
      for (let i = list.length - 1; i >= 0; i--) {
        const r = list[i] as RRset;
        if (r.rrtype === rrtype && r.rrclass === rrclass && sameName(r.name, name)) {
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
  r.name = downcaseName(r.name);
  r.rdatas = r.rdatas.map((rd) => downcaseRdata(rd, r.rrtype));
}

import { downcaseRdata } from "./downcase.js";

/** libwdns wdns_sort_rrset: rdata by length, then bytes. */
export function sortRRset(r: RRset): void {
  if (r.rdatas.length < 2) return;
  r.rdatas.sort((a, b) => {
    if (a.length !== b.length) return a.length - b.length;
    for (let i = 0; i < a.length; i++) {
      const d = (a[i] as number) - (b[i] as number);
      if (d) return d;
    }
    return 0;
  });
}
