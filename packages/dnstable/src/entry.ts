import { ByteWriter, decodeVarint64, type VarintCursor } from "@dnsrep/util";
import { nameLength } from "@dnsrep/wdns";
import { DnstableError } from "./errors.js";

/** First key byte of each dnstable entry (dnstable-encoding(5)). */
export const EntryType = {
  RRSET: 0x00,
  RRSET_NAME_FWD: 0x01,
  RDATA: 0x02,
  RDATA_NAME_REV: 0x03,
  SOURCE_INFO: 0xfd,
  TIME_RANGE: 0xfe,
  VERSION: 0xff,
} as const;
export type EntryType = (typeof EntryType)[keyof typeof EntryType];

/** time_first / time_last / count value of RRSET and RDATA entries. */
export interface Triplet {
  timeFirst: number;
  timeLast: number;
  count: number;
}

const cur: VarintCursor = { value: 0, pos: 0 };

/** Decode a triplet value; returns null when the value is malformed. */
export function decodeTriplet(val: Uint8Array): Triplet | null {
  decodeVarint64(val, 0, val.length, cur);
  if (cur.pos < 0) return null;
  const timeFirst = cur.value;
  decodeVarint64(val, cur.pos, val.length, cur);
  if (cur.pos < 0) return null;
  const timeLast = cur.value;
  decodeVarint64(val, cur.pos, val.length, cur);
  if (cur.pos < 0 || cur.pos !== val.length) return null;
  return { timeFirst, timeLast, count: cur.value };
}

/** decodeTriplet into `out` (no new object): false where decodeTriplet gives null (`out` then undefined). */
export function decodeTripletInto(val: Uint8Array, out: Triplet): boolean {
  decodeVarint64(val, 0, val.length, cur);
  if (cur.pos < 0) return false;
  out.timeFirst = cur.value;
  decodeVarint64(val, cur.pos, val.length, cur);
  if (cur.pos < 0) return false;
  out.timeLast = cur.value;
  decodeVarint64(val, cur.pos, val.length, cur);
  if (cur.pos < 0 || cur.pos !== val.length) return false;
  out.count = cur.value;
  return true;
}

export function encodeTriplet(t: Triplet): Uint8Array {
  const w = new ByteWriter(30);
  writeTriplet(w, t.timeFirst, t.timeLast, t.count);
  return w.buf.slice(0, w.length);
}

/** Append a triplet value (varint time_first | varint time_last | varint count) to `w`. */
export function writeTriplet(w: ByteWriter, timeFirst: number, timeLast: number, count: number): void {
  w.varint(timeFirst).varint(timeLast).varint(count);
}

/** TIME_RANGE value: varint min(time_first) | varint max(time_last). */
export function decodeTimeRange(val: Uint8Array): { first: number; last: number } | null {
  decodeVarint64(val, 0, val.length, cur);
  if (cur.pos < 0) return null;
  const first = cur.value;
  decodeVarint64(val, cur.pos, val.length, cur);
  if (cur.pos < 0 || cur.pos !== val.length) return null;
  return { first, last: cur.value };
}

export function encodeTimeRange(first: number, last: number): Uint8Array {
  const w = new ByteWriter(20);
  w.varint(first).varint(last);
  return w.buf.slice(0, w.length);
}

/** VERSION value: a single varint. */
export function decodeVersion(val: Uint8Array): number | null {
  decodeVarint64(val, 0, val.length, cur);
  if (cur.pos < 0 || cur.pos !== val.length) return null;
  return cur.value;
}

export function encodeVarintValue(v: number): Uint8Array {
  const w = new ByteWriter(10);
  w.varint(v);
  return w.buf.slice(0, w.length);
}

const labelStarts = new Int32Array(128);
let rootOffset = 0;

/** Label offsets of an uncompressed wire name into `labelStarts` (the root's offset into rootOffset); returns the label count. */
function scanLabels(name: Uint8Array): number {
  let p = 0;
  let n = 0;
  for (;;) {
    if (p >= name.length) throw new DnstableError("ERR_INVALID", "truncated name");
    const len = name[p] as number;
    if (len === 0) {
      rootOffset = p;
      return n;
    }
    if (len > 63 || n >= labelStarts.length) throw new DnstableError("ERR_INVALID", "bad label length");
    labelStarts[n++] = p;
    p += 1 + len;
  }
}

/** Write the label-reversed form of `name` (0-terminated) at `o` of `out`; returns the end offset. */
function putReversed(out: Uint8Array, o: number, name: Uint8Array, n: number): number {
  for (let i = n - 1; i >= 0; i--) {
    const s = labelStarts[i] as number;
    const e = s + (name[s] as number) + 1;
    for (let j = s; j < e; j++) out[o++] = name[j] as number;
  }
  out[o++] = 0;
  return o;
}

/** Append the label-reversed form of `name` (0-terminated) to `w`. */
function appendReversed(w: ByteWriter, name: Uint8Array): void {
  const n = scanLabels(name);
  w.reserve(rootOffset + 1);
  w.length = putReversed(w.buf, w.length, name, n);
}

/** Reverse the labels of an uncompressed wire name (0-terminated result). Throws on a malformed name. */
export function reverseWireName(name: Uint8Array): Uint8Array {
  const n = scanLabels(name);
  const out = new Uint8Array(rootOffset + 1);
  putReversed(out, 0, name, n);
  return out;
}

/** One writer for every key built here: keys are copied out of it, or read in it (builtKeys). */
const keyWriter = new ByteWriter(1024);

/** Length of an uncompressed wire name starting at `off`, or -1: wdns's nameLength without its 255-byte cap (libdnstable reads key names of any length). */
export function wireNameLength(buf: Uint8Array, off: number): number {
  return nameLength(buf, off, Number.POSITIVE_INFINITY);
}

function buildRRsetKey(rrname: Uint8Array, rrtype: number, bailiwick: Uint8Array, rdatas: readonly Uint8Array[]): void {
  const w = keyWriter;
  w.reset();
  w.byte(EntryType.RRSET);
  appendReversed(w, rrname);
  w.varint(rrtype);
  appendReversed(w, bailiwick);
  for (const rd of rdatas) w.varint(rd.length).bytes(rd);
}

function buildRRsetNameFwdKey(rrname: Uint8Array): void {
  keyWriter.reset();
  keyWriter.byte(EntryType.RRSET_NAME_FWD).bytes(rrname);
}

function buildRdataKey(rdata: Uint8Array, rrtype: number, rrname: Uint8Array): void {
  const w = keyWriter;
  w.reset();
  w.byte(EntryType.RDATA).bytes(rdata).varint(rrtype);
  appendReversed(w, rrname);
  w.u16le(rdata.length);
}

function buildRdataSlicedKey(rdata: Uint8Array, offset: number, sliced: Uint8Array, rrtype: number, rrname: Uint8Array): void {
  const w = keyWriter;
  w.reset();
  w.byte(EntryType.RDATA).bytes(sliced).varint(rrtype);
  appendReversed(w, rrname);
  w.bytes(rdata.subarray(0, offset)).u16le(rdata.length - offset);
}

function buildRdataNameRevKey(name: Uint8Array): void {
  keyWriter.reset();
  keyWriter.byte(EntryType.RDATA_NAME_REV);
  appendReversed(keyWriter, name);
}

/** Key of an RRSET entry: 00 | rev(rrname) | varint rrtype | rev(bailiwick) | (varint rdlen | rdata)*. */
export function rrsetKey(rrname: Uint8Array, rrtype: number, bailiwick: Uint8Array, rdatas: readonly Uint8Array[]): Uint8Array {
  buildRRsetKey(rrname, rrtype, bailiwick, rdatas);
  return keyWriter.toBytes();
}

/** Key of an RRSET_NAME_FWD entry: 01 | rrname. */
export function rrsetNameFwdKey(rrname: Uint8Array): Uint8Array {
  buildRRsetNameFwdKey(rrname);
  return keyWriter.toBytes();
}

/** Key of a full RDATA entry: 02 | rdata | varint rrtype | rev(rrname) | LE16 rdlen. */
export function rdataKey(rdata: Uint8Array, rrtype: number, rrname: Uint8Array): Uint8Array {
  buildRdataKey(rdata, rrtype, rrname);
  return keyWriter.toBytes();
}

/**
 * Key of a sliced RDATA entry: 02 | sliced | varint rrtype | rev(rrname) | rdata[:offset] | LE16 len(rdata)-offset.
 * `sliced` is rdata[offset:] (the caller downcases an embedded target name where dnstable does).
 */
export function rdataSlicedKey(rdata: Uint8Array, offset: number, sliced: Uint8Array, rrtype: number, rrname: Uint8Array): Uint8Array {
  buildRdataSlicedKey(rdata, offset, sliced, rrtype, rrname);
  return keyWriter.toBytes();
}

/** Key of an RDATA_NAME_REV entry: 03 | rev(name). */
export function rdataNameRevKey(name: Uint8Array): Uint8Array {
  buildRdataNameRevKey(name);
  return keyWriter.toBytes();
}

/**
 * The same keys built in one reused buffer, for a caller that copies them on at once (an importer
 * feeding a sorter's arena): each returns the key's length, the key being `builtKeyBuffer()`'s
 * first bytes until the next key is built here.
 */
export const builtKeys = {
  rrset(rrname: Uint8Array, rrtype: number, bailiwick: Uint8Array, rdatas: readonly Uint8Array[]): number {
    buildRRsetKey(rrname, rrtype, bailiwick, rdatas);
    return keyWriter.length;
  },
  rrsetNameFwd(rrname: Uint8Array): number {
    buildRRsetNameFwdKey(rrname);
    return keyWriter.length;
  },
  rdata(rdata: Uint8Array, rrtype: number, rrname: Uint8Array): number {
    buildRdataKey(rdata, rrtype, rrname);
    return keyWriter.length;
  },
  rdataSliced(rdata: Uint8Array, offset: number, sliced: Uint8Array, rrtype: number, rrname: Uint8Array): number {
    buildRdataSlicedKey(rdata, offset, sliced, rrtype, rrname);
    return keyWriter.length;
  },
  rdataNameRev(name: Uint8Array): number {
    buildRdataNameRevKey(name);
    return keyWriter.length;
  },
};

/** The buffer `builtKeys` build in (it may be replaced by a larger one as keys grow). */
export function builtKeyBuffer(): Uint8Array {
  return keyWriter.buf;
}

/** Key of a SOURCE_INFO entry: FD | source | NUL. */
export function sourceInfoKey(source: string): Uint8Array {
  const s = new TextEncoder().encode(source);
  const out = new Uint8Array(s.length + 2);
  out[0] = EntryType.SOURCE_INFO;
  out.set(s, 1);
  return out;
}

export const TIME_RANGE_KEY: Uint8Array = Uint8Array.of(EntryType.TIME_RANGE);

/** Key of a VERSION entry: FF | entry type. */
export function versionKey(entryType: number): Uint8Array {
  return Uint8Array.of(EntryType.VERSION, entryType);
}

/** Decoded RRSET key. */
export interface RRsetKey {
  rrname: Uint8Array;
  rrtype: number;
  bailiwick: Uint8Array;
  rdatas: Uint8Array[];
}

/** Decode an RRSET key (names returned in forward order). Throws DnstableError on malformed input. */
export function decodeRRsetKey(key: Uint8Array): RRsetKey {
  if (key[0] !== EntryType.RRSET) throw new DnstableError("ERR_CORRUPTION", "not an RRSET key");
  let p = 1;
  const n1 = wireNameLength(key, p);
  if (n1 < 0) throw new DnstableError("ERR_CORRUPTION", "bad rrname in RRSET key");
  const rrname = reverseWireName(key.subarray(p, p + n1));
  p += n1;
  decodeVarint64(key, p, key.length, cur);
  if (cur.pos < 0) throw new DnstableError("ERR_CORRUPTION", "bad rrtype in RRSET key");
  const rrtype = cur.value;
  p = cur.pos;
  const n2 = wireNameLength(key, p);
  if (n2 < 0) throw new DnstableError("ERR_CORRUPTION", "bad bailiwick in RRSET key");
  const bailiwick = reverseWireName(key.subarray(p, p + n2));
  p += n2;
  const rdatas: Uint8Array[] = [];
  while (p < key.length) {
    decodeVarint64(key, p, key.length, cur);
    if (cur.pos < 0 || cur.pos + cur.value > key.length) throw new DnstableError("ERR_CORRUPTION", "bad rdata in RRSET key");
    rdatas.push(key.slice(cur.pos, cur.pos + cur.value));
    p = cur.pos + cur.value;
  }
  return { rrname, rrtype, bailiwick, rdatas };
}

/** Decoded RDATA key (full or sliced). */
export interface RdataKey {
  rdata: Uint8Array;
  rrtype: number;
  rrname: Uint8Array;
}

/**
 * Decode an RDATA key, full or sliced, using its trailing LE16 length of the leading rdata part.
 * For a sliced key the bytes between rev(rrname) and the length are the rdata head and are put
 * back in front. Returns null when malformed.
 */
export function decodeRdataKey(key: Uint8Array): RdataKey | null {
  if (key.length < 4 || key[0] !== EntryType.RDATA) return null;
  const end = key.length - 2;
  const bodyLen = (key[end] as number) | ((key[end + 1] as number) << 8);
  if (1 + bodyLen > end) return null;
  const p = 1 + bodyLen;
  decodeVarint64(key, p, end, cur);
  if (cur.pos < 0) return null;
  const rrtype = cur.value;
  const namePos = cur.pos;
  const n = wireNameLength(key.subarray(0, end), namePos);
  if (n < 0) return null;
  const headPos = namePos + n;
  const rdata = new Uint8Array(end - headPos + bodyLen);
  rdata.set(key.subarray(headPos, end), 0);
  rdata.set(key.subarray(1, p), end - headPos);
  return { rdata, rrtype, rrname: reverseWireName(key.subarray(namePos, headPos)) };
}
