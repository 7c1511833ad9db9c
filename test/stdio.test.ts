/**
 * The tools' stdio as a shell gives it: output lost to a full device is an error (exit 1, one
 * line naming stdout), a reader that went away (`| head`) is a normal end on stdout and on
 * stderr. Spawns the built binaries (`tsc -b` first, as the README's test command does).
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { payloadsOf, writePrefix } from "./nmsg-payloads.js";
import { repoRoot } from "./run-tool.js";

const bin = (name: string): string => join(repoRoot, "node_modules", ".bin", name);
const vec = (p: string): string => join(repoRoot, "test", "vectors", p);

const cases: [string, string[]][] = [
  ["mtbl-dump", [vec("mtbl/merge.AB.mtbl")]],
  ["mtbl-info", [vec("mtbl/merge.AB.mtbl")]],
  ["dnstable-dump", ["-r", vec("dnstable/dns.dnssec.lz4.mtbl")]],
  ["nmsg-tool", ["-r", vec("nmsg/dnsqr.nmsg")]],
  ["nmsg-tool", ["-r", vec("nmsg/dnsqr.nmsg"), "-J", "-"]],
  ["nmsg-tool", ["-r", vec("nmsg/dnsqr.nmsg"), "-w", "-"]],
  ["nmsg-sensor", ["-p", vec("pcap/dns.pcap"), "-J", "-"]],
];

// on CI /dev/full is required (a Linux machine has it): its absence fails the tests instead of skipping them
describe.skipIf(!existsSync("/dev/full") && !process.env.CI)("a full stdout", () => {
  let full = -1;
  beforeAll(() => {
    full = openSync("/dev/full", "w");
  });
  afterAll(() => closeSync(full));
  it.each(cases)("%s %s exits 1 naming stdout", (name, args) => {
    const r = spawnSync(bin(name), args, { stdio: ["ignore", full, "pipe"], env: { ...process.env, TZ: "UTC" } });
    expect(r.stderr.toString()).toBe(`${name}: stdout: ENOSPC: no space left on device, write\n`);
    expect(r.status).toBe(1);
  });
  it.each([
    ["rrset", "*.test"],
    ["version", "rrset"],
  ])("dnstable-lookup %s %s: the write error, and no ';;; Dumped' line after output it failed to write", (...query) => {
    const r = spawnSync(bin("dnstable-lookup"), query, {
      stdio: ["ignore", full, "pipe"],
      env: { ...process.env, TZ: "UTC", DNSTABLE_FNAME: vec("dnstable/dns.dnssec.lz4.mtbl") },
    });
    expect(r.stderr.toString()).toBe("dnstable-lookup: stdout: ENOSPC: no space left on device, write\n");
    expect(r.status).toBe(1);
  });
  it("a full output file is named, and no temp file is left", () => {
    const r = spawnSync(bin("nmsg-tool"), ["-r", vec("nmsg/dnsqr.nmsg"), "-J", "/dev/full"], { encoding: "utf8" });
    expect(r.stderr).toBe("nmsg-tool: /dev/full: ENOSPC: no space left on device, write\n");
    expect(r.status).toBe(1);
  });
});

describe("a reader that goes away", () => {
  // dnstable-lookup writes its ";;; Dumped" line to stderr after the output: with 2>&1 it meets the closed pipe too
  it.each([
    ["stdout", ""],
    ["stdout and stderr", " 2>&1"],
  ])("is a normal end (%s)", (_what, redirect) => {
    const cmd = `DNSTABLE_FNAME="${vec("dnstable/dns.dnssec.lz4.mtbl")}" "${bin("dnstable-lookup")}" rrset '*.test'${redirect} | head -c 100 > /dev/null; echo "rc=\${PIPESTATUS[0]}"`;
    const r = spawnSync("bash", ["-c", cmd], { encoding: "utf8" });
    expect(r.stdout.trim()).toBe("rc=0");
  });
});

describe("a signal", () => {
  it("stops dnstable-import waiting on its stdin: exit 0, both files written from what it read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stdio-signal-"));
    try {
      const [a, b] = [join(dir, "dns.mtbl"), join(dir, "dnssec.mtbl")];
      writeFileSync(a, "old");
      writeFileSync(b, "old");
      const child = spawn(process.execPath, [join(repoRoot, "tools/dnstable/bin/dnstable-import.js"), "-", a, b], {
        stdio: ["pipe", "ignore", "pipe"],
      });
      let err = "";
      child.stderr.on("data", (d: Buffer) => {
        err += d.toString();
      });
      // more than a pipe holds, so 'drain' says the tool is reading (its signal handlers set); then no more input, and no end of it
      const dedupe = readFileSync(vec("dedupe/dedupe.nmsg"));
      let copies = 0;
      while (child.stdin.write(dedupe)) if (++copies > 64) throw new Error("stdin took 3 MB without pushing back");
      await new Promise((r) => child.stdin.once("drain", r));
      await new Promise((r) => setTimeout(r, 1000));
      child.kill("SIGTERM");
      const code = await new Promise<number | null>((r) => child.on("close", r));
      expect(code, err).toBe(0);
      const m = err.match(/^dnstable-import: (\d+) payloads \(0 skipped\) → \d+ DNS entries, \d+ DNSSEC entries in [\d.]+ s\n$/);
      expect(m, err).not.toBeNull();
      // what an import of the same payloads from a file writes
      await writePrefix(join(dir, "read.nmsg"), await payloadsOf(dedupe), Number(m?.[1]));
      const r = spawnSync(bin("dnstable-import"), ["-q", join(dir, "read.nmsg"), join(dir, "a"), join(dir, "b")]);
      expect(r.status).toBe(0);
      expect(readFileSync(a).equals(readFileSync(join(dir, "a")))).toBe(true);
      expect(readFileSync(b).equals(readFileSync(join(dir, "b")))).toBe(true);
      expect(readdirSync(dir).sort()).toEqual(["a", "b", "dns.mtbl", "dnssec.mtbl", "read.nmsg"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
