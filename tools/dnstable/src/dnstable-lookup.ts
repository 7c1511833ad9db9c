import { type CliIo, CliError, OutputWriter, UsageError } from "@dnsrep/cli";
import {
  EntryType,
  decodeRRsetKey,
  decodeRdataKey,
  decodeTimeRange,
  decodeTriplet,
  decodeVersion,
  dnstableMerge,
  isDnstableError,
  reverseWireName,
} from "@dnsrep/dnstable";
import { isMtblError, Merger, type MtblSource, Reader } from "@dnsrep/mtbl";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { downcaseName, isWdnsError, nameFromString, nameToString, rdataToString, rrtypeFromString, rrtypeToString } from "@dnsrep/wdns";
import { compareBytes, equalBytes } from "@dnsrep/util";
import { formatEntry, formatTime } from "./dnstable-dump.js";

/**
 * dnstable-lookup (partial): `rrset NAME [TYPE [BAILIWICK]]` with exact names and right-hand
 * `*.` (at or below) / `+.` (exactly one label below) wildcards over DNSTABLE_FNAME; text or -j output.
 */
export const USAGE = `Usage: dnstable-lookup [-j|-J] [-C] [-O N] [-a T] [-A T] [-b T] [-B T] QUERY

Search the dnstable file named by DNSTABLE_FNAME or the set file DNSTABLE_SETFILE (dnstable_lookup). QUERY is one of:
  rrset NAME [TYPE [BAILIWICK]]
  rdata name NAME [TYPE]
  rdata ip ADDRESS | ADDRESS/PREFIX | ADDRESS-ADDRESS
  rdata raw HEX [TYPE]
  time_range
  version [rrset|rrset_name|rdata|rdata_name]
An rrset NAME may carry a wildcard: *.NAME (at or below), +.NAME (one label below),
NAME.* (starting with NAME), NAME.+ (NAME plus one label).

Options:
  -j         JSON lines, epoch times
  -J         JSON lines, RFC 3339 times
  -C         case-sensitive name match
  -O N       skip the first N results
  -a T       first seen at or after T
  -A T       last seen at or after T
  -b T       last seen at or before T
  -B T       first seen at or before T
  -h         display this help
T is epoch seconds, YYYY-MM-DD, "YYYY-MM-DD HH:MM:SS" or YYYY-MM-DDTHH:MM:SSZ (UTC).
`;

export async function run(argv: string[], io: CliIo): Promise<number> {
  if (argv[0] === "-h" || argv[0] === "--help") {
    io.stdout.write(USAGE);
    return 0;
  }
  let json = false;
  let rfc3339 = false;
  let raw = false;
  let caseSensitive = false;
  let offset = 0;
  const strict = false;
  const fence: { a?: number; A?: number; b?: number; B?: number } = {};
  const pos: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (pos.length > 0 || !a.startsWith("-") || a.length === 1) {
      pos.push(a);
      continue;
    }
    if (a === "-j") json = true;
    else if (a === "-J") {
      json = true;
      rfc3339 = true;
    } else if (a === "-R") raw = true;
    else if (a === "-C") caseSensitive = true;
    else if (a === "-u") throw new CliError("option -u is not supported yet");
    else if (a === "-c") throw new CliError("option -c is not supported yet");
    else if (a === "-O" || a === "-a" || a === "-A" || a === "-b" || a === "-B") {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`option ${a} needs an argument`);
      if (a === "-O") {
        if (!/^\d+$/.test(v)) throw new UsageError(`bad offset: ${v}`);
        offset = Number(v);
      } else fence[a.slice(1) as "a" | "A" | "b" | "B"] = parseTime(v);
    } else throw new CliError(`option ${a} is not supported yet`);
  }
  if (raw) throw new CliError("option -R is not supported yet");
  if (pos[0] === "rdata" && pos[1] === "raw") return rdataRaw(pos, io, json, rfc3339, offset, fence);
  if (pos[0] === "time_range" || pos[0] === "version") return metaQuery(pos, io, json, rfc3339);
  if (pos[0] === "rdata" && pos[1] === "ip") {
    if (pos.length !== 3) throw new UsageError("usage: dnstable-lookup rdata ip ADDRESS[/PREFIX|-ADDRESS]");
    const [lo, hi] = parseIpQuery(pos[2] as string);
    return rdataRaw(["rdata", "raw", "", lo.length === 4 ? "A" : "AAAA"], io, json, rfc3339, offset, fence, [lo, hi]);
  }
  if (pos[0] === "rdata" && pos[1] === "name") {
    const t = pos[2] ?? "";
    if (t.startsWith("*.") || t.startsWith("+.") || t.endsWith(".*") || t.endsWith(".+"))
      throw new CliError("rdata name wildcards are not supported yet");
    let wire: Uint8Array;
    try {
      wire = nameFromString(t);
    } catch (e) {
      if (isWdnsError(e)) throw new UsageError(`bad name: ${e.message}`);
      throw e;
    }
    if (!caseSensitive) wire = downcaseName(wire);
    let hex = "";
    for (const b of wire) hex += b.toString(16).padStart(2, "0");
    return rdataRaw(["rdata", "raw", hex, ...pos.slice(3)], io, json, rfc3339, offset, fence);
  }
  if (pos[0] !== "rrset") {
    if (pos[0] === "rdata" || pos[0] === "time_range" || pos[0] === "version")
      throw new CliError(`${pos[0]} queries are not supported yet`);
    throw new UsageError("usage: dnstable-lookup [-j] [-C] rrset NAME [TYPE [BAILIWICK]]");
  }
  if (pos.length < 2 || pos.length > 4) throw new UsageError("usage: dnstable-lookup [-j] [-C] rrset NAME [TYPE [BAILIWICK]]");
  let text = pos[1] as string;
  let mode: "exact" | "at-or-below" | "below" = "exact";
  let left: "none" | "any" | "one" = "none";
  if (text.endsWith(".*")) {
    left = "any";
    text = text.slice(0, -2);
  } else if (text.endsWith(".+")) {
    left = "one";
    text = text.slice(0, -2);
  } else if (text.startsWith("*.")) {
    mode = "at-or-below";
    text = text.slice(2);
  } else if (text.startsWith("+.")) {
    mode = "below";
    text = text.slice(2);
  }
  if (text === "*" || text === "+" || text.startsWith("*.") || text.startsWith("+."))
    throw new CliError("this wildcard form is not supported yet");
  let rrtype: number | undefined;
  let bailiwick: Uint8Array | undefined;
  let name: Uint8Array;
  try {
    name = nameFromString(text);
    if (!caseSensitive) name = downcaseName(name);
    if (pos[2] !== undefined) {
      rrtype = rrtypeFromString(pos[2]);
      if (rrtype === undefined) throw new UsageError(`unknown rrtype: ${pos[2]}`);
    }
    if (pos[3] !== undefined) bailiwick = downcaseName(nameFromString(pos[3]));
  } catch (e) {
    if (isWdnsError(e)) throw new UsageError(`bad name: ${e.message}`);
    throw e;
  }
  const { reader, fname } = openSource(io);
  const out = new OutputWriter(io.stdout);
  let n = 0;
  const names: Uint8Array[] = [];
  if (left === "none") names.push(name);
  else {
    const fwd = new Uint8Array(name.length);
    fwd[0] = EntryType.RRSET_NAME_FWD;
    fwd.set(name.subarray(0, name.length - 1), 1);
    try {
      const it = reader.getPrefix(fwd);
      while (it.next()) {
        const k = it.key;
        const rest = k.length - fwd.length;
        if (rest <= 1) continue;
        if (left === "one" && (k[fwd.length] ?? 0) + 2 !== rest) continue;
        names.push(k.slice(1));
      }
    } catch (e) {
      reader.close();
      if (isMtblError(e)) throw new CliError(`${fname}: ${e.message}`);
      throw e;
    }
  }
  try {
    for (const qname of names) {
      const rev = reverseWireName(qname);
      const prefix = new Uint8Array(rev.length + (mode === "exact" ? 1 : 0));
      prefix[0] = EntryType.RRSET;
      prefix.set(mode === "exact" ? rev : rev.subarray(0, rev.length - 1), 1);
      const it = reader.getPrefix(prefix);
      while (it.next()) {
        const key = it.key;
        if (mode === "below") {
          const l = key[prefix.length] ?? 0;
          if (l === 0 || key[prefix.length + 1 + l] !== 0) continue;
        }
        let line: string | null = null;
        try {
          const k = decodeRRsetKey(key);
          if (rrtype !== undefined && k.rrtype !== rrtype) continue;
          if (bailiwick !== undefined && !equalBytes(downcaseName(k.bailiwick), bailiwick)) continue;
          const t = decodeTriplet(it.value);
          if (t === null) continue;
          if (!inFence(t, fence)) continue;
          if (offset > 0) {
            offset--;
            continue;
          }
          line = formatEntry(EntryType.RRSET, key, it.value, json);
          if (rfc3339 && line !== null)
            line = line.replace(/"time_(first|last)":(\d+)/g, (_m, w: string, d: string) => `"time_${w}":"${iso(Number(d))}"`);
        } catch (e) {
          if (!isDnstableError(e)) throw e;
        }
        if (line === null) continue;
        await out.text(line);
        n++;
      }
    }
  } catch (e) {
    if (isMtblError(e)) throw new CliError(`${fname}: ${e.message}`);
    throw e;
  } finally {
    reader.close();
  }
  await out.flush();
  if (!json) io.stderr.write(`;;; Dumped ${n} entries.\n`);
  return 0;
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

type Fence = { a?: number; A?: number; b?: number; B?: number };

/** Time fencing: -a first seen ≥ a, -b last seen ≤ b, -A last seen ≥ A, -B first seen ≤ B. */
function inFence(t: { timeFirst: number; timeLast: number }, fence: Fence): boolean {
  if (fence.a !== undefined && t.timeFirst < fence.a) return false;
  if (fence.b !== undefined && t.timeLast > fence.b) return false;
  if (fence.A !== undefined && t.timeLast < fence.A) return false;
  if (fence.B !== undefined && t.timeFirst > fence.B) return false;
  return true;
}

/** `rdata raw HEX [TYPE]`: full RDATA entries whose rdata starts with the given bytes. */
async function rdataRaw(
  pos: string[],
  io: CliIo,
  json: boolean,
  rfc3339: boolean,
  offset: number,
  fence: Fence,
  range?: [Uint8Array, Uint8Array],
): Promise<number> {
  const hex = pos[2];
  if (hex === undefined || pos.length > 4) throw new UsageError("usage: dnstable-lookup rdata raw HEX [TYPE]");
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new UsageError(`bad hex: ${hex}`);
  let rrtype: number | undefined;
  if (pos[3] !== undefined) {
    rrtype = rrtypeFromString(pos[3]);
    if (rrtype === undefined) throw new UsageError(`unknown rrtype: ${pos[3]}`);
  }
  const prefix = new Uint8Array(1 + hex.length / 2);
  prefix[0] = EntryType.RDATA;
  for (let i = 0; i < hex.length / 2; i++) prefix[1 + i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  const { reader, fname } = openSource(io);
  const out = new OutputWriter(io.stdout);
  let n = 0;
  try {
    let it: ReturnType<Reader["getPrefix"]>;
    if (range) {
      const lo = new Uint8Array(1 + range[0].length);
      lo[0] = EntryType.RDATA;
      lo.set(range[0], 1);
      const hi = new Uint8Array(1 + range[1].length + 300).fill(0xff);
      hi[0] = EntryType.RDATA;
      hi.set(range[1], 1);
      it = reader.getRange(lo, hi);
    } else it = reader.getPrefix(prefix);
    while (it.next()) {
      const k = decodeRdataKey(it.key);
      if (k === null) continue;
      if (rrtype !== undefined && k.rrtype !== rrtype) continue;
      if (range && (k.rdata.length !== range[0].length || compareBytes(k.rdata, range[0]) < 0 || compareBytes(k.rdata, range[1]) > 0)) continue;
      const t = decodeTriplet(it.value);
      if (t === null) continue;
      if (!inFence(t, fence)) continue;
      if (offset > 0) {
        offset--;
        continue;
      }
      const owner = nameToString(k.rrname);
      const type = rrtypeToString(k.rrtype);
      let rd: string;
      try {
        rd = rdataToString(k.rrtype, 1, k.rdata);
      } catch (e) {
        if (isWdnsError(e)) continue;
        throw e;
      }
      if (json) {
        const tf = rfc3339 ? iso(t.timeFirst) : t.timeFirst;
        const tl = rfc3339 ? iso(t.timeLast) : t.timeLast;
        await out.text(`${JSON.stringify({ count: t.count, time_first: tf, time_last: tl, rrname: owner, rrtype: type, rdata: rd })}\n`);
      } else await out.text(`${owner} IN ${type} ${rd}\n`);
      n++;
    }
  } catch (e) {
    if (isMtblError(e)) throw new CliError(`${fname}: ${e.message}`);
    throw e;
  } finally {
    reader.close();
  }
  await out.flush();
  if (!json) io.stderr.write(`;;; Dumped ${n} entries.\n`);
  return 0;
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
async function metaQuery(pos: string[], io: CliIo, json: boolean, rfc3339: boolean): Promise<number> {
  let types = VERSION_TYPES;
  if (pos[0] === "version" && pos[1] !== undefined) {
    types = VERSION_TYPES.filter(([n]) => n === pos[1]);
    if (types.length === 0 || pos.length > 2) throw new UsageError(`unknown version type: ${pos[1]}`);
  } else if (pos.length > 1) throw new UsageError(`unexpected argument: ${pos[1]}`);
  const { reader, fname } = openSource(io);
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
function openSource(io: CliIo): { reader: Source; fname: string } {
  const fname = io.env.DNSTABLE_FNAME;
  const open = (f: string): Reader => {
    try {
      return Reader.open(f);
    } catch (e) {
      if (isMtblError(e)) throw new CliError(`${f}: ${e.message}`);
      throw e;
    }
  };
  if (fname !== undefined) return { reader: open(fname), fname };
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
  const m = new Merger(readers, dnstableMerge);
  return {
    reader: {
      getPrefix: (k) => m.getPrefix(k),
      getRange: (a, b) => m.getRange(a, b),
      get: (k) => m.get(k),
      close: () => {
        for (const r of readers) r.close();
      },
    },
    fname: setfile,
  };
}
