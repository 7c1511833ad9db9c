/**
 * Presentation text → rdata wire, per the RFCs of each type (RFC 1035 and
 * successors; RFC 3597 `\# len hex` for any type). Where libwdns's own text
 * parser accepts input it gives the same bytes; where it has gaps (LOC, SSHFP,
 * SMIMEA, ZONEMD, RRSIG dates, `\#` for known types) this follows the RFCs.
 */
import { ByteWriter } from "@dnsrep/util";
import { WdnsError, WdnsErrorCode } from "./errors.js";
import { nameFromString } from "./name.js";
import { RRTYPE, rrtypeFromString } from "./tables.js";
import { base32HexDecode, base64Decode, parseIpv4, parseIpv6 } from "./text-codecs.js";

interface Token {
  text: string;
  /** bytes of a character-string (quoted or not), escapes resolved */
  bytes: Uint8Array;
  quoted: boolean;
}

function fail(msg: string): never {
  throw new WdnsError(WdnsErrorCode.PARSE_ERROR, msg);
}

/** Split presentation text into tokens: whitespace-separated, "quoted strings" with \X and \DDD escapes. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text[i] as string)) i++;
    if (i >= n) break;
    const quoted = text[i] === '"';
    if (quoted) i++;
    const bytes: number[] = [];
    const start = i;
    let closed = !quoted;
    while (i < n) {
      const ch = text[i] as string;
      if (quoted && ch === '"') {
        closed = true;
        i++;
        break;
      }
      if (!quoted && /\s/.test(ch)) break;
      if (ch === "\\") {
        if (i + 1 >= n) fail("dangling backslash");
        const e = text[i + 1] as string;
        if (/[0-9]/.test(e)) {
          const ddd = text.slice(i + 1, i + 4);
          if (!/^[0-9]{3}$/.test(ddd) || Number(ddd) > 255) fail(`bad \\DDD escape in ${JSON.stringify(text)}`);
          bytes.push(Number(ddd));
          i += 4;
        } else {
          const c = e.charCodeAt(0);
          if (c > 255) fail("non-latin1 character");
          bytes.push(c);
          i += 2;
        }
        continue;
      }
      const c = ch.charCodeAt(0);
      if (c > 255) {
        for (const b of new TextEncoder().encode(ch)) bytes.push(b);
      } else bytes.push(c);
      i++;
    }
    if (!closed) fail("unterminated quoted string");
    out.push({ text: quoted ? text.slice(start, i - 1) : text.slice(start, i), bytes: new Uint8Array(bytes), quoted });
  }
  return out;
}

class Cursor {
  readonly t: Token[];
  i = 0;
  constructor(t: Token[]) {
    this.t = t;
  }
  get done(): boolean {
    return this.i >= this.t.length;
  }
  next(what: string): Token {
    const tok = this.t[this.i++];
    if (!tok) fail(`missing ${what}`);
    return tok;
  }
  rest(): Token[] {
    const r = this.t.slice(this.i);
    this.i = this.t.length;
    return r;
  }
}

function int(tok: Token, bits: 8 | 16 | 32, what: string): number {
  if (!/^\d+$/.test(tok.text)) fail(`${what}: not a number: ${tok.text}`);
  const v = Number(tok.text);
  if (v >= 2 ** bits) fail(`${what}: out of range: ${tok.text}`);
  return v;
}

function hex(text: string, what: string): Uint8Array {
  if (text.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(text)) fail(`${what}: bad hex`);
  return new Uint8Array(Buffer.from(text, "hex"));
}

function charString(w: ByteWriter, tok: Token): void {
  if (tok.bytes.length > 255) fail("character-string longer than 255 bytes");
  w.byte(tok.bytes.length).bytes(tok.bytes);
}

function name(w: ByteWriter, tok: Token): void {
  w.bytes(nameFromString(tok.quoted ? tok.text : tok.text));
}

/** RFC 4034 type bitmap from type mnemonics. */
function typeBitmap(w: ByteWriter, toks: Token[]): void {
  const types = toks.map((t) => {
    const v = rrtypeFromString(t.text);
    if (v === undefined) fail(`unknown type ${t.text}`);
    return v;
  });
  const windows = new Map<number, Uint8Array>();
  for (const t of types) {
    const win = t >> 8;
    let bm = windows.get(win);
    if (!bm) {
      bm = new Uint8Array(32);
      windows.set(win, bm);
    }
    bm[(t & 0xff) >> 3]! |= 0x80 >> (t & 7);
  }
  for (const win of [...windows.keys()].sort((a, b) => a - b)) {
    const bm = windows.get(win) as Uint8Array;
    let len = 32;
    while (len > 0 && bm[len - 1] === 0) len--;
    w.byte(win).byte(len).bytes(bm.subarray(0, len));
  }
}

function b64(toks: Token[], what: string): Uint8Array {
  const d = base64Decode(toks.map((t) => t.text).join(""));
  if (!d) fail(`${what}: bad base64`);
  return d;
}

/** RRSIG time: YYYYMMDDHHmmSS or seconds since the epoch. */
function sigTime(tok: Token): number {
  const t = tok.text;
  if (/^\d{14}$/.test(t)) {
    const ms = Date.UTC(+t.slice(0, 4), +t.slice(4, 6) - 1, +t.slice(6, 8), +t.slice(8, 10), +t.slice(10, 12), +t.slice(12, 14));
    return Math.floor(ms / 1000) >>> 0;
  }
  return int(tok, 32, "time");
}

const SVC_KEY_NUM: Record<string, number> = { mandatory: 0, alpn: 1, "no-default-alpn": 2, port: 3, ipv4hint: 4, ech: 5, ipv6hint: 6 };
function svcKey(k: string): number {
  const v = SVC_KEY_NUM[k];
  if (v !== undefined) return v;
  const m = /^key(\d{1,5})$/.exec(k);
  if (m && Number(m[1]) < 65535) return Number(m[1]);
  return fail(`unknown SvcParamKey ${k}`);
}

/** Split a value list on unescaped commas (alpn values may escape commas). */
function splitCommas(v: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < v.length; i++) {
    const c = v[i] as string;
    if (c === "\\" && i + 1 < v.length) {
      cur += v[++i] === "\\" ? "\\" : (v[i] as string);
      continue;
    }
    if (c === ",") {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function svcParams(w: ByteWriter, toks: Token[]): void {
  const params: [number, Uint8Array][] = [];
  for (const tok of toks) {
    const t = tok.text;
    const eq = t.indexOf("=");
    const key = svcKey(eq < 0 ? t : t.slice(0, eq));
    let val = eq < 0 ? "" : t.slice(eq + 1);
    if (val.startsWith('"') && val.endsWith('"') && val.length >= 2) val = val.slice(1, -1);
    const v = new ByteWriter(64);
    switch (key) {
      case 0:
        for (const k of val.split(",")) v.u16be(svcKey(k));
        break;
      case 1:
        for (const id of splitCommas(val)) {
          const b = new TextEncoder().encode(id);
          if (b.length === 0 || b.length > 255) fail("bad alpn id");
          v.byte(b.length).bytes(b);
        }
        break;
      case 2:
        if (val !== "") fail("no-default-alpn takes no value");
        break;
      case 3:
        v.u16be(int({ text: val, bytes: new Uint8Array(), quoted: false }, 16, "port"));
        break;
      case 4:
        for (const a of val.split(",")) {
          const ip = parseIpv4(a);
          if (!ip) fail(`bad ipv4hint ${a}`);
          v.bytes(ip);
        }
        break;
      case 6:
        for (const a of val.split(",")) {
          const ip = parseIpv6(a);
          if (!ip) fail(`bad ipv6hint ${a}`);
          v.bytes(ip);
        }
        break;
      case 5: {
        const d = base64Decode(val);
        if (!d) fail("bad ech base64");
        v.bytes(d);
        break;
      }
      default:
        v.bytes(tokenize(`"${val}"`)[0]?.bytes ?? new Uint8Array());
    }
    params.push([key, v.toBytes()]);
  }
  params.sort((a, b) => a[0] - b[0]);
  for (const [k, v] of params) w.u16be(k).u16be(v.length).bytes(v);
}

/** RFC 1876 LOC text → 16 bytes. */
function loc(c: Cursor): Uint8Array {
  const toks = c.rest().map((t) => t.text);
  let i = 0;
  const coord = (pos: string, neg: string, maxDeg: number): number => {
    const deg = Number(toks[i++]);
    let min = 0;
    let sec = 0;
    if (toks[i] !== undefined && /^\d+$/.test(toks[i] as string)) {
      min = Number(toks[i++]);
      if (toks[i] !== undefined && /^\d+(\.\d+)?$/.test(toks[i] as string)) sec = Number(toks[i++]);
    }
    const h = toks[i++];
    if (!Number.isFinite(deg) || deg > maxDeg || min >= 60 || sec >= 60 || (h !== pos && h !== neg)) fail("bad LOC coordinate");
    const ms = Math.round(((deg * 60 + min) * 60 + sec) * 1000);
    return h === pos ? 2 ** 31 + ms : 2 ** 31 - ms;
  };
  const lat = coord("N", "S", 90);
  const lon = coord("E", "W", 180);
  const meters = (s: string | undefined, def: number): number => {
    if (s === undefined) return def;
    const m = /^(-?\d+(?:\.\d{1,2})?)m?$/.exec(s);
    if (!m) fail(`bad LOC size ${s}`);
    return Number(m[1]);
  };
  const altM = meters(toks[i++], 0);
  const alt = Math.round(altM * 100 + 10000000);
  if (alt < 0 || alt > 0xffffffff) fail("LOC altitude out of range");
  const prec = (m: number): number => {
    let cm = Math.round(m * 100);
    let exp = 0;
    while (cm >= 10 && exp < 9) {
      if (cm % 10 !== 0 && cm < 100) break;
      cm = Math.floor(cm / 10);
      exp++;
    }
    if (cm > 9) fail("LOC precision out of range");
    return (cm << 4) | exp;
  };
  const size = prec(meters(toks[i++], 1));
  const hp = prec(meters(toks[i++], 10000));
  const vp = prec(meters(toks[i++], 10));
  if (i < toks.length) fail("trailing LOC fields");
  const w = new ByteWriter(16);
  w.byte(0)
    .byte(size)
    .byte(hp)
    .byte(vp)
    .u32be(lat >>> 0)
    .u32be(lon >>> 0)
    .u32be(alt >>> 0);
  return w.toBytes();
}

/** Parse presentation rdata of (rrtype, rrclass) into wire form. Throws WdnsError. */
export function stringToRdata(rrtype: number, rrclass: number, text: string): Uint8Array {
  const toks = tokenize(text);
  const c = new Cursor(toks);
  // RFC 3597 generic form, for any type
  if (toks[0]?.text === "\\#" && !toks[0].quoted) {
    c.next("\\#");
    const len = int(c.next("length"), 16, "length");
    const data = hex(
      c
        .rest()
        .map((t) => t.text)
        .join(""),
      "generic rdata",
    );
    if (data.length !== len) fail(`generic rdata length ${len} does not match ${data.length} bytes`);
    return data;
  }
  const w = new ByteWriter(64);
  const i8 = (what: string): void => void w.byte(int(c.next(what), 8, what));
  const i16 = (what: string): void => void w.u16be(int(c.next(what), 16, what));
  const i32 = (what: string): void => void w.u32be(int(c.next(what), 32, what));
  const nm = (what: string): void => name(w, c.next(what));
  const str = (what: string): void => charString(w, c.next(what));
  const hexRest = (what: string): void =>
    void w.bytes(
      hex(
        c
          .rest()
          .map((t) => t.text)
          .join(""),
        what,
      ),
    );
  switch (rrtype) {
    case RRTYPE.A: {
      const ip = parseIpv4(c.next("address").text);
      if (!ip) fail(`bad IPv4 address in ${JSON.stringify(text)}`);
      w.bytes(ip);
      break;
    }
    case RRTYPE.AAAA: {
      const ip = parseIpv6(c.next("address").text);
      if (!ip) fail(`bad IPv6 address in ${JSON.stringify(text)}`);
      w.bytes(ip);
      break;
    }
    case RRTYPE.NS:
    case RRTYPE.MD:
    case RRTYPE.MF:
    case RRTYPE.CNAME:
    case RRTYPE.MB:
    case RRTYPE.MG:
    case RRTYPE.MR:
    case RRTYPE.PTR:
    case RRTYPE.DNAME:
      nm("name");
      break;
    case RRTYPE.MX:
    case RRTYPE.AFSDB:
    case RRTYPE.RT:
    case RRTYPE.KX:
      i16("preference");
      nm("name");
      break;
    case RRTYPE.SOA: // SOA: libwdns accepts a prefix of the fields
      nm("mname");
      if (!c.done) nm("rname");
      for (let k = 0; k < 5 && !c.done; k++) i32("SOA number");
      break;
    case RRTYPE.TXT:
    case RRTYPE.SPF:
      if (c.done) fail("missing character-string");
      for (const t of c.rest()) charString(w, t);
      break;
    case RRTYPE.HINFO:
    case RRTYPE.ISDN: // like libwdns, a missing trailing field is tolerated
      str("string");
      if (!c.done) str("string");
      break;
    case RRTYPE.RP:
    case RRTYPE.MINFO:
      nm("name");
      nm("name");
      break;
    case RRTYPE.SRV:
      i16("priority");
      i16("weight");
      i16("port");
      nm("target");
      break;
    case RRTYPE.NAPTR:
      i16("order");
      i16("preference");
      str("flags");
      str("services");
      str("regexp");
      nm("replacement");
      break;
    case RRTYPE.LOC:
      w.bytes(loc(c));
      break;
    case RRTYPE.SSHFP:
      i8("algorithm");
      i8("fingerprint type");
      hexRest("fingerprint");
      break;
    case RRTYPE.TLSA:
    case RRTYPE.SMIMEA:
      i8("usage");
      i8("selector");
      i8("matching type");
      hexRest("certificate data");
      break;
    case RRTYPE.DS:
    case RRTYPE.CDS:
    case RRTYPE.DLV:
      i16("key tag");
      i8("algorithm");
      i8("digest type");
      hexRest("digest");
      break;
    case RRTYPE.DNSKEY:
    case RRTYPE.CDNSKEY:
    case RRTYPE.KEY:
      i16("flags");
      i8("protocol");
      i8("algorithm");
      w.bytes(b64(c.rest(), "public key"));
      break;
    case RRTYPE.RRSIG: {
      const tt = rrtypeFromString(c.next("type covered").text);
      if (tt === undefined) fail("unknown type covered");
      w.u16be(tt);
      i8("algorithm");
      i8("labels");
      i32("original TTL");
      w.u32be(sigTime(c.next("expiration")));
      w.u32be(sigTime(c.next("inception")));
      i16("key tag");
      nm("signer");
      w.bytes(b64(c.rest(), "signature"));
      break;
    }
    case RRTYPE.NSEC:
      nm("next name");
      typeBitmap(w, c.rest());
      break;
    case RRTYPE.NSEC3: {
      i8("hash algorithm");
      i8("flags");
      i16("iterations");
      const salt = c.next("salt").text;
      const sb = salt === "-" ? new Uint8Array() : hex(salt, "salt");
      w.byte(sb.length).bytes(sb);
      const h = base32HexDecode(c.next("next hashed owner").text);
      if (!h || h.length === 0) fail("bad base32hex hash");
      w.byte(h.length).bytes(h);
      typeBitmap(w, c.rest());
      break;
    }
    case RRTYPE.NSEC3PARAM: {
      i8("hash algorithm");
      i8("flags");
      i16("iterations");
      const salt = c.next("salt").text;
      const sb = salt === "-" ? new Uint8Array() : hex(salt, "salt");
      w.byte(sb.length).bytes(sb);
      break;
    }
    case RRTYPE.OPENPGPKEY:
      w.bytes(b64(c.rest(), "key"));
      break;
    case RRTYPE.ZONEMD:
      i32("serial");
      i8("scheme");
      i8("hash algorithm");
      hexRest("digest");
      break;
    case RRTYPE.URI:
      i16("priority");
      i16("weight");
      w.bytes(c.next("target").bytes);
      break;
    case RRTYPE.CAA:
      i8("flags");
      str("tag");
      if (!c.done) w.bytes(c.next("value").bytes);
      break;
    case RRTYPE.SVCB:
    case RRTYPE.HTTPS:
      i16("priority");
      nm("target");
      svcParams(w, c.rest());
      break;
    default:
      fail(`no presentation format for type ${rrtype}: use \\# len hex`);
  }
  if (!c.done) fail(`trailing data in ${JSON.stringify(text)}`);
  void rrclass;
  return w.toBytes();
}
