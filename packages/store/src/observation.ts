/**
 * RRsetObservation: what a put() takes (one SIE/dnsdedupe-like RRset), its checks, and its
 * encoding inside a WAL record (docs/formats/wal.md):
 *
 *   batch       = varint n, observation × n
 *   observation = name rrname, name bailiwick, varint rrtype, varint time_first,
 *                 varint time_last, varint count, varint n_rdata, (varint len, rdata) × n_rdata
 *   name        = u8 len, wire-format name (uncompressed, len ≤ 255)
 */
import { type ByteWriter, decodeVarint64, type VarintCursor } from "@dnsrep/util";
import { downcaseName, nameLength } from "@dnsrep/wdns";
import { StoreError, StoreErrorCode } from "./errors.js";

/** One RRset as dnstable-import takes it from a dnsdedupe payload. */
export interface RRsetObservation {
  /** wire-format name (any case; the store downcases it) */
  rrname: Uint8Array;
  rrtype: number;
  /** wire-format name (any case; the store downcases it) */
  bailiwick: Uint8Array;
  /** wire-format rdatas (uncompressed names), at least one */
  rdata: Uint8Array[];
  /** epoch seconds */
  timeFirst: number;
  timeLast: number;
  count: number;
}

const MAX_U32 = 0xffffffff;
const MAX_RDATA = 0xffff;

const invalid = (i: number, m: string): StoreError => new StoreError(StoreErrorCode.INVALID, `observation ${i}: ${m}`);

const isU = (n: number, max: number): boolean => Number.isInteger(n) && n >= 0 && n <= max;

/** A name with no upper-case ASCII letter is returned as it is; else a downcased copy. */
function lower(name: Uint8Array): Uint8Array {
  for (let i = 0; i < name.length; i++) {
    const c = name[i] as number;
    if (c >= 0x41 && c <= 0x5a) return downcaseName(name);
  }
  return name;
}

/**
 * Check a batch and return it with names downcased (copies only where a name has upper case).
 * Throws StoreError INVALID naming the first bad observation and field: the batch is refused whole.
 */
export function normalizeBatch(batch: readonly RRsetObservation[]): RRsetObservation[] {
  const out: RRsetObservation[] = new Array(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const o = batch[i] as RRsetObservation;
    if (!(o.rrname instanceof Uint8Array) || nameLength(o.rrname, 0) !== o.rrname.length)
      throw invalid(i, "rrname: not a wire-format name");
    if (!(o.bailiwick instanceof Uint8Array) || nameLength(o.bailiwick, 0) !== o.bailiwick.length) {
      throw invalid(i, "bailiwick: not a wire-format name");
    }
    if (!isU(o.rrtype, 0xffff)) throw invalid(i, `rrtype: not 0..65535: ${o.rrtype}`);
    if (!Array.isArray(o.rdata) || o.rdata.length === 0) throw invalid(i, "rdata: none");
    for (const rd of o.rdata)
      if (!(rd instanceof Uint8Array) || rd.length > MAX_RDATA) throw invalid(i, "rdata: not bytes of at most 65535");
    if (!isU(o.timeFirst, MAX_U32)) throw invalid(i, `timeFirst: not 0..2^32-1: ${o.timeFirst}`);
    if (!isU(o.timeLast, MAX_U32)) throw invalid(i, `timeLast: not 0..2^32-1: ${o.timeLast}`);
    if (!isU(o.count, Number.MAX_SAFE_INTEGER)) throw invalid(i, `count: not a non-negative integer: ${o.count}`);
    const rrname = lower(o.rrname);
    const bailiwick = lower(o.bailiwick);
    out[i] =
      rrname === o.rrname && bailiwick === o.bailiwick
        ? o
        : { rrname, rrtype: o.rrtype, bailiwick, rdata: o.rdata, timeFirst: o.timeFirst, timeLast: o.timeLast, count: o.count };
  }
  return out;
}

/** Append the WAL encoding of a (normalized) batch to `w`. */
export function encodeBatch(w: ByteWriter, batch: readonly RRsetObservation[]): void {
  w.varint(batch.length);
  for (const o of batch) {
    w.byte(o.rrname.length).bytes(o.rrname);
    w.byte(o.bailiwick.length).bytes(o.bailiwick);
    w.varint(o.rrtype).varint(o.timeFirst).varint(o.timeLast).varint(o.count).varint(o.rdata.length);
    for (const rd of o.rdata) w.varint(rd.length).bytes(rd);
  }
}

const cur: VarintCursor = { value: 0, pos: 0 };

/**
 * Decode a batch encoded by encodeBatch (the bytes were checksummed; a failure here is a bug or
 * damage the checksum missed): StoreError CORRUPTION. The arrays returned are views of `buf`.
 */
export function decodeBatch(buf: Uint8Array): RRsetObservation[] {
  const end = buf.length;
  let p = 0;
  const bad = (): StoreError => new StoreError(StoreErrorCode.CORRUPTION, `WAL batch does not decode at byte ${p}`);
  const varint = (): number => {
    decodeVarint64(buf, p, end, cur);
    if (cur.pos < 0) throw bad();
    p = cur.pos;
    return cur.value;
  };
  const bytes = (n: number): Uint8Array => {
    if (p + n > end) throw bad();
    const v = buf.subarray(p, p + n);
    p += n;
    return v;
  };
  const name = (): Uint8Array => {
    if (p >= end) throw bad();
    return bytes(buf[p++] as number);
  };
  const n = varint();
  if (n > end) throw bad();
  const out: RRsetObservation[] = [];
  for (let i = 0; i < n; i++) {
    const rrname = name();
    const bailiwick = name();
    const rrtype = varint();
    const timeFirst = varint();
    const timeLast = varint();
    const count = varint();
    const nr = varint();
    if (nr > end - p) throw bad();
    const rdata: Uint8Array[] = [];
    for (let j = 0; j < nr; j++) rdata.push(bytes(varint()));
    out.push({ rrname, rrtype, bailiwick, rdata, timeFirst, timeLast, count });
  }
  if (p !== end) throw bad();
  return out;
}
