import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { memoryIo } from "@dnsrep/cli";
import { readVectorText, vectorPath } from "../../../test/vectors.js";
import { run } from "../src/dnstable-lookup.js";

interface Case {
  id: string;
  env: Record<string, string>;
  args: string[];
  rc: number;
}

const cases: Case[] = readFileSync(vectorPath("lookup/cases.tsv"), "utf8")
  .split("\n")
  .slice(1)
  .filter((l) => l.trim().length > 0)
  .map((l) => {
    const [id, env, args, rc] = l.split("\t") as [string, string, string, string];
    return { id, env: JSON.parse(env) as Record<string, string>, args: JSON.parse(args) as string[], rc: Number(rc) };
  });

/** The cases this partial dnstable-lookup claims: rrset queries on one file, exact or right-hand wildcard names. */
function supported(c: Case): boolean {
  if (c.rc !== 0 || c.args.includes("-u")) return false;
  if (c.args.includes("time_range") || c.args.includes("version")) return !c.args.includes("-u");
  const r = c.args.indexOf("rdata");
  if (r >= 0 && c.args[r + 1] === "raw") return c.args.slice(0, r).every((f) => f === "-j" || f === "-J");
  if (r >= 0 && c.args[r + 1] === "ip") return !c.args.slice(0, r).some((f) => f === "-R" || f === "-c" || f === "-n" || f === "-u");
  if (r >= 0 && c.args[r + 1] === "name") {
    return !/(^[*+]\.)|(\.[*+]$)/.test(c.args[r + 2] ?? "") && c.args.slice(0, r).every((f) => f === "-j" || f === "-J" || f === "-C");
  }
  const flags = c.args.slice(0, c.args.indexOf("rrset"));
  if (flags.some((f) => !f.startsWith("-") && !/^\d/.test(f))) return false;
  if (c.args.indexOf("rrset") < 0 || flags.some((f) => f === "-R" || f === "-c" || f === "-u" || f === "-t" || f === "-l" || f === "-n")) return false;
  const name = c.args[c.args.indexOf("rrset") + 1] ?? "";
  return !/^[*+]\./.test(name) || !/\.[*+]$/.test(name);
}

async function runCase(c: Case): Promise<{ rc: number; out: string; err: string }> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.env)) env[k] = k === "DNSTABLE_FNAME" || k === "DNSTABLE_SETFILE" ? vectorPath(v) : v;
  const io = memoryIo("", env);
  let rc: number;
  try {
    rc = await run(c.args, io);
  } catch (e) {
    rc = (e as { name?: string }).name === "UsageError" ? 2 : 1;
  }
  return { rc, out: io.out(), err: io.err() };
}

describe("dnstable-lookup vectors (rrset subset)", () => {
  const sub = cases.filter(supported);
  it("covers a meaningful subset", () => {
    expect(sub.length).toBeGreaterThan(20);
  });
  for (const c of sub) {
    it(`${c.id}: ${c.args.join(" ")}`, async () => {
      const r = await runCase(c);
      expect(r.rc).toBe(c.rc);
      expect(r.out).toBe(readVectorText(`lookup/${c.id}.out.txt`));
      expect(r.err).toBe(readVectorText(`lookup/${c.id}.err.txt`));
    });
  }
});

describe("dnstable-lookup errors", () => {
  for (const [args, rc] of [
    [["rrset", "www.example.test", "NOSUCHTYPE"], 2],
    [["-A", "yesterday", "rrset", "www.example.test"], 2],
    [["rrset", "a..b"], 2],
    [["frobnicate"], 2],
    [["rdata", "ip", "10.0.0.0/33"], 2],
    [["rdata", "ip", "10.0.0.300"], 2],
    [["rdata", "ip", "2001:db8:::1"], 2],
    [["rdata", "raw", "abc"], 2],
    [["rdata", "raw", "zz"], 2],
  ] as [string[], number][]) {
    it(`${args.join(" ")} exits ${rc}`, async () => {
      const r = await runCase({ id: "x", env: { DNSTABLE_FNAME: "dnstable/dns.mtbl" }, args, rc });
      expect(r.rc).toBe(rc);
    });
  }
  it("a missing data file exits 1", async () => {
    const r = await runCase({ id: "x", env: { DNSTABLE_FNAME: "dnstable/nope.mtbl" }, args: ["rrset", "a.test"], rc: 1 });
    expect(r.rc).toBe(1);
  });
});
