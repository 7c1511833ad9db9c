import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Merger, Reader, Writer } from "@dnsrep/mtbl";
import { equalBytes } from "@dnsrep/util";
import { describe, expect, it } from "vitest";
import { vectorPath } from "../../../test/vectors.js";
import { decodeRRsetKey, decodeTriplet, dnstableMerge, EntryType, rrsetKey } from "../src/index.js";

function mergeInto(out: string, inputs: string[], blockSize: number): void {
  const readers = inputs.map((f) => Reader.open(vectorPath(f)));
  const w = Writer.create(out, { compression: "none", blockSize });
  const it = new Merger(readers, dnstableMerge).iter();
  while (it.next()) w.add(it.key, it.value);
  w.close();
  for (const r of readers) r.close();
}

describe("dnstable vectors", () => {
  it("part1 + part2 merged with dnstableMerge reproduce dns.merged.none.mtbl byte for byte", () => {
    const dir = mkdtempSync(join(tmpdir(), "dnstable-"));
    try {
      const out = join(dir, "m.mtbl");
      mergeInto(out, ["dnstable/dns.part1.none.mtbl", "dnstable/dns.part2.none.mtbl"], 8192);
      expect(equalBytes(readFileSync(out), readFileSync(vectorPath("dnstable/dns.merged.none.mtbl")))).toBe(true);
      const out2 = join(dir, "d.mtbl");
      mergeInto(out2, ["dnstable/dns.dnssec.part1.none.mtbl", "dnstable/dns.dnssec.part2.none.mtbl"], 8192);
      expect(equalBytes(readFileSync(out2), readFileSync(vectorPath("dnstable/dns.dnssec.merged.none.mtbl")))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("every RRSET key of dns.none.mtbl decodes and re-encodes identically", () => {
    const r = Reader.open(vectorPath("dnstable/dns.none.mtbl"));
    const it = r.iter();
    let n = 0;
    while (it.next()) {
      if (it.key[0] !== EntryType.RRSET) continue;
      const d = decodeRRsetKey(it.key);
      expect(equalBytes(rrsetKey(d.rrname, d.rrtype, d.bailiwick, d.rdatas), it.key)).toBe(true);
      expect(decodeTriplet(it.value)).not.toBeNull();
      n++;
    }
    r.close();
    expect(n).toBeGreaterThan(10);
  });
});
