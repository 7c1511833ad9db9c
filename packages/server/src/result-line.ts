import { type DnstableResult, decodeRdataKey, decodeRRsetKey, decodeTriplet, EntryType, type Triplet } from "@dnsrep/dnstable";
import { decodeVarint64, type VarintCursor } from "@dnsrep/util";
import { domainToString, nameToString, rdataToString, rrtypeToString } from "@dnsrep/wdns";

/** Text JSON.stringify leaves as it is: printable ASCII without `"` or `\`. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** A string as JSON text, exactly as JSON.stringify gives it (wrapped in quotes when nothing needs escaping). */
export function jsonString(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s);
}

/** DNSDB's humantime: RFC 3339, UTC, seconds (throws RangeError for a time Date cannot hold). */
export function rfc3339(epoch: number): string {
  return `${new Date(epoch * 1000).toISOString().slice(0, 19)}Z`;
}

const cur: VarintCursor = { value: 0, pos: 0 };
const labelStarts = new Int32Array(128);
/** a key's name put back in order: at most 128 labels of at most 63 bytes, and the root */
const scratch = new Uint8Array(128 * 64 + 1);

/**
 * The end of the wire name at `off` of `key` as decodeRRsetKey accepts it (labels of at most 63
 * bytes, at most 128 of them, the root byte inside the key), or -1 when it does not.
 */
function nameEnd(key: Uint8Array, off: number): number {
  let p = off;
  for (let n = 0; ; n++) {
    if (p >= key.length) return -1;
    const len = key[p] as number;
    if (len === 0) return p + 1;
    if (len > 63 || n >= 128) return -1;
    p += 1 + len;
  }
}

/** The text of the label-reversed name at `off` of `key` (checked by nameEnd): nameToString(reverseWireName(…)) without the copies. */
function reversedNameText(key: Uint8Array, off: number): string {
  let n = 0;
  for (let p = off; key[p] !== 0; p += 1 + (key[p] as number)) labelStarts[n++] = p;
  let o = 0;
  for (let i = n - 1; i >= 0; i--) {
    const s = labelStarts[i] as number;
    const e = s + (key[s] as number) + 1;
    for (let j = s; j < e; j++) scratch[o++] = key[j] as number;
  }
  scratch[o++] = 0;
  return domainToString(scratch, 0, o);
}

/** the layout of the last RRSET key rrsetLayout accepted */
const layout = { rrtype: 0, bailiwick: 0, rdatas: 0 };

/** Whether an RRSET key is one decodeRRsetKey decodes (noting where its parts are in `layout`). */
function rrsetLayout(key: Uint8Array): boolean {
  if (key[0] !== EntryType.RRSET) return false;
  const afterName = nameEnd(key, 1);
  if (afterName < 0) return false;
  decodeVarint64(key, afterName, key.length, cur);
  if (cur.pos < 0) return false;
  layout.rrtype = cur.value;
  layout.bailiwick = cur.pos;
  const afterBw = nameEnd(key, cur.pos);
  if (afterBw < 0) return false;
  layout.rdatas = afterBw;
  for (let p = afterBw; p < key.length; p = cur.pos + cur.value) {
    decodeVarint64(key, p, key.length, cur);
    if (cur.pos < 0 || cur.pos + cur.value > key.length) return false;
  }
  return true;
}

/**
 * The first fields of a line: count and times as libdnstable presents them (count 0 shows as 1,
 * time_last 0 as time_first). Made after the rest, so a humantime that does not convert throws
 * only where the object route's would (after the rdata decoded).
 */
function head(t: Triplet, humantime: boolean): string {
  const first = t.timeFirst;
  const last = t.timeLast === 0 ? t.timeFirst : t.timeLast;
  const count = t.count === 0 ? 1 : t.count;
  return humantime
    ? `{"obj":{"count":${count},"time_first":"${rfc3339(first)}","time_last":"${rfc3339(last)}","rrname":`
    : `{"obj":{"count":${count},"time_first":${first},"time_last":${last},"rrname":`;
}

/** An RRSET line from its decoded key (the path for a key rrsetLayout does not accept: decodeRRsetKey throws its error). */
function decodedRRsetLine(key: Uint8Array, value: Uint8Array, humantime: boolean): string | null {
  const k = decodeRRsetKey(key);
  const t = decodeTriplet(value);
  if (t === null) return null;
  let s = `${jsonString(nameToString(k.rrname))},"rrtype":${jsonString(rrtypeToString(k.rrtype))},"bailiwick":${jsonString(nameToString(k.bailiwick))},"rdata":[`;
  for (let i = 0; i < k.rdatas.length; i++) s += `${i > 0 ? "," : ""}${jsonString(rdataToString(k.rrtype, 1, k.rdatas[i] as Uint8Array))}`;
  return `${head(t, humantime)}${s}]}}\n`;
}

/**
 * A result's SAF line, `{"obj":{…}}` and a newline, written as text: the same bytes as
 * JSON.stringify of `{ obj: resultObject(r) }` (with humantime, the times as RFC 3339 strings),
 * without the object in between, and an RRSET key read in place rather than decoded into copies —
 * the server's cost per streamed result. Null when the entry's value does not decode (or it is
 * not an RRSET or RDATA entry), as resultObject; a key that does not decode throws as
 * resultObject does (DnstableError or WdnsError).
 */
export function resultLine(r: DnstableResult, humantime: boolean): string | null {
  const key = r.key;
  if (r.entryType === EntryType.RRSET) {
    if (!rrsetLayout(key)) return decodedRRsetLine(key, r.value, humantime);
    const t = decodeTriplet(r.value);
    if (t === null) return null;
    const rrtype = layout.rrtype;
    const rdatas = layout.rdatas;
    let s = `${jsonString(reversedNameText(key, 1))},"rrtype":${jsonString(rrtypeToString(rrtype))},"bailiwick":${jsonString(reversedNameText(key, layout.bailiwick))},"rdata":[`;
    for (let p = rdatas; p < key.length; ) {
      decodeVarint64(key, p, key.length, cur);
      const end = cur.pos + cur.value;
      s += `${p > rdatas ? "," : ""}${jsonString(rdataToString(rrtype, 1, key.subarray(cur.pos, end)))}`;
      p = end;
    }
    return `${head(t, humantime)}${s}]}}\n`;
  }
  if (r.entryType === EntryType.RDATA) {
    const k = decodeRdataKey(key);
    const t = k === null ? null : decodeTriplet(r.value);
    if (k === null || t === null) return null;
    const s = `${jsonString(nameToString(k.rrname))},"rrtype":${jsonString(rrtypeToString(k.rrtype))},"rdata":${jsonString(rdataToString(k.rrtype, 1, k.rdata))}}}\n`;
    return `${head(t, humantime)}${s}`;
  }
  return null;
}
