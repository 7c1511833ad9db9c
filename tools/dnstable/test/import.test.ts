/** dnstable-import against dnstable_convert's vectors: byte-identical files for -c none. */
import { execFileSync, spawnSync } from "node:child_process";
import {
  appendFileSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { Reader } from "@dnsrep/mtbl";
import { NmsgWriter, payloadFromJson } from "@dnsrep/nmsg";
import { afterAll, describe, expect, it } from "vitest";
import { LEVEL_CASES, levelError } from "../../../test/compression-levels.js";
import { readVector, readVectorText, vectorPath } from "../../../test/vectors.js";
import { run } from "../src/dnstable-import.js";

const dir = mkdtempSync(join(tmpdir(), "dnstable-import-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function convert(args: string[], input: string): Promise<[string, string, number, string]> {
  const a = join(dir, `dns.${n}.mtbl`);
  const b = join(dir, `dnssec.${n++}.mtbl`);
  const io = memoryIo();
  const rc = await runCommand("dnstable-import", run, [...args, vectorPath(input), a, b], io);
  return [a, b, rc, io.err()];
}
const same = (ours: string, vector: string): void => {
  expect(Buffer.compare(readFileSync(ours), Buffer.from(readVector(vector)))).toBe(0);
};
function dump(path: string): string[] {
  const r = Reader.open(path);
  const out: string[] = [];
  const it = r.iter();
  while (it.next()) out.push(`${Buffer.from(it.key).toString("hex")} ${Buffer.from(it.value).toString("hex")}`);
  r.close();
  return out;
}

describe("dnstable-import (dnstable_convert vectors)", () => {
  it("-c none: DNS and DNSSEC files byte-identical", async () => {
    const [a, b, rc, err] = await convert(["-c", "none"], "dedupe/dedupe.nmsg");
    expect(rc).toBe(0);
    expect(err).toMatch(/345 payloads/);
    same(a, "dnstable/dns.none.mtbl");
    same(b, "dnstable/dns.dnssec.none.mtbl");
  });
  it("-r -S -s golden-public: the rname-srcinfo pair", async () => {
    const [a, b, rc] = await convert(["-q", "-c", "none", "-r", "-S", "-s", "golden-public"], "dedupe/dedupe.nmsg");
    expect(rc).toBe(0);
    same(a, "dnstable/dns.rname-srcinfo.none.mtbl");
    same(b, "dnstable/dns.dnssec.rname-srcinfo.none.mtbl");
  });
  it("-b 1024,1024 and the -p halves", async () => {
    const [a, b] = await convert(["-q", "-c", "none", "-b", "1024,1024"], "dedupe/dedupe.nmsg");
    same(a, "dnstable/dns.none.b1024.mtbl");
    same(b, "dnstable/dns.dnssec.none.b1024.mtbl");
    for (const part of ["part1", "part2"]) {
      const [x, y] = await convert(["-q", "-c", "none", "-p"], `dedupe/dedupe.${part}.nmsg`);
      same(x, `dnstable/dns.${part}.none.mtbl`);
      same(y, `dnstable/dns.dnssec.${part}.none.mtbl`);
    }
  });
  it("other codecs hold the same entries; the sorter spills under a small memory bound", async () => {
    for (const [c, v] of [
      ["zlib", "dnstable/dns.mtbl"],
      ["zstd", "dnstable/dns.zstd.mtbl"],
      ["lz4", "dnstable/dns.lz4.mtbl"],
    ] as const) {
      const [a] = await convert(["-q", "-c", c, "-m", "16"], "dedupe/dedupe.nmsg");
      expect(dump(a)).toEqual(dump(vectorPath(v)));
    }
  });
  it("reads stdin ('-')", async () => {
    const a = join(dir, "stdin.dns.mtbl");
    const b = join(dir, "stdin.dnssec.mtbl");
    const io = memoryIo(readVector("dedupe/dedupe.part1.nmsg"));
    expect(await runCommand("dnstable-import", run, ["-q", "-c", "none", "-p", "-", a, b], io)).toBe(0);
    same(a, "dnstable/dns.part1.none.mtbl");
    same(b, "dnstable/dns.dnssec.part1.none.mtbl");
  });
  it("reads a stdin redirected from a regular file (read like a named file, in the real process)", () => {
    const a = join(dir, "stdin-file.dns.mtbl");
    const b = join(dir, "stdin-file.dnssec.mtbl");
    const bin = fileURLToPath(new URL("../bin/dnstable-import.js", import.meta.url));
    const fd = openSync(vectorPath("dedupe/dedupe.part1.nmsg"), "r");
    try {
      const r = spawnSync(process.execPath, [bin, "-q", "-c", "none", "-p", "-", a, b], { stdio: [fd, "ignore", "pipe"], timeout: 60_000 });
      expect(r.stderr.toString()).toBe("");
      expect(r.status).toBe(0);
    } finally {
      closeSync(fd);
    }
    same(a, "dnstable/dns.part1.none.mtbl");
    same(b, "dnstable/dns.dnssec.part1.none.mtbl");
  });
  it("bad input: corrupt nmsg exits 1, bad flags exit 2", async () => {
    const bad = join(dir, "bad.nmsg");
    writeFileSync(bad, Buffer.from(readVector("dedupe/dedupe.nmsg")).subarray(0, 300));
    let io = memoryIo();
    expect(await runCommand("dnstable-import", run, [bad, join(dir, "x"), join(dir, "y")], io)).toBe(1);
    expect(io.err()).toMatch(/^dnstable-import: .*truncated/);
    expect(existsSync(join(dir, "x"))).toBe(false);
    io = memoryIo();
    expect(await runCommand("dnstable-import", run, ["-c", "brotli", bad, join(dir, "x"), join(dir, "y")], io)).toBe(2);
    io = memoryIo();
    expect(await runCommand("dnstable-import", run, ["-b", "10", bad, join(dir, "x"), join(dir, "y")], io)).toBe(2);
    // (the usage errors only: the input here is bad, so a valid level goes on to fail on it)
    for (const [c, l] of LEVEL_CASES.filter(([, , rc]) => rc === 2)) {
      io = memoryIo();
      expect(await runCommand("dnstable-import", run, ["-c", c, "-l", l, bad, join(dir, "x"), join(dir, "y")], io)).toBe(2);
      expect(io.err()).toMatch(levelError("dnstable-import", c));
    }
  });
  it("an output with no RRsets: an old regular file is removed; a FIFO or a symlink is never unlinked", async () => {
    // the first three dedupe records hold no DNSSEC RRsets
    const input = join(dir, "first3.nmsg");
    const w = new NmsgWriter((c) => void appendFileSync(input, c), {});
    for (const line of readVectorText("dedupe/dedupe.first3.via-stdin.json").split("\n").filter(Boolean))
      await w.write(payloadFromJson(line));
    await w.close();
    const dns = join(dir, "first3.dns.mtbl");
    const regular = join(dir, "first3.dnssec.mtbl");
    writeFileSync(regular, "old");
    expect(await runCommand("dnstable-import", run, ["-q", input, dns, regular], memoryIo())).toBe(0);
    expect(existsSync(regular)).toBe(false);
    const target = join(dir, "first3.target");
    writeFileSync(target, "old");
    const link = join(dir, "first3.link");
    symlinkSync(target, link);
    const fifo = join(dir, "first3.fifo");
    execFileSync("mkfifo", [fifo]);
    for (const out of [link, fifo]) {
      expect(await runCommand("dnstable-import", run, ["-q", input, dns, out], memoryIo())).toBe(0);
      expect(lstatSync(out).isSymbolicLink() || lstatSync(out).isFIFO()).toBe(true);
    }
    expect(readFileSync(target, "utf8")).toBe("old");
  });
  it("a signal while the files are written does not stop it: both files are written whole and committed (exit 0)", async () => {
    const out = mkdtempSync(join(dir, "signal-"));
    const [a, b] = [join(out, "dns.mtbl"), join(out, "dnssec.mtbl")];
    writeFileSync(a, "old");
    writeFileSync(b, "old");
    const io = memoryIo();
    // the signal "arrives" once the first output's temporary file exists: after the input, mid-write
    let seen = false;
    io.signal = {
      get aborted() {
        seen ||= readdirSync(out).some((f) => f !== "dns.mtbl" && f !== "dnssec.mtbl");
        return seen;
      },
      addEventListener() {},
      removeEventListener() {},
    } as unknown as AbortSignal;
    expect(await runCommand("dnstable-import", run, ["-q", "-T", dir, vectorPath("dedupe/dedupe.nmsg"), a, b], io)).toBe(0);
    expect(io.err()).toBe("");
    const whole = mkdtempSync(join(dir, "whole-"));
    const [wa, wb] = [join(whole, "dns.mtbl"), join(whole, "dnssec.mtbl")];
    expect(await runCommand("dnstable-import", run, ["-q", vectorPath("dedupe/dedupe.nmsg"), wa, wb], memoryIo())).toBe(0);
    expect(readFileSync(a).equals(readFileSync(wa))).toBe(true);
    expect(readFileSync(b).equals(readFileSync(wb))).toBe(true);
    expect(readdirSync(out).sort()).toEqual(["dns.mtbl", "dnssec.mtbl"]);
  });
  it.runIf(existsSync("/dev/full") || process.env.CI)("an output on a full device: one line naming it once, exit 1", async () => {
    const io = memoryIo();
    const other = join(dir, "full-other.mtbl");
    expect(await runCommand("dnstable-import", run, ["-q", vectorPath("dedupe/dedupe.nmsg"), "/dev/full", other], io)).toBe(1);
    expect(io.err()).toBe("dnstable-import: /dev/full: ENOSPC: no space left on device, write\n");
    expect(existsSync(other)).toBe(false);
  });
  it("refuses outputs that are the same file, the input, or stdout (exit 2, nothing touched)", async () => {
    const input = join(dir, "keep.nmsg");
    const original = Buffer.from(readVector("dedupe/dedupe.nmsg"));
    writeFileSync(input, original);
    for (const [a, b, msg] of [
      [join(dir, "same.mtbl"), join(dir, "same.mtbl"), /same file/],
      [input, join(dir, "other.mtbl"), /overwrite the input/],
      [join(dir, "other.mtbl"), input, /overwrite the input/],
      ["-", join(dir, "other.mtbl"), /cannot be stdout/],
    ] as const) {
      const io = memoryIo();
      expect(await runCommand("dnstable-import", run, ["-q", input, a, b], io)).toBe(2);
      expect(io.err()).toMatch(msg);
    }
    expect(readFileSync(input).equals(original)).toBe(true);
    expect(existsSync(join(dir, "same.mtbl"))).toBe(false);
  });
});
