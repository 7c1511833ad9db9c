import {
  type DnstableResult,
  decodeRdataKey,
  decodeRRsetKey,
  decodeTriplet,
  decodeTripletInto,
  EntryType,
  type RRsetLayout,
  rrsetLayout,
  type Triplet,
} from "@dnsrep/dnstable";
import { decodeVarint64, latin1String, type VarintCursor, writeLatin1 } from "@dnsrep/util";
import { nameToString, rdataToString, rrtypeToString } from "@dnsrep/wdns";

/** Text JSON.stringify leaves as it is: printable ASCII without `"` or `\`. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const ASCII = /^[\x00-\x7f]*$/;

/** A string as JSON text, exactly as JSON.stringify gives it (wrapped in quotes when nothing needs escaping). */
export function jsonString(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s);
}

/** DNSDB's humantime: RFC 3339, UTC, seconds (throws RangeError for a time Date cannot hold). */
export function rfc3339(epoch: number): string {
  return `${new Date(epoch * 1000).toISOString().slice(0, 19)}Z`;
}

const cur: VarintCursor = { value: 0, pos: 0 };
/** the value decodeTripletInto decoded last */
const triplet: Triplet = { timeFirst: 0, timeLast: 0, count: 0 };
const layout: RRsetLayout = { rrtype: 0, bailiwick: 0, rdatas: 0 };
const labelStarts = new Int32Array(128);

// The line is written as bytes into `out` and read back as one string: the body from HEAD on, then
// the head (count and times, made last, see below) just before it.
const HEAD = 160;
let out = new Uint8Array(16 * 1024);
let o = 0;
/** whether the line holds bytes of a UTF-8 sequence (read back as UTF-8, not latin1) */
let wide = false;
const utf8 = new TextDecoder();
const utf8Out = new TextEncoder();

function room(n: number): void {
  if (o + n <= out.length) return;
  const bigger = new Uint8Array(Math.max(out.length * 2, o + n));
  bigger.set(out.subarray(0, o));
  out = bigger;
}

/** the bytes of an ASCII literal */
const bytesOf = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** a literal's bytes, copied one by one (these are short: a call to set() or latin1Write costs more) */
function lit(b: Uint8Array): void {
  room(b.length);
  for (let i = 0; i < b.length; i++) out[o++] = b[i] as number;
}

/** ASCII text (a literal, digits) */
function ascii(s: string): void {
  room(s.length);
  o += writeLatin1(out, s, o);
}

/** Any string's UTF-8 bytes (JSON text from jsonString). */
function text(s: string): void {
  if (ASCII.test(s)) {
    ascii(s);
    return;
  }
  room(3 * s.length);
  o += utf8Out.encodeInto(s, out.subarray(o)).written;
  wide = true;
}

/** a non-negative integer's digits, as JSON.stringify writes the number */
function int(n: number): void {
  if (n >= 2 ** 31 || n !== (n | 0)) {
    ascii(String(n));
    return;
  }
  room(10);
  // from the last digit back, in int32 arithmetic (no float division per digit)
  let p = o + digits(n);
  o = p;
  do {
    const q = (n / 10) | 0;
    out[--p] = 48 + n - q * 10;
    n = q;
  } while (n > 0);
}

/**
 * Each name byte as libwdns's presentation form writes it (`\.`, `\\`, `\DDD` outside '!'..'~')
 * and then as JSON text escapes that (`\` and `"`): the bytes, and how many.
 */
const NAME_JSON: Uint8Array[] = Array.from({ length: 256 }, (_, c) => {
  const t =
    c === 0x2e || c === 0x5c
      ? `\\${String.fromCharCode(c)}`
      : c >= 0x21 && c <= 0x7e
        ? String.fromCharCode(c)
        : `\\${String(c).padStart(3, "0")}`;
  return Uint8Array.from(Buffer.from(JSON.stringify(t).slice(1, -1), "latin1"));
});
/** bytes that stand for themselves in a name's JSON text */
const NAME_PLAIN = Uint8Array.from({ length: 256 }, (_, c) => (c >= 0x21 && c <= 0x7e && c !== 0x22 && c !== 0x2e && c !== 0x5c ? 1 : 0));

/** One label (length byte at `s` of `b`) as JSON text, then its `.`. */
function label(b: Uint8Array, s: number): void {
  const e = s + 1 + (b[s] as number);
  room(5 * (e - s) + 1);
  for (let j = s + 1; j < e; j++) {
    const c = b[j] as number;
    if (NAME_PLAIN[c] === 1) out[o++] = c;
    else {
      const t = NAME_JSON[c] as Uint8Array;
      out.set(t, o);
      o += t.length;
    }
  }
  out[o++] = 0x2e;
}

/** `"` + the text of the label-reversed name at `off` of `key` (checked by rrsetLayout) + `"`: jsonString(nameToString(forward name)). */
function reversedName(key: Uint8Array, off: number): void {
  let n = 0;
  for (let p = off; key[p] !== 0; p += 1 + (key[p] as number)) labelStarts[n++] = p;
  room(3);
  out[o++] = 0x22;
  if (n === 0) out[o++] = 0x2e;
  for (let i = n - 1; i >= 0; i--) label(key, labelStarts[i] as number);
  room(1);
  out[o++] = 0x22;
}

/** JSON text of each rrtype's name, made once */
const typeText = new Map<number, string>();
function rrtypeJson(t: number): string {
  let s = typeText.get(t);
  if (s === undefined) {
    s = jsonString(rrtypeToString(t));
    if (typeText.size < 4096) typeText.set(t, s);
  }
  return s;
}
/** `,"rrtype":…,"bailiwick":` of an RRSET line, per rrtype, made once */
const rrsetTypeBytes = new Map<number, Uint8Array>();
function rrsetTypePart(t: number): Uint8Array {
  let b = rrsetTypeBytes.get(t);
  if (b === undefined) {
    b = bytesOf(`,"rrtype":${rrtypeJson(t)},"bailiwick":`);
    if (rrsetTypeBytes.size < 4096) rrsetTypeBytes.set(t, b);
  }
  return b;
}
const RDATA_OPEN = bytesOf(`,"rdata":[`);
const RRSET_END = bytesOf("]}}\n");
const COUNT = bytesOf(`{"obj":{"count":`);
const FIRST = bytesOf(`,"time_first":`);
const LAST = bytesOf(`,"time_last":`);
const RRNAME = bytesOf(`,"rrname":`);
/** the head's length with these numbers (each under 2^31) */
const HEAD_FIXED = COUNT.length + FIRST.length + LAST.length + RRNAME.length;
const digits = (n: number): number =>
  n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 1e4 ? 4 : n < 1e5 ? 5 : n < 1e6 ? 6 : n < 1e7 ? 7 : n < 1e8 ? 8 : n < 1e9 ? 9 : 10;

/** `"` + rdataToString(rrtype, IN, rdata) + `"` as JSON text; an A record's address written straight. */
function rdataJson(rrtype: number, key: Uint8Array, start: number, end: number): void {
  if (rrtype === 1 && end - start === 4) {
    room(2);
    out[o++] = 0x22;
    int(key[start] as number);
    for (let i = start + 1; i < end; i++) {
      room(1);
      out[o++] = 0x2e;
      int(key[i] as number);
    }
    room(1);
    out[o++] = 0x22;
    return;
  }
  text(jsonString(rdataToString(rrtype, 1, key.subarray(start, end))));
}

/**
 * The line's head, `{"obj":{"count":…,"time_first":…,"time_last":…,"rrname":`, written just before
 * the body (which starts at HEAD): count and times as libdnstable presents them (count 0 shows as 1,
 * time_last 0 as time_first). Made after the body, so a humantime that does not convert throws only
 * where the object route's would (after the rdata decoded). Returns where the line starts.
 */
function head(t: Triplet, humantime: boolean): number {
  const first = t.timeFirst;
  const last = t.timeLast === 0 ? t.timeFirst : t.timeLast;
  const count = t.count === 0 ? 1 : t.count;
  if (!humantime && count < 2 ** 31 && first < 2 ** 31 && last < 2 ** 31) {
    const start = HEAD - (HEAD_FIXED + digits(count) + digits(first) + digits(last));
    const end = o;
    o = start;
    lit(COUNT);
    int(count);
    lit(FIRST);
    int(first);
    lit(LAST);
    int(last);
    lit(RRNAME);
    o = end;
    return start;
  }
  const h = humantime
    ? `{"obj":{"count":${count},"time_first":"${rfc3339(first)}","time_last":"${rfc3339(last)}","rrname":`
    : `{"obj":{"count":${count},"time_first":${first},"time_last":${last},"rrname":`;
  const start = HEAD - h.length;
  writeLatin1(out, h, start);
  return start;
}

function begin(): void {
  o = HEAD;
  wide = false;
}

function finish(start: number): string {
  return wide ? utf8.decode(out.subarray(start, o)) : latin1String(out, start, o);
}

/** An RRSET line from its decoded key (the path for a key rrsetLayout does not accept: decodeRRsetKey throws its error). */
function decodedRRsetLine(key: Uint8Array, value: Uint8Array, humantime: boolean): string | null {
  const k = decodeRRsetKey(key);
  const t = decodeTriplet(value);
  if (t === null) return null;
  begin();
  text(
    `${jsonString(nameToString(k.rrname))},"rrtype":${rrtypeJson(k.rrtype)},"bailiwick":${jsonString(nameToString(k.bailiwick))},"rdata":[`,
  );
  for (let i = 0; i < k.rdatas.length; i++) text(`${i > 0 ? "," : ""}${jsonString(rdataToString(k.rrtype, 1, k.rdatas[i] as Uint8Array))}`);
  ascii("]}}\n");
  return finish(head(t, humantime));
}

/**
 * A result's SAF line, `{"obj":{…}}` and a newline, written as bytes: the same text as
 * JSON.stringify of `{ obj: resultObject(r) }` (with humantime, the times as RFC 3339 strings),
 * without the object in between, and an RRSET key read in place rather than decoded into copies —
 * the server's cost per streamed result. Null when the entry's value does not decode (or it is
 * not an RRSET or RDATA entry), as resultObject; a key that does not decode throws as
 * resultObject does (DnstableError or WdnsError).
 */
export function resultLine(r: DnstableResult, humantime: boolean): string | null {
  const key = r.key;
  if (r.entryType === EntryType.RRSET) {
    if (!rrsetLayout(key, layout)) return decodedRRsetLine(key, r.value, humantime);
    if (!decodeTripletInto(r.value, triplet)) return null;
    const t = triplet;
    const rrtype = layout.rrtype;
    const rdatas = layout.rdatas;
    begin();
    reversedName(key, 1);
    lit(rrsetTypePart(rrtype));
    reversedName(key, layout.bailiwick);
    lit(RDATA_OPEN);
    for (let p = rdatas; p < key.length; ) {
      decodeVarint64(key, p, key.length, cur);
      const end = cur.pos + cur.value;
      if (p > rdatas) {
        room(1);
        out[o++] = 0x2c;
      }
      rdataJson(rrtype, key, cur.pos, end);
      p = end;
    }
    lit(RRSET_END);
    return finish(head(t, humantime));
  }
  if (r.entryType === EntryType.RDATA) {
    const k = decodeRdataKey(key);
    const t = k === null ? null : decodeTriplet(r.value);
    if (k === null || t === null) return null;
    begin();
    text(jsonString(nameToString(k.rrname)));
    ascii(`,"rrtype":${rrtypeJson(k.rrtype)},"rdata":`);
    rdataJson(k.rrtype, k.rdata, 0, k.rdata.length);
    ascii("}}\n");
    return finish(head(t, humantime));
  }
  return null;
}
