/**
 * Queries over dnstable data, as libdnstable answers them: rrset by owner name (left/right `*` and
 * `+` wildcards), type and bailiwick; rdata by name (wildcards too), IP address / prefix / range,
 * or raw bytes; time fencing (loose or strict). A `DnstableReader` reads one mtbl file or a set
 * file (merged with the dnstable merge function, or unaggregated; re-read when it changes).
 * Results come from a generator (usable with `for` or `for await`), each a copy of the entry's key
 * and value plus its decoded triplet. An entry that does not decode (libdnstable's
 * dnstable_entry_decode answers NULL and its iterators skip it silently) goes to `onCorrupt`, or
 * without it throws DnstableError ERR_CORRUPTION.
 */
import { Fileset, type MergeFn, type MtblError, type MtblIterator, type MtblSource, Reader } from "@dnsrep/mtbl";
import { compareBytes, encodeVarint, equalBytes } from "@dnsrep/util";
import { downcaseName, isWdnsError, nameFromString, parseIpv4, parseIpv6, rrtypeFromString } from "@dnsrep/wdns";
import { holdsCorrupt, keyProblem, keyText, valueProblem } from "./check.js";
import { decodeRdataKey, decodeRRsetKey, decodeTriplet, EntryType, reverseWireName, type Triplet } from "./entry.js";
import { DnstableError, DnstableErrorCode, isDnstableError } from "./errors.js";
import { dnstableMerge } from "./merge.js";
import { rrtypeUnionHas } from "./rrtype-union.js";
import { NAME_RDATA_TYPES, STANDALONE_NAME_TYPES } from "./rrtypes.js";

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
type Report = (key: Uint8Array, reason: string) => void;

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

/** DnstableReader.openSetFile's options. */
export interface SetFileOptions {
  /** merge equal keys with the dnstable merge function (default true) */
  aggregated?: boolean;
  /** re-read the set file when it changes */
  reload?: boolean;
  reloadIntervalMs?: number;
  /**
   * Told of a member that cannot be opened (missing, no permission), which is then left out
   * (libdnstable skips these silently), and of a failed reload (the set in effect stays). Without
   * it these throw MtblError. A set file that cannot be read, or a member that is not an mtbl
   * file, always throws.
   */
  onError?: (error: MtblError, path: string) => void;
  /** check each data block's CRC32C as it is read (ERR_CHECKSUM on a mismatch) */
  verifyChecksums?: boolean;
}

export class DnstableReader {
  readonly source: MtblSource;
  readonly #close: () => void;
  readonly #files: () => string[];
  readonly #opts: { verifyChecksums?: boolean };
  /** Corrupt values the set file's merge kept out of a merged entry, until a query reports them. */
  readonly #faults: CorruptEntry[] | undefined;

  private constructor(
    source: MtblSource,
    close: () => void,
    files: () => string[],
    opts: { verifyChecksums?: boolean },
    faults?: CorruptEntry[],
  ) {
    this.source = source;
    this.#close = close;
    this.#files = files;
    this.#opts = opts;
    this.#faults = faults;
  }

  /**
   * One dnstable (mtbl) file. Throws MtblError if it cannot be opened or is not an mtbl file.
   * With `verifyChecksums`, each data block's CRC32C is checked as it is read (ERR_CHECKSUM).
   */
  static open(path: string, opts: { verifyChecksums?: boolean } = {}): DnstableReader {
    const r = Reader.open(path, opts);
    return new DnstableReader(
      r,
      () => r.close(),
      () => [path],
      opts,
    );
  }

  /**
   * A set file: one mtbl file per line, merged with the dnstable merge function — or, with
   * `aggregated: false`, not merged (equal keys one after another, by time_first then time_last,
   * as libdnstable's dupsort orders them). With `reload`, the set file is re-read when it changes.
   * Throws MtblError for a set file that cannot be read or is not a set file, a member that is not
   * an mtbl file, and (without `onError`) a member that cannot be opened; see Fileset. Where one
   * member's value for a key does not decode, the merged entry keeps the others' (libdnstable's
   * merge asserts) and the query reports the damage as for a corrupt entry.
   */
  static openSetFile(path: string, opts: SetFileOptions = {}): DnstableReader {
    const aggregated = opts.aggregated ?? true;
    const faults: CorruptEntry[] = [];
    const fs = new Fileset(path, {
      ...(aggregated ? { merge: tolerantMerge(faults) } : {}),
      reload: opts.reload ?? false,
      reloadIntervalMs: opts.reloadIntervalMs ?? 1000,
      ...(opts.onError ? { onError: opts.onError } : {}),
      ...(opts.verifyChecksums ? { verifyChecksums: true } : {}),
    });
    const files = (): string[] => fs.files;
    const readerOpts = opts.verifyChecksums ? { verifyChecksums: true } : {};
    if (aggregated) return new DnstableReader(fs, () => fs.close(), files, readerOpts, faults);
    const wrap: MtblSource = {
      iter: () => dupsort(fs.iter()),
      get: (k) => dupsort(fs.get(k)),
      getPrefix: (k) => dupsort(fs.getPrefix(k)),
      getRange: (a, b) => dupsort(fs.getRange(a, b)),
    };
    return new DnstableReader(wrap, () => fs.close(), files, readerOpts);
  }

  /** The mtbl files being read: the one file, or the members of the set currently open. */
  get files(): string[] {
    return this.#files();
  }

  close(): void {
    this.#close();
  }

  /**
   * The files that hold an entry with this key that does not decode (the one file; for a set file,
   * the members found to) — for naming the file a corrupt entry came from. Opens each member anew:
   * meant for a report, not for every entry.
   */
  locate(key: Uint8Array): string[] {
    const found: string[] = [];
    for (const f of this.#files()) {
      let r: Reader;
      try {
        r = Reader.open(f, this.#opts);
      } catch {
        continue;
      }
      try {
        if (holdsCorrupt(r, key)) found.push(f);
      } catch {
        // a damaged block: the query that found the entry reports it
      } finally {
        r.close();
      }
    }
    return found;
  }

  /**
   * Run a query. Throws DnstableError (ERR_INVALID) for a malformed query, before it returns; the
   * generator throws ERR_CORRUPTION (without `onCorrupt`) and MtblError for damaged data.
   */
  query(q: DnstableQuery, opts: QueryOptions = {}): Generator<DnstableResult> {
    const fence = effectiveFence(opts.fence ?? {}, opts.strict ?? false);
    const cs = opts.caseSensitive ?? false;
    const stop = opts.stop ?? (() => false);
    const onCorrupt = opts.onCorrupt;
    const report: Report = (key, reason) => {
      if (!onCorrupt)
        throw new DnstableError(DnstableErrorCode.ERR_CORRUPTION, `corrupt entry (key ${keyText(key)}): ${reason}`, key.slice());
      onCorrupt({ key: key.slice(), reason });
    };
    const src = this.#faults === undefined ? this.source : reporting(this.source, this.#faults, report);
    const ctx: Ctx = { src, fence, stop, report };
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
}

/** The entry if it passes the fence (its triplet already decoded). */
function result(entryType: number, key: Uint8Array, value: Uint8Array, t: Triplet, f: TimeFence): DnstableResult | null {
  if (f.firstAfter !== undefined && t.timeFirst < f.firstAfter) return null;
  if (f.lastBefore !== undefined && t.timeLast > f.lastBefore) return null;
  if (f.lastAfter !== undefined && t.timeLast < f.lastAfter) return null;
  if (f.firstBefore !== undefined && t.timeFirst > f.firstBefore) return null;
  return { entryType, key: key.slice(), value: value.slice(), timeFirst: t.timeFirst, timeLast: t.timeLast, count: t.count };
}

/** The triplet of an entry that is kept, or null (reported) when its value does not decode. */
function triplet(ctx: Ctx, key: Uint8Array, value: Uint8Array): Triplet | null {
  const t = decodeTriplet(value);
  if (t === null) ctx.report(key, valueProblem(key, value) ?? "value does not decode");
  return t;
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
      let k: ReturnType<typeof decodeRRsetKey>;
      try {
        k = decodeRRsetKey(key);
      } catch (e) {
        if (!isDnstableError(e)) throw e;
        ctx.report(key, e.message);
        continue;
      }
      if (rrtype !== undefined && k.rrtype !== rrtype) continue;
      if (bailiwick !== undefined && !equalBytes(downcaseName(k.bailiwick), bailiwick)) continue;
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

/**
 * The set file's merge: dnstableMerge, except that where one side's value does not decode the
 * other side is kept and the damage queued in `faults` for the query to report (libdnstable's merge
 * asserts; an empty value would lose the good side too).
 */
function tolerantMerge(faults: CorruptEntry[]): MergeFn {
  return (key, a, b) => {
    try {
      return dnstableMerge(key, a, b);
    } catch (e) {
      if (!isDnstableError(e)) throw e;
      const badA = valueProblem(key, a);
      const badB = valueProblem(key, b);
      // both bad: the merged value stays bad, and the query reports it when it reads it
      if (badA === null || badB === null) faults.push({ key: key.slice(), reason: (badA ?? badB) as string });
      return badA === null ? a.slice() : b.slice();
    }
  };
}

/** `src` with every iterator handing the merge's queued faults to `report` after each step. */
function reporting(src: MtblSource, faults: CorruptEntry[], report: Report): MtblSource {
  const watch = (it: MtblIterator): MtblIterator => ({
    next(): boolean {
      const more = it.next();
      while (faults.length > 0) {
        const f = faults.shift() as CorruptEntry;
        report(f.key, f.reason);
      }
      return more;
    },
    get key() {
      return it.key;
    },
    get value() {
      return it.value;
    },
  });
  return {
    iter: () => watch(src.iter()),
    get: (k) => watch(src.get(k)),
    getPrefix: (k) => watch(src.getPrefix(k)),
    getRange: (a, b) => watch(src.getRange(a, b)),
  };
}

/** An IPv4 or IPv6 address as inet_pton reads it (wdns's parsers); a DnstableError when it is not one. */
function parseAddr(s: string): Uint8Array {
  const a = s.includes(":") ? parseIpv6(s) : parseIpv4(s);
  if (a === null) throw invalid(`bad address: ${s}`);
  return a;
}

/** ADDRESS, ADDRESS/PREFIX or ADDRESS-ADDRESS to an inclusive [lo, hi] byte range. */
export function parseIpQuery(q: string): [Uint8Array, Uint8Array] {
  /** An address that is part of the query: a message shows both the part and what was typed. */
  const addr = (part: string): Uint8Array => {
    try {
      return parseAddr(part);
    } catch (e) {
      if (isDnstableError(e) && part !== q) throw invalid(`bad address: ${part} (in ${q})`);
      throw e;
    }
  };
  const slash = q.indexOf("/");
  // a prefix first: its length may look like a range ("10.0.0.0/-1")
  if (slash < 0 && q.includes("-")) {
    const dash = q.indexOf("-");
    const lo = addr(q.slice(0, dash));
    const hi = addr(q.slice(dash + 1));
    if (lo.length !== hi.length || compareBytes(lo, hi) > 0) throw invalid(`bad range: ${q}`);
    return [lo, hi];
  }
  if (slash < 0) {
    const a = addr(q);
    return [a, a];
  }
  const a = addr(q.slice(0, slash));
  const bitsText = q.slice(slash + 1);
  const bits = Number(bitsText);
  if (!/^\d+$/.test(bitsText) || bits > a.length * 8) throw invalid(`bad prefix length: ${q}`);
  const lo = a.slice();
  const hi = a.slice();
  for (let i = 0; i < a.length * 8; i++) {
    if (i < bits) continue;
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    lo[byte] = (lo[byte] as number) & ~mask;
    hi[byte] = (hi[byte] as number) | mask;
  }
  return [lo, hi];
}

/**
 * libdnstable's dupsort for unaggregated results: entries with equal keys (one per file) come out
 * ordered by time_first, then time_last (RRSET and RDATA entries; others keep the merger's order).
 */
function dupsort(src: MtblIterator): MtblIterator {
  let group: [Uint8Array, Uint8Array][] = [];
  let i = 0;
  let pending: [Uint8Array, Uint8Array] | null = null;
  let done = false;
  const times = (v: Uint8Array): [number, number] => {
    const t = decodeTriplet(v);
    return t ? [t.timeFirst, t.timeLast] : [0, 0];
  };
  const fill = (): boolean => {
    group = [];
    i = 0;
    if (!pending) {
      if (done || !src.next()) return false;
      pending = [src.key.slice(), src.value.slice()];
    }
    group.push(pending);
    pending = null;
    while (!done) {
      if (!src.next()) {
        done = true;
        break;
      }
      const k = src.key;
      if (!equalBytes(k, group[0]![0])) {
        pending = [k.slice(), src.value.slice()];
        break;
      }
      group.push([k.slice(), src.value.slice()]);
    }
    const t0 = group[0]![0][0];
    if (group.length > 1 && (t0 === EntryType.RRSET || t0 === EntryType.RDATA)) {
      group.sort((a, b) => {
        const [fa, la] = times(a[1]);
        const [fb, lb] = times(b[1]);
        return fa - fb || la - lb;
      });
    }
    return true;
  };
  return {
    next(): boolean {
      if (i + 1 < group.length) {
        i++;
        return true;
      }
      return fill();
    },
    get key() {
      return group[i]![0];
    },
    get value() {
      return group[i]![1];
    },
  };
}
