/**
 * Acceptance: against the real dnstable-server (spawned on 127.0.0.1 over the vector files),
 * dnsdb-query prints what Debian's dnsdbq prints for the same query, byte for byte, with -j and
 * with -p csv — every lookup kind, types, bailiwicks, wildcards, fences, limits, offsets, gravel,
 * sorting, summarize, -I. With CI=true a missing dnsdbq fails the tests instead of skipping them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { vectorPath } from "../../../test/vectors.js";
import { dnsdbq, haveDnsdbq, type Running, startServer } from "../../server/test/spawn-server.js";
import { query } from "./helpers.js";

const HAVE = haveDnsdbq();
const CI = Boolean(process.env.CI);

/** [data file, dnsdbq arguments without the presentation] */
const QUERIES: [string, string[]][] = [
  ["dns", ["-r", "www.example.test"]],
  ["dns", ["-r", "www.example.test/A"]],
  ["dns", ["-r", "*.example.test"]],
  ["dns", ["-r", "*.example.test/NS"]],
  ["dns", ["-r", "example.*"]],
  ["dns", ["-r", "example.test/NS/test"]],
  ["dns", ["-r", "example.test", "-t", "MX"]],
  ["dns", ["-r", "example.test", "-b", "example.test"]],
  ["dns", ["-r", "nothing.invalid"]],
  ["dns", ["-R", "03777777076578616d706c65047465737400"]],
  ["dns", ["-R", "076578616d706c65047465737400/NS"]],
  ["dns", ["-n", "www.example.test"]],
  ["dns", ["-n", "*.example.test/NS"]],
  ["dns", ["-n", "ns1.example.test", "-t", "NS"]],
  ["dns", ["-i", "10.0.0.1"]],
  ["dns", ["-i", "10.0.0.0/24"]],
  ["dns", ["-i", "10.0.0.1-10.0.0.3"]],
  ["dns", ["-i", "2001:db8::/32"]],
  ["dns", ["-N", "c0000250"]],
  ["dns", ["-N", "c0000250/A"]],
  ["dns", ["-r", "*.example.test", "-l", "5"]],
  ["dns", ["-r", "*.example.test", "-l", "0"]],
  ["dns", ["-r", "*.example.test", "-l", "0", "-s"]],
  ["dns", ["-r", "*.example.test", "-l", "5", "-O", "3"]],
  ["dns", ["-r", "*.example.test", "-A", "1795340105"]],
  ["dns", ["-r", "*.example.test", "-B", "1795340100"]],
  ["dns", ["-r", "*.example.test", "-c", "-A", "1795340100"]],
  ["dns", ["-r", "*.example.test", "-c", "-B", "1795340105", "-A", "1795340099"]],
  ["dns", ["-r", "*.example.test", "-A", "2026-11-22 09:35:00"]],
  ["dns", ["-r", "*.example.test", "-s"]],
  ["dns", ["-r", "*.example.test", "-S"]],
  ["dns", ["-r", "*.example.test", "-s", "-k", "count"]],
  ["dns", ["-r", "*.example.test", "-S", "-k", "name,type"]],
  ["dns", ["-r", "*.example.test", "-s", "-k", "first,last,duration"]],
  ["dns", ["-n", "*.example.test", "-s", "-k", "data"]],
  ["dns", ["-i", "10.0.0.0/8", "-S", "-k", "data,name"]],
  ["dns", ["-r", "*.example.test", "-s", "-l", "4"]],
  ["dns", ["-r", "*.example.test", "-s", "-L", "4"]],
  ["dns", ["-r", "*.example.test", "-V", "summarize"]],
  ["dns", ["-n", "www.example.test", "-V", "summarize"]],
  ["dns", ["-i", "10.0.0.0/24", "-V", "summarize"]],
  ["dns", ["-r", "*.example.test", "-V", "summarize", "-M", "10"]],
  ["dns", ["-r", "nothing.invalid", "-V", "summarize"]],
  ["dnssec", ["-r", "another.test/ANY-DNSSEC"]],
  ["dnssec", ["-r", "another.test/DNSKEY"]],
  ["dnssec", ["-r", "*.another.test/RRSIG"]],
  ["parts", ["-r", "www.example.test", "-g"]],
  ["parts", ["-r", "*.example.test", "-g", "-s"]],
  ["parts", ["-r", "*.example.test", "-G"]],
];

const DATA: Record<string, string[]> = {
  dns: ["--fname", vectorPath("dnstable/dns.mtbl")],
  dnssec: ["--fname", vectorPath("dnstable/dns.dnssec.mtbl")],
  parts: ["--setfile", vectorPath("dnstable/parts.set")],
};

describe.runIf(HAVE || CI)("dnsdb-query prints what dnsdbq prints (dnstable-server on 127.0.0.1)", () => {
  const servers = new Map<string, Running>();
  beforeAll(async () => {
    if (!HAVE) throw new Error("dnsdbq is not installed (apt-get install dnsdbq; scripts/setup.sh does)");
    for (const [k, args] of Object.entries(DATA)) servers.set(k, await startServer(["--no-auth", "-q", ...args]));
  }, 120_000);
  afterAll(async () => {
    for (const s of servers.values()) expect(await s.stop()).toBe(0);
  });

  for (const [data, args] of QUERIES)
    for (const p of [["-j"], ["-p", "csv"]]) {
      it(`${data}: ${[...args, ...p].join(" ")}`, async () => {
        const url = (servers.get(data) as Running).url;
        const want = dnsdbq(url, [...args, ...p]);
        expect(want.status).toBe(0);
        const got = await query(url, [...args, ...p]);
        expect(got.stderr.replace(/^dnsdb-query: Result limit reached\n/, "")).toBe("");
        expect(got.status).toBe(0);
        expect(got.stdout).toBe(want.stdout);
        if (!args.includes("nothing.invalid")) expect(got.stdout.length).toBeGreaterThan(0);
      });
    }

  it("-V summarize in text (dnsdbq's ';; record times' form), with and without -M", async () => {
    const url = (servers.get("dns") as Running).url;
    for (const q of [
      ["-r", "*.example.test"],
      ["-i", "10.0.0.0/24"],
      ["-r", "*.example.test", "-M", "10"],
    ]) {
      const args = ["-V", "summarize", ...q];
      const want = dnsdbq(url, args).stdout;
      expect(want).toMatch(/^;; record times: .* \.\. .*\n;; count: \d+; num_results: \d+\n$/);
      expect((await query(url, args)).stdout).toBe(want);
    }
  });

  it("-I: the rate limit in text and JSON", async () => {
    const url = (servers.get("dns") as Running).url;
    for (const p of [[], ["-j"]]) expect((await query(url, ["-I", ...p])).stdout).toBe(dnsdbq(url, ["-I", ...p]).stdout);
  });

  it("-u circl: the COF records dnsdbq prints, from the same config file", async () => {
    const url = (servers.get("dns") as Running).url;
    const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "dnsdb-query-circl-"));
    try {
      const conf = join(dir, "dnsdbq.conf");
      writeFileSync(conf, `CIRCL_AUTH=user:password\nCIRCL_SERVER=${url}/pdns/query\n`);
      for (const q of [
        ["-r", "www.example.test"],
        ["-i", "10.0.0.0/24"],
        ["-n", "ns1.example.test"],
      ])
        for (const p of [["-j"], ["-p", "csv"]]) {
          const args = ["-u", "circl", ...q, ...p];
          const want = dnsdbq(url, args, { env: { DNSDBQ_CONFIG_FILE: conf } });
          expect(want.stdout.length, args.join(" ")).toBeGreaterThan(0);
          expect((await query(url, args, "", { DNSDBQ_CONFIG_FILE: conf })).stdout, args.join(" ")).toBe(want.stdout);
        }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
