/**
 * How the tools start (issue 30): every bin script runs its bundle (tools/X/dist/bundle, made by
 * scripts/bundle-tools.mjs in scripts/setup.sh) through @dnsrep/cli's launch, or its modules with
 * DNSREP_UNBUNDLED=1, and both say the same: `--help` of every tool, and dnstable-lookup's answers
 * on a fixture (one query, and a batch on stdin). The launch's choice itself is tested on a
 * made-up tool in a temporary folder: the bundle when it is fresh, the modules when a file it was
 * built from changed, when it is missing, or when DNSREP_UNBUNDLED=1. Needs `tsc -b` and the bundles.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "./run-tool.js";
import { vectorPath } from "./vectors.js";

interface Bin {
  name: string;
  script: string;
}

const bins: Bin[] = readdirSync(join(repoRoot, "tools")).flatMap((d) => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, "tools", d, "package.json"), "utf8")) as { bin?: Record<string, string> };
  return Object.entries(pkg.bin ?? {}).map(([name, rel]) => ({ name, script: join(repoRoot, "tools", d, rel) }));
});

/** Run a bin script with node, bundled or not; stdin from `input`. */
function runBin(script: string, args: string[], opts: { unbundled?: boolean; input?: string; env?: Record<string, string> } = {}) {
  const env: Record<string, string | undefined> = { ...process.env, TZ: "UTC", LC_ALL: "C", ...opts.env };
  if (opts.unbundled) env.DNSREP_UNBUNDLED = "1";
  else delete env.DNSREP_UNBUNDLED;
  const r = spawnSync(process.execPath, [script, ...args], { env, input: opts.input ?? "", encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the tools' bundles", () => {
  // after an edit and a `tsc -b` the bundles are stale until scripts/bundle-tools.mjs runs again
  // (the tools then run their modules): outside CI that is only said; CI builds them in setup.sh
  it("every tool has one, built from files that are all still as they were (scripts/bundle-tools.mjs ran after tsc -b)", (ctx) => {
    expect(bins.length).toBeGreaterThanOrEqual(15);
    const stale: string[] = [];
    for (const b of bins) {
      const dir = join(b.script, "..", "..", "dist", "bundle");
      if (!process.env.CI && !existsSync(join(dir, `${b.name}.json`))) {
        stale.push(`${b.name} (none)`);
        continue;
      }
      expect(existsSync(join(dir, `${b.name}.cjs`)), `${b.name}: dist/bundle/${b.name}.cjs`).toBe(true);
      const { inputs } = JSON.parse(readFileSync(join(dir, `${b.name}.json`), "utf8")) as { inputs: [string, number][] };
      expect(inputs.length, b.name).toBeGreaterThan(1);
      const changed = inputs.filter(([rel, mtime]) => statSync(join(dir, rel), { throwIfNoEntry: false })?.mtimeMs !== mtime);
      if (changed.length > 0) stale.push(`${b.name} (${changed.map(([rel]) => rel).join(", ")} changed)`);
    }
    if (stale.length > 0 && !process.env.CI) {
      console.warn(`startup test: stale bundles, the tools run their modules (node scripts/bundle-tools.mjs): ${stale.join("; ")}`);
      ctx.skip();
    }
    expect(stale, "bundles older than what they were built from").toEqual([]);
  });

  it("--help: exit 0, the usage on stdout, nothing on stderr, the same from the bundle and from the modules, for every tool", () => {
    for (const b of bins) {
      const bundled = runBin(b.script, ["--help"]);
      expect({ tool: b.name, status: bundled.status, stderr: bundled.stderr }).toEqual({ tool: b.name, status: 0, stderr: "" });
      expect(bundled.stdout, b.name).toMatch(/^Usage: /);
      expect(runBin(b.script, ["--help"], { unbundled: true }), b.name).toEqual(bundled);
    }
  });

  const lookup = (bins.find((b) => b.name === "dnstable-lookup") as Bin).script;
  const env = { DNSTABLE_FNAME: vectorPath("dnstable/dns.mtbl") };
  const QUERIES = [
    ["rrset", "*.test"],
    ["-j", "rdata", "ip", "192.0.2.0/24"],
    ["-J", "rdata", "name", "*.example.test", "A"],
    ["rrset", "bad..name"],
    ["time_range"],
  ];

  it("dnstable-lookup on a fixture: the same stdout, stderr and status from the bundle and from the modules", () => {
    for (const q of QUERIES) {
      const bundled = runBin(lookup, q, { env });
      expect(runBin(lookup, q, { env, unbundled: true }), q.join(" ")).toEqual(bundled);
    }
    expect(runBin(lookup, ["rrset", "*.test"], { env }).stdout).toMatch(/^;; {2}bailiwick: /);
  });

  it("dnstable-lookup -f: each line's answer is the single query's stdout then `--`; bundle and modules agree", () => {
    const lines = ["rrset *.test", "", "# a comment", "rdata ip 192.0.2.0/24", "rrset bad..name", "time_range"];
    const batch = runBin(lookup, ["-f"], { env, input: `${lines.join("\n")}\n` });
    const single = ["rrset *.test", "rdata ip 192.0.2.0/24", "rrset bad..name", "time_range"].map((l) =>
      runBin(lookup, l.split(" "), { env }),
    );
    expect(batch.stdout).toBe(single.map((s) => `${s.stdout}--\n`).join(""));
    expect(batch.stderr).toBe(
      [
        ";;; Dumped 120 entries.\n",
        single[1]?.stderr,
        `dnstable-lookup: line 5: ${single[2]?.stderr.replace(/^dnstable-lookup: /, "")}`,
        single[3]?.stderr,
      ].join(""),
    );
    expect(single[2]?.status).toBe(2);
    expect(batch.status).toBe(1);
    expect(runBin(lookup, ["-f"], { env, input: `${lines.join("\n")}\n`, unbundled: true })).toEqual(batch);
  });

  // what a --help loads: none of the built-ins the bundles load on first use (scripts/bundle-tools.mjs's
  // shims), no native addon (util's crc32c, mtbl's libdeflate: loaded on first use)
  it("--help of the nmsg and mtbl tools loads no node:crypto, zlib, dgram, child_process … nor an addon", () => {
    const dir = mkdtempSync(join(tmpdir(), "dnsrep-startup-"));
    try {
      const probe = join(dir, "probe.cjs");
      writeFileSync(
        probe,
        [
          "const dl = process.dlopen;",
          'process.dlopen = function (m, f, ...r) { require("node:fs").writeSync(2, "addon " + f + "\\n"); return dl.call(this, m, f, ...r); };',
          'process.on("exit", () => require("node:fs").writeSync(2, process.moduleLoadList.filter((m) => m.startsWith("NativeModule ")).join("\\n") + "\\n"));',
        ].join("\n"),
      );
      for (const name of [
        "nmsg-tool",
        "nmsg-sensor",
        "nmsg-dns-filter",
        "nmsg-dns-cache",
        "dnstable-import",
        "mtbl-info",
        "dnstable-dump",
      ]) {
        const script = (bins.find((b) => b.name === name) as Bin).script;
        const r = spawnSync(process.execPath, ["--require", probe, script, "--help"], {
          env: { ...process.env, DNSREP_UNBUNDLED: "" },
          encoding: "utf8",
          timeout: 60_000,
        });
        expect(r.status, name).toBe(0);
        const loaded = r.stderr.split("\n");
        expect(loaded, name).toContain("NativeModule fs");
        // (node:net may load: stdout and stderr are pipes here)
        for (const m of ["crypto", "zlib", "dgram", "child_process", "worker_threads", "fs/promises", "readline"])
          expect(loaded, `${name} loads node:${m}`).not.toContain(`NativeModule ${m}`);
        expect(
          loaded.filter((l) => l.startsWith("addon ")),
          name,
        ).toEqual([]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // in the bundles node:zlib, node:crypto, net … and protobufjs load on first use (scripts/bundle-tools.mjs's
  // shims) and @dnsrep/nmsg parses its schemas on the first message: real work, not only --help
  it("nmsg-tool, mtbl-dump, mtbl-info and dnstable-dump on vectors: the same output from the bundle and from the modules", () => {
    const tool = (name: string) => (bins.find((b) => b.name === name) as Bin).script;
    const out = mkdtempSync(join(tmpdir(), "dnsrep-startup-"));
    try {
      const runs: [string, string[]][] = [
        ["nmsg-tool", ["-r", vectorPath("nmsg/dnsqr.zlib.nmsg")]],
        ["nmsg-tool", ["-r", vectorPath("nmsg/dnsqr.nmsg"), "-J", "-"]],
        ["nmsg-tool", ["-r", vectorPath("nmsg/dnsqr.nmsg"), "-c", "3", "-w", "-"]],
        ["mtbl-dump", [vectorPath("mtbl/merge.AB.mtbl")]],
        ["mtbl-info", [vectorPath("mtbl/merge.AB.mtbl")]],
        ["dnstable-dump", ["-j", "-r", vectorPath("dnstable/dns.mtbl")]],
      ];
      for (const [name, args] of runs) {
        const bundled = runBin(tool(name), args);
        expect(bundled.status, `${name} ${args.join(" ")}: ${bundled.stderr}`).toBe(0);
        expect(bundled.stdout.length, name).toBeGreaterThan(0);
        expect(runBin(tool(name), args, { unbundled: true }), `${name} ${args.join(" ")}`).toEqual(bundled);
      }
      // JSON in, zlib-compressed NMSG out (protobufjs's encoder, pako's deflate, the CRCs)
      const files = ["bundle", "modules"].map((how) => {
        const file = join(out, `${how}.nmsg`);
        const r = runBin(tool("nmsg-tool"), ["-j", vectorPath("nmsg/dnsqr.json"), "-z", "-w", file], { unbundled: how === "modules" });
        expect(r.status, r.stderr).toBe(0);
        return readFileSync(file);
      });
      expect(files[0]?.length).toBeGreaterThan(100);
      expect(Buffer.compare(files[0] as Buffer, files[1] as Buffer)).toBe(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe("@dnsrep/cli's launch, on a made-up tool", () => {
  const dir = mkdtempSync(join(tmpdir(), "dnsrep-launch-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bin = join(dir, "bin", "fake.js");
  mkdirSync(join(dir, "bin"));
  mkdirSync(join(dir, "dist", "bundle"), { recursive: true });
  writeFileSync(join(dir, "bin", "package.json"), '{ "type": "commonjs" }\n');
  writeFileSync(bin, `require(${JSON.stringify(join(repoRoot, "packages", "cli", "dist", "launch.cjs"))}).launch(__dirname, "fake");\n`);
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  const say = (what: string) => `async (argv, io) => { io.stdout.write("${what} " + argv.join(" ") + "\\n"); return 3; }`;
  writeFileSync(join(dir, "dist", "fake.js"), `export const run = ${say("modules")};\n`);
  const input = join(dir, "dist", "input.js");
  writeFileSync(input, "// a file the bundle was built from\n");
  writeFileSync(
    join(dir, "dist", "bundle", "fake.cjs"),
    `exports.main = (prog, run) => run(process.argv.slice(2), { stdout: process.stdout }).then((c) => { process.exitCode = c; });\nexports.run = ${say("bundle")};\n`,
  );
  const manifest = (mtime: number) =>
    writeFileSync(join(dir, "dist", "bundle", "fake.json"), JSON.stringify({ inputs: [["../input.js", mtime]] }));
  manifest(statSync(input).mtimeMs);

  it("runs the bundle when it is fresh, with the arguments and exit status", () => {
    expect(runBin(bin, ["a", "b"])).toEqual({ status: 3, stdout: "bundle a b\n", stderr: "" });
  });
  it("runs the modules with DNSREP_UNBUNDLED=1", () => {
    expect(runBin(bin, ["a"], { unbundled: true })).toEqual({ status: 3, stdout: "modules a\n", stderr: "" });
  });
  it("runs the modules when a file the bundle was built from changed, or when the bundle has no manifest", () => {
    const t = new Date(Date.now() + 5000);
    utimesSync(input, t, t);
    expect(runBin(bin, ["c"]).stdout).toBe("modules c\n");
    manifest(statSync(input).mtimeMs);
    expect(runBin(bin, ["d"]).stdout).toBe("bundle d\n");
    rmSync(join(dir, "dist", "bundle", "fake.json"));
    expect(runBin(bin, ["e"]).stdout).toBe("modules e\n");
  });
});
