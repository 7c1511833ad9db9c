import { type CliIo, packageVersion, UsageError, versionLine } from "@dnsrep/cli";
import type { LookupOptions } from "./lookup-request.js";
import { parseRequest } from "./lookup-request.js";

/**
 * dnstable-lookup: dnstable_lookup's queries over DNSTABLE_FNAME (one file) or DNSTABLE_SETFILE
 * (a set of files, merged — or, with -u, not): rrset by owner name with left/right `*`/`+`
 * wildcards, type and bailiwick; rdata by name (wildcards too), IP address/prefix/range, or raw
 * hex; time_range and version. Text, JSON (-j/-J, -R raw rdata) or a count (-n). Entries that do
 * not decode are skipped, as dnstable_lookup skips them, and reported in one line naming the file
 * when the run ends (exit 1). With -f, the queries come from stdin, one a line (lookup-batch.ts).
 *
 * This module reads the arguments only: the libraries are loaded (lookup-query.ts) once there is a
 * query to answer, so `-h` and a usage error start no faster tool than they need.
 */
export const USAGE = `Usage: dnstable-lookup [-j|-J] [-R] [-n] [-u] [-c] [-C] [-O N] [-t SECONDS] [-a T] [-A T] [-b T] [-B T] QUERY
       dnstable-lookup [options] -f < QUERIES

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
  -f         batch: read queries from stdin, one a line (QUERY's words), and end each answer with a line "--"
  -h         display this help
  --version  print the version and exit
T is epoch seconds, YYYY-MM-DD, "YYYY-MM-DD HH:MM:SS" or YYYY-MM-DDTHH:MM:SSZ (UTC).
`;

export async function run(argv: string[], io: CliIo): Promise<number> {
  if (argv[0] === "-h" || argv[0] === "--help") {
    io.stdout.write(USAGE);
    return 0;
  }
  if (argv[0] === "--version") {
    io.stdout.write(`${versionLine("dnstable-lookup", packageVersion(import.meta.url))}\n`);
    return 0;
  }
  const o: LookupOptions = {
    json: false,
    rfc3339: false,
    raw: false,
    count: false,
    unaggregated: false,
    caseSensitive: false,
    offset: 0,
    strict: false,
    fence: {},
    timeout: 0,
    batch: false,
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
    else if (a === "-f") o.batch = true;
    else if (a === "-O" || a === "-t" || a === "-a" || a === "-A" || a === "-b" || a === "-B") {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`option ${a} needs an argument`);
      if (a === "-O" || a === "-t") {
        if (!/^\d+$/.test(v) || Number(v) === 0) throw new UsageError(`${a}: expected a positive number, got ${v}`);
        if (a === "-O") o.offset = Number(v);
        else o.timeout = Number(v);
      } else o.fence[FENCE_FLAGS[a as keyof typeof FENCE_FLAGS]] = parseTime(v);
    } else throw new UsageError(`unknown option ${a}`);
  }
  if (o.count && (o.json || o.raw)) throw new UsageError("cannot specify -n with either -j, -J or -R");
  if (o.raw && !o.json) throw new UsageError("adding raw rdata only supported with a json output format");
  if (o.batch) {
    if (pos.length > 0) throw new UsageError(`-f reads the queries from stdin: unexpected argument ${pos[0]}`);
    return (await import("./lookup-batch.js")).lookupBatch(io, o);
  }
  const req = parseRequest(pos, o);
  return (await import("./lookup-query.js")).lookupOnce(req, io, o);
}

const FENCE_FLAGS = { "-a": "firstAfter", "-A": "lastAfter", "-b": "lastBefore", "-B": "firstBefore" } as const;

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
