import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { memoryIo } from "@dnsrep/cli";
import { equalBytes } from "@dnsrep/util";
import { vectorPath } from "../../../test/vectors.js";
import { run } from "../src/dnstable-merge.js";

describe("dnstable-merge", () => {
  it("dnstable-merge -c none part1 part2 OUT reproduces dns.merged.none.mtbl", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dnstable-merge-"));
    try {
      const out = join(dir, "m.mtbl");
      const io = memoryIo();
      const rc = await run(["-c", "none", vectorPath("dnstable/dns.part1.none.mtbl"), vectorPath("dnstable/dns.part2.none.mtbl"), out], io);
      expect(rc).toBe(0);
      expect(equalBytes(readFileSync(out), readFileSync(vectorPath("dnstable/dns.merged.none.mtbl")))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("a missing input exits non-zero with one line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dnstable-merge-"));
    try {
      const io = memoryIo();
      let rc: number;
      try {
        rc = await run(["-c", "none", join(dir, "nope.mtbl"), join(dir, "o.mtbl")], io);
      } catch (e) {
        rc = (e as { name?: string }).name === "CliError" ? 1 : 99;
      }
      expect(rc).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
