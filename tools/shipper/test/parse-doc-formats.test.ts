/**
 * `dnsrep-shipper parse` over the fixtures of @dnsrep/logs' document formats (Zeek, Suricata,
 * passivedns, Cuckoo, COF, DNSDB, regex): observations aggregated, counts and first/last kept,
 * rejected lines on stderr, option errors as usage errors.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { memoryIo } from "@dnsrep/cli";
import { describe, expect, it } from "vitest";
import { runParse } from "../src/parse.js";

const fixtures = resolve(import.meta.dirname, "../../../packages/logs/test/fixtures");

async function parse(args: string[]) {
  const io = memoryIo();
  const code = await runParse(args, io);
  const rows = io
    .out()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code, rows, err: io.err() };
}

const line = (rows: Record<string, unknown>[]) =>
  rows.map((r) => `${r.rrname} ${r.rrtype} ${r.rdata} ${r.time_first} ${r.time_last} ${r.count} ${r.source}`);

describe("dnsrep-shipper parse: document formats", () => {
  it("zeek (and --format auto picks it): sorted observations and rejected counts by reason", async () => {
    for (const format of ["zeek", "auto"]) {
      const { code, rows, err } = await parse(["--format", format, join(fixtures, "zeek-dns.log")]);
      expect(code).toBe(0);
      expect(rows).toHaveLength(9);
      expect(rows[0]).toEqual({
        rrname: "80.2.0.192.in-addr.arpa",
        rrtype: "PTR",
        rdata: "web.example.com",
        time_first: 1764583202,
        time_last: 1764583202,
        count: 1,
        source: "zeek",
      });
      expect(err).toMatch(/9 observations, 6 rejected/);
      expect(err).toMatch(/rejected 1: MX without preference/);
    }
  });

  it("passivedns and cof keep the counts their lines carry; dnsdb keeps first/last", async () => {
    const p = await parse(["--format", "passivedns", join(fixtures, "passivedns.log")]);
    expect(line(p.rows).filter((l) => l.startsWith("upload."))).toEqual([
      "upload.example.com A 192.0.2.116 1764583200 1764583200 5 passivedns",
      "upload.example.com A 192.0.2.117 1764583200 1764583200 5 passivedns",
    ]);
    const c = await parse(["--format", "cof", join(fixtures, "cof.jsonl")]);
    expect(line(c.rows)).toContain("www.circl.example A 192.0.2.12 1764500000 1764583200 12 cof");
    const d = await parse(["--format", "dnsdb", "--source", "dnsdb-export", join(fixtures, "dnsdb.jsonl")]);
    expect(line(d.rows)).toContain("www.example.test A 192.0.2.81 1795340099 1795340106 4 dnsdb-export");
    expect(d.err).toMatch(/rejected 1: query failed/);
  });

  it("the same file twice doubles counts; suricata, zeek-json and cuckoo parse their fixtures", async () => {
    const twice = await parse(["--format", "cof", join(fixtures, "cof.jsonl"), join(fixtures, "cof.jsonl")]);
    expect(line(twice.rows)).toContain("www.circl.example A 192.0.2.12 1764500000 1764583200 24 cof");
    for (const [format, file, n] of [
      ["suricata", "suricata-eve.json", 14],
      ["zeek-json", "zeek-dns.json", 5],
      ["cuckoo", "cuckoo-report.json", 5],
    ] as const) {
      const r = await parse(["--format", format, join(fixtures, file)]);
      expect(r.code).toBe(0);
      expect(r.rows).toHaveLength(n);
      expect(r.rows.every((o) => o.source === format)).toBe(true);
    }
  });

  it("regex with --regex and --time-format aggregates repeated lines", async () => {
    const r = await parse([
      "--format",
      "regex",
      "--regex",
      "^(?<time>\\S+) resolved (?<domain>\\S+) -> (?<value>\\S+)(?: \\((?<type>\\w+)\\))?$",
      "--time-format",
      "rfc3339",
      join(fixtures, "app-resolver.log"),
    ]);
    expect(r.code).toBe(0);
    const t0 = Date.UTC(2026, 11, 1, 10) / 1000;
    expect(line(r.rows)).toContain(`www.app.example A 192.0.2.31 ${t0} ${t0 + 1} 2 regex`);
    expect(r.err).toMatch(/rejected 1: cannot infer type/);
  });

  it("regex without --regex, or with a broken one, is a usage error (exit 2)", async () => {
    for (const extra of [[], ["--regex", "("], ["--regex", "(?<domain>x)"]]) {
      await expect(runParse(["--format", "regex", ...extra, join(fixtures, "app-resolver.log")], memoryIo())).rejects.toMatchObject({
        name: "UsageError",
        exitCode: 2,
      });
    }
  });

  it("cuckoo: a report without a final newline (as json.dump writes it) and a 0.5 MB report on one line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dnsrep-parse-cuckoo-"));
    try {
      const noNewline = join(dir, "report.json");
      writeFileSync(noNewline, readFileSync(join(fixtures, "cuckoo-report.json"), "utf8").trimEnd());
      const a = await parse(["--format", "cuckoo", noNewline]);
      expect(a.rows).toHaveLength(5);
      expect(a.err).not.toMatch(/cut|truncated/);
      const big = join(dir, "big.json");
      const dns = Array.from({ length: 5000 }, (_, i) => ({
        request: `h${i}.example.com`,
        type: "A",
        answers: [{ type: "A", data: `10.0.${i >> 8}.${i & 255}` }],
      }));
      writeFileSync(big, JSON.stringify({ network: { dns } }));
      const b = await parse(["--format", "cuckoo", big]);
      expect(b.rows).toHaveLength(5000);
      expect(b.err).toMatch(/1 lines, 5000 observations, 0 rejected/);
      // a report cut short is counted, not half-read
      writeFileSync(big, JSON.stringify({ network: { dns } }).slice(0, 100_000));
      const c = await parse(["--format", "cuckoo", big]);
      expect(c.rows).toHaveLength(0);
      expect(c.err).toMatch(/rejected 1: truncated or invalid json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
