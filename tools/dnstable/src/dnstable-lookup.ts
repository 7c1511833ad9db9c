import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { CliError, type CliIo, OutputWriter, UsageError } from "@dnsrep/cli";
import {
  decodeRdataKey,
  decodeRRsetKey,
  decodeTimeRange,
  decodeTriplet,
  decodeVersion,
  dnstableMerge,
  EntryType,
  isDnstableError,
  reverseWireName,
  rrtypeUnionHas,
} from "@dnsrep/dnstable";
import { isMtblError, Merger, type MtblIterator, type MtblSource, Reader } from "@dnsrep/mtbl";
import { compareBytes, encodeVarint, equalBytes } from "@dnsrep/util";
import { downcaseName, isWdnsError, nameFromString, rrtypeFromString } from "@dnsrep/wdns";
import { formatEntry, formatTime } from "./dnstable-dump.js";

/**
 * dnstable-lookup: dnstable_lookup's queries over DNSTABLE_FNAME (one file) or DNSTABLE_SETFILE
 * (a set of files, merged — or, with -u, not): rrset by owner name with left/right `*`/`+`
 * wildcards, type and bailiwick; rdata by name (wildcards too), IP address/prefix/range, or raw
 * hex; time_range and version. Text, JSON (-j/-J, -R raw rdata) or a count (-n).
 */
export const USAGE = `Usage: dnstable-lookup [-j|-J] [-R] [-n] [-u] [-c] [-C] [-O N] [-t SECONDS] [-a T] [-A T] [-b T] [-B T] QUERY

Search the dnstable file named by DNSTABLE_FNAME or the set file DNSTABLE_SETFILE (dnstable_lookup). QUERY is one of:
  rrset NAME [TYPE [BAILIWICK]]
  rdata name NAME [TYPE]
  rdata ip ADDRESS | ADDRESS/PREFIX | ADDRESS-ADDRESS
  rdata raw HEX [TYPE]
  time_range
  version [rrset|rrset_name|rdata|rdata_name]
A NAME may carry a wildcard: *.NAME (at or below), +.NAME (one label below),
NAME.* (starting with NAME), NAME.+ (NAME plus one label).

Options:
  -j         JSON lines, epoch times
  -J         JSON lines, RFC 3339 times
  -R         add the raw rdata (hex) to JSON output
  -n         print only the number of matches
  -u         unaggregated: entries of each file of a set file, not merged
  -c         strict time fencing: -A acts as -a and -B as -b (dnsdbq's "complete" matching)
  -C         case-sensitive name match
  -O N       skip the first N results
  -t SECONDS stop after this many seconds (";;; timed out")
  -a T       first seen at or after T
  -A T       last seen at or after T
  -b T       last seen at or before T
  -B T       first seen at or before T
  -h         display this help
T is epoch seconds, YYYY-MM-DD, "YYYY-MM-DD HH:MM:SS" or YYYY-MM-DDTHH:MM:SSZ (UTC).
`;

type Fence = { a?: number; A?: number; b?: number; B?: number };

interface Opts {
  json: boolean;
  rfc3339: boolean;
  raw: boolean;
  count: boolean;
  unaggregated: boolean;
  caseSensitive: boolean;
  offset: number;
  fence: Fence;
  /** Date.now() limit, 0 for none */
  deadline: number;
}

/** Every rrtype whose RDATA key begins with a name (libdnstable's CASE_RDATA_NAME_TYPE_ALL). */
const NAME_RDATA_TYPES = new Set([15, 33, 2, 5, 39, 12, 6, 64, 65, 47, 17, 30]);
/** …and those where the name is all of the keyed rdata, so the rrtype follows it (…_STANDALONE). */
const STANDALONE_NAME_TYPES = new Set([15, 33, 2, 5, 39, 12]);

export async function run(argv: string[], io: CliIo): Promise<number> {
  if (argv[0] === "-h" || argv[0] === "--help") {
    io.stdout.write(USAGE);
    return 0;
  }
  const o: Opts = {
    json: false,
    rfc3339: false,
    raw: false,
    count: false,
    unaggregated: false,
    caseSensitive: false,
    offset: 0,
    fence: {},
    deadline: 0,
  };
  let strict = false;
  const pos: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (pos.length > 0 || !a.startsWith("-") || a.length === 1) {
      pos.push(a);
      continue;
    }
    if (a === "-j") o.json = true;
    else if (a === "-J") {
      o.json = true;
      o.rfc3339 = true;
    } else if (a === "-R") o.raw = true;
    else if (a === "-n") o.count = true;
    else if (a === "-u") o.unaggregated = true;
    else if (a === "-c") strict = true;
    else if (a === "-C") o.caseSensitive = true;
    else if (a === "-O" || a === "-t" || a === "-a" || a === "-A" || a === "-b" || a === "-B") {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`option ${a} needs an argument`);
      if (a === "-O" || a === "-t") {
        if (!/^\d+$/.test(v) || Number(v) === 0) throw new UsageError(`${a}: expected a positive number, got ${v}`);
        if (a === "-O") o.offset = Number(v);
        else o.deadline = Date.now() + Number(v) * 1000;
      } else o.fence[a.slice(1) as "a" | "A" | "b" | "B"] = parseTime(v);
    } else throw new UsageError(`unknown option ${a}`);
  }
  if (o.count && (o.json || o.raw)) throw new UsageError("cannot specify -n with either -j, -J or -R");
  if (o.raw && !o.json) throw new UsageError("adding raw rdata only supported with a json output format");
  if (strict) {
    // dnstable_lookup's -c: the "after" bound applies to time_first, the "before" bound to time_last
    const f = o.fence;
    if (f.A !== undefined && (f.a ?? 0) < f.A) {
      f.a = f.A;
      delete f.A;
    }
    if (f.B !== undefined && (f.b === undefined || f.b > f.B)) {
      f.b = f.B;
      delete f.B;
    }
  }
  if (pos[0] === "time_range" || pos[0] === "version") {
    if (o.offset || o.raw) throw new UsageError(`${o.offset ? "offset" : "raw"} option makes no sense with version or time_range commands`);
    return metaQuery(pos, io, o);
  }
  if (pos[0] === "rdata") return rdataQuery(pos, io, o);
  if (pos[0] === "rrset") return rrsetQuery(pos, io, o);
  throw new UsageError("usage: dnstable-lookup [options] rrset|rdata|time_range|version ... (see -h)");
}

/** Output with offset, -n counting, the time limit and the closing ";;; Dumped N entries." line. */
class Printer {
  readonly #io: CliIo;
  readonly #o: Opts;
  readonly #out: OutputWriter;
  n = 0;
  timedOut = false;
  constructor(io: CliIo, o: Opts) {
    this.#io = io;
    this.#o = o;
    this.#out = new OutputWriter(io.stdout);
  }
  /** Whether the time limit has passed (checked between entries). */
  expired(): boolean {
    if (this.#o.deadline && Date.now() > this.#o.deadline) this.timedOut = true;
    return this.timedOut;
  }
  /** An entry that passed every filter; false when it was skipped by the offset. */
  async entry(line: string): Promise<void> {
    if (this.#o.offset > 0) {
      this.#o.offset--;
      return;
    }
    this.n++;
    if (!this.#o.count) await this.#out.text(line);
  }
  async finish(): Promise<number> {
    await this.#out.flush();
    if (!this.#o.json) {
      if (this.timedOut) this.#io.stderr.write(";;; timed out\n");
      this.#io.stderr.write(`;;; Dumped ${this.n} entries.\n`);
    }
    return 0;
  }
}

/** Parse a query name (wildcard marks removed by the caller). */
function queryName(text: string, o: Opts): Uint8Array {
  try {
    const w = nameFromString(text);
    return o.caseSensitive ? w : downcaseName(w);
  } catch (e) {
    if (isWdnsError(e)) throw new UsageError(`bad name: ${e.message}`);
    throw e;
  }
}

function queryType(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = rrtypeFromString(text);
  if (t === undefined) throw new UsageError(`unknown rrtype: ${text}`);
  return t;
}

type Wild = { kind: "none" | "left" | "right"; one: boolean; name: string };

/** `*.N` / `+.N` (left), `N.*` / `N.+` (right), or a plain name. */
function splitWildcard(text: string): Wild {
  if (text.startsWith("*.") || text.startsWith("+.")) return { kind: "left", one: text[0] === "+", name: text.slice(2) };
  if (text.endsWith(".*") || text.endsWith(".+")) return { kind: "right", one: text.endsWith("+"), name: text.slice(0, -2) };
  if (text === "*" || text === "+") throw new UsageError(`bad name: ${text}`);
  return { kind: "none", one: false, name: text };
}

/** Whether `key` has exactly one more label after `at` (a single-label wildcard). */
function oneMoreLabel(key: Uint8Array, at: number, end = key.length): boolean {
  const l = key[at] ?? 0;
  return l !== 0 && at + 1 + l < end && key[at + 1 + l] === 0;
}

function fenced(t: { timeFirst: number; timeLast: number }, fence: Fence): boolean {
  if (fence.a !== undefined && t.timeFirst < fence.a) return false;
  if (fence.b !== undefined && t.timeLast > fence.b) return false;
  if (fence.A !== undefined && t.timeLast < fence.A) return false;
  if (fence.B !== undefined && t.timeFirst > fence.B) return false;
  return true;
}

/** One RRSET or RDATA entry through the fence and the formatter into the printer. */
async function emitEntry(p: Printer, o: Opts, type: number, key: Uint8Array, value: Uint8Array): Promise<void> {
  const t = decodeTriplet(value);
  if (t === null || !fenced(t, o.fence)) return;
  let line: string | null;
  try {
    line = formatEntry(type, key, value, o.json, o.raw);
  } catch (e) {
    if (isDnstableError(e) || isWdnsError(e)) return;
    throw e;
  }
  if (line === null) return;
  if (o.rfc3339) line = line.replace(/"time_(first|last)":(\d+)/g, (_m, w: string, d: string) => `"time_${w}":"${iso(Number(d))}"`);
  await p.entry(line);
}

/** Run `body` over the source, mapping storage errors to one-line CLI errors. */
async function withSource(io: CliIo, o: Opts, body: (src: Source, p: Printer) => Promise<void>): Promise<number> {
  const { reader, fname } = openSource(io, o.unaggregated);
  const p = new Printer(io, o);
  try {
    await body(reader, p);
  } catch (e) {
    if (isMtblError(e)) throw new CliError(`${fname}: ${e.message}`);
    throw e;
  } finally {
    reader.close();
  }
  return p.finish();
}

async function rrsetQuery(pos: string[], io: CliIo, o: Opts): Promise<number> {
  if (pos.length < 2 || pos.length > 4) throw new UsageError("usage: dnstable-lookup [options] rrset NAME [TYPE [BAILIWICK]]");
  if ((pos[1] as string).includes("/")) throw new UsageError("/ is not allowed in OWNER NAME");
  const w = splitWildcard(pos[1] as string);
  const name = queryName(w.name, o);
  const rrtype = queryType(pos[2]);
  const bailiwick = pos[3] !== undefined ? queryName(pos[3], { ...o, caseSensitive: false }) : undefined;
  return withSource(io, o, async (src, p) => {
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
        if (rrtype !== undefined && !rrtypeUnionHas(it.value, rrtype)) continue;
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
        if (p.expired()) return;
        const key = it.key;
        if (w.kind === "left" && w.one && !oneMoreLabel(key, prefix.length)) continue;
        let k: ReturnType<typeof decodeRRsetKey>;
        try {
          k = decodeRRsetKey(key);
        } catch (e) {
          if (isDnstableError(e)) continue;
          throw e;
        }
        if (rrtype !== undefined && k.rrtype !== rrtype) continue;
        if (bailiwick !== undefined && !equalBytes(downcaseName(k.bailiwick), bailiwick)) continue;
        await emitEntry(p, o, EntryType.RRSET, key, it.value);
      }
    }
  });
}

async function rdataQuery(pos: string[], io: CliIo, o: Opts): Promise<number> {
  const kind = pos[1];
  if (kind === "ip") {
    if (pos.length !== 3) throw new UsageError("usage: dnstable-lookup rdata ip ADDRESS[/PREFIX|-ADDRESS]");
    const [lo, hi] = parseIpQuery(pos[2] as string);
    const rrtype = lo.length === 4 ? 1 : 28;
    return withSource(io, o, async (src, p) => {
      const from = new Uint8Array(1 + lo.length);
      from[0] = EntryType.RDATA;
      from.set(lo, 1);
      const to = new Uint8Array(1 + hi.length + 300).fill(0xff);
      to[0] = EntryType.RDATA;
      to.set(hi, 1);
      await scanRdata(
        src.getRange(from, to),
        p,
        o,
        (k) => k.rrtype === rrtype && k.rdata.length === lo.length && compareBytes(k.rdata, lo) >= 0 && compareBytes(k.rdata, hi) <= 0,
      );
    });
  }
  if ((kind !== "raw" && kind !== "name") || pos.length < 3 || pos.length > 4)
    throw new UsageError("usage: dnstable-lookup rdata ip|raw|name ... (see -h)");
  const rrtype = queryType(pos[3]);
  if (kind === "raw") {
    const hex = pos[2] as string;
    if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new UsageError(`bad hex: ${hex}`);
    const prefix = new Uint8Array(1 + hex.length / 2);
    prefix[0] = EntryType.RDATA;
    for (let i = 0; i < hex.length / 2; i++) prefix[1 + i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    return withSource(io, o, (src, p) => scanRdata(src.getPrefix(prefix), p, o, (k) => rrtype === undefined || k.rrtype === rrtype));
  }
  // rdata name: entries of the name-carrying types (or the one asked for)
  const w = splitWildcard(pos[2] as string);
  const name = queryName(w.name, o);
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
  return withSource(io, o, async (src, p) => {
    if (w.kind === "none") {
      await scanRdata(src.getPrefix(keyFor(name, true)), p, o, (k) => typeOk(k.rrtype));
      return;
    }
    if (w.kind === "right") {
      // the name's labels, then anything: a prefix scan of the RDATA entries
      const prefix = keyFor(name.subarray(0, name.length - 1), false);
      await scanRdata(src.getPrefix(prefix), p, o, (k, key) => typeOk(k.rrtype) && (!w.one || oneMoreLabel(key, prefix.length)));
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
      if (rrtype !== undefined && !rrtypeUnionHas(it.value, rrtype)) continue;
      names.push(reverseWireName(k.subarray(1)));
    }
    for (const n of names) {
      if (p.expired()) return;
      await scanRdata(src.getPrefix(keyFor(n, true)), p, o, (k) => typeOk(k.rrtype));
    }
  });
}

/** Print the RDATA entries of `it` that `keep` accepts. */
async function scanRdata(
  it: MtblIterator,
  p: Printer,
  o: Opts,
  keep: (k: NonNullable<ReturnType<typeof decodeRdataKey>>, key: Uint8Array) => boolean,
): Promise<void> {
  while (it.next()) {
    if (p.expired()) return;
    let k: ReturnType<typeof decodeRdataKey>;
    try {
      k = decodeRdataKey(it.key);
    } catch (e) {
      if (isDnstableError(e)) continue;
      throw e;
    }
    if (k === null || !keep(k, it.key)) continue;
    await emitEntry(p, o, EntryType.RDATA, it.key, it.value);
  }
}

function iso(epoch: number): string {
  return `${new Date(epoch * 1000).toISOString().slice(0, 19)}Z`;
}

/** Parse a time fence: epoch seconds, "YYYY-MM-DD[ HH:MM:SS]" (UTC) or RFC 3339 with Z. */
export function parseTime(v: string): number {
  if (/^\d+$/.test(v)) return Number(v);
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})Z?)?$/.exec(v);
  if (m) {
    const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
    if (Number.isFinite(ms)) return ms / 1000;
  }
  throw new UsageError(`bad time: ${v}`);
}

function parseAddr(s: string): Uint8Array {
  if (s.includes(":")) {
    const v4tail = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
    let text = s;
    let tail: number[] = [];
    if (v4tail) {
      tail = [...parseAddr(v4tail[2] as string)];
      text = `${v4tail[1]}0:0`;
    }
    const halves = text.split("::");
    if (halves.length > 2) throw new UsageError(`bad address: ${s}`);
    const groups = (h: string): number[] =>
      h === "" ? [] : h.split(":").map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? Number.parseInt(g, 16) : Number.NaN));
    const a = groups(halves[0] as string);
    const b = halves.length === 2 ? groups(halves[1] as string) : [];
    const fill = 8 - a.length - b.length;
    if ((halves.length === 1 && fill !== 0) || fill < 0 || [...a, ...b].some((g) => Number.isNaN(g)))
      throw new UsageError(`bad address: ${s}`);
    const all = [...a, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...b];
    const out = new Uint8Array(16);
    all.forEach((g, i) => {
      out[2 * i] = g >> 8;
      out[2 * i + 1] = g & 0xff;
    });
    if (tail.length) out.set(tail, 12);
    return out;
  }
  const parts = s.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw new UsageError(`bad address: ${s}`);
  return Uint8Array.from(parts.map(Number));
}

/** ADDRESS, ADDRESS/PREFIX or ADDRESS-ADDRESS to an inclusive [lo, hi] byte range. */
export function parseIpQuery(q: string): [Uint8Array, Uint8Array] {
  const dash = q.indexOf("-");
  if (dash >= 0) {
    const lo = parseAddr(q.slice(0, dash));
    const hi = parseAddr(q.slice(dash + 1));
    if (lo.length !== hi.length || compareBytes(lo, hi) > 0) throw new UsageError(`bad range: ${q}`);
    return [lo, hi];
  }
  const slash = q.indexOf("/");
  if (slash < 0) {
    const a = parseAddr(q);
    return [a, a];
  }
  const a = parseAddr(q.slice(0, slash));
  const bitsText = q.slice(slash + 1);
  const bits = Number(bitsText);
  if (!/^\d+$/.test(bitsText) || bits > a.length * 8) throw new UsageError(`bad prefix length: ${q}`);
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

const VERSION_TYPES: [string, number][] = [
  ["rrset", 0],
  ["rrset_name", 1],
  ["rdata", 2],
  ["rdata_name", 3],
];

/** `time_range` and `version [TYPE]` queries. */
async function metaQuery(pos: string[], io: CliIo, o: Opts): Promise<number> {
  const { json, rfc3339 } = o;
  let types = VERSION_TYPES;
  if (pos[0] === "version" && pos[1] !== undefined) {
    types = VERSION_TYPES.filter(([n]) => n === pos[1]);
    if (types.length === 0 || pos.length > 2) throw new UsageError(`unknown version type: ${pos[1]}`);
  } else if (pos.length > 1) throw new UsageError(`unexpected argument: ${pos[1]}`);
  const { reader, fname } = openSource(io, o.unaggregated);
  const lines: string[] = [];
  try {
    if (pos[0] === "time_range") {
      const it = reader.get(Uint8Array.of(EntryType.TIME_RANGE));
      while (it.next()) {
        const r = decodeTimeRange(it.value);
        if (r !== null) {
          if (json) {
            lines.push(
              `${JSON.stringify(rfc3339 ? { time_first: iso(r.first), time_last: iso(r.last) } : { time_first: r.first, time_last: r.last })}\n`,
            );
          } else lines.push(`;; Earliest time_first: ${formatTime(r.first)}\n;; Latest time_last: ${formatTime(r.last)}\n`);
        }
      }
    } else {
      for (const [name, t] of types) {
        const it = reader.get(Uint8Array.of(EntryType.VERSION, t));
        while (it.next()) {
          const v = decodeVersion(it.value);
          if (v === null) continue;
          lines.push(json ? `${JSON.stringify({ entry_type: name, version: v })}\n` : `;; Version type ${name}: ${v}\n`);
        }
      }
    }
  } catch (e) {
    if (isMtblError(e)) throw new CliError(`${fname}: ${e.message}`);
    throw e;
  } finally {
    reader.close();
  }
  const out = new OutputWriter(io.stdout);
  for (const l of lines) await out.text(l);
  await out.flush();
  if (!json) io.stderr.write(`;;; Dumped ${lines.length} entries.\n`);
  return 0;
}

interface Source {
  getPrefix: MtblSource["getPrefix"];
  getRange: MtblSource["getRange"];
  get: MtblSource["get"];
  close(): void;
}

/** DNSTABLE_FNAME (one file) or DNSTABLE_SETFILE (files merged with dnstableMerge; missing files skipped). */
function openSource(io: CliIo, unaggregated = false): { reader: Source; fname: string } {
  const fname = io.env.DNSTABLE_FNAME;
  const open = (f: string): Reader => {
    try {
      return Reader.open(f);
    } catch (e) {
      if (isMtblError(e)) throw new CliError(`${f}: ${e.message}`);
      throw e;
    }
  };
  if (fname !== undefined && io.env.DNSTABLE_SETFILE !== undefined)
    throw new UsageError("exactly one of DNSTABLE_FNAME, DNSTABLE_SETFILE must be set");
  if (fname !== undefined) {
    if (unaggregated) throw new CliError("-u flag not valid with a single input mtbl file; it is only valid with a setfile");
    return { reader: open(fname), fname };
  }
  const setfile = io.env.DNSTABLE_SETFILE;
  if (setfile === undefined) throw new UsageError("DNSTABLE_FNAME or DNSTABLE_SETFILE must be set");
  let text: string;
  try {
    text = readFileSync(setfile, "utf8");
  } catch {
    throw new CliError(`${setfile}: cannot read set file`);
  }
  const readers: Reader[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim();
    if (f.length === 0) continue;
    const path = resolve(dirname(setfile), f);
    try {
      readers.push(Reader.open(path));
    } catch (e) {
      if (!isMtblError(e)) throw e;
    }
  }
  // -u: no merge function, so equal keys from several files come out one after another
  const m = new Merger(readers, unaggregated ? undefined : dnstableMerge);
  const wrap = unaggregated ? dupsort : (it: MtblIterator): MtblIterator => it;
  return {
    reader: {
      getPrefix: (k) => wrap(m.getPrefix(k)),
      getRange: (a, b) => wrap(m.getRange(a, b)),
      get: (k) => wrap(m.get(k)),
      close: () => {
        for (const r of readers) r.close();
      },
    },
    fname: setfile,
  };
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
