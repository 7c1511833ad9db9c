import { UsageError } from "@dnsrep/cli";
import { type FenceTime, fenceValue, type LookupTarget } from "@dnsrep/client";
import type { Presentation } from "./present.js";
import { type SortKey, sortKeys } from "./sort.js";

/** What the command line asked for. */
export interface Options {
  /** the lookup of -r/-n/-i/-R/-N, before -t/-b are folded in */
  query: { flag: string; thing: string; types: string[] | null; bailiwick: string | null } | null;
  types: string[] | null;
  bailiwick: string | null;
  params: QueryParams;
  verb: "lookup" | "summarize";
  maxCount: number | null;
  system: "dnsdb2" | "circl";
  presentation: Presentation;
  sort: null | { keys: SortKey[]; reverse: boolean };
  info: boolean;
  /** 0: no batch; 1: -f (answers end with "--"); 2: -ff ("++ QUERY" before, "-- STATUS (MSG)" after) */
  batch: 0 | 1 | 2;
  quiet: boolean;
  /** -o: seconds for connecting and between data */
  timeout: number | null;
  /** -U: do not check the server's TLS certificate */
  insecure: boolean;
  flex: { method: "glob" | "regex"; pattern: string; key: "rrnames" | "rdata"; exclude: string | null } | null;
  help: boolean;
  /** --version: the dnsrep tools' version line (-v prints dnsdbq's) */
  longVersion: boolean;
  version: boolean;
}

/** The query parameters a batch file's $OPTIONS may change: -A -B -c -g -G -l -L -O. */
export interface QueryParams {
  after: number | null;
  before: number | null;
  complete: boolean;
  gravel: boolean;
  limit: number | null;
  outputLimit: number | null;
  offset: number;
}

export const USAGE = `Usage: dnsdb-query [-cfgGhIjqsSUv] [-A TIME] [-B TIME] [-b BAILIWICK] [-i IP] [-k KEYS] [-L N] [-l N]
                   [-M N] [-N HEX[/TYPE]] [-n NAME[/TYPE]] [-O N] [-o SECONDS] [-p dns|json|csv]
                   [-R HEX[/TYPE[/BAILIWICK]]] [-r NAME[/TYPE[/BAILIWICK]]] [-t TYPE[,...]]
                   [-u dnsdb2|circl] [-V lookup|summarize] [--glob|--regex PATTERN [--flex-key rrnames|rdata]]

Query a DNSDB API v2 server (Farsight DNSDB, dnstable-server) or a CIRCL passive DNS server,
with dnsdbq's flags. Server and key from DNSDB_SERVER / DNSDB_API_KEY or ~/.dnsdb-query.conf.

Queries (one of):
  -r NAME[/TYPE[,TYPE...][/BAILIWICK]]  RRsets by owner name (wildcards *.NAME, NAME.*)
  -n NAME[/TYPE[,TYPE...]]              records whose rdata names NAME
  -i IP | IP/PREFIX | IP-IP             A/AAAA records by address
  -R HEX[/TYPE[/BAILIWICK]]             RRsets by owner name as wire-format hex
  -N HEX[/TYPE]                         records by rdata as hex
  -f                                    batch: one query path a line on stdin (rrset/name/NAME ...);
                                        each answer ends with "--"; -ff adds "++ QUERY" and a status
  -I                                    the key's limits and use (rate_limit)
  --glob PATTERN, --regex PATTERN       flex search of owner names (--flex-key rdata: of rdata);
                                        --exclude PATTERN leaves matches out
Options:
  -t TYPE[,...]    rrtypes (each asked separately); -b BAILIWICK (with -r)
  -A TIME          seen on or after TIME (-c: first seen on or after)
  -B TIME          seen on or before TIME (-c: last seen on or before)
  -c               complete: only records wholly inside -A/-B
  -l N             results asked of the server (0: its maximum)
  -L N             results printed (default -l's, none in batch mode)
  -O N             skip the first N results
  -M N             with -V summarize: stop once the count passes N
  -V VERB          lookup (default) or summarize
  -g / -G          unaggregated results ("gravel") / aggregated (the default)
  -u SYSTEM        dnsdb2 (default; also dnsdb) or circl
  -p FORMAT        dns (dnstable-lookup's text; text is a synonym), json, csv
  -j               -p json
  -s / -S          sort ascending / descending (whole answer in memory)
  -k KEYS          sort keys: first,last,duration,count,name,type,data
  -o SECONDS       connect and idle timeout
  -U               do not check an https server's certificate (unsafe)
  -q               no warnings (limited answers)
  -v               print the version (--version: as every dnsrep tool);  -h, --help  this help
TIME is epoch seconds, -SECONDS (ago), YYYY-MM-DD[ HH:MM:SS] (UTC) or a duration ago (1w2d3h4m5s).
Exit status: 0 (also when nothing matched), 1 server or connection error, 2 usage error.
`;

/** getopt's view of dnsdbq's flags: those that take an argument. */
const WITH_ARG = new Set("ABbikLlMNnOopRrtuV".split(""));
const NO_ARG = new Set("cfgGhIjqsSUv".split(""));

export function fence(flag: string, text: string): number {
  try {
    return fenceValue(text as FenceTime);
  } catch (e) {
    throw new UsageError(`${flag}: ${(e as Error).message}`);
  }
}

function count(flag: string, text: string, min = 0): number {
  if (!/^\d{1,15}$/.test(text) || Number(text) < min)
    throw new UsageError(`${flag} must be ${min > 0 ? "a positive" : "a non-negative"} integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** Split NAME[/TYPE[/BAILIWICK]] as dnsdbq does (at the first two slashes). */
function splitThing(flag: string, v: string): { thing: string; types: string[] | null; bailiwick: string | null } {
  const p = v.indexOf("/");
  if (p < 0) return { thing: v, types: null, bailiwick: null };
  const q = v.indexOf("/", p + 1);
  const type = q < 0 ? v.slice(p + 1) : v.slice(p + 1, q);
  const bw = q < 0 ? null : v.slice(q + 1);
  if (type === "") throw new UsageError(`${flag}: empty rrtype in ${JSON.stringify(v)}`);
  return { thing: v.slice(0, p), types: type.split(","), bailiwick: bw };
}

/** One query parameter flag, on the command line or in a batch $OPTIONS line; false when `c` is not one. */
export function paramOption(c: string, v: string | undefined, p: QueryParams): boolean {
  if (c === "A") p.after = fence("-A", v as string);
  else if (c === "B") p.before = fence("-B", v as string);
  else if (c === "c") p.complete = true;
  else if (c === "g") p.gravel = true;
  else if (c === "G") p.gravel = false;
  else if (c === "l") p.limit = count("-l", v as string);
  else if (c === "L") p.outputLimit = count("-L", v as string, 1);
  else if (c === "O") p.offset = count("-O", v as string);
  else return false;
  return true;
}

/** getopt(3) over argv: bundled flags (-js), attached (-l3) or separate arguments. Calls `each` per flag. */
export function getopt(
  argv: string[],
  each: (c: string, v: string | undefined) => void,
  long?: (name: string, v: () => string) => void,
): void {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--") {
      if (i + 1 < argv.length) throw new UsageError("there are no non-option arguments to this program");
      return;
    }
    if (a.startsWith("--") && long) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      long(name, () => {
        if (eq >= 0) return a.slice(eq + 1);
        const v = argv[++i];
        if (v === undefined) throw new UsageError(`option --${name} needs an argument`);
        return v;
      });
      continue;
    }
    if (!a.startsWith("-") || a === "-") throw new UsageError("there are no non-option arguments to this program");
    for (let j = 1; j < a.length; j++) {
      const c = a[j] as string;
      if (WITH_ARG.has(c)) {
        let v = a.slice(j + 1);
        if (v === "") {
          const next = argv[++i];
          if (next === undefined) throw new UsageError(`option -${c} needs an argument`);
          v = next;
        }
        each(c, v);
        break;
      }
      if (!NO_ARG.has(c)) throw new UsageError(`unrecognized option -${c}`);
      each(c, undefined);
    }
  }
}

export function parseOptions(argv: string[], env: Record<string, string | undefined>): Options {
  const o: Options = {
    query: null,
    types: null,
    bailiwick: null,
    params: { after: null, before: null, complete: false, gravel: false, limit: null, outputLimit: null, offset: 0 },
    verb: "lookup",
    maxCount: null,
    system: "dnsdb2",
    presentation: "dns",
    sort: null,
    info: false,
    batch: 0,
    quiet: false,
    timeout: null,
    insecure: false,
    flex: null,
    help: false,
    longVersion: false,
    version: false,
  };
  const sys = env.DNSDBQ_SYSTEM;
  if (sys !== undefined && sys !== "") o.system = system(sys, "DNSDBQ_SYSTEM");
  const keyLists: string[] = [];
  let sortDir: "asc" | "desc" | null = null;
  let flexKey: "rrnames" | "rdata" = "rrnames";
  let exclude: string | null = null;
  getopt(
    argv,
    (c, v) => {
      if (paramOption(c, v, o.params)) return;
      const val = v as string;
      switch (c) {
        case "r":
        case "n":
        case "R":
        case "N":
        case "i": {
          if (o.query !== null) throw new UsageError("-r, -n, -i, -N, or -R can only appear once");
          if (c === "i") {
            o.query = { flag: c, thing: val, types: null, bailiwick: null };
            break;
          }
          const s = splitThing(`-${c}`, val);
          if (s.types !== null && (o.types !== null || o.bailiwick !== null))
            throw new UsageError(`if -b or -t are specified then -${c} cannot contain a slash`);
          o.query = { flag: c, ...s };
          break;
        }
        case "t":
          if (o.types !== null || (o.query?.types ?? null) !== null) throw new UsageError("can only specify rrtype(s) once");
          o.types = val.split(",");
          if (o.types.some((t) => t === "")) throw new UsageError(`-t: empty rrtype in ${JSON.stringify(val)}`);
          break;
        case "b":
          if (o.bailiwick !== null) throw new UsageError("can only specify bailiwick one way");
          o.bailiwick = val;
          break;
        case "M":
          o.maxCount = count("-M", val, 1);
          break;
        case "V":
          if (val !== "lookup" && val !== "summarize") throw new UsageError("Unsupported verb for -V argument (lookup or summarize)");
          o.verb = val;
          break;
        case "u":
          o.system = system(val, "-u");
          break;
        case "p":
          o.presentation = presentation(val);
          break;
        case "j":
          o.presentation = "json";
          break;
        case "s":
          sortDir = "asc";
          break;
        case "S":
          sortDir = "desc";
          break;
        case "k":
          if (sortDir === null) throw new UsageError("-k must be preceded by -s or -S");
          keyLists.push(val);
          break;
        case "I":
          o.info = true;
          break;
        case "f":
          if (o.batch === 2) throw new UsageError("too many -f options");
          o.batch = o.batch === 0 ? 1 : 2;
          break;
        case "q":
          o.quiet = true;
          break;
        case "o":
          o.timeout = count("-o", val, 1);
          break;
        case "U":
          o.insecure = true;
          break;
        case "h":
          o.help = true;
          break;
        case "v":
          o.version = true;
          break;
      }
    },
    (name, v) => {
      if (name === "help") o.help = true;
      else if (name === "version") o.longVersion = true;
      else if (name === "glob" || name === "regex") {
        if (o.flex !== null) throw new UsageError("--glob or --regex can only appear once");
        o.flex = { method: name, pattern: v(), key: "rrnames", exclude: null };
      } else if (name === "flex-key") {
        const k = v();
        if (k !== "rrnames" && k !== "rdata") throw new UsageError("--flex-key must be rrnames or rdata");
        flexKey = k;
      } else if (name === "exclude") exclude = v();
      else throw new UsageError(`unrecognized option --${name}`);
    },
  );
  if (o.flex !== null) o.flex = { ...o.flex, key: flexKey, exclude };
  if (sortDir !== null) o.sort = { keys: sortKeys(keyLists), reverse: sortDir === "desc" };
  if (o.help || o.version || o.longVersion) return o;
  check(o);
  return o;
}

function system(v: string, what: string): "dnsdb2" | "circl" {
  if (v === "dnsdb" || v === "dnsdb2") return "dnsdb2";
  if (v === "circl") return "circl";
  throw new UsageError(`${what}: unknown system ${JSON.stringify(v)} (dnsdb2 or circl)`);
}

function presentation(v: string): Presentation {
  const l = v.toLowerCase();
  if (l === "json") return "json";
  if (l === "csv") return "csv";
  if (l === "dns" || l === "text") return "dns";
  throw new UsageError("-p must specify json, dns (text) or csv");
}

/** The combinations dnsdbq refuses. */
function check(o: Options): void {
  const q = o.query;
  const modes = [q !== null, o.batch > 0, o.info, o.flex !== null].filter(Boolean).length;
  if (modes === 0) throw new UsageError("must specify -r, -n, -i, -R or -N unless -f, -I, --glob or --regex is used");
  if (modes > 1) {
    if (o.batch > 0) throw new UsageError("can't mix -n, -r, -i, -R, -N, -I or --glob/--regex with -f");
    if (o.info) throw new UsageError("can't mix -n, -r, -i, -R, -N or --glob/--regex with -I");
    throw new UsageError("can't mix -n, -r, -i, -R or -N with --glob/--regex");
  }
  if (o.bailiwick !== null && (q === null || q.flag !== "r"))
    throw new UsageError(q === null ? "-b needs -r" : `can't mix -b with -${q.flag}`);
  if (o.types !== null && q === null && o.flex === null) throw new UsageError("-t needs a query (-r, -n, -R or -N)");
  if (q?.flag === "i" && o.types !== null) throw new UsageError("can't mix -i with -t");
  if (q !== null && q.bailiwick !== null && q.flag !== "r" && q.flag !== "R") throw new UsageError(`-${q.flag} takes no bailiwick`);
  if (o.flex !== null && o.types !== null && o.types.length > 1) throw new UsageError("flex search takes one rrtype");
  if (o.maxCount !== null && o.verb !== "summarize") throw new UsageError("-M max_count only makes sense with -V summarize");
  if (o.info && o.presentation === "csv") throw new UsageError("info must be presented in json or text format");
  if (o.sort !== null && o.verb === "summarize") throw new UsageError("summarize answers cannot be sorted");
  if (o.system === "circl") {
    if (o.verb !== "lookup") throw new UsageError("the CIRCL system only understands 'lookup'");
    if (o.info || o.flex !== null) throw new UsageError(`there is no ${o.info ? "'info'" : "flex search"} for the CIRCL system`);
    if (q !== null && (q.flag === "R" || q.flag === "N")) throw new UsageError("unsupported type of query for CIRCL pDNS: raw");
    if (q !== null && (q.types !== null || o.types !== null || q.bailiwick !== null || o.bailiwick !== null))
      throw new UsageError("qualifiers not supported by CIRCL pDNS");
  }
  if (o.flex !== null && o.verb !== "lookup") throw new UsageError("flex search only looks up");
}

/** The lookups of the command line's query: one a type when several types were given. */
export function targets(o: Options): LookupTarget[] {
  const q = o.query;
  if (q === null) return [];
  const types = q.types ?? o.types;
  const bailiwick = q.bailiwick ?? o.bailiwick ?? undefined;
  if (q.flag === "i") {
    const p = q.thing.indexOf("/");
    return [{ kind: "rdata_ip", ip: p < 0 ? q.thing : `${q.thing.slice(0, p)},${q.thing.slice(p + 1)}` }];
  }
  const one = (type: string | undefined): LookupTarget => {
    const t = type === undefined ? {} : { type };
    const b = bailiwick === undefined ? {} : { bailiwick };
    if (q.flag === "r") return { kind: "rrset", name: q.thing, ...t, ...b };
    if (q.flag === "R") return { kind: "rrset_raw", hex: q.thing, ...t, ...b };
    if (q.flag === "n") return { kind: "rdata_name", name: q.thing, ...t };
    return { kind: "rdata_raw", hex: q.thing, ...t };
  };
  return types === null ? [one(undefined)] : types.map(one);
}
