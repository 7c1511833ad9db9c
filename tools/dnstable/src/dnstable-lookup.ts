import { aboutFile, CliError, type CliIo, OutputWriter, packageVersion, UsageError, versionLine } from "@dnsrep/cli";
import {
  type DnstableQuery,
  DnstableReader,
  type DnstableResult,
  decodeTimeRange,
  decodeVersion,
  EntryType,
  entryProblem,
  formatEntry,
  formatTime,
  isDnstableError,
  type TimeFence,
} from "@dnsrep/dnstable";
import { isMtblError, type MtblError } from "@dnsrep/mtbl";
import { isWdnsError } from "@dnsrep/wdns";
import { CorruptTally, notDirectory } from "./inputs.js";

/**
 * dnstable-lookup: dnstable_lookup's queries over DNSTABLE_FNAME (one file) or DNSTABLE_SETFILE
 * (a set of files, merged — or, with -u, not): rrset by owner name with left/right `*`/`+`
 * wildcards, type and bailiwick; rdata by name (wildcards too), IP address/prefix/range, or raw
 * hex; time_range and version. Text, JSON (-j/-J, -R raw rdata) or a count (-n). Entries that do
 * not decode are skipped, as dnstable_lookup skips them, and reported in one line naming the file
 * when the run ends (exit 1).
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
  --version  print the version and exit
T is epoch seconds, YYYY-MM-DD, "YYYY-MM-DD HH:MM:SS" or YYYY-MM-DDTHH:MM:SSZ (UTC).
`;

interface Opts {
  json: boolean;
  rfc3339: boolean;
  raw: boolean;
  count: boolean;
  unaggregated: boolean;
  caseSensitive: boolean;
  offset: number;
  strict: boolean;
  fence: TimeFence;
  /** Date.now() limit, 0 for none */
  deadline: number;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  if (argv[0] === "-h" || argv[0] === "--help") {
    io.stdout.write(USAGE);
    return 0;
  }
  if (argv[0] === "--version") {
    io.stdout.write(`${versionLine("dnstable-lookup", packageVersion(import.meta.url))}\n`);
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
    strict: false,
    fence: {},
    deadline: 0,
  };
  const pos: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (pos.length > 0 || !a.startsWith("-") || a.length === 1) {
      pos.push(a);
      continue;
    }
    if (a === "-j") {
      if (o.rfc3339) throw new UsageError("cannot specify both -j and -J");
      o.json = true;
    } else if (a === "-J") {
      if (o.json && !o.rfc3339) throw new UsageError("cannot specify both -j and -J");
      o.json = true;
      o.rfc3339 = true;
    } else if (a === "-R") o.raw = true;
    else if (a === "-n") o.count = true;
    else if (a === "-u") o.unaggregated = true;
    else if (a === "-c") o.strict = true;
    else if (a === "-C") o.caseSensitive = true;
    else if (a === "-O" || a === "-t" || a === "-a" || a === "-A" || a === "-b" || a === "-B") {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`option ${a} needs an argument`);
      if (a === "-O" || a === "-t") {
        if (!/^\d+$/.test(v) || Number(v) === 0) throw new UsageError(`${a}: expected a positive number, got ${v}`);
        if (a === "-O") o.offset = Number(v);
        else o.deadline = Date.now() + Number(v) * 1000;
      } else o.fence[FENCE_FLAGS[a as keyof typeof FENCE_FLAGS]] = parseTime(v);
    } else throw new UsageError(`unknown option ${a}`);
  }
  if (o.count && (o.json || o.raw)) throw new UsageError("cannot specify -n with either -j, -J or -R");
  if (o.raw && !o.json) throw new UsageError("adding raw rdata only supported with a json output format");
  if (pos[0] === "time_range" || pos[0] === "version") {
    if (o.offset || o.raw) throw new UsageError(`${o.offset ? "offset" : "raw"} option makes no sense with version or time_range commands`);
    return metaQuery(pos, io, o);
  }
  return search(parseQuery(pos), io, o);
}

const FENCE_FLAGS = { "-a": "firstAfter", "-A": "lastAfter", "-b": "lastBefore", "-B": "firstBefore" } as const;

/** The positional arguments of an rrset or rdata query. */
function parseQuery(pos: string[]): DnstableQuery {
  if (pos[0] === "rrset") {
    if (pos.length < 2 || pos.length > 4) throw new UsageError("usage: dnstable-lookup [options] rrset NAME [TYPE [BAILIWICK]]");
    const q: DnstableQuery = { type: "rrset", name: pos[1] as string };
    if (pos[2] !== undefined) q.rrtype = pos[2];
    if (pos[3] !== undefined) q.bailiwick = pos[3];
    return q;
  }
  if (pos[0] === "rdata") {
    if (pos[1] === "ip" && pos.length === 3) return { type: "rdata_ip", ip: pos[2] as string };
    if ((pos[1] === "name" || pos[1] === "raw") && (pos.length === 3 || pos.length === 4)) {
      const q: DnstableQuery =
        pos[1] === "name" ? { type: "rdata_name", name: pos[2] as string } : { type: "rdata_raw", hex: pos[2] as string };
      if (pos[3] !== undefined) q.rrtype = pos[3];
      return q;
    }
  }
  throw new UsageError("usage: dnstable-lookup [options] rrset|rdata|time_range|version ... (see -h)");
}

/** Output with offset, -n counting, the time limit and the closing ";;; Dumped N entries." line. */
class Printer {
  readonly #io: CliIo;
  readonly #o: Opts;
  readonly #out: OutputWriter;
  n = 0;
  timedOut = false;
  readonly corrupt = new CorruptTally();
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
  /** Flush, say what was dumped, and report the corrupt entries skipped (in `file`): the exit status. */
  async finish(file: string): Promise<number> {
    // everything accepted by stdout first: a failed write (a full disk) ends the run before the "Dumped" line
    await this.#out.end();
    if (!this.#o.json) {
      if (this.timedOut) this.#io.stderr.write(";;; timed out\n");
      this.#io.stderr.write(`;;; Dumped ${this.n} entries.\n`);
    }
    return this.corrupt.finish(this.#io, "dnstable-lookup", file);
  }
}

/** One result through the formatter into the printer. */
async function emitEntry(p: Printer, o: Opts, r: DnstableResult): Promise<void> {
  let line: string | null;
  try {
    line = formatEntry(r.entryType, r.key, r.value, o.json, o.raw);
  } catch (e) {
    if (!isDnstableError(e) && !isWdnsError(e)) throw e;
    p.corrupt.add(r.key, e.message);
    return;
  }
  if (line === null) return;
  if (o.rfc3339) line = line.replace(/"time_(first|last)":(\d+)/g, (_m, w: string, d: string) => `"time_${w}":"${iso(Number(d))}"`);
  await p.entry(line);
}

/** Run an rrset or rdata query against the data named by the environment. */
async function search(q: DnstableQuery, io: CliIo, o: Opts): Promise<number> {
  const { reader, fname } = openSource(io, o.unaggregated);
  const p = new Printer(io, o);
  let file = fname;
  try {
    let results: Iterable<DnstableResult>;
    try {
      results = reader.query(q, {
        caseSensitive: o.caseSensitive,
        fence: o.fence,
        strict: o.strict,
        stop: () => p.expired(),
        onCorrupt: (c) => p.corrupt.add(c.key, c.reason),
      });
    } catch (e) {
      // the query itself (a name, type, address or hex the user gave); nothing has been read yet
      if (isDnstableError(e) && e.code === "ERR_INVALID") throw new UsageError(e.message);
      throw e;
    }
    for (const r of results) await emitEntry(p, o, r);
    file = corruptFile(reader, p.corrupt, fname);
  } catch (e) {
    if (isMtblError(e)) throw new CliError(aboutFile(fname, e.message));
    throw e;
  } finally {
    reader.close();
  }
  return p.finish(file);
}

/** The file(s) to name for the corrupt entries skipped: those holding the first, else the data named by the environment. */
function corruptFile(reader: DnstableReader, corrupt: CorruptTally, fname: string): string {
  const key = corrupt.firstKey;
  if (key === null) return fname;
  const files = reader.locate(key);
  return files.length > 0 ? files.join(", ") : fname;
}

function iso(epoch: number): string {
  return `${new Date(epoch * 1000).toISOString().slice(0, 19)}Z`;
}

/** Parse a time fence: epoch seconds, "YYYY-MM-DD[ HH:MM:SS]" (UTC) or RFC 3339 with Z. */
export function parseTime(v: string): number {
  if (/^\d+$/.test(v)) {
    if (Number(v) <= Number.MAX_SAFE_INTEGER) return Number(v);
    throw new UsageError(`bad time: ${v}`);
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})Z?)?$/.exec(v);
  // each field in the range strptime accepts (month 1-12, day 1-31, hour 0-23, minute 0-59, second
  // 0-60); a day past the month's end rolls over, as timegm does
  const inRange = (x: string | undefined, lo: number, hi: number): boolean => x === undefined || (Number(x) >= lo && Number(x) <= hi);
  if (m && inRange(m[2], 1, 12) && inRange(m[3], 1, 31) && inRange(m[4], 0, 23) && inRange(m[5], 0, 59) && inRange(m[6], 0, 60)) {
    const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
    if (Number.isFinite(ms)) return ms / 1000;
  }
  throw new UsageError(`bad time: ${v}`);
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
  const corrupt = new CorruptTally();
  let file = fname;
  /** Whether an entry decodes (one that does not is counted as corrupt). */
  const sound = (key: Uint8Array, value: Uint8Array): boolean => {
    const bad = entryProblem(key, value);
    if (bad !== null) corrupt.add(key, bad);
    return bad === null;
  };
  try {
    if (pos[0] === "time_range") {
      const it = reader.source.get(Uint8Array.of(EntryType.TIME_RANGE));
      while (it.next()) {
        if (!sound(it.key, it.value)) continue;
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
        const it = reader.source.get(Uint8Array.of(EntryType.VERSION, t));
        while (it.next()) {
          if (!sound(it.key, it.value)) continue;
          const v = decodeVersion(it.value);
          if (v === null) continue;
          lines.push(json ? `${JSON.stringify({ entry_type: name, version: v })}\n` : `;; Version type ${name}: ${v}\n`);
        }
      }
    }
    file = corruptFile(reader, corrupt, fname);
  } catch (e) {
    if (isMtblError(e)) throw new CliError(aboutFile(fname, e.message));
    throw e;
  } finally {
    reader.close();
  }
  const out = new OutputWriter(io.stdout);
  for (const l of lines) await out.text(l);
  await out.end();
  if (!json) io.stderr.write(`;;; Dumped ${lines.length} entries.\n`);
  return corrupt.finish(io, "dnstable-lookup", file);
}

/**
 * DNSTABLE_FNAME (one file) or DNSTABLE_SETFILE (a set file; -u: unaggregated). dnstable_lookup
 * answers from whatever members libmtbl could open and says nothing of the others; here a member
 * that cannot be opened is named on stderr (and left out), a set file that cannot be read or names
 * no file, a member that is not an mtbl file, or a set none of whose members opens, exits 1.
 * Data blocks are checked against their CRC32C as they are read (libmtbl's readers do not check
 * by default, so dnstable_lookup prints whatever a damaged block holds): a damaged block exits 1.
 */
function openSource(io: CliIo, unaggregated: boolean): { reader: DnstableReader; fname: string } {
  // an empty value names no file: it counts as unset (dnstable_lookup would try to open "")
  const fname = io.env.DNSTABLE_FNAME || undefined;
  const setfile = io.env.DNSTABLE_SETFILE || undefined;
  if ((fname === undefined) === (setfile === undefined)) {
    const empty = ["DNSTABLE_FNAME", "DNSTABLE_SETFILE"].filter((v) => io.env[v] === "");
    const note = fname === undefined && empty.length > 0 ? ` (${empty.join(" and ")} ${empty.length > 1 ? "are" : "is"} empty)` : "";
    throw new UsageError(`exactly one of DNSTABLE_FNAME, DNSTABLE_SETFILE must be set${note}`);
  }
  if (fname !== undefined) {
    if (unaggregated) throw new CliError("-u flag not valid with a single input mtbl file; it is only valid with a setfile");
    notDirectory(fname);
    try {
      return { reader: DnstableReader.open(fname, { verifyChecksums: true }), fname };
    } catch (e) {
      if (isMtblError(e)) throw new CliError(aboutFile(fname, e.message));
      throw e;
    }
  }
  const set = setfile as string;
  let skipped = 0;
  const onError = (e: MtblError): void => {
    skipped++;
    io.stderr.write(`dnstable-lookup: ${e.message}\n`);
  };
  let reader: DnstableReader;
  try {
    reader = DnstableReader.openSetFile(set, { aggregated: !unaggregated, onError, verifyChecksums: true });
  } catch (e) {
    // the set file's and members' messages name the file they are about
    if (isMtblError(e)) throw new CliError(e.message);
    throw e;
  }
  if (reader.files.length === 0) {
    reader.close();
    throw new CliError(skipped > 0 ? `no member of set file ${set} could be opened` : `set file ${set} names no files`);
  }
  return { reader, fname: set };
}
