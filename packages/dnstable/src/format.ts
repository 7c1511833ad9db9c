import { encodeVarint, toHex, utcDateTime } from "@dnsrep/util";
import { nameToString, rdataToString, rrtypeToString } from "@dnsrep/wdns";
import {
  decodeRdataKey,
  decodeRRsetKey,
  decodeTimeRange,
  decodeTriplet,
  decodeVersion,
  EntryType,
  reverseWireName,
  type Triplet,
} from "./entry.js";
import { decodeRRtypeUnion } from "./rrtype-union.js";

/**
 * Presentation of dnstable entries as libdnstable's formatter gives them (dnstable_entry_to_text /
 * dnstable_entry_to_json): the text blocks dnstable_dump and dnstable_lookup print, and the JSON
 * objects of their -j output (also the `obj` of a DNSDB API v2 result).
 */

const VERSION_NAMES: Record<number, string> = { 0: "rrset", 1: "rrset_name", 2: "rdata", 3: "rdata_name" };

/** dnstable's text time format: "YYYY-MM-DD HH:MM:SS -0000" (UTC, for any time in a triplet a double holds). */
export function formatTime(epoch: number): string {
  return `${utcDateTime(epoch)} -0000`;
}

/** An RRSET or RDATA entry as the JSON object libdnstable prints, fields in its order. */
export interface EntryObject {
  count: number;
  time_first: number;
  time_last: number;
  rrname: string;
  rrtype: string;
  /** RRSET entries only */
  bailiwick?: string;
  /** an array for RRSET entries, a string for RDATA entries */
  rdata: string[] | string;
  /** with `raw`: the rdata in hex (for RRSET entries each followed by the rrtype as a varint, as libdnstable writes it) */
  rdata_raw?: string[] | string;
}

function typesText(val: Uint8Array): string {
  return decodeRRtypeUnion(val)
    .map((t) => rrtypeToString(t))
    .join(" ");
}

/** A value triplet as libdnstable presents it: count 0 shows as 1, time_last 0 as time_first. */
function displayTriplet(val: Uint8Array): Triplet | null {
  const t = decodeTriplet(val);
  if (t === null) return null;
  return { timeFirst: t.timeFirst, timeLast: t.timeLast === 0 ? t.timeFirst : t.timeLast, count: t.count === 0 ? 1 : t.count };
}

/**
 * An RRSET or RDATA entry as its JSON object (null for a value that does not decode, or an entry
 * of another type). Throws a DnstableError or WdnsError for a key that does not decode.
 */
export function entryObject(entryType: number, key: Uint8Array, val: Uint8Array, raw = false): EntryObject | null {
  if (entryType === EntryType.RDATA) {
    const k = decodeRdataKey(key);
    const t = displayTriplet(val);
    if (k === null || t === null) return null;
    const obj: EntryObject = {
      count: t.count,
      time_first: t.timeFirst,
      time_last: t.timeLast,
      rrname: nameToString(k.rrname),
      rrtype: rrtypeToString(k.rrtype),
      rdata: rdataToString(k.rrtype, 1, k.rdata),
    };
    if (raw) obj.rdata_raw = toHex(k.rdata);
    return obj;
  }
  if (entryType === EntryType.RRSET) {
    const k = decodeRRsetKey(key);
    const t = displayTriplet(val);
    if (t === null) return null;
    const obj: EntryObject = {
      count: t.count,
      time_first: t.timeFirst,
      time_last: t.timeLast,
      rrname: nameToString(k.rrname),
      rrtype: rrtypeToString(k.rrtype),
      bailiwick: nameToString(k.bailiwick),
      rdata: k.rdatas.map((r) => rdataToString(k.rrtype, 1, r)),
    };
    if (raw) {
      const v = new Uint8Array(5);
      const tail = toHex(v.subarray(0, encodeVarint(v, 0, k.rrtype)));
      obj.rdata_raw = k.rdatas.map((r) => toHex(r) + tail);
    }
    return obj;
  }
  return null;
}

/**
 * An RRSET or RDATA object as dnstable_dump / dnstable_lookup print it in text: an RRset (rdata an
 * array) as a block of `;;` lines (bailiwick, count, first and last seen) and its records, then a
 * blank line; a record (rdata a string) as one `NAME IN TYPE RDATA` line. Also how dnsdb-query
 * prints the same objects from a DNSDB API server, so local and remote answers can be diffed.
 */
export function entryText(obj: EntryObject): string {
  if (!Array.isArray(obj.rdata)) return `${obj.rrname} IN ${obj.rrtype} ${obj.rdata}\n`;
  let s = `;;  bailiwick: ${obj.bailiwick ?? ""}\n;;      count: ${obj.count}\n;; first seen: ${formatTime(obj.time_first)}\n;;  last seen: ${formatTime(obj.time_last)}\n`;
  for (const r of obj.rdata) s += `${obj.rrname} IN ${obj.rrtype} ${r}\n`;
  return `${s}\n`;
}

/**
 * One entry as dnstable_dump / dnstable_lookup print it: a text block, or with `json` one JSON
 * line (RRSET, RDATA, TIME_RANGE and VERSION entries; the others have no JSON form). Null when
 * the value does not decode. Throws a DnstableError or WdnsError for a key that does not decode.
 */
export function formatEntry(entryType: number, key: Uint8Array, val: Uint8Array, json: boolean, raw = false): string | null {
  switch (entryType) {
    case EntryType.RDATA:
    case EntryType.RRSET: {
      const obj = entryObject(entryType, key, val, raw);
      if (obj === null) return null;
      return json ? `${JSON.stringify(obj)}\n` : entryText(obj);
    }
    case EntryType.RRSET_NAME_FWD:
      return `${nameToString(key.subarray(1))} RRtypes=[${typesText(val)}]  ;; rrset name fwd\n\n`;
    case EntryType.RDATA_NAME_REV:
      return `${nameToString(reverseWireName(key.subarray(1)))} RRtypes=[${typesText(val)}]  ;; rdata name rev\n\n`;
    case EntryType.TIME_RANGE: {
      const r = decodeTimeRange(val);
      if (r === null) return null;
      if (json) return `${JSON.stringify({ time_first: r.first, time_last: r.last })}\n`;
      return `;; Earliest time_first: ${formatTime(r.first)}\n;; Latest time_last: ${formatTime(r.last)}\n\n`;
    }
    case EntryType.VERSION: {
      const v = decodeVersion(val);
      const name = VERSION_NAMES[key[1] ?? -1];
      if (v === null || name === undefined || key.length !== 2) return null;
      if (json) return `${JSON.stringify({ entry_type: name, version: v })}\n`;
      return `;; Version type ${name}: ${v}\n\n`;
    }
    default: {
      let end = key.length;
      if (end > 1 && key[end - 1] === 0) end--;
      return `;; source info: ${new TextDecoder().decode(key.subarray(1, end))}\n\n`;
    }
  }
}

/** A query result (DnstableReader.query) as its JSON object: entryObject of its entry. */
export function resultObject(r: { entryType: number; key: Uint8Array; value: Uint8Array }, raw = false): EntryObject | null {
  return entryObject(r.entryType, r.key, r.value, raw);
}

/** formatResult's options. */
export interface FormatOptions {
  /** one JSON line (dnstable_lookup -j) instead of the text block */
  json?: boolean;
  /** with `json`: add rdata_raw, the rdata in hex (dnstable_lookup -r) */
  raw?: boolean;
}

/**
 * A query result (DnstableReader.query) as dnstable_lookup prints it, newline-terminated: for an
 * RRSET the `;;  bailiwick:`, count, first and last seen lines, then one line per record and a
 * blank line; for an RDATA one record line; with `json`, the entry's JSON object on one line.
 * Null when the entry does not decode (its value, or an RDATA key); an RRSET key that does not
 * decode throws DnstableError or WdnsError (formatEntry's rules).
 */
export function formatResult(r: { entryType: number; key: Uint8Array; value: Uint8Array }, opts: FormatOptions = {}): string | null {
  return formatEntry(r.entryType, r.key, r.value, opts.json === true, opts.raw === true);
}
