/**
 * The dnstable-lookup vector cases (lookup/cases.tsv) as the DNSDB-API tests use them: each case's
 * data file and arguments, its dnstable-lookup output, and its option flags in dnsdbq's words
 * (shared by dnstable-server's dnsdbq test and dnsdb-query's batch test).
 */
import { readFileSync } from "node:fs";
import { memoryIo } from "@dnsrep/cli";
import { run as lookup, parseTime } from "../tools/dnstable/src/dnstable-lookup.js";
import { vectorPath } from "./vectors.js";

/** A dnstable-lookup vector case. */
export interface LookupCase {
  id: string;
  /** the data file or set file (DNSTABLE_FNAME / DNSTABLE_SETFILE), relative to the vectors */
  data: string;
  setfile: boolean;
  args: string[];
}

export const lookupCases: LookupCase[] = readFileSync(vectorPath("lookup/cases.tsv"), "utf8")
  .split("\n")
  .slice(1)
  .filter((l) => l.trim().length > 0)
  .map((l) => {
    const [id, env, args] = l.split("\t") as [string, string, string];
    const e = JSON.parse(env) as Record<string, string>;
    return {
      id,
      data: (e.DNSTABLE_SETFILE ?? e.DNSTABLE_FNAME) as string,
      setfile: e.DNSTABLE_SETFILE !== undefined,
      args: JSON.parse(args) as string[],
    };
  });

/** dnstable-lookup's stdout for a case with `args` (its exit status must be 0). */
export async function lookupOut(c: LookupCase, args: string[]): Promise<string> {
  const env = c.setfile ? { DNSTABLE_SETFILE: vectorPath(c.data) } : { DNSTABLE_FNAME: vectorPath(c.data) };
  const io = memoryIo("", env);
  const rc = await lookup(args, io);
  if (rc !== 0) throw new Error(`dnstable-lookup ${args.join(" ")}: ${rc}: ${io.err()}`);
  return io.out();
}

/** A case's leading options in dnsdbq's words, and the query words after them. */
export interface DnsdbqOptions {
  /** dnstable-lookup's options as the case gives them (without -j) */
  flags: string[];
  /** the same in dnsdbq's words: -g (unaggregated), -O N, -c (strict fences), -A/-B epoch seconds */
  options: string[];
  /** the query: rrset NAME [TYPE [BAILIWICK]], rdata name|ip|raw VALUE [TYPE] … */
  query: string[];
}

/**
 * Translate a case's dnstable-lookup options to dnsdbq's, or null when dnsdbq has no equivalent
 * (-R, -C, -n, -J, -t, or loose and strict fences mixed). dnsdbq's -A/-B are loose (time_last_after,
 * time_first_before); with -c strict (time_first_after, time_last_before): dnstable-lookup's -a/-b,
 * or its -c with -A/-B.
 */
export function dnsdbqOptions(args: readonly string[]): DnsdbqOptions | null {
  const flags: string[] = [];
  const options: string[] = [];
  const fences: Record<string, number> = {};
  let strict = false;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] as string;
    if (!a.startsWith("-")) break;
    if (a === "-j") continue;
    if (a === "-u") {
      flags.push(a);
      options.push("-g");
    } else if (a === "-c") {
      flags.push(a);
      strict = true;
    } else if (a === "-O") {
      const v = args[++i] as string;
      flags.push(a, v);
      options.push("-O", v);
    } else if (a === "-A" || a === "-B" || a === "-a" || a === "-b") {
      const v = args[++i] as string;
      flags.push(a, v);
      fences[a] = parseTime(v);
    } else return null;
  }
  const loose = fences["-A"] !== undefined || fences["-B"] !== undefined;
  const tight = fences["-a"] !== undefined || fences["-b"] !== undefined;
  if (loose && tight) return null;
  if (tight || strict) options.push("-c");
  const after = fences["-A"] ?? fences["-a"];
  const before = fences["-B"] ?? fences["-b"];
  if (after !== undefined) options.push("-A", String(after));
  if (before !== undefined) options.push("-B", String(before));
  return { flags, options, query: args.slice(i) };
}
