import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LookupCase as Case, lookupCases as cases } from "../../../test/lookup-cases.js";
import { vectorPath } from "../../../test/vectors.js";
import { expected, jsonLines, type Mapped, mapCase } from "./dnsdbq-cases.js";
import { dnsdbq, haveDnsdbq, type Running, startServer } from "./spawn-server.js";

/**
 * The acceptance test of issue 22: for the dnstable-lookup vector cases, Debian's dnsdbq querying
 * the real server prints the same objects as dnstable-lookup -j with the same fences (rrset, rdata
 * name/ip/raw, wildcards, bailiwick, types, offset, aggr=f on a set file); dnsdbq -V summarize
 * matches the objects' count/first/last/number; dnsdbq -u circl answers from the COF endpoint.
 */
const HAVE = haveDnsdbq();
const CI = Boolean(process.env.CI);

const mapped = cases.map((c) => ({ c, m: mapCase(c) })).filter((x): x is { c: Case; m: Mapped } => x.m !== null);

describe.runIf(HAVE || CI)("dnsdbq against dnstable-server: the dnstable-lookup vector cases", () => {
  const servers = new Map<string, Running>();
  beforeAll(async () => {
    if (!HAVE) throw new Error("dnsdbq is not installed (apt-get install dnsdbq; scripts/setup.sh does)");
    for (const data of new Set(mapped.map((x) => x.c.data))) {
      const setfile = data.endsWith(".set");
      servers.set(data, await startServer(["--no-auth", "-q", setfile ? "--setfile" : "--fname", vectorPath(data)]));
    }
  }, 120_000);
  afterAll(async () => {
    for (const s of servers.values()) expect(await s.stop()).toBe(0);
  });

  it("covers the kinds of query the issue names", () => {
    const all = mapped.map((x) => x.m.dnsdbqArgs.join(" "));
    expect(mapped.length).toBeGreaterThanOrEqual(150);
    for (const want of [/-r \*\./, /-r \S+\.\*/, /-r \S+\/\S+\/\S+/, /-n /, /-i /, /-N /, /-O /, /-g /, /-c /, /-A /, /-B /, /ANY-DNSSEC/])
      expect(
        all.some((a) => want.test(a)),
        String(want),
      ).toBe(true);
  });

  for (const { c, m } of mapped) {
    it(`${c.id}: dnsdbq ${m.dnsdbqArgs.join(" ")} (${c.data})`, async () => {
      const want = await expected(c, m.lookupArgs);
      const r = dnsdbq((servers.get(c.data) as Running).url, m.dnsdbqArgs);
      // dnsdbq says "Query status: NOERROR (no results found for query.)" for an empty answer; nothing else
      expect(r.stderr.replace(/^Query status: NOERROR \(no results found for query\.\)\n/, "")).toBe("");
      expect(jsonLines(r.stdout)).toEqual(want);
    });
  }

  it("dnsdbq -V summarize gives the count, first/last seen and number of the lookup's objects", async () => {
    const url = (servers.get("dnstable/dns.mtbl") as Running).url;
    for (const q of [
      ["-r", "*.example.test"],
      ["-r", "*.example.test/A"],
      ["-n", "www.example.test"],
      ["-i", "10.0.0.0/24"],
    ]) {
      const objs = jsonLines(dnsdbq(url, ["-j", ...q]).stdout);
      expect(objs.length).toBeGreaterThan(0);
      const r = dnsdbq(url, ["-j", "-V", "summarize", ...q]);
      const [sum] = jsonLines(r.stdout);
      expect(sum).toEqual({
        count: objs.reduce((s, o) => s + (o.count as number), 0),
        num_results: objs.length,
        time_first: Math.min(...objs.map((o) => o.time_first as number)),
        time_last: Math.max(...objs.map((o) => o.time_last as number)),
      });
      // and its text form
      const text = dnsdbq(url, ["-V", "summarize", ...q]).stdout;
      expect(text).toContain(`count: ${sum?.count}; num_results: ${objs.length}`);
    }
  });

  it("dnsdbq -V summarize -M stops once the count passes max_count", () => {
    const url = (servers.get("dnstable/dns.mtbl") as Running).url;
    const [all] = jsonLines(dnsdbq(url, ["-j", "-V", "summarize", "-r", "*.example.test"]).stdout);
    const [cut] = jsonLines(dnsdbq(url, ["-j", "-V", "summarize", "-M", "10", "-r", "*.example.test"]).stdout);
    expect(cut?.count as number).toBeGreaterThan(10);
    expect(cut?.num_results as number).toBeLessThan(all?.num_results as number);
  });

  it("dnsdbq -l stops at the limit (Result limit reached)", () => {
    const url = (servers.get("dnstable/dns.mtbl") as Running).url;
    const r = dnsdbq(url, ["-j", "-l", "3", "-r", "*.example.test"]);
    expect(jsonLines(r.stdout)).toHaveLength(3);
  });

  it("dnsdbq -u circl: a name's RRsets and the records naming it, an address, a prefix", async () => {
    const url = (servers.get("dnstable/dns.mtbl") as Running).url;
    const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "circl-"));
    try {
      const conf = join(dir, "dnsdbq.conf");
      writeFileSync(conf, `CIRCL_AUTH=user:password\nCIRCL_SERVER=${url}/pdns/query\n`);
      const circl = (args: string[]) =>
        jsonLines(dnsdbq(url, ["-u", "circl", "-j", ...args], { env: { DNSDBQ_CONFIG_FILE: conf } }).stdout);
      const cof = circl(["-r", "www.example.test"]);
      // every rdata of the name's RRsets, one object each, then the records whose rdata is the name
      const rrsets = await expected({ id: "", data: "dnstable/dns.mtbl", setfile: false, args: [] }, ["-j", "rrset", "www.example.test"]);
      const rdatas = await expected({ id: "", data: "dnstable/dns.mtbl", setfile: false, args: [] }, [
        "-j",
        "rdata",
        "name",
        "www.example.test",
      ]);
      const want = [
        ...rrsets.flatMap((o) =>
          (o.rdata as string[]).map((rdata) => ({
            count: o.count,
            time_first: o.time_first,
            time_last: o.time_last,
            rrtype: o.rrtype,
            rrname: o.rrname,
            rdata,
            bailiwick: o.bailiwick,
          })),
        ),
        ...rdatas.map((o) => ({
          count: o.count,
          time_first: o.time_first,
          time_last: o.time_last,
          rrtype: o.rrtype,
          rrname: o.rrname,
          rdata: o.rdata,
        })),
      ];
      expect(cof).toEqual(want);
      const ip = await expected({ id: "", data: "dnstable/dns.mtbl", setfile: false, args: [] }, ["-j", "rdata", "ip", "10.0.0.0/24"]);
      const strip = (o: Record<string, unknown>) => ({
        count: o.count,
        time_first: o.time_first,
        time_last: o.time_last,
        rrtype: o.rrtype,
        rrname: o.rrname,
        rdata: o.rdata,
      });
      expect(circl(["-i", "10.0.0.0/24"])).toEqual(ip.map(strip));
      expect(circl(["-i", "10.0.0.1"])).toEqual(ip.filter((o) => o.rdata === "10.0.0.1").map(strip));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
