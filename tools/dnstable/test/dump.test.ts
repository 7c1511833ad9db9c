import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { afterAll, describe, expect, it } from "vitest";
import { keysCutInHalf, valuesCutToOneByte, writeDamaged } from "../../../packages/dnstable/test/corrupt.js";
import { readVectorText, vectorPath } from "../../../test/vectors.js";
import { run } from "../src/dnstable-dump.js";

const cases: [string[], string, string][] = [
  [["-r"], "dns.none.mtbl", "dnstable_dump.dns.rrset_full.txt"],
  [["-j", "-r"], "dns.none.mtbl", "dnstable_dump.dns.rrset_full.json.txt"],
  [["-d"], "dns.none.mtbl", "dnstable_dump.dns.rdata_full.txt"],
  [["-j", "-d"], "dns.none.mtbl", "dnstable_dump.dns.rdata_full.json.txt"],
  [["-R", "-j", "-d"], "dns.none.mtbl", "dnstable_dump.dns.rdata_full.raw.json.txt"],
  [["-d"], "dns.dnssec.none.mtbl", "dnstable_dump.dnssec.rdata_full.txt"],
  [["-d"], "dns.rname-srcinfo.none.mtbl", "dnstable_dump.rname-srcinfo.rdata_full.txt"],
  [["--rrset_names"], "dns.none.mtbl", "dnstable_dump.dns.rrset_names.txt"],
  [["--rdata_names"], "dns.none.mtbl", "dnstable_dump.dns.rdata_names.txt"],
  [["-t"], "dns.none.mtbl", "dnstable_dump.dns.time_range.txt"],
  [["-j", "-t"], "dns.none.mtbl", "dnstable_dump.dns.time_range.json.txt"],
  [["-v"], "dns.none.mtbl", "dnstable_dump.dns.version_entries.txt"],
  [["-j", "-v"], "dns.none.mtbl", "dnstable_dump.dns.version_entries.json.txt"],
  [["-r"], "dns.dnssec.none.mtbl", "dnstable_dump.dnssec.rrset_full.txt"],
  [["-j", "-r"], "dns.dnssec.none.mtbl", "dnstable_dump.dnssec.rrset_full.json.txt"],
  [["--rrset_names"], "dns.dnssec.none.mtbl", "dnstable_dump.dnssec.rrset_names.txt"],
  [["--rdata_names"], "dns.dnssec.none.mtbl", "dnstable_dump.dnssec.rdata_names.txt"],
  [["-s"], "dns.rname-srcinfo.none.mtbl", "dnstable_dump.rname-srcinfo.source_info.txt"],
  [["-v"], "dns.rname-srcinfo.none.mtbl", "dnstable_dump.rname-srcinfo.version_entries.txt"],
  [["--rdata_names"], "dns.rname-srcinfo.none.mtbl", "dnstable_dump.rname-srcinfo.rdata_names.txt"],
];

describe("dnstable-dump matches dnstable_dump", () => {
  for (const [flags, file, expected] of cases) {
    it(`dnstable_dump ${flags.join(" ")} ${file}`, async () => {
      const io = memoryIo();
      const rc = await run([...flags, vectorPath(`dnstable/${file}`)], io);
      expect(rc).toBe(0);
      expect(io.out()).toBe(readVectorText(`dnstable/${expected}`));
      expect(io.err()).toBe("");
    });
  }
});

describe("dnstable-dump on damaged input", () => {
  const dir = mkdtempSync(join(tmpdir(), "dnstable-dump-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const dump = async (args: string[]): Promise<{ rc: number; out: string; err: string }> => {
    const io = memoryIo();
    const rc = await runCommand("dnstable-dump", run, args, io);
    return { rc, out: io.out(), err: io.err() };
  };

  it("skips entries that do not decode, as dnstable_dump does, but says so in one line naming the file, and exits 1", async () => {
    const val1 = join(dir, "val1.mtbl");
    writeDamaged(val1, valuesCutToOneByte);
    for (const [flag, line] of [
      [
        "-r",
        /^dnstable-dump: \S+: 136 corrupt entries skipped, the first \(key [0-9a-f]+\): RRSET value \(1 byte\) is not a time_first, time_last, count triplet\n$/,
      ],
      ["-d", /^dnstable-dump: \S+: 150 corrupt entries skipped, the first \(key [0-9a-f]+… \(\d+ bytes\)\): RDATA value \(1 byte\)/],
      ["-t", /^dnstable-dump: \S+: corrupt entry skipped \(key fe\): TIME_RANGE value \(1 byte\) is not a time_first, time_last pair\n$/],
    ] as const) {
      const r = await dump([flag, val1]);
      expect(r.rc, flag).toBe(1);
      expect(r.out, flag).toBe("");
      expect(r.err, flag).toMatch(line);
      expect(r.err.startsWith(`dnstable-dump: ${val1}: `)).toBe(true);
    }
  });

  it("keeps printing the entries that decode", async () => {
    // one RRSET entry's value damaged: the others print as dnstable_dump prints them
    let victim = "";
    const one = join(dir, "one.mtbl");
    writeDamaged(one, (k, v) => {
      if (k[0] !== 0 || victim !== "") return [k, v];
      victim = Buffer.from(k).toString("hex");
      return [k, v.subarray(0, 1)];
    });
    const r = await dump(["-r", one]);
    expect(r.rc).toBe(1);
    expect(r.err).toBe(
      `dnstable-dump: ${one}: corrupt entry skipped (key ${victim}): RRSET value (1 byte) is not a time_first, time_last, count triplet\n`,
    );
    const want = readVectorText("dnstable/dnstable_dump.dns.rrset_full.txt").split("\n\n").slice(1).join("\n\n");
    expect(r.out).toBe(want);
  });

  it("reports keys cut short (names without their root)", async () => {
    const half = join(dir, "keyhalf.mtbl");
    writeDamaged(half, keysCutInHalf);
    for (const flag of ["-r", "-d", "--rrset_names", "--rdata_names"]) {
      const r = await dump([flag, half]);
      expect(r.rc, flag).toBe(1);
      expect(r.err, flag).toMatch(
        new RegExp(`^dnstable-dump: ${half}: (\\d+ corrupt entries skipped, the first|corrupt entry skipped) \\(key [0-9a-f]+`),
      );
      expect(r.err.split("\n")).toHaveLength(2);
    }
  });

  it("-j with the name or source-info entries (which have no JSON form) is a usage error", async () => {
    for (const mode of ["--rrset_names", "--rdata_names", "-s"]) {
      const r = await dump(["-j", mode, vectorPath("dnstable/dns.none.mtbl")]);
      expect(r.rc).toBe(2);
      expect(r.err).toMatch(/^dnstable-dump: -j: .*no JSON form/);
      expect(r.out).toBe("");
    }
  });

  it("names a missing file or a directory once", async () => {
    const missing = join(dir, "nonexist");
    let r = await dump(["-r", missing]);
    expect(r.rc).toBe(1);
    expect(r.err).toBe(`dnstable-dump: ${missing}: ENOENT: no such file or directory, open '${missing}'\n`);
    r = await dump(["-r", dir]);
    expect(r.rc).toBe(1);
    expect(r.err).toBe(`dnstable-dump: ${dir}: a directory, not an mtbl file\n`);
  });
});
