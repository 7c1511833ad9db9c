/**
 * The dnstable-lookup vector cases in dnsdbq's words, and what dnstable-lookup answers for them:
 * shared by the dnsdbq test (files) and the live ingest equivalence test (a store fed over NMSG).
 */
import { type LookupCase as Case, dnsdbqOptions, lookupOut } from "../../../test/lookup-cases.js";

/** dnstable-lookup flags and what dnsdbq says for them (null: no dnsdbq equivalent, the case is not one of these). */
export interface Mapped {
  /** dnstable-lookup arguments, with -j */
  lookupArgs: string[];
  dnsdbqArgs: string[];
}

/** A vector case as dnsdbq arguments, or null when dnsdbq cannot ask it (-R, -C, -n, -J, -t, time_range, version). */
export function mapCase(c: Case): Mapped | null {
  const o = dnsdbqOptions(c.args);
  if (o === null) return null;
  const { flags, query: q } = o;
  const d: string[] = ["-j", ...o.options];
  const dnssecFile = c.data.includes("dnssec");
  const withType = (type: string | undefined): string => (type !== undefined ? `/${type}` : dnssecFile ? "/ANY-DNSSEC" : "");
  if (q[0] === "rrset" && q.length >= 2 && q.length <= 4) {
    const [, name, type, bw] = q as [string, string, string?, string?];
    d.push("-r", `${name}${withType(type)}${bw !== undefined ? `/${bw}` : ""}`);
  } else if (q[0] === "rdata" && q[1] === "name" && q.length <= 4) d.push("-n", `${q[2]}${withType(q[3])}`);
  else if (q[0] === "rdata" && q[1] === "ip" && q.length === 3) d.push("-i", q[2] as string);
  else if (q[0] === "rdata" && q[1] === "raw" && q.length <= 4) d.push("-N", `${q[2]}${withType(q[3])}`);
  else return null;
  return { lookupArgs: ["-j", ...flags, ...q], dnsdbqArgs: d };
}

export function jsonLines(s: string): Record<string, unknown>[] {
  return s
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** dnstable-lookup's JSON objects for a case (lookupOut throws unless it exits 0). */
export async function expected(c: Case, args: string[]): Promise<Record<string, unknown>[]> {
  return jsonLines(await lookupOut(c, args));
}
