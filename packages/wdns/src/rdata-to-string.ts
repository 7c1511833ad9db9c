/**
 * rdata → presentation text, byte-identical to libwdns wdns_rdata_to_str
 * (quirks included: no-descriptor types as `\# len` + spaced hex with a
 * trailing space, RRSIG times as epoch seconds, ` ### PARSE ERROR ###`).
 */

import { type TextWriter, textOf } from "@dnsrep/util";
import { descrFor, Rdf } from "./descr.js";
import { isWdnsError, WdnsError, WdnsErrorCode } from "./errors.js";
import { lenUname, writeDomain } from "./name.js";
import { rrtypeNameBytes } from "./tables.js";
import { base32HexEncode, base64Encode, ipv4ToString, ipv6ToString } from "./text-codecs.js";

const DDD: string[] = Array.from({ length: 256 }, (_, c) => `\\${String(c).padStart(3, "0")}`);

function quotedBody(b: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i++) {
    const c = b[i] as number;
    if (c === 0x22) s += '\\"';
    else if (c === 0x5c) s += "\\\\";
    else if (c >= 0x20 && c <= 0x7e) s += String.fromCharCode(c);
    else s += DDD[c];
  }
  return s;
}

const SVC_KEYS = ["mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech", "ipv6hint"];
function svcKeyName(k: number): string {
  if (k === 65535) return "invalid key";
  return SVC_KEYS[k] ?? `key${k}`;
}

class ParseErr extends Error {}
const bad = (): never => {
  throw new ParseErr();
};
const badRes = (): never => {
  throw new WdnsError(WdnsErrorCode.PARSE_ERROR);
};

/** ipv4hint / ipv6hint values: comma-separated addresses, then the field's trailing space. */
function addressList(b: Uint8Array, start: number, end: number, size: number, fmt: (b: Uint8Array, o: number) => string): string {
  let s = "";
  for (let p = start; p < end; p += size) {
    if (p + size > end) badRes();
    s += fmt(b, p) + (p + size < end ? "," : " ");
  }
  return s;
}

function svcparamToStr(key: number, b: Uint8Array, start: number, len: number): string {
  const end = start + len;
  let s = "";
  let p = start;
  switch (key) {
    case 0:
      while (p < end) {
        if (p + 2 > end) badRes();
        s += svcKeyName(((b[p] as number) << 8) | (b[p + 1] as number));
        p += 2;
        s += p < end ? "," : " ";
      }
      return s;
    case 2:
      if (len !== 0) badRes();
      return " ";
    case 3:
      if (len !== 2) badRes();
      return `${((b[p] as number) << 8) | (b[p + 1] as number)} `;
    case 5:
      return `${base64Encode(b.subarray(start, end))} `;
    case 4:
      return addressList(b, start, end, 4, ipv4ToString);
    case 6:
      return addressList(b, start, end, 16, ipv6ToString);
    case 1:
      s = '"';
      while (p < end) {
        const oc = b[p++] as number;
        if (p + oc > end) badRes();
        for (let i = 0; i < oc; i++) {
          const c = b[p++] as number;
          if (c === 0x22) s += '\\"';
          else if (c === 0x5c) s += "\\\\\\\\";
          else if (c === 0x2c) s += "\\\\,";
          else if (c >= 0x20 && c <= 0x7e) s += String.fromCharCode(c);
          else s += DDD[c];
        }
        s += p < end ? "," : '"';
      }
      return `${s} `;
    default:
      return `"${quotedBody(b, start, end)}" `;
  }
}

const EDE = [
  "Other Error",
  "Unsupported DNSKEY Algorithm",
  "Unsupported DS Digest Type",
  "Stale Answer",
  "Forged Answer",
  "DNSSEC Indeterminate",
  "DNSSEC Bogus",
  "Signature Expired",
  "Signature Not Yet Valid",
  "DNSKEY Missing",
  "RRSIGs Missing",
  "No Zone Key Bit Set",
  "NSEC Missing",
  "Cached Error",
  "Not Ready",
  "Blocked",
  "Censored",
  "Filtered",
  "Prohibited",
  "Stale NXDomain Answer",
  "Not Authoritative",
  "Not Supported",
  "No Reachable Authority",
  "Network Error",
  "Invalid Data",
];
/** b[start, end) with bytes outside ' '..'~' as "." */
function writePrintable(w: TextWriter, b: Uint8Array, start: number, end: number): void {
  w.reserve(end - start);
  const t = w.buf;
  let o = w.pos;
  for (let i = start; i < end; i++) {
    const c = b[i] as number;
    t[o++] = c >= 0x20 && c <= 0x7e ? c : 0x2e;
  }
  w.pos = o;
}

/** An EDNS option's data; checks what it needs before it writes anything. */
function writeEdnsOptData(w: TextWriter, code: number, b: Uint8Array, start: number, len: number): void {
  let p = start;
  let left = len;
  switch (code) {
    case 8: {
      if (left < 4) badRes();
      const fam = ((b[p] as number) << 8) | (b[p + 1] as number);
      const srcPl = b[p + 2] as number;
      const scopePl = b[p + 3] as number;
      p += 4;
      left -= 4;
      if ((fam !== 1 && fam !== 2) || (fam === 1 && left > 4) || (fam === 2 && left > 16)) badRes();
      const addr = new Uint8Array(16);
      addr.set(b.subarray(p, p + left));
      w.byte(0x20);
      w.latin1(fam === 1 ? ipv4ToString(addr) : ipv6ToString(addr));
      w.byte(0x2f);
      w.uint(srcPl);
      w.byte(0x2f);
      w.uint(scopePl);
      return;
    }
    case 15: {
      if (left < 2) badRes();
      const info = ((b[p] as number) << 8) | (b[p + 1] as number);
      p += 2;
      w.byte(0x20);
      w.uint(info);
      if (info < EDE.length) {
        w.latin1(" (");
        w.latin1(EDE[info] as string);
        w.byte(0x29);
      }
      w.latin1(": (");
      writePrintable(w, b, p, start + len);
      w.byte(0x29);
      return;
    }
    default:
      w.byte(0x20);
      for (let i = 0; i < len; i++) {
        w.hex(b, start + i, start + i + 1);
        w.byte(0x20);
      }
      w.latin1('("');
      writePrintable(w, b, start, start + len);
      w.latin1('")');
  }
}

function ednsOptName(code: number): string {
  if (code === 8) return "CLIENT-SUBNET:";
  if (code === 15) return "EDE:";
  return `OPT=${code}:`;
}

/** Presentation form of an rdata (libwdns wdns_rdata_to_str). */
export function rdataToString(rrtype: number, rrclass: number, rdata: Uint8Array): string {
  return textOf((w) => writeRdata(w, rrtype, rrclass, rdata, w.pos));
}

/** Write a quoted string's body (`"` and `\` escaped, others outside ' '..'~' as \DDD). */
function writeQuotedBody(w: TextWriter, b: Uint8Array, start: number, end: number): void {
  w.reserve(4 * (end - start));
  const t = w.buf;
  let o = w.pos;
  for (let i = start; i < end; i++) {
    const c = b[i] as number;
    if (c === 0x22 || c === 0x5c) {
      t[o++] = 0x5c;
      t[o++] = c;
    } else if (c >= 0x20 && c <= 0x7e) t[o++] = c;
    else {
      t[o++] = 0x5c;
      t[o++] = 48 + ((c / 100) | 0);
      t[o++] = 48 + (((c / 10) | 0) % 10);
      t[o++] = 48 + (c % 10);
    }
  }
  w.pos = o;
}

function writeIpv4(w: TextWriter, b: Uint8Array, o: number): void {
  w.uint(b[o] as number);
  w.byte(0x2e);
  w.uint(b[o + 1] as number);
  w.byte(0x2e);
  w.uint(b[o + 2] as number);
  w.byte(0x2e);
  w.uint(b[o + 3] as number);
}

const B64 = Uint8Array.from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", (c) => c.charCodeAt(0));
/** base64 with padding (RFC 4648), as base64Encode. */
function writeBase64(w: TextWriter, b: Uint8Array, start: number, end: number): void {
  w.reserve(4 * Math.ceil((end - start) / 3));
  const t = w.buf;
  let o = w.pos;
  let i = start;
  for (; i + 3 <= end; i += 3) {
    const v = ((b[i] as number) << 16) | ((b[i + 1] as number) << 8) | (b[i + 2] as number);
    t[o++] = B64[v >> 18] as number;
    t[o++] = B64[(v >> 12) & 63] as number;
    t[o++] = B64[(v >> 6) & 63] as number;
    t[o++] = B64[v & 63] as number;
  }
  if (end - i === 1) {
    const v = (b[i] as number) << 16;
    t[o++] = B64[v >> 18] as number;
    t[o++] = B64[(v >> 12) & 63] as number;
    t[o++] = 0x3d;
    t[o++] = 0x3d;
  } else if (end - i === 2) {
    const v = ((b[i] as number) << 16) | ((b[i + 1] as number) << 8);
    t[o++] = B64[v >> 18] as number;
    t[o++] = B64[(v >> 12) & 63] as number;
    t[o++] = B64[(v >> 6) & 63] as number;
    t[o++] = 0x3d;
  }
  w.pos = o;
}

function writeTypeName(w: TextWriter, t: number): void {
  const n = rrtypeNameBytes(t);
  if (n !== undefined) w.raw(n);
  else {
    w.latin1("TYPE");
    w.uint(t);
  }
}

/** the rdata cursor of writeRdata (where its next field starts, and how much is left) */
let src = 0;
let left = 0;
/** at least `n` bytes left, else the field is cut short */
function need(n: number): void {
  if (left < n) bad();
}
function take(n: number): void {
  src += n;
  left -= n;
}
const u16 = (b: Uint8Array, o: number): number => ((b[o] as number) << 8) | (b[o + 1] as number);
/** One length-prefixed character-string, quoted. */
function charString(w: TextWriter, rdata: Uint8Array): void {
  const oc = rdata[src] as number;
  take(1);
  need(oc);
  w.byte(0x22);
  writeQuotedBody(w, rdata, src, src + oc);
  w.byte(0x22);
  w.byte(0x20);
  take(oc);
}

/**
 * Write the rdata text into `w` the way libwdns appends to its buffer: the final trailing space
 * is removed — back to `floor`, the start of the buffer libwdns would hold (a line's start, so for
 * empty rdata the separator written before it goes too).
 */
export function writeRdata(w: TextWriter, rrtype: number, rrclass: number, rdata: Uint8Array, floor: number): void {
  const d = descrFor(rrtype);
  if (!d) {
    w.latin1("\\# ");
    w.uint(rdata.length);
    w.byte(0x20);
    for (let i = 0; i < rdata.length; i++) {
      w.hex(rdata, i, i + 1);
      w.byte(0x20);
    }
    return;
  }
  if (d.cls === "in" && rrclass !== 1) return;
  src = 0;
  left = rdata.length;
  try {
    for (const f of d.fields) {
      if (left === 0) break;
      switch (f) {
        case Rdf.NAME:
        case Rdf.UNAME: {
          const len = lenUname(rdata, src, src + left);
          writeDomain(w, rdata, src, len);
          w.byte(0x20);
          take(len);
          break;
        }
        case Rdf.BYTES:
          w.hex(rdata, src, src + left, true);
          left = 0;
          break;
        case Rdf.BYTES_B64:
          writeBase64(w, rdata, src, src + left);
          left = 0;
          break;
        case Rdf.BYTES_STR:
          w.byte(0x22);
          writeQuotedBody(w, rdata, src, src + left);
          w.byte(0x22);
          w.byte(0x20);
          take(left);
          break;
        case Rdf.IPV6PREFIX: {
          need(1);
          const pl = rdata[src++] as number;
          if (pl > 128) bad();
          let oc = (128 - pl) >> 3;
          if (pl % 8 !== 0) oc++;
          need(1 + oc);
          w.uint(pl);
          w.byte(0x20);
          if (oc > 0) {
            const a = new Uint8Array(16);
            a.set(rdata.subarray(src, src + oc), 16 - oc);
            w.latin1(ipv6ToString(a));
            w.byte(0x20);
          }
          left -= oc + 1;
          src += oc;
          break;
        }
        case Rdf.SALT: {
          need(1);
          const oc = rdata[src++] as number;
          need(1 + oc);
          if (oc === 0) w.byte(0x2d);
          w.hex(rdata, src, src + oc);
          w.byte(0x20);
          src += oc;
          left -= oc + 1;
          break;
        }
        case Rdf.HASH: {
          need(1);
          const oc = rdata[src++] as number;
          need(1 + oc);
          if (oc === 0) {
            w.latin1("0 ");
            left--;
            break;
          }
          w.latin1(base32HexEncode(rdata.subarray(src, src + oc)));
          w.byte(0x20);
          src += oc;
          left -= oc + 1;
          break;
        }
        case Rdf.INT8:
          need(1);
          w.uint(rdata[src] as number);
          w.byte(0x20);
          take(1);
          break;
        case Rdf.INT16:
          need(2);
          w.uint(u16(rdata, src));
          w.byte(0x20);
          take(2);
          break;
        case Rdf.INT32:
          need(4);
          w.uint(((u16(rdata, src) << 16) >>> 0) + u16(rdata, src + 2));
          w.byte(0x20);
          take(4);
          break;
        case Rdf.IPV4:
          need(4);
          writeIpv4(w, rdata, src);
          w.byte(0x20);
          take(4);
          break;
        case Rdf.IPV6:
          need(16);
          w.latin1(ipv6ToString(rdata, src));
          w.byte(0x20);
          take(16);
          break;
        case Rdf.EUI48:
        case Rdf.EUI64: {
          const n = f === Rdf.EUI48 ? 6 : 8;
          need(n);
          for (let i = 0; i < n; i++) {
            if (i > 0) w.byte(0x2d);
            w.hex(rdata, src + i, src + i + 1);
          }
          take(n);
          break;
        }
        case Rdf.STRING:
          need(1);
          charString(w, rdata);
          break;
        case Rdf.REPSTRING:
          while (left > 0) charString(w, rdata);
          break;
        case Rdf.SVCPARAMS:
          while (left > 0) {
            need(2);
            const key = u16(rdata, src);
            if (key === 65535) bad();
            w.latin1(svcKeyName(key));
            if (key !== 2) w.byte(0x3d);
            take(2);
            need(2);
            const vlen = u16(rdata, src);
            take(2);
            need(vlen);
            w.latin1(svcparamToStr(key, rdata, src, vlen));
            take(vlen);
          }
          break;
        case Rdf.RRTYPE: {
          need(2);
          const t = u16(rdata, src);
          take(2);
          writeTypeName(w, t);
          w.byte(0x20);
          break;
        }
        case Rdf.TYPE_BITMAP:
          need(2);
          while (left >= 2) {
            const win = rdata[src] as number;
            const bl = rdata[src + 1] as number;
            take(2);
            need(bl);
            let lo = 0;
            for (let i = 0; i < bl; i++) {
              const a = rdata[src + i] as number;
              for (let j = 1; j <= 8; j++) {
                if (a & (1 << (8 - j))) {
                  writeTypeName(w, (win << 8) | lo);
                  w.byte(0x20);
                }
                lo++;
              }
            }
            take(bl);
          }
          break;
        case Rdf.EDNS_OPT:
          while (left > 0) {
            need(2);
            const code = u16(rdata, src);
            w.latin1(ednsOptName(code));
            take(2);
            need(2);
            const olen = u16(rdata, src);
            take(2);
            need(olen);
            writeEdnsOptData(w, code, rdata, src, olen);
            take(olen);
            if (left > 0) w.byte(0x0a);
          }
          break;
      }
    }
  } catch (e) {
    if (e instanceof ParseErr) w.latin1(" ### PARSE ERROR ###");
    else if (isWdnsError(e)) {
      w.latin1(" ### PARSE ERROR #");
      w.uint(resNumber(e.code));
      w.latin1(" ###");
    } else throw e;
    return;
  }
  if (w.pos > floor && w.buf[w.pos - 1] === 0x20) w.pos--;
}

/** wdns_res enum values, for the `### PARSE ERROR #N ###` form. */
function resNumber(code: string): number {
  const order = [
    "success",
    "ERR_FAILURE",
    "ERR_INVALID_COMPRESSION_POINTER",
    "ERR_INVALID_LENGTH_OCTET",
    "invalid_opcode",
    "invalid_rcode",
    "ERR_LEN",
    "malloc",
    "ERR_NAME_LEN",
    "ERR_NAME_OVERFLOW",
    "ERR_OUT_OF_BOUNDS",
    "ERR_OVERFLOW",
    "ERR_PARSE_ERROR",
  ];
  const i = order.indexOf(code);
  return i < 0 ? 1 : i;
}
