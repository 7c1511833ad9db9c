/** DnstableReader.fromSources answers as a set file of the same files does, merged and unaggregated. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Reader } from "@dnsrep/mtbl";
import { afterAll, describe, expect, it } from "vitest";
import { vectorPath } from "../../../test/vectors.js";
import { type DnstableQuery, DnstableReader } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "dnstable-sources-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const files = ["dnstable/dns.part1.none.mtbl", "dnstable/dns.part2.none.mtbl", "dnstable/dns.dnssec.part1.none.mtbl"].map((f) =>
  vectorPath(f),
);
const setfile = join(dir, "all.set");
writeFileSync(setfile, files.map((f) => `${f}\n`).join(""));

const queries: DnstableQuery[] = [
  { type: "rrset", name: "*.com" },
  { type: "rrset", name: "*.org" },
  { type: "rdata_ip", ip: "::/0" },
  { type: "rdata_name", name: "*.net" },
  { type: "rdata_ip", ip: "0.0.0.0/0" },
];
const answers = (r: DnstableReader, q: DnstableQuery): string[] =>
  [...r.query(q)].map((x) => `${Buffer.from(x.key).toString("hex")} ${x.count} ${x.timeFirst} ${x.timeLast}`);

describe("DnstableReader.fromSources", () => {
  for (const aggregated of [true, false]) {
    it(`matches openSetFile (aggregated: ${aggregated})`, () => {
      const readers = files.map((f) => Reader.open(f));
      let closed = 0;
      const ours = DnstableReader.fromSources(readers, {
        aggregated,
        files: () => files,
        close: () => {
          closed++;
          for (const r of readers) r.close();
        },
      });
      const theirs = DnstableReader.openSetFile(setfile, { aggregated });
      let total = 0;
      for (const q of queries) {
        const a = answers(ours, q);
        expect(a).toEqual(answers(theirs, q));
        total += a.length;
      }
      expect(total).toBeGreaterThan(50);
      expect(ours.files).toEqual(files);
      ours.close();
      theirs.close();
      expect(closed).toBe(1);
    });
  }
});
