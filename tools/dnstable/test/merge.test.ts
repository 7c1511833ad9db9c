import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { equalBytes } from "@dnsrep/util";
import { describe, expect, it } from "vitest";
import { valuesCutToOneByte, writeDamaged } from "../../../packages/dnstable/test/corrupt.js";
import { LEVEL_CASES, levelError } from "../../../test/compression-levels.js";
import { signalMergeInputs } from "../../../test/signal-merge.js";
import { vectorPath } from "../../../test/vectors.js";
import { run } from "../src/dnstable-merge.js";

/** Run `fn` in a new temporary directory, removed afterwards whatever happens. */
async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "dnstable-merge-"));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("dnstable-merge", () => {
  it("dnstable-merge -c none part1 part2 OUT reproduces dns.merged.none.mtbl", () =>
    inTempDir(async (dir) => {
      const out = join(dir, "m.mtbl");
      const io = memoryIo();
      const rc = await run(["-c", "none", vectorPath("dnstable/dns.part1.none.mtbl"), vectorPath("dnstable/dns.part2.none.mtbl"), out], io);
      expect(rc).toBe(0);
      expect(equalBytes(readFileSync(out), readFileSync(vectorPath("dnstable/dns.merged.none.mtbl")))).toBe(true);
    }));
  it("a missing input exits non-zero with one line", () =>
    inTempDir(async (dir) => {
      const io = memoryIo();
      let rc: number;
      try {
        rc = await run(["-c", "none", join(dir, "nope.mtbl"), join(dir, "o.mtbl")], io);
      } catch (e) {
        rc = (e as { name?: string }).name === "CliError" ? 1 : 99;
      }
      expect(rc).toBe(1);
    }));
  it("a value the merge cannot fold fails the run, naming the file and the key; no output is left", () =>
    inTempDir(async (dir) => {
      const bad = join(dir, "val1.mtbl");
      writeDamaged(bad, valuesCutToOneByte);
      const out = join(dir, "out.mtbl");
      const io = memoryIo();
      const rc = await runCommand("dnstable-merge", run, ["-c", "none", vectorPath("dnstable/dns.none.mtbl"), bad, out], io);
      expect(rc).toBe(1);
      expect(io.err()).toMatch(
        new RegExp(
          `^dnstable-merge: ${bad}: cannot merge key [0-9a-f]+: RRSET value \\(1 byte\\) is not a time_first, time_last, count triplet\n$`,
        ),
      );
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir)).toEqual(["val1.mtbl"]);
    }));
  it("names a missing or directory input once", () =>
    inTempDir(async (dir) => {
      for (const [input, line] of [
        [
          join(dir, "nope.mtbl"),
          new RegExp(`^dnstable-merge: ${join(dir, "nope.mtbl")}: ENOENT: no such file or directory, open '[^']+'\n$`),
        ],
        [dir, new RegExp(`^dnstable-merge: ${dir}: a directory, not an mtbl file\n$`)],
      ] as const) {
        const io = memoryIo();
        expect(await runCommand("dnstable-merge", run, [input, join(dir, "o.mtbl")], io)).toBe(1);
        expect(io.err()).toMatch(line);
      }
    }));
  it("a signal stops the merge: exit 1, the old output kept, no temporary file", () =>
    inTempDir(async (dir) => {
      const out = join(dir, "o.mtbl");
      writeFileSync(out, "old");
      const io = memoryIo();
      io.signal = AbortSignal.abort();
      expect(await runCommand("dnstable-merge", run, ["-q", ...signalMergeInputs(dir), out], io)).toBe(1);
      expect(io.err()).toBe("dnstable-merge: interrupted by a signal: output not written\n");
      expect(readFileSync(out, "utf8")).toBe("old");
      expect(readdirSync(dir).sort()).toEqual(["o.mtbl", "signal-0.mtbl", "signal-1.mtbl"]);
    }));
  it("a level outside the codec's range is a usage error (zlib -1..9, zstd 1..22); codecs without levels ignore it", () =>
    inTempDir(async (dir) => {
      const input = vectorPath("dnstable/dns.part1.none.mtbl");
      const out = join(dir, "o.mtbl");
      for (const [c, l, rc] of LEVEL_CASES) {
        const io = memoryIo();
        expect(await runCommand("dnstable-merge", run, ["-q", "-c", c, "-l", l, input, out], io), `-c ${c} -l ${l}`).toBe(rc);
        if (rc === 2) expect(io.err()).toMatch(levelError("dnstable-merge", c));
      }
    }));
});
