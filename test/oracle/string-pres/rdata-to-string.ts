/**
 * rdata → presentation text, byte-identical to libwdns wdns_rdata_to_str
 * (quirks included: no-descriptor types as `\# len` + spaced hex with a
 * trailing space, RRSIG times as epoch seconds, ` ### PARSE ERROR ###`).
 */
import { descrFor, Rdf } from "../../../packages/wdns/src/descr.js";
import { isWdnsError, WdnsError, WdnsErrorCode } from "../../../packages/wdns/src/errors.js";
import { lenUname } from "../../../packages/wdns/src/name.js";
import { rrtypeName } from "../../../packages/wdns/src/tables.js";
import { base32HexEncode, base64Encode, hexString, ipv4ToString, ipv6ToString } from "../../../packages/wdns/src/text-codecs.js";
import { domainToString } from "./name.js";

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
const printable = (b: Uint8Array, start: number, end: number): string => {
  let s = "";
  for (let i = start; i < end; i++) {
    const c = b[i] as number;
    s += c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : ".";
  }
  return s;
};

function ednsOptData(code: number, b: Uint8Array, start: number, len: number): string {
  let s = " ";
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
      s += fam === 1 ? ipv4ToString(addr) : ipv6ToString(addr);
      return `${s}/${srcPl}/${scopePl}`;
    }
    case 15: {
      if (left < 2) badRes();
      const info = ((b[p] as number) << 8) | (b[p + 1] as number);
      p += 2;
      s += String(info);
      if (info < EDE.length) s += ` (${EDE[info]})`;
      return `${s}: (${printable(b, p, start + len)})`;
    }
    default:
      for (let i = 0; i < len; i++) s += `${hexString(b, false, start + i, start + i + 1)} `;
      return `${s}("${printable(b, start, start + len)}")`;
  }
}

function ednsOptName(code: number): string {
  if (code === 8) return "CLIENT-SUBNET:";
  if (code === 15) return "EDE:";
  return `OPT=${code}:`;
}

/** Presentation form of an rdata (libwdns wdns_rdata_to_str). */
export function rdataToString(rrtype: number, rrclass: number, rdata: Uint8Array): string {
  return appendRdataText("", rrtype, rrclass, rdata);
}

/**
 * Append the rdata text to `prefix` the way libwdns appends to its buffer:
 * the final trailing space of the buffer is removed, which for empty rdata
 * removes the separator before it too.
 */
export function appendRdataText(prefix: string, rrtype: number, rrclass: number, rdata: Uint8Array): string {
  const d = descrFor(rrtype);
  if (!d) {
    let s = `${prefix}\\# ${rdata.length} `;
    for (let i = 0; i < rdata.length; i++) s += `${hexString(rdata, false, i, i + 1)} `;
    return s;
  }
  if (d.cls === "in" && rrclass !== 1) return prefix;
  let s = prefix;
  let src = 0;
  let left = rdata.length;
  const need = (n: number): void => {
    if (left < n) bad();
  };
  const take = (n: number): void => {
    src += n;
    left -= n;
  };
  const u16 = (o: number): number => ((rdata[o] as number) << 8) | (rdata[o + 1] as number);
  /** One length-prefixed character-string, quoted. */
  const charString = (): void => {
    const oc = rdata[src] as number;
    take(1);
    need(oc);
    s += `"${quotedBody(rdata, src, src + oc)}" `;
    take(oc);
  };
  try {
    for (const f of d.fields) {
      if (left === 0) break;
      switch (f) {
        case Rdf.NAME:
        case Rdf.UNAME: {
          const len = lenUname(rdata, src, src + left);
          s += `${domainToString(rdata, src, len)} `;
          take(len);
          break;
        }
        case Rdf.BYTES:
          s += hexString(rdata, true, src, src + left);
          left = 0;
          break;
        case Rdf.BYTES_B64:
          s += base64Encode(rdata.subarray(src, src + left));
          left = 0;
          break;
        case Rdf.BYTES_STR:
          s += `"${quotedBody(rdata, src, src + left)}" `;
          take(left);
          break;
        case Rdf.IPV6PREFIX: {
          need(1);
          const pl = rdata[src++] as number;
          if (pl > 128) bad();
          let oc = (128 - pl) >> 3;
          if (pl % 8 !== 0) oc++;
          need(1 + oc);
          s += `${pl} `;
          if (oc > 0) {
            const a = new Uint8Array(16);
            a.set(rdata.subarray(src, src + oc), 16 - oc);
            s += `${ipv6ToString(a)} `;
          }
          left -= oc + 1;
          src += oc;
          break;
        }
        case Rdf.SALT: {
          need(1);
          const oc = rdata[src++] as number;
          need(1 + oc);
          if (oc === 0) s += "-";
          s += `${hexString(rdata, false, src, src + oc)} `;
          src += oc;
          left -= oc + 1;
          break;
        }
        case Rdf.HASH: {
          need(1);
          const oc = rdata[src++] as number;
          need(1 + oc);
          if (oc === 0) {
            s += "0 ";
            left--;
            break;
          }
          s += `${base32HexEncode(rdata.subarray(src, src + oc))} `;
          src += oc;
          left -= oc + 1;
          break;
        }
        case Rdf.INT8:
          need(1);
          s += `${rdata[src]} `;
          take(1);
          break;
        case Rdf.INT16:
          need(2);
          s += `${u16(src)} `;
          take(2);
          break;
        case Rdf.INT32:
          need(4);
          s += `${((u16(src) << 16) >>> 0) + u16(src + 2)} `;
          take(4);
          break;
        case Rdf.IPV4:
          need(4);
          s += `${ipv4ToString(rdata, src)} `;
          take(4);
          break;
        case Rdf.IPV6:
          need(16);
          s += `${ipv6ToString(rdata, src)} `;
          take(16);
          break;
        case Rdf.EUI48:
        case Rdf.EUI64: {
          const n = f === Rdf.EUI48 ? 6 : 8;
          need(n);
          const parts: string[] = [];
          for (let i = 0; i < n; i++) parts.push(hexString(rdata, false, src + i, src + i + 1));
          s += parts.join("-");
          take(n);
          break;
        }
        case Rdf.STRING:
          need(1);
          charString();
          break;
        case Rdf.REPSTRING:
          while (left > 0) charString();
          break;
        case Rdf.SVCPARAMS:
          while (left > 0) {
            need(2);
            const key = u16(src);
            if (key === 65535) bad();
            s += key !== 2 ? `${svcKeyName(key)}=` : svcKeyName(key);
            take(2);
            need(2);
            const vlen = u16(src);
            take(2);
            need(vlen);
            s += svcparamToStr(key, rdata, src, vlen);
            take(vlen);
          }
          break;
        case Rdf.RRTYPE: {
          need(2);
          const t = u16(src);
          take(2);
          s += `${rrtypeName(t) ?? `TYPE${t}`} `;
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
                  const t = (win << 8) | lo;
                  s += `${rrtypeName(t) ?? `TYPE${t}`} `;
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
            const code = u16(src);
            s += ednsOptName(code);
            take(2);
            need(2);
            const olen = u16(src);
            take(2);
            need(olen);
            s += ednsOptData(code, rdata, src, olen);
            take(olen);
            if (left > 0) s += "\n";
          }
          break;
      }
    }
  } catch (e) {
    if (e instanceof ParseErr) return `${s} ### PARSE ERROR ###`;
    if (isWdnsError(e)) return `${s} ### PARSE ERROR #${resNumber(e.code)} ###`;
    throw e;
  }
  if (s.endsWith(" ")) s = s.slice(0, -1);
  return s;
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
