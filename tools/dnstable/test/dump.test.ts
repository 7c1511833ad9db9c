import { describe, expect, it } from "vitest";
import { memoryIo } from "@dnsrep/cli";
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
