/**
 * Queries over dnstable data, as libdnstable answers them: rrset by owner name (left/right `*` and
 * `+` wildcards), type and bailiwick; rdata by name (wildcards too), IP address / prefix / range,
 * or raw bytes; time fencing (loose or strict). `runQuery` turns a query into scans of an mtbl
 * source (a `DnstableReader`'s), yielding a copy of each entry's key and value plus its decoded
 * triplet. An entry that does not decode (libdnstable's dnstable_entry_decode answers NULL and its
 * iterators skip it silently) goes to `onCorrupt`, or without it throws DnstableError ERR_CORRUPTION.
 */
import type { MtblIterator, MtblSource } from "@dnsrep/mtbl";
import { compareBytes, encodeVarint } from "@dnsrep/util";
import { downcaseName, isWdnsError, nameFromString, rrtypeFromString } from "@dnsrep/wdns";
import { keyProblem, keyText, valueProblem } from "./check.js";
import { decodeRdataKey, decodeRRsetKey, decodeTripletInto, EntryType, reverseWireName, type Triplet } from "./entry.js";
import { DnstableError, DnstableErrorCode, isDnstableError } from "./errors.js";
import { parseIpQuery } from "./ip-range.js";
import { keyNameIs, type RRsetLayout, rrsetLayout } from "./rrset-layout.js";
import { rrtypeUnionHas } from "./rrtype-union.js";
import { NAME_RDATA_TYPES, STANDALONE_NAME_TYPES } from "./rrtypes.js";
import { reporting } from "./tolerant-merge.js";

/** Time fence bounds, in epoch seconds (dnstable_lookup's -a, -A, -B, -b). */
export interface TimeFence {
  /** time_first at or after */
  firstAfter?: number;
  /** time_last at or after */
  lastAfter?: number;
  /** time_first at or before */
  firstBefore?: number;
  /** time_last at or before */
  lastBefore?: number;
}

export type DnstableQuery =
  | { type: "rrset"; name: string; rrtype?: string; bailiwick?: string }
  | { type: "rdata_name"; name: string; rrtype?: string }
  | { type: "rdata_ip"; ip: string }
  | { type: "rdata_raw"; hex: string; rrtype?: string };

export interface QueryOptions {
  caseSensitive?: boolean;
  fence?: TimeFence;
  /** dnsdbq's "complete" matching: lastAfter acts as firstAfter, firstBefore as lastBefore */
  strict?: boolean;
  /** polled between entries: true stops the query (a time limit) */
  stop?: () => boolean;
  /**
   * Told of each entry the query skips because it does not decode (a key or value that is not
   * what dnstable writes; `DnstableReader.locate` says which file holds it). Without it the query
   * throws DnstableError ERR_CORRUPTION at the first one.
   */
  onCorrupt?: (entry: CorruptEntry) => void;
}

/** An entry that does not decode. */
export interface CorruptEntry {
  /** a copy of its key */
  key: Uint8Array;
  /** what is wrong with it */
  reason: string;
}

/** Told of an entry that does not decode: `key` is borrowed. */
export type Report = (key: Uint8Array, reason: string) => void;

export interface DnstableResult {
  /** EntryType.RRSET or EntryType.RDATA */
  entryType: number;
  key: Uint8Array;
  value: Uint8Array;
  timeFirst: number;
  timeLast: number;
  count: number;
}

const invalid = (m: string): DnstableError => new DnstableError(DnstableErrorCode.ERR_INVALID, m);

/**
 * Run a query over `source`; `faults` holds the corrupt values a set file's merge kept out (see
 * tolerantMerge). Throws DnstableError (ERR_INVALID) for a malformed query, before it returns; the
 * generator throws ERR_CORRUPTION (without `onCorrupt`) and MtblError for damaged data.
 */
export function runQuery(
  source: MtblSource,
  faults: CorruptEntry[] | undefined,
  q: DnstableQuery,
  opts: QueryOptions = {},
): Generator<DnstableResult> {
  const fence = effectiveFence(opts.fence ?? {}, opts.strict ?? false);
  const cs = opts.caseSensitive ?? false;
  const stop = opts.stop ?? (() => false);
  const onCorrupt = opts.onCorrupt;
  const report: Report = (key, reason) => {
    if (!onCorrupt)
      throw new DnstableError(DnstableErrorCode.ERR_CORRUPTION, `corrupt entry (key ${keyText(key)}): ${reason}`, key.slice());
    onCorrupt({ key: key.slice(), reason });
  };
  const src = faults === undefined ? source : reporting(source, faults, report);
  const ctx: Ctx = { src, fence, stop, report, t: { timeFirst: 0, timeLast: 0, count: 0 } };
  switch (q.type) {
    case "rrset":
      return rrsetQuery(ctx, q, cs);
    case "rdata_name":
      return rdataNameQuery(ctx, q, cs);
    case "rdata_ip": {
      const [lo, hi] = parseIpQuery(q.ip);
      const rrtype = lo.length === 4 ? 1 : 28;
      const from = new Uint8Array(1 + lo.length);
      from[0] = EntryType.RDATA;
      from.set(lo, 1);
      const to = new Uint8Array(1 + hi.length + 300).fill(0xff);
      to[0] = EntryType.RDATA;
      to.set(hi, 1);
      return scanRdata(
        ctx,
        src.getRange(from, to),
        (k) => k.rrtype === rrtype && k.rdata.length === lo.length && compareBytes(k.rdata, lo) >= 0 && compareBytes(k.rdata, hi) <= 0,
      );
    }
    case "rdata_raw": {
      const hex = q.hex;
      if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw invalid(`bad hex: ${hex}`);
      const rrtype = queryType(q.rrtype);
      const prefix = new Uint8Array(1 + hex.length / 2);
      prefix[0] = EntryType.RDATA;
      for (let i = 0; i < hex.length / 2; i++) prefix[1 + i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
      return scanRdata(ctx, src.getPrefix(prefix), (k) => rrtype === undefined || k.rrtype === rrtype);
    }
  }
}

/** dnstable_lookup's -c: the "after" bound applies to time_first, the "before" bound to time_last. */
function effectiveFence(f: TimeFence, strict: boolean): TimeFence {
  const out = { ...f };
  if (!strict) return out;
  if (out.lastAfter !== undefined && (out.firstAfter ?? 0) < out.lastAfter) {
    out.firstAfter = out.lastAfter;
    delete out.lastAfter;
  }
  if (out.firstBefore !== undefined && (out.lastBefore === undefined || out.lastBefore > out.firstBefore)) {
    out.lastBefore = out.firstBefore;
    delete out.firstBefore;
  }
  return out;
}

function queryName(text: string, caseSensitive: boolean): Uint8Array {
  try {
    const w = nameFromString(text);
    return caseSensitive ? w : downcaseName(w);
  } catch (e) {
    if (isWdnsError(e)) throw invalid(`bad name: ${e.message}`);
    throw e;
  }
}

function queryType(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = rrtypeFromString(text);
  if (t === undefined) throw invalid(`unknown rrtype: ${text}`);
  return t;
}

type Wild = { kind: "none" | "left" | "right"; one: boolean; name: string };

/** `*.N` / `+.N` (left), `N.*` / `N.+` (right), or a plain name. */
function splitWildcard(text: string): Wild {
  if (text.startsWith("*.") || text.startsWith("+.")) return { kind: "left", one: text[0] === "+", name: text.slice(2) };
  if (text.endsWith(".*") || text.endsWith(".+")) return { kind: "right", one: text.endsWith("+"), name: text.slice(0, -2) };
  if (text === "*" || text === "+") throw invalid(`bad name: ${text}`);
  return { kind: "none", one: false, name: text };
}

/** Whether `key` has exactly one more label after `at` (a single-label wildcard). */
function oneMoreLabel(key: Uint8Array, at: number): boolean {
  const l = key[at] ?? 0;
  return l !== 0 && at + 1 + l < key.length && key[at + 1 + l] === 0;
}

/** What a query's steps share. */
interface Ctx {
  src: MtblSource;
  fence: TimeFence;
  stop: () => boolean;
  report: Report;
  /** the triplet of the entry being looked at */
  t: Triplet;
}

/** The entry if it passes the fence (its triplet already decoded). */
function result(entryType: number, key: Uint8Array, value: Uint8Array, t: Triplet, f: TimeFence): DnstableResult | null {
  if (f.firstAfter !== undefined && t.timeFirst < f.firstAfter) return null;
  if (f.lastBefore !== undefined && t.timeLast > f.lastBefore) return null;
  if (f.lastAfter !== undefined && t.timeLast < f.lastAfter) return null;
  if (f.firstBefore !== undefined && t.timeFirst > f.firstBefore) return null;
  return { entryType, key: key.slice(), value: value.slice(), timeFirst: t.timeFirst, timeLast: t.timeLast, count: t.count };
}

/** The triplet of an entry that is kept (in ctx.t, valid until the next call), or null (reported) when its value does not decode. */
function triplet(ctx: Ctx, key: Uint8Array, value: Uint8Array): Triplet | null {
  if (decodeTripletInto(value, ctx.t)) return ctx.t;
  ctx.report(key, valueProblem(key, value) ?? "value does not decode");
  return null;
}

/**
 * An index entry (RRSET_NAME_FWD, RDATA_NAME_REV) that names a name and, when `rrtype` is given,
 * admits it; a key or rrtype union that does not decode is reported and not followed.
 */
function indexEntry(ctx: Ctx, key: Uint8Array, value: Uint8Array, rrtype: number | undefined): boolean {
  const bad = keyProblem(key);
  if (bad !== null) {
    ctx.report(key, bad);
    return false;
  }
  if (rrtype === undefined) return true;
  try {
    return rrtypeUnionHas(value, rrtype);
  } catch (e) {
    if (!isDnstableError(e)) throw e;
    ctx.report(key, valueProblem(key, value) ?? e.message);
    return false;
  }
}

function rrsetQuery(ctx: Ctx, q: { name: string; rrtype?: string; bailiwick?: string }, cs: boolean): Generator<DnstableResult> {
  if (q.name.includes("/")) throw invalid("/ is not allowed in OWNER NAME");
  const w = splitWildcard(q.name);
  const name = queryName(w.name, cs);
  const rrtype = queryType(q.rrtype);
  const bailiwick = q.bailiwick !== undefined ? queryName(q.bailiwick, false) : undefined;
  return rrsetEntries(ctx, w, name, rrtype, bailiwick);
}

function* rrsetEntries(
  ctx: Ctx,
  w: Wild,
  name: Uint8Array,
  rrtype: number | undefined,
  bailiwick: Uint8Array | undefined,
): Generator<DnstableResult> {
  const { src, fence, stop } = ctx;
  const bailiwickRev = bailiwick === undefined ? undefined : reverseWireName(bailiwick);
  const layout: RRsetLayout = { rrtype: 0, bailiwick: 0, rdatas: 0 };
  // right wildcards walk the forward-name index to find the owner names first
  const owners: Uint8Array[] = [];
  if (w.kind !== "right") owners.push(name);
  else {
    const fwd = new Uint8Array(name.length);
    fwd[0] = EntryType.RRSET_NAME_FWD;
    fwd.set(name.subarray(0, name.length - 1), 1);
    const it = src.getPrefix(fwd);
    while (it.next()) {
      const k = it.key;
      if (k.length - fwd.length <= 1) continue;
      if (w.one && !oneMoreLabel(k, fwd.length)) continue;
      if (!indexEntry(ctx, k, it.value, rrtype)) continue;
      owners.push(k.slice(1));
    }
  }
  for (const owner of owners) {
    const rev = reverseWireName(owner);
    const exact = w.kind !== "left";
    const prefix = new Uint8Array(rev.length + (exact ? 1 : 0));
    prefix[0] = EntryType.RRSET;
    prefix.set(exact ? rev : rev.subarray(0, rev.length - 1), 1);
    const it = src.getPrefix(prefix);
    while (it.next()) {
      if (stop()) return;
      const key = it.key;
      if (w.kind === "left" && w.one && !oneMoreLabel(key, prefix.length)) continue;
      // read in place: decodeRRsetKey (for its error) only for a key that does not decode
      if (!rrsetLayout(key, layout)) {
        try {
          decodeRRsetKey(key);
        } catch (e) {
          if (!isDnstableError(e)) throw e;
          ctx.report(key, e.message);
          continue;
        }
        throw new Error("rrsetLayout and decodeRRsetKey disagree");
      }
      if (rrtype !== undefined && layout.rrtype !== rrtype) continue;
      if (bailiwickRev !== undefined && !keyNameIs(key, layout.bailiwick, bailiwickRev)) continue;
      const t = triplet(ctx, key, it.value);
      const r = t && result(EntryType.RRSET, key, it.value, t, fence);
      if (r) yield r;
    }
  }
}

function rdataNameQuery(ctx: Ctx, q: { name: string; rrtype?: string }, cs: boolean): Generator<DnstableResult> {
  const w = splitWildcard(q.name);
  const name = queryName(w.name, cs);
  const rrtype = queryType(q.rrtype);
  return rdataNameEntries(ctx, w, name, rrtype);
}

function* rdataNameEntries(ctx: Ctx, w: Wild, name: Uint8Array, rrtype: number | undefined): Generator<DnstableResult> {
  const { src, stop } = ctx;
  const typeOk = (t: number): boolean => (rrtype === undefined ? NAME_RDATA_TYPES.has(t) : t === rrtype);
  /** RDATA key prefix for names starting with `wire` (the rrtype appended when it follows the name). */
  const keyFor = (wire: Uint8Array, withType: boolean): Uint8Array => {
    const v = new Uint8Array(5);
    const tl = withType && rrtype !== undefined && STANDALONE_NAME_TYPES.has(rrtype) ? encodeVarint(v, 0, rrtype) : 0;
    const k = new Uint8Array(1 + wire.length + tl);
    k[0] = EntryType.RDATA;
    k.set(wire, 1);
    k.set(v.subarray(0, tl), 1 + wire.length);
    return k;
  };
  if (w.kind === "none") {
    yield* scanRdata(ctx, src.getPrefix(keyFor(name, true)), (k) => typeOk(k.rrtype));
    return;
  }
  if (w.kind === "right") {
    // the name's labels, then anything: a prefix scan of the RDATA entries
    const prefix = keyFor(name.subarray(0, name.length - 1), false);
    yield* scanRdata(ctx, src.getPrefix(prefix), (k, key) => typeOk(k.rrtype) && (!w.one || oneMoreLabel(key, prefix.length)));
    return;
  }
  // left: walk the label-reversed rdata-name index, then look each name up
  const rev = reverseWireName(name);
  const index = new Uint8Array(rev.length);
  index[0] = EntryType.RDATA_NAME_REV;
  index.set(rev.subarray(0, rev.length - 1), 1);
  const it = src.getPrefix(index);
  const names: Uint8Array[] = [];
  while (it.next()) {
    const k = it.key;
    if (w.one && !oneMoreLabel(k, index.length)) continue;
    if (!indexEntry(ctx, k, it.value, rrtype)) continue;
    names.push(reverseWireName(k.subarray(1)));
  }
  for (const n of names) {
    if (stop()) return;
    yield* scanRdata(ctx, src.getPrefix(keyFor(n, true)), (k) => typeOk(k.rrtype));
  }
}

/** The RDATA entries of `it` that `keep` accepts. */
function* scanRdata(
  ctx: Ctx,
  it: MtblIterator,
  keep: (k: NonNullable<ReturnType<typeof decodeRdataKey>>, key: Uint8Array) => boolean,
): Generator<DnstableResult> {
  while (it.next()) {
    if (ctx.stop()) return;
    const key = it.key;
    let k: ReturnType<typeof decodeRdataKey>;
    try {
      k = decodeRdataKey(key);
    } catch (e) {
      if (!isDnstableError(e)) throw e;
      k = null;
    }
    if (k === null) {
      ctx.report(key, keyProblem(key) ?? "bad RDATA key");
      continue;
    }
    if (!keep(k, key)) continue;
    const t = triplet(ctx, key, it.value);
    const r = t && result(EntryType.RDATA, key, it.value, t, ctx.fence);
    if (r) yield r;
  }
}
