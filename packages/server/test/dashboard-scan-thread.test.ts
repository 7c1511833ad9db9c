import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { scanFiles } from "../src/dashboard/file-aggregates.js";
import { encodeAggregates } from "../src/dashboard/persist.js";
import { scanFilesInThread } from "../src/dashboard/scan-thread.js";
import { DNS, DNSSEC } from "./helpers.js";

/** The DATA files' dashboard count on a worker thread gives what the same count gives in-process. */
describe("dashboard files scan on a worker thread", () => {
  const dir = mkdtempSync(join(tmpdir(), "scan-thread-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("counts as scanFiles does, bounds included", async () => {
    for (const maxEntries of [5_000_000, 7]) {
      const here = await scanFiles([DNS, DNSSEC], { maxEntries });
      const there = await scanFilesInThread({ files: [DNS, DNSSEC], maxEntries }).promise;
      expect(there.rrsets).toBe(here.rrsets);
      expect(there.partial).toBe(here.partial);
      expect(there.rrsets).toBeGreaterThan(0);
      expect(Buffer.from(encodeAggregates(there.aggs)).equals(Buffer.from(encodeAggregates(here.aggs)))).toBe(true);
    }
  });

  it("fails with the reader's message on a damaged file, and a stopped scan rejects", async () => {
    const bad = join(dir, "bad.mtbl");
    const b = readFileSync(DNS);
    writeFileSync(bad, b.subarray(0, b.length - 100));
    await expect(scanFilesInThread({ files: [bad], maxEntries: 1000 }).promise).rejects.toThrow(/mtbl|trailer|truncat|corrupt/i);
    const s = scanFilesInThread({ files: [DNS], maxEntries: 1000 });
    s.stop();
    await expect(s.promise).rejects.toThrow();
  });
});
