/**
 * `--version` on every tool: one line `TOOL (dnsrep) VERSION`, VERSION read at run time from the
 * tool's own package.json, exit 0. Spawns the built bin scripts (`tsc -b` first), as an installed
 * package runs them. dnstable-dump's `-v` keeps dnstable_dump's meaning (VERSION entries).
 */
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./run-tool.js";
import { vectorPath } from "./vectors.js";

interface Bin {
  name: string;
  script: string;
  version: string;
}

// every tool package's bins; dnstable-server is still a placeholder of the server work
const bins: Bin[] = readdirSync(join(repoRoot, "tools")).flatMap((d) => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, "tools", d, "package.json"), "utf8")) as {
    version: string;
    bin?: Record<string, string>;
  };
  return Object.entries(pkg.bin ?? {})
    .filter(([name]) => name !== "dnstable-server")
    .map(([name, rel]) => ({ name, script: join(repoRoot, "tools", d, rel), version: pkg.version }));
});

function runBin(script: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [script, ...args]);
    let out = "";
    let err = "";
    c.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    c.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    c.on("close", (code) => resolve({ code, out, err }));
  });
}

describe("--version", () => {
  it("covers the tools", () => expect(bins.map((b) => b.name).sort()).toContain("nmsg-tool"));
  it("prints TOOL (dnsrep) VERSION from the tool's package.json, exit 0, for every tool", async () => {
    expect(bins.length).toBeGreaterThanOrEqual(12);
    const results = await Promise.all(bins.map((b) => runBin(b.script, ["--version"])));
    results.forEach((r, i) => {
      const b = bins[i] as Bin;
      expect({ tool: b.name, ...r }).toEqual({ tool: b.name, code: 0, out: `${b.name} (dnsrep) ${b.version}\n`, err: "" });
      expect(b.version).toMatch(/^\d+\.\d+\.\d+/);
    });
  });
  it("dnstable-dump -v still dumps VERSION entries (dnstable_dump's -v)", () => {
    const script = (bins.find((b) => b.name === "dnstable-dump") as Bin).script;
    const r = spawnSync(process.execPath, [script, "-v", vectorPath("dnstable/dns.dnssec.lz4.mtbl")], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^;; Version type rrset: \d+\n/);
  });
});
